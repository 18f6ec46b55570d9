"""复核 and 回访: the office (or the inspector it names) reviews the feedback and may send it back
with reasons; after 销号, a revisit at the campaign's set date records whether the result held and
reopens the matter as a new linked order if it did not. The trail keeps every step."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gongjian.supervision import orders, selectors
from gongjian.supervision.flow import State
from gongjian.supervision.models import EventKind, Message, SupervisionOrder, SupervisionSettings
from tests.factories import UserFactory
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_order, unit_staff


def _with_revisit(org, days=30):
    SupervisionSettings.objects.update_or_create(
        campaign=org.line.campaign, defaults={"revisit_after_days": days}
    )


def _feedback(org, **extra):
    order = orders.issue_order(
        actor=org.office,
        unit=org.hunan,
        title="安置房外墙整治",
        content="月底前完成外墙整治",
        deadline=TODAY + dt.timedelta(days=10),
        campaign=org.line.campaign,
        **extra,
    )
    for step in (orders.acknowledge, orders.start):
        order = step(actor=org.hunan_staff, order=order)
    return orders.feedback(actor=org.hunan_staff, order=order, text="外墙已完成")


def test_a_named_inspector_reviews_the_feedback_and_sends_it_back_with_reasons(org):
    order = _feedback(org)
    # an inspector cannot review an order he was not named for
    with pytest.raises(PermissionDenied):
        orders.send_back(actor=org.inspector, order=order, reason="x")
    order = orders.assign_reviewer(actor=org.office, order=order, reviewer=org.inspector)
    assert Message.objects.filter(
        user=org.inspector, text=f"您被指定为督办单 {order.code} 的复核人。"
    ).exists()
    assert [o.pk for o in selectors.todo(org.inspector).to_review] == [order.pk]
    order = orders.send_back(actor=org.inspector, order=order, reason="现场仍有脚手架未拆除")
    assert (order.state, order.times_sent_back) == (State.IN_PROGRESS, 1)
    order = orders.feedback(actor=org.hunan_staff, order=order, text="脚手架已拆除")
    order = orders.close(actor=org.inspector, order=order, note="复核通过")
    assert [e.kind for e in order.events.order_by("pk")] == [
        EventKind.ISSUED,
        EventKind.ACKNOWLEDGED,
        EventKind.STARTED,
        EventKind.FEEDBACK,
        EventKind.REVIEWER_ASSIGNED,
        EventKind.SENT_BACK,
        EventKind.FEEDBACK,
        EventKind.CLOSED,
    ]
    # the named inspector may not do what only the office does
    other = make_order(org, state=State.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        orders.decide_extension(actor=org.inspector, order=other, approve=True)


def test_only_an_inspector_over_the_unit_from_outside_it_may_be_named(org):
    order = _feedback(org)
    version = order.version
    with pytest.raises(ValidationFailed, match="不能指定为复核人"):
        orders.assign_reviewer(actor=org.office, order=order, reviewer=org.viewer)
    own = UserFactory(username="hunan_inspector", unit=org.hunan, roles=["inspector"])
    with pytest.raises(PermissionDenied, match="责任单位不能审核"):
        orders.assign_reviewer(actor=org.office, order=order, reviewer=own)
    with pytest.raises(PermissionDenied):
        orders.assign_reviewer(actor=org.hunan_staff, order=order, reviewer=org.inspector)
    order.refresh_from_db()
    assert (order.reviewer_id, order.version) == (None, version)
    assert selectors.reviewer_candidates(order) == [org.inspector]


def test_closing_sets_the_revisit_date_from_the_campaigns_setting(org, set_today):
    _with_revisit(org, days=30)
    order = orders.close(actor=org.office, order=_feedback(org))
    assert order.revisit_due == TODAY + dt.timedelta(days=30)
    assert selectors.todo(org.office).revisits_due == []
    set_today(TODAY + dt.timedelta(days=30))
    assert [o.pk for o in selectors.todo(org.office).revisits_due] == [order.pk]


def test_without_the_setting_no_revisit_is_planned_but_one_may_still_be_made(org):
    order = orders.close(actor=org.office, order=make_order(org, state=State.FEEDBACK))
    assert order.revisit_due is None
    order = orders.revisit(actor=org.office, order=order, held=True, note="外墙完好")
    assert (order.revisited_on, order.revisit_held) == (TODAY, True)
    with pytest.raises(InvalidTransition, match="该督办单已于 2026-12-01 回访"):
        orders.revisit(actor=org.office, order=order, held=True, note="再访")


def test_a_result_that_did_not_hold_reopens_as_a_new_linked_order(org, set_today):
    _with_revisit(org, days=30)
    songxia = unit_staff(org.songxia)
    order = orders.issue_order(
        actor=org.office,
        unit=org.hunan,
        title="安置房外墙整治",
        content="c",
        deadline=TODAY + dt.timedelta(days=10),
        campaign=org.line.campaign,
        cooperators=[org.songxia],
        source="public",
        source_ref="12345-0099",
    )
    order = orders.acknowledge(actor=org.hunan_staff, order=order)
    order = orders.start(actor=org.hunan_staff, order=order)
    order = orders.co_acknowledge(actor=songxia, order=order)
    order = orders.give_part(actor=songxia, order=order, text="配合完成")
    order = orders.feedback(actor=org.hunan_staff, order=order, text="完成")
    order = orders.close(actor=org.office, order=order)
    set_today(TODAY + dt.timedelta(days=30))
    order.refresh_from_db()
    with pytest.raises(ValidationFailed, match="须给出重新交办的办结时限"):
        orders.revisit(actor=org.office, order=order, held=False, note="外墙又有脱落")
    assert SupervisionOrder.objects.count() == 1
    order = orders.revisit(
        actor=org.office,
        order=order,
        held=False,
        note="外墙又有脱落",
        new_deadline=TODAY + dt.timedelta(days=40),
    )
    again = SupervisionOrder.objects.get(reopened_from=order)
    assert (again.state, again.unit, again.source, again.source_ref) == (
        State.ISSUED,
        org.hunan,
        "public",
        "12345-0099",
    )
    assert again.title == "回访未巩固：安置房外墙整治"
    assert [c.unit for c in again.cooperators.all()] == [org.songxia]
    assert order.events.order_by("pk").last().note == "成效未巩固，重新交办：外墙又有脱落"
    assert (order.state, order.revisit_held) == (State.CLOSED, False)


def test_the_unit_may_not_revisit_its_own_order(org):
    order = make_order(org, state=State.CLOSED)
    with pytest.raises(PermissionDenied):
        orders.revisit(actor=org.hunan_staff, order=order, held=True, note="好")
    order.refresh_from_db()
    assert order.revisited_on is None
