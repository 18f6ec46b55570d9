"""Which campaigns a user sees, and may file a project under (`following.campaigns_for`): the
ones owned by the user's unit or a unit above it, owned within scope, or with projects in
scope; never another district's. The API's list, the ledger's filter, the project sheet, the
services and the Excel import all ask the same rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.campaigns.models import Campaign, Line
from gongjian.core.errors import ValidationFailed
from gongjian.org.models import Role
from gongjian.projects import importing, ledger
from gongjian.projects.following import campaigns_for
from gongjian.projects.models import Project
from tests.factories import PASSWORD, UserFactory
from tests.projects.factories import ProjectFactory


@pytest.fixture
def gulou(org):
    """Another district's campaign, with a line and a project of its own, and its office."""
    campaign = Campaign.objects.create(
        name="百日攻坚",
        owner=org.gulou,
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 12, 31),
    )
    line = Line.objects.create(campaign=campaign, name="鼓楼征迁攻坚", lead_unit=org.gulou_caizheng)
    ProjectFactory(code="GL-01", unit=org.gulou_caizheng, campaign=campaign, line=line)
    office = UserFactory(username="gulou_office", unit=org.gulou, roles=[Role.OFFICE_ADMIN])
    return {"campaign": campaign, "line": line, "office": office}


def _names(user):
    return sorted(c.name for c in campaigns_for(user))


def test_each_user_sees_the_campaigns_above_and_within_and_not_another_districts(org, gulou):
    district = org.line.campaign
    assert _names(org.city_office) == ["攻坚120天", "百日攻坚"]  # both districts are the city's
    assert _names(org.office) == ["攻坚120天"]
    assert _names(gulou["office"]) == ["百日攻坚"]
    # a town sees its district's campaign before any project of its own is in it
    assert not Project.objects.filter(unit=org.hunan).exists()
    assert [c.pk for c in campaigns_for(org.hunan_staff)] == [district.pk]


def test_the_api_and_the_ledger_filter_list_only_the_campaigns_in_view(client, org, gulou):
    assert client.login(username=org.hunan_staff.username, password=PASSWORD)
    assert [c["name"] for c in client.get("/api/ledger/campaigns").json()] == ["攻坚120天"]
    page = client.get("/ledger/")
    form = page.context["form"]
    assert [label for _pk, label in form.fields["campaign"].choices][1:] == ["攻坚120天"]
    assert all("鼓楼征迁攻坚" not in label for _pk, label in form.fields["line"].choices)
    assert "百日攻坚" not in page.content.decode()


def test_a_project_cannot_be_filed_under_another_districts_campaign(org, gulou):
    with pytest.raises(ValidationFailed) as refused:
        ledger.create_project(
            actor=org.hunan_staff,
            code="HN-09",
            name="湖南镇卫生院",
            level="district",
            unit=org.hunan,
            line=gulou["line"],
        )
    assert refused.value.details["field"] == "campaign"
    assert "不在您的查看范围内" in refused.value.message
    assert not Project.objects.filter(code="HN-09").exists()
    # its own district's campaign, with no project of the town's in it yet, is fine
    mine = ledger.create_project(
        actor=org.hunan_staff, code="HN-10", name="湖南镇安置房", level="district",
        unit=org.hunan, line=org.line,
    )  # fmt: skip
    assert mine.campaign_id == org.line.campaign_id
    with pytest.raises(ValidationFailed):
        ledger.update_project(
            actor=org.hunan_staff,
            project_id=mine.pk,
            expected_version=mine.version,
            changes={"campaign": gulou["campaign"], "line": gulou["line"]},
        )
    mine.refresh_from_db()
    assert mine.campaign_id == org.line.campaign_id


def test_a_project_already_in_a_campaign_out_of_view_can_still_be_edited(org, gulou):
    """The rule is about joining a campaign: a project filed under one by the office above keeps
    it when its own unit edits something else."""
    project = ProjectFactory(code="HN-11", unit=org.hunan, campaign=gulou["campaign"])
    changed = ledger.update_project(
        actor=org.hunan_staff,
        project_id=project.pk,
        expected_version=project.version,
        changes={"percent_done": Decimal(20)},
    )
    assert changed.campaign_id == gulou["campaign"].pk


def test_the_import_refuses_a_row_naming_a_campaign_out_of_view_and_writes_nothing(org, gulou):
    rows = [
        importing.ProjectInput(
            row=2, code="HN-20", values={"name": "卫生院", "level": "district", "unit": org.hunan}
        ),
        importing.ProjectInput(
            row=3,
            code="HN-21",
            values={"name": "码头", "level": "district", "unit": org.hunan, "line": gulou["line"]},
        ),
    ]
    with pytest.raises(importing.RowsRejected) as refused:
        importing.import_ledger(actor=org.hunan_staff, projects=rows)
    [problem] = refused.value.problems
    assert (problem.row, problem.field) == (3, "campaign")
    assert "百日攻坚" in problem.message
    assert not Project.objects.filter(code__in=["HN-20", "HN-21"]).exists()


def test_the_project_sheet_offers_only_the_campaigns_in_view(client, org, gulou):
    assert client.login(username=org.hunan_staff.username, password=PASSWORD)
    page = client.get("/ledger/new/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "攻坚120天" in body and "百日攻坚" not in body and "鼓楼征迁攻坚" not in body
