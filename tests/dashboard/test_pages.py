"""Battle-map pages and API for every role: figures, scope, refusals, the briefing .docx."""

import io

import docx
import pytest

from tests.dashboard.conftest import ON
from tests.factories import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_anonymous_is_sent_to_login_and_refused_by_the_api(client, ledger):
    assert client.get("/dashboard/").status_code == 302
    assert client.get(f"/api/dashboard/overview?campaign={ledger.campaign.pk}").status_code == 401


@pytest.mark.parametrize(
    ("user", "projects"),
    [("office", 4), ("hunan_staff", 3), ("leader", 3), ("inspector", 4), ("viewer", 3)],
)
def test_overview_api_counts_the_users_scope(client, ledger, org, user, projects):
    login(client, getattr(org, user))
    body = client.get(f"/api/dashboard/overview?campaign={ledger.campaign.pk}&on={ON}").json()
    assert body["projects"] == projects


def test_campaign_outside_scope_is_not_found(client, ledger, org):
    from gongjian.campaigns.models import Campaign

    other = Campaign.objects.create(name="鼓楼攻坚", owner=org.gulou, start_date=ON, end_date=ON)
    login(client, org.office)
    assert client.get(f"/api/dashboard/overview?campaign={other.pk}").status_code == 404


def test_overview_page_shows_the_counts(client, ledger, org):
    login(client, org.office)
    body = client.get(f"/dashboard/?campaign={ledger.campaign.pk}&on={ON}").content.decode()
    assert 'id="kpi-red"' in body and "红灯 2" in body and "黄灯 1" in body


def test_unit_page_outside_scope_is_404(client, ledger, org):
    login(client, org.hunan_staff)
    response = client.get(f"/dashboard/unit/{org.songxia.pk}/?on={ON}")
    assert response.status_code == 404
    assert response.content.decode().count("该单位不存在，或不在您的查看范围内。") == 1
    assert client.get(f"/dashboard/unit/{org.hunan.pk}/?on={ON}").status_code == 200


def test_drill_list_page_lists_red_projects(client, ledger, org):
    login(client, org.office)
    body = client.get(
        f"/dashboard/projects/?campaign={ledger.campaign.pk}&colour=red&on={ON}"
    ).content.decode()
    assert "项目P1" in body and "项目P4" in body and "项目P3" not in body


def test_briefing_docx_is_a_word_file_with_the_counts(client, ledger, org):
    login(client, org.office)
    response = client.get(f"/dashboard/briefing/?on={ON}&format=docx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "每日会商简报" in text and "红灯 2 个，黄灯 1 个，绿灯 1 个" in text


def test_leader_nav_entry_only_for_leaders(client, ledger, org):
    login(client, org.hunan_staff)
    assert "领导视图" not in client.get("/").content.decode()
    client.logout()
    login(client, org.leader)
    assert "领导视图" in client.get("/").content.decode()


def test_bad_date_is_a_422_page_not_a_crash(client, ledger, org):
    login(client, org.office)
    response = client.get("/dashboard/?on=2026-13-01")
    assert response.status_code == 422
    assert "日期格式应为 YYYY-MM-DD。" in response.content.decode()


def test_briefing_docx_uses_the_office_template_when_it_has_one(client, ledger, org):
    from gongjian.assessment.bulletin_template import example_template, upload_template

    doc = docx.Document(io.BytesIO(example_template()))
    doc.paragraphs[0].insert_paragraph_before("长乐区专用版头")
    data = io.BytesIO()
    doc.save(data)
    upload_template(actor=org.office, office=org.changle, data=data.getvalue(), filename="a.docx")
    login(client, org.office)
    response = client.get(f"/dashboard/briefing/?on={ON}&format=docx")
    texts = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]
    assert texts[0] == "长乐区专用版头" and "每日会商简报" in texts
    assert "长乐区攻坚行动领导小组办公室" in texts  # the template's 发文机关标志, filled
    assert "一、总体情况：红灯 2 个，黄灯 1 个，绿灯 1 个。" in texts
    assert not any("{{" in t or "{%" in t for t in texts)
