"""A round's results as a streamed .xlsx: what each role may see of it, in the plan's order."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from gongjian.assessment.models import Round
from tests.factories import PASSWORD


def download(user: Any, round_: Round) -> Any:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client.get(f"/assessment/rounds/{round_.pk}/results.xlsx")


def rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response.streaming  # written to a temporary file and streamed
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["考评结果", "填写说明", "选项"]
    return list(wb["考评结果"].iter_rows(values_only=True))


def test_published_results_list_every_unit_by_rank_with_each_line(org, published_round) -> None:
    table = rows(download(org.viewer, published_round))
    assert table[0] == (
        "分组", "名次", "单位", "综合得分", "并列", "等次", "否决",
        "重大项目建设提速攻坚得分", "重大项目建设提速攻坚名次",
    )  # fmt: skip
    assert [(r[0], r[1], r[2]) for r in table[1:]] == [("乡镇", 1, "湖南镇"), ("乡镇", 2, "松下镇")]
    assert table[1][3] == 90 and table[2][3] == 85
    assert (table[1][7], table[1][8]) == (90, 1)


def test_scores_are_number_cells_with_two_to_four_decimals(org, published_round) -> None:
    response = download(org.office, published_round)
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb["考评结果"]
    assert ws["D2"].number_format == "0.00##"
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref == "A1:I3"


@pytest.mark.parametrize(
    ("who", "units"),
    [
        ("office", ["湖南镇", "松下镇"]),  # the owning office sees its working papers
        ("hunan_staff", ["湖南镇"]),  # during objections a unit sees its own row only
        ("viewer", ["湖南镇"]),  # a viewer of 湖南镇 too
    ],
)
def test_a_computed_round_shows_each_reader_what_the_page_shows(
    org, computed_round, who, units
) -> None:
    table = rows(download(getattr(org, who), computed_round))
    assert [r[2] for r in table[1:]] == units


@pytest.mark.parametrize("who", ["inspector", "leader"])
def test_an_unpublished_round_is_not_found_for_readers_who_see_none_of_it(
    org, computed_round, who
) -> None:
    response = download(getattr(org, who), computed_round)
    assert response.status_code == 404
    assert "找不到该考评期" in response.content.decode()


def test_anonymous_visitor_is_sent_to_log_in(client, org, published_round) -> None:
    response = client.get(f"/assessment/rounds/{published_round.pk}/results.xlsx")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_round_page_links_the_export(org, published_round) -> None:
    client = Client()
    assert client.login(username=org.viewer.username, password=PASSWORD)
    page = client.get(f"/assessment/rounds/{published_round.pk}/").content.decode()
    assert f"/assessment/rounds/{published_round.pk}/results.xlsx" in page


def test_members_sharing_a_name_are_told_apart_in_the_export(org) -> None:
    from gongjian.assessment import services
    from tests.assessment.factories import enter, import_plan

    plan = import_plan(groups={"部门": ["区财政局（长乐区）", "区财政局（鼓楼区）"]})
    round_ = services.create_round(actor=None, plan=plan, period="2026-12", title="12月考评")
    enter(round_, org.caizheng, "tz", "90")
    enter(round_, org.gulou_caizheng, "tz", "80")
    services.compute_round(actor=None, round=round_)
    services.publish_round(actor=None, round=round_)

    table = rows(download(org.office, round_))
    assert [(r[1], r[2]) for r in table[1:]] == [
        (1, "区财政局（长乐区）"),
        (2, "区财政局（鼓楼区）"),
    ]
