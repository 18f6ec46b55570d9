"""The ledger in the admin is read-only and scoped to the office's tree."""

from gongjian.campaigns.models import Campaign
from tests.factories import PASSWORD


def staff_login(client, user):
    user.is_staff = True
    user.save()
    assert client.login(username=user.username, password=PASSWORD)


def test_office_sees_its_projects_read_only_in_the_admin(client, org, ledger):
    staff_login(client, org.office)
    body = client.get("/admin/projects/project/").content.decode()
    assert "HN-01" in body
    assert "SX-01" in body
    change = client.get(f"/admin/projects/project/{ledger.hunan_project.pk}/change/")
    assert 'name="name"' not in change.content.decode()  # shown, not editable
    assert client.get("/admin/projects/project/add/").status_code == 403


def test_unit_staff_is_kept_out_of_the_ledger_admin(client, org, ledger):
    staff_login(client, org.hunan_staff)
    assert client.get("/admin/projects/project/").status_code == 403


def test_office_changes_campaign_thresholds_in_the_admin_with_history(client, org):
    staff_login(client, org.office)
    c = org.line.campaign
    response = client.post(
        f"/admin/campaigns/campaign/{c.pk}/change/",
        {
            "name": c.name,
            "owner": c.owner_id,
            "start_date": "2026-09-03",
            "end_date": "2026-12-31",
            "description": "",
            "warn_yellow_gap": "5",
            "warn_red_gap": "20",
            "warn_not_started_red_months": "3",
            "warn_milestone_red_days": "30",
            "report_cadence": "monthly",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    c = Campaign.objects.get(pk=c.pk)
    assert c.warn_yellow_gap == 5
    assert c.history.first().history_change_reason == "管理后台修改攻坚行动"
