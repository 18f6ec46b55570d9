"""The Excel import reads names only among what the importing user may see and name: the campaigns
in view and their lines, the people the project sheet offers (`selectors.nameable_people`), and
on an existing project's row what that project already names. Another district's campaign, line
or cadre reads like a name that does not exist; system work (no user) reads every name."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.campaigns.models import Campaign, Line
from gongjian.core.errors import ImportRejected
from gongjian.org.names import clean_text
from gongjian.org.scope import scope_for
from gongjian.projects.ledger_file import export_ledger, import_ledger_xlsx, read_ledger
from gongjian.projects.models import Project, TeamMember
from tests.factories import PersonFactory
from tests.projects.factories import MilestoneFactory, ProjectFactory
from tests.projects.test_ledger_file import state

D = dt.date


def office_wide_file(changes=None):
    """Every project's row (as an office sends it round), with {(sheet, cell): value} written in:
    row 2 is 湖南镇's HN-01, row 3 松下镇's SX-01."""
    wb = openpyxl.load_workbook(io.BytesIO(export_ledger(Project.objects.all())))
    for (sheet, cell), value in (changes or {}).items():
        wb[sheet][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def refusals(actor, data):
    before = state()
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=actor, data=data)
    assert state() == before
    return [(e.sheet, e.row, e.column, e.message) for e in exc.value.errors]


def campaign(name, owner, *lines):
    c = Campaign.objects.create(
        name=name, owner=owner, start_date=D(2026, 9, 3), end_date=D(2026, 12, 31)
    )
    for line in lines:
        Line.objects.create(campaign=c, name=line, lead_unit=owner)
    return c


# --- Campaigns and lines ------------------------------------------------------------------------


def test_an_ambiguous_campaign_name_lists_only_the_campaigns_in_the_importers_view(org, ledger):
    campaign("攻坚120天", org.city)
    campaign("攻坚120天", org.gulou)

    assert refusals(org.hunan_staff, office_wide_file({("项目台账", "D2"): "攻坚120天"})) == [
        (
            "项目台账",
            2,
            "D",
            "攻坚行动“攻坚120天”不唯一，请写作“名称（主办单位）”："
            "攻坚120天（长乐区）；攻坚120天（福州市）",
        )
    ]


@pytest.mark.parametrize("written", ["鼓楼攻坚", "鼓楼攻坚（鼓楼区）", "鼓楼攻坚(鼓楼区)"])
def test_a_campaign_only_in_another_district_reads_as_not_found(org, ledger, written):
    campaign("鼓楼攻坚", org.gulou)
    file = office_wide_file({("项目台账", "D2"): written, ("项目台账", "E2"): None})

    nowhere = office_wide_file(
        {("项目台账", "D2"): written.replace("鼓楼攻坚", "无此攻坚"), ("项目台账", "E2"): None}
    )

    (refusal,) = refusals(org.hunan_staff, file)

    assert refusal == ("项目台账", 2, "D", f"找不到攻坚行动“{clean_text(written)}”。")
    (absent,) = refusals(org.hunan_staff, nowhere)
    assert refusal[3] == absent[3].replace("无此攻坚", "鼓楼攻坚")


def test_a_line_only_in_another_districts_campaign_is_not_found(org, ledger):
    campaign("鼓楼攻坚", org.gulou, "鼓楼专项")
    file = office_wide_file({("项目台账", "D2"): None, ("项目台账", "E2"): "鼓楼专项"})

    assert refusals(org.hunan_staff, file) == [("项目台账", 2, "E", "找不到攻坚专项“鼓楼专项”。")]


def test_another_projects_campaign_outside_the_view_is_not_found_on_this_row(org, ledger):
    songxia_own = campaign("松下攻坚", org.songxia, "松下专项")
    Project.objects.filter(pk=ledger.songxia_project.pk).update(campaign=songxia_own, line=None)
    file = office_wide_file({("项目台账", "D2"): "松下攻坚", ("项目台账", "E2"): None})

    assert refusals(org.hunan_staff, file) == [("项目台账", 2, "D", "找不到攻坚行动“松下攻坚”。")]


# --- People -------------------------------------------------------------------------------------


def test_a_cadre_name_in_two_districts_resolves_to_the_importers_district(org, ledger):
    mine = PersonFactory(name="李明", unit=org.fagai)
    PersonFactory(name="李明", unit=org.gulou_caizheng)
    file = office_wide_file({("项目台账", "I2"): "陈干部（协调）、李明（联络）"})

    summary = import_ledger_xlsx(actor=org.office, data=file)

    assert (summary.updated, summary.unchanged) == (1, 1)
    assert sorted(
        TeamMember.objects.filter(project=ledger.hunan_project).values_list("person_id", "duty")
    ) == sorted([(ledger.team_member.pk, "协调"), (mine.pk, "联络")])


def test_an_ambiguous_cadre_name_lists_only_people_the_importer_may_name(org, ledger):
    PersonFactory(name="李明", unit=org.fagai)
    PersonFactory(name="李明", unit=org.caizheng)
    PersonFactory(name="李明", unit=org.gulou_caizheng)
    file = office_wide_file({("项目台账", "H2"): "李明"})

    assert refusals(org.office, file) == [
        ("项目台账", 2, "H", "干部姓名“李明”不唯一，可能是：李明（区发改局）；李明（区财政局）")
    ]


def test_a_cadre_only_in_another_district_is_not_found(org, ledger):
    PersonFactory(name="赵强", unit=org.gulou_caizheng)
    file = office_wide_file({("项目台账", "H2"): "赵强", ("节点计划", "F2"): "赵强"})

    assert refusals(org.office, file) == [
        ("项目台账", 2, "H", "找不到干部“赵强”。"),
        ("节点计划", 2, "F", "找不到干部“赵强”。"),
    ]


def test_a_leader_of_a_unit_above_still_leads_a_towns_project(org, ledger):
    city_leader = PersonFactory(name="张副市长", unit=org.city, is_leader=True)

    import_ledger_xlsx(
        actor=org.hunan_staff, data=office_wide_file({("项目台账", "H2"): "张副市长"})
    )

    assert Project.objects.get(pk=ledger.hunan_project.pk).leader == city_leader


def test_a_person_another_project_names_is_not_nameable_on_this_one(org, ledger):
    songxia_cadre = PersonFactory(name="周干事", unit=org.songxia)
    TeamMember.objects.create(project=ledger.songxia_project, person=songxia_cadre, duty="")
    file = office_wide_file({("项目台账", "I2"): "陈干部（协调）、周干事"})

    assert refusals(org.hunan_staff, file) == [("项目台账", 2, "I", "找不到干部“周干事”。")]


# --- What a project already names, and system work ----------------------------------------------


def test_an_unchanged_row_of_another_units_project_reads_back_with_its_own_names(org, ledger):
    """A town re-uploads the office's file: 松下镇's row names 松下镇's cadres and campaign,
    none of which 湖南镇 may name, and is left alone as it is."""
    songxia_own = campaign("松下攻坚", org.songxia, "松下专项")
    Project.objects.filter(pk=ledger.songxia_project.pk).update(
        campaign=songxia_own,
        line=songxia_own.lines.get(),
        leader=PersonFactory(name="周干事", unit=org.songxia),
    )
    TeamMember.objects.create(
        project=ledger.songxia_project, person=PersonFactory(name="吴干部", unit=org.songxia)
    )
    MilestoneFactory(
        project=ledger.songxia_project,
        seq=1,
        person=PersonFactory(name="郑干部", unit=org.songxia),
        planned_date=D(2026, 8, 1),
    )
    before = state()

    summary = import_ledger_xlsx(actor=org.hunan_staff, data=office_wide_file())

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    assert (summary.milestones_created, summary.milestones_updated) == (0, 0)
    assert state() == before


def test_system_work_reads_every_districts_names(org, ledger):
    gulou_campaign = campaign("鼓楼攻坚", org.gulou, "鼓楼专项")
    gulou_cadre = PersonFactory(name="赵强", unit=org.gulou_caizheng)
    file = office_wide_file(
        {("项目台账", "D2"): "鼓楼攻坚", ("项目台账", "E2"): "鼓楼专项", ("项目台账", "H2"): "赵强"}
    )

    projects, _milestones, errors, _sheets = read_ledger(file)

    assert errors == []
    hn = next(p for p in projects if p.code == "HN-01")
    assert (hn.values["campaign"], hn.values["line"], hn.values["leader"]) == (
        gulou_campaign,
        gulou_campaign.lines.get(),
        gulou_cadre,
    )


def test_names_are_read_with_the_same_queries_for_two_rows_or_forty(org, ledger):
    def queries():
        file = office_wide_file()
        with CaptureQueriesContext(connection) as ctx:
            _projects, _milestones, errors, _sheets = read_ledger(file, actor=org.hunan_staff)
        assert errors == []
        return len(ctx.captured_queries)

    scope_for(org.hunan_staff)  # read once a user (once a request), not once a file
    file_of_two = queries()
    for i in range(38):
        p = ProjectFactory(unit=org.songxia, leader=PersonFactory(unit=org.songxia))
        TeamMember.objects.create(project=p, person=PersonFactory(unit=org.songxia))
        MilestoneFactory(project=p, seq=1, person=PersonFactory(unit=org.songxia, name=f"节{i}"))

    assert queries() == file_of_two
