"""主办/协办: one lead unit and co-operating units; each co-operating unit signs and gives its part
to the lead, whose feedback is complete only with every part in or explained; lateness counts
against the unit that was late."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gongjian.supervision import orders, selectors, tick
from gongjian.supervision.flow import State
from gongjian.supervision.models import EventKind, Message, OrderCooperator, SupervisionOrder
from gongjian.supervision.providers import _provider
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_draft, make_order, unit_staff


def _issue(org, cooperators, **extra):
    return orders.issue_order(
        actor=org.office,
        unit=org.hunan,
        title="片区道路贯通",
        content="主办湖南镇，松下镇配合管线迁改。",
        deadline=TODAY + dt.timedelta(days=5),
        cooperators=cooperators,
        **extra,
    )


def _started(org):
    order = _issue(org, [org.songxia, org.fagai])
    order = orders.acknowledge(actor=org.hunan_staff, order=order)
    return orders.start(actor=org.hunan_staff, order=order)


def test_a_co_operating_unit_is_told_sees_the_order_and_has_a_part_due(org):
    songxia = unit_staff(org.songxia)
    order = _issue(org, [org.songxia])
    assert list(Message.objects.filter(user=songxia).values_list("text", flat=True)) == [
        f"督办单 {order.code}：片区道路贯通，由“湖南镇”主办，贵单位协办，"
        "请于 2026-12-06 前签收并向主办单位提交协办意见。"
    ]
    assert selectors.orders_for(songxia).filter(pk=order.pk).exists()
    assert [c.order_id for c in selectors.todo(songxia).parts_due] == [order.pk]
    assert selectors.todo(songxia).to_handle == []  # the lead's work is not theirs
    # a unit that helps with nothing sees nothing
    other = unit_staff(org.caizheng)
    assert not selectors.orders_for(other).filter(pk=order.pk).exists()


@pytest.mark.parametrize(
    ("cooperators", "message"),
    [
        (lambda org: [org.hunan], "“湖南镇”已是主办单位，不能同时作为协办单位。"),
        (lambda org: [org.songxia, org.songxia], "协办单位“松下镇”重复。"),
        (lambda org: [org.gulou_caizheng], "无权对“区财政局”执行“交办督办单”操作。"),
    ],
)
def test_co_operating_units_are_checked_and_nothing_is_issued(org, cooperators, message):
    with pytest.raises((ValidationFailed, PermissionDenied)) as err:
        _issue(org, cooperators(org))
    assert err.value.message == message
    assert (SupervisionOrder.objects.count(), OrderCooperator.objects.count()) == (0, 0)


def test_each_co_operating_unit_signs_then_gives_its_part_once(org):
    order = _started(org)
    songxia = unit_staff(org.songxia)
    with pytest.raises(InvalidTransition, match="请先协办签收"):
        orders.give_part(actor=songxia, order=order, text="x")
    order = orders.co_acknowledge(actor=songxia, order=order)
    with pytest.raises(InvalidTransition, match="“松下镇”已协办签收"):
        orders.co_acknowledge(actor=songxia, order=order)
    with pytest.raises(ValidationFailed, match="请填写协办意见"):
        orders.give_part(actor=songxia, order=order, text="  ")
    order = orders.give_part(actor=songxia, order=order, text="管线迁改已完成")
    part = order.cooperators.get(unit=org.songxia)
    assert (part.acknowledged_on, part.part_on, part.part_text, part.part_by) == (
        TODAY,
        TODAY,
        "管线迁改已完成",
        songxia,
    )
    assert [(e.kind, e.note) for e in order.events.filter(kind__startswith="co_")] == [
        (EventKind.CO_ACKNOWLEDGED, "松下镇"),
        (EventKind.CO_PART, "松下镇：管线迁改已完成"),
    ]
    assert Message.objects.filter(
        user=org.hunan_staff, text=f"督办单 {order.code} 的协办单位“松下镇”已提交协办意见。"
    ).exists()
    # the lead unit's people cannot sign or answer for a co-operating unit
    with pytest.raises(PermissionDenied, match="只有本督办单协办单位的人员"):
        orders.co_acknowledge(actor=org.hunan_staff, order=order)


def test_the_leads_feedback_needs_every_part_in_or_explained(org):
    order = _started(org)
    songxia = unit_staff(org.songxia)
    order = orders.co_acknowledge(actor=songxia, order=order)
    order = orders.give_part(actor=songxia, order=order, text="管线迁改已完成")
    version = order.version
    # 区发改局 has given nothing: the feedback without a word about it is refused, nothing changed
    with pytest.raises(ValidationFailed, match="协办单位“区发改局”尚未提交协办意见"):
        orders.feedback(actor=org.hunan_staff, order=order, text="道路已贯通")
    order.refresh_from_db()
    assert (order.state, order.version) == (State.IN_PROGRESS, version)
    # with its explanation the feedback is complete
    order = orders.feedback(
        actor=org.hunan_staff,
        order=order,
        text="道路已贯通",
        explanations={org.fagai.pk: "发改局审批事项已提前办结，无需另行提交"},
    )
    assert order.state == State.FEEDBACK
    fagai = order.cooperators.get(unit=org.fagai)
    assert (fagai.part_on, fagai.explanation) == (None, "发改局审批事项已提前办结，无需另行提交")


def test_a_late_part_counts_against_the_co_operating_unit_and_not_the_lead(org, set_today):
    # given an order due 2026-12-06 whose lead answered in time but 松下镇 gave its part late
    order = _issue(org, [org.songxia])
    songxia = unit_staff(org.songxia)
    order = orders.acknowledge(actor=org.hunan_staff, order=order)
    order = orders.start(actor=org.hunan_staff, order=order)
    order = orders.co_acknowledge(actor=songxia, order=order)
    set_today(dt.date(2026, 12, 8))
    tick.tick(deliver=False)  # the lead's order is overdue too: it still owes the answer
    order.refresh_from_db()
    order = orders.give_part(actor=songxia, order=order, text="迟交的协办意见")
    part = order.cooperators.get()
    assert part.overdue_on == dt.date(2026, 12, 8)
    counts = selectors.unit_counts([org.hunan, org.songxia], TODAY, dt.date(2026, 12, 31))
    assert (counts[org.hunan.pk].orders_overdue, counts[org.songxia.pk].orders_overdue) == (1, 1)


def test_a_part_given_in_time_leaves_only_the_late_lead_counted(org, set_today):
    order = _issue(org, [org.songxia])
    songxia = unit_staff(org.songxia)
    order = orders.co_acknowledge(actor=songxia, order=order)
    order = orders.give_part(actor=songxia, order=order, text="按时提交")
    set_today(dt.date(2026, 12, 8))
    counts = selectors.unit_counts([org.hunan, org.songxia], TODAY, dt.date(2026, 12, 31))
    assert (counts[org.hunan.pk].orders_overdue, counts[org.songxia.pk].orders_overdue) == (1, 0)


def test_the_overdue_provider_names_the_order_a_co_operating_unit_was_late_on(org, set_today):
    order = _issue(org, [org.songxia])
    order = orders.acknowledge(actor=org.hunan_staff, order=order)
    order = orders.start(actor=org.hunan_staff, order=order)
    order = orders.feedback(
        actor=org.hunan_staff,
        order=order,
        text="已贯通",
        explanations={org.songxia.pk: "松下镇未回复"},
    )
    set_today(dt.date(2026, 12, 8))

    class _Round:
        period_start = TODAY
        period_end = dt.date(2026, 12, 31)

    provided = _provider("orders_overdue", "overdue")(_Round(), [org.hunan, org.songxia])  # type: ignore[arg-type]
    # the lead answered in time and explained the missing part: no one is late
    assert provided[org.hunan.pk].value == Decimal(0)
    assert provided[org.songxia.pk].value == Decimal(0)
    orders.send_back(actor=org.office, order=order, reason="请补齐松下镇意见")
    tick.tick(deliver=False)
    provided = _provider("orders_overdue", "overdue")(_Round(), [org.hunan, org.songxia])  # type: ignore[arg-type]
    assert provided[org.songxia.pk].value == Decimal(1)
    assert provided[org.songxia.pk].trail == (
        f"{order.code} 片区道路贯通（协办部分，时限 2026-12-06）",
    )
    assert provided[org.hunan.pk].trail == (f"{order.code} 片区道路贯通（时限 2026-12-06）",)


def test_a_draft_is_hidden_from_its_co_operating_units_till_approved(org):
    songxia = unit_staff(org.songxia)
    draft = make_draft(org, cooperators=[org.songxia])
    assert not selectors.orders_for(songxia).filter(pk=draft.pk).exists()
    assert Message.objects.filter(user=songxia).count() == 0
    orders.approve(actor=org.leader, order=draft)
    assert selectors.orders_for(songxia).filter(pk=draft.pk).exists()
    assert Message.objects.filter(user=songxia).count() == 1


def test_the_factory_walks_an_order_with_a_co_operating_unit_to_closed(org):
    order = make_order(org, state=State.CLOSED, cooperators=[org.songxia])
    part = order.cooperators.get()
    assert (order.state, part.part_text, part.overdue_on) == ("closed", "已配合完成", None)
