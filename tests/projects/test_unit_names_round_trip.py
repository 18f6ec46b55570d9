"""Two units of one name (each district has its 区财政局): what the ledger writes of a unit reads
back as that unit — the Excel export and the project sheet write 区财政局（鼓楼区） where the name
is shared — and a name typed plain means the one nearest the project or the importer, among the
units the importer keeps a ledger for. Before, the export's plain 区财政局 came back "不唯一" and
the sheet's milestone unit could not be saved unchanged."""

import re

import pytest

from gongjian.core.errors import ImportRejected
from gongjian.projects.ledger_file import export_ledger, import_ledger_xlsx
from gongjian.projects.models import CoordinationRequest, Milestone, Project
from tests.projects.factories import MilestoneFactory, ProjectFactory
from tests.projects.test_ledger_file import edit, state, values
from tests.projects.test_sheet import login, milestone_row, sheet_post


@pytest.fixture
def finance(org, ledger):
    """A project of each district's 区财政局, and a 长乐区 milestone that 鼓楼区's answers for."""
    ProjectFactory(code="CZ-CL", name="长乐财政项目", unit=org.caizheng, campaign=org.line.campaign)
    ProjectFactory(code="CZ-GL", name="鼓楼财政项目", unit=org.gulou_caizheng)
    ledger.milestone.unit = org.gulou_caizheng
    ledger.milestone.save()
    return ledger


def test_the_export_writes_a_shared_unit_name_with_the_unit_above_it(org, finance):
    sheets = values(export_ledger(Project.objects.all()))
    units = {row[0]: row[6] for row in sheets["项目台账"][1:]}

    assert units["CZ-CL"] == "区财政局（长乐区）"
    assert units["CZ-GL"] == "区财政局（鼓楼区）"
    assert units["HN-01"] == "湖南镇"
    assert sheets["节点计划"][1][6] == "区财政局（鼓楼区）"


def test_the_city_office_sends_its_export_round_and_nothing_changes(org, finance):
    before = state()
    summary = import_ledger_xlsx(actor=org.city_office, data=export_ledger(Project.objects.all()))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 4)
    assert state() == before


def test_a_district_office_typing_a_shared_name_means_its_own_districts_unit(org, finance):
    data = export_ledger(Project.objects.filter(unit=org.caizheng))
    edited = edit(data, {("项目台账", "G2"): "区财政局", ("项目台账", "B2"): "改名"})

    import_ledger_xlsx(actor=org.office, data=edited)

    project = Project.objects.get(code="CZ-CL")
    assert (project.name, project.unit) == ("改名", org.caizheng)


def test_a_unit_the_importer_keeps_no_ledger_for_reads_as_not_found(org, finance):
    data = export_ledger(Project.objects.filter(unit=org.caizheng))
    edited = edit(data, {("项目台账", "G2"): "区财政局（鼓楼区）"})
    before = state()

    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.office, data=edited)

    assert state() == before
    (error,) = exc.value.errors
    assert (error.sheet, error.row, error.column) == ("项目台账", 2, "G")
    assert "找不到单位" in error.message


def test_the_sheet_keeps_a_milestones_unit_of_a_shared_name_when_saved_unchanged(
    client, org, finance
):
    project = finance.hunan_project
    login(client, org.office)
    page = client.get(f"/ledger/{project.pk}/edit/").content.decode()
    assert re.search(r'name="ms-0-unit"[^>]*value="区财政局（鼓楼区）"', page)

    milestone = Milestone.objects.get(pk=finance.milestone.pk)
    row = milestone_row(milestone, unit="区财政局（鼓楼区）")
    response = client.post(f"/ledger/{project.pk}/edit/", sheet_post(project, milestones=[row]))

    assert response.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).unit == org.gulou_caizheng


def test_a_milestone_unit_typed_plain_is_the_one_on_the_projects_side(client, org, finance):
    project = finance.hunan_project
    milestone = MilestoneFactory(project=project, seq=2, name="资金到位")
    login(client, org.office)
    rows = [
        milestone_row(Milestone.objects.get(pk=finance.milestone.pk), unit="区财政局（鼓楼区）"),
        milestone_row(milestone, unit="区财政局"),
    ]

    response = client.post(f"/ledger/{project.pk}/edit/", sheet_post(project, milestones=rows))

    assert response.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).unit == org.caizheng


def test_a_town_asks_its_own_districts_finance_bureau_to_coordinate(client, org, ledger):
    login(client, org.hunan_staff)
    response = client.post(
        f"/ledger/{ledger.hunan_project.pk}/report/",
        {
            "period_end": "2026-06-30",
            "percent_done": "47",
            "investment_period_wan": "0",
            "coordination_category": "funds",
            "coordination_description": "补助资金拨付",
            "coordination_unit": "区财政局",
        },
    )

    assert response.status_code == 302
    assert CoordinationRequest.objects.get().handling_unit == org.caizheng
