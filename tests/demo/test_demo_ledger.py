"""The demo ledger: Hunan Town's 13 projects (7 city, 6 district) with mixed warnings and reasons."""

import datetime as dt
import io
import json

from django.core.management import call_command

from gongjian.campaigns.models import Campaign
from gongjian.demo import ledger_data
from gongjian.projects.models import Milestone, Project, TeamMember

DEMO_DAY = "2026-12-31"


def warnings(campaign_id=None):
    out = io.StringIO()
    args = ["warnings", "--date", DEMO_DAY, "--json"]
    if campaign_id:
        args += ["--campaign", str(campaign_id)]
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_changle_campaign_has_the_ten_lines_with_lead_units(demo):
    c = Campaign.objects.get(name="攻坚120天", owner__name="长乐区")
    assert (c.start_date, c.end_date, c.days) == (dt.date(2026, 9, 3), dt.date(2026, 12, 31), 120)
    assert [(line.name, line.lead_unit.name) for line in c.lines.all()] == [
        (name, lead) for name, lead, _covers in ledger_data.CHANGLE_LINES
    ]


def test_hunan_has_13_projects_7_city_6_district_each_with_leader_team_and_plan(demo):
    hunan = Campaign.objects.get(name="百日攻坚", owner__name="湖南镇")
    assert hunan.days == 100
    projects = Project.objects.filter(campaign=hunan)
    assert projects.count() == 13
    assert projects.filter(level="city").count() == 7
    assert projects.filter(level="district").count() == 6
    for p in projects:
        assert p.leader is not None
        assert TeamMember.objects.filter(project=p).count() >= 2
        assert Milestone.objects.filter(project=p, person=None).count() == 0
        assert Milestone.objects.filter(project=p, unit=None).count() == 0


def test_hunan_projects_on_the_demo_date_are_green_yellow_and_red_for_stated_reasons(demo):
    hunan = Campaign.objects.get(name="百日攻坚")
    rows = {r["project_code"]: r for r in warnings(hunan.pk)}
    colours = [r["colour"] for r in rows.values()]
    assert (colours.count("green"), colours.count("yellow"), colours.count("red")) == (6, 4, 3)
    assert rows["HN-2026-04"]["colour"] == "yellow"
    assert rows["HN-2026-04"]["reasons"][0] == "主体完工节点逾期 21 天"
    assert rows["HN-2026-01"]["reasons"] == ["交地节点逾期 45 天"]
    assert rows["HN-2026-06"]["reasons"] == ["形象进度 32.2%，序时进度 66.23%，滞后 34.03 个百分点"]
    assert (
        rows["HN-2026-10"]["reasons"][0]
        == "计划 2026-08-01 开工，尚未开工，已超过 3 个月且无正当理由"
    )
    assert rows["HN-2026-07"]["reasons"] == ["已竣工"]


def test_the_ledger_page_agrees_with_the_command(demo, client):
    from gongjian.demo import org_data

    assert client.login(username="hunan_staff", password=org_data.DEMO_PASSWORD)
    html = client.get("/ledger/").content.decode()
    for r in warnings():
        if r["unit"] != "湖南镇":
            assert f'data-code="{r["project_code"]}"' not in html
            continue
        row = html.split(f'data-code="{r["project_code"]}"')[1].split("</tr>")[0]
        assert f'data-colour="{r["colour"]}"' in row
        assert "；".join(r["reasons"]) in row
