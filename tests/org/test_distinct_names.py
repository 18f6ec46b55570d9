"""A list of units shows each by its name, and two of the same name (each district has its
区财政局) with the unit above each: the ledger's 责任单位 filter, the project sheet's 责任单位 and
the order board's units all read `org.selectors.distinct_names`."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.core import clock
from gongjian.org.models import Role, Unit
from gongjian.org.selectors import distinct_names
from gongjian.supervision import orders
from tests.factories import PASSWORD, UnitFactory, UserFactory
from tests.projects.factories import ProjectFactory


def _rows(*units):
    return [(u.pk, u.name, u.path) for u in units]


def test_unique_names_stay_as_they_are_and_cost_no_query(org):
    with CaptureQueriesContext(connection) as ctx:
        labels = distinct_names(_rows(org.fagai, org.hunan, org.songxia))
    assert labels == {org.fagai.pk: "区发改局", org.hunan.pk: "湖南镇", org.songxia.pk: "松下镇"}
    assert ctx.captured_queries == []


def test_a_shared_name_is_told_apart_by_the_unit_above_each(org):
    labels = distinct_names(_rows(org.caizheng, org.gulou_caizheng, org.hunan))
    assert labels == {
        org.caizheng.pk: "区财政局（长乐区）",
        org.gulou_caizheng.pk: "区财政局（鼓楼区）",
        org.hunan.pk: "湖南镇",
    }


def test_where_the_units_above_share_a_name_too_the_whole_path_is_shown(org):
    other_city = UnitFactory(name="厦门市", kind="city")
    other_changle = UnitFactory(name="长乐区", kind="district", parent=other_city)
    twin = UnitFactory(name="区财政局", parent=other_changle)
    labels = distinct_names(_rows(org.caizheng, twin))
    assert labels == {
        org.caizheng.pk: "福州市 / 长乐区 / 区财政局",
        twin.pk: "厦门市 / 长乐区 / 区财政局",
    }


def test_the_ledger_filter_and_the_order_board_tell_two_finance_bureaus_apart(client, org):
    ProjectFactory(code="CZ-1", unit=org.caizheng)
    ProjectFactory(code="CZ-2", unit=org.gulou_caizheng)
    for unit in (org.caizheng, org.gulou_caizheng):
        orders.issue_order(
            actor=org.city_office,
            unit=unit,
            title="加快资金拨付",
            content="限期拨付并反馈。",
            deadline=clock.today() + dt.timedelta(days=10),
        )
    assert client.login(username=org.city_office.username, password=PASSWORD)

    ledger = client.get("/ledger/").context["form"].fields["unit"].choices
    assert {label for _pk, label in ledger} >= {"区财政局（长乐区）", "区财政局（鼓楼区）"}
    board = client.get("/supervision/").content.decode()
    assert "区财政局（长乐区）" in board and "区财政局（鼓楼区）" in board


def test_the_project_sheet_tells_two_units_of_one_name_apart(client, org):
    office = UserFactory(username="city_staff", unit=org.city, roles=[Role.UNIT_STAFF])
    assert client.login(username=office.username, password=PASSWORD)
    choices = client.get("/ledger/new/").context["form"].fields["unit"].choices
    labels = dict(choices)
    assert labels[org.caizheng.pk] == "区财政局（长乐区）"
    assert labels[org.gulou_caizheng.pk] == "区财政局（鼓楼区）"
    assert labels[Unit.objects.get(name="湖南镇").pk] == "湖南镇"
