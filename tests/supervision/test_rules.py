"""The rules each decided in one function (`supervision.rules`, `flow.is_overdue`) and used alike by
the service, the buttons, the API and the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.core.errors import GongjianError, InvalidTransition, PermissionDenied
from gongjian.supervision import inbox, inspections, orders, rules
from gongjian.supervision.flow import RULES, State, Step, is_overdue
from gongjian.supervision.models import Message
from tests.factories import PASSWORD, UserFactory
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_order


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


# ---------------------------------------------------------------- when an order is overdue


@pytest.mark.parametrize(
    ("state", "deadline", "overdue"),
    [
        (State.ISSUED, TODAY - dt.timedelta(days=1), True),
        (State.ACKNOWLEDGED, TODAY - dt.timedelta(days=1), True),
        (State.IN_PROGRESS, TODAY - dt.timedelta(days=1), True),
        (State.IN_PROGRESS, TODAY, False),  # the deadline day itself is still in time
        (State.FEEDBACK, TODAY - dt.timedelta(days=1), False),  # the unit owes nothing now
        (State.CLOSED, TODAY - dt.timedelta(days=1), False),
    ],
)
def test_an_order_is_overdue_only_while_open_and_past_its_deadline(state, deadline, overdue):
    assert is_overdue(state, deadline, TODAY) is overdue


def test_board_row_detail_page_and_api_agree_on_overdue(client, org, set_today):
    late = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3), title="逾期")
    answered = make_order(org, state=State.FEEDBACK, deadline=dt.date(2026, 12, 3), title="已反馈")
    set_today(dt.date(2026, 12, 5))
    late.refresh_from_db()
    answered.refresh_from_db()
    assert (late.is_overdue, answered.is_overdue) == (True, False)
    login(client, org.office)
    board = client.get("/supervision/").content.decode()
    assert board.count("is-overdue") == 1
    assert f'class="is-overdue" data-order="{late.code}"' in board
    assert 'id="overdue-flag"' in client.get(f"/supervision/orders/{late.pk}/").content.decode()
    assert 'id="overdue-flag"' not in (
        client.get(f"/supervision/orders/{answered.pk}/").content.decode()
    )
    api = {o["id"]: o["overdue"] for o in client.get("/api/supervision/orders").json()["items"]}
    assert api == {late.pk: True, answered.pk: False}


# ---------------------------------------------------------------- which step a user may take


def _refusal(actor, order, step):
    try:
        rules.check_step(actor, order, step)
    except GongjianError as exc:
        return exc
    return None


def test_allowed_steps_are_exactly_the_steps_the_service_would_not_refuse(org, set_today):
    issued = make_order(org)
    in_progress = make_order(org, state=State.IN_PROGRESS)
    orders.request_extension(
        actor=org.hunan_staff,
        order=in_progress,
        reason="征迁户未签约",
        new_deadline=in_progress.deadline + dt.timedelta(days=5),
    )
    late = make_order(org, state=State.ACKNOWLEDGED, deadline=dt.date(2026, 12, 2))
    set_today(dt.date(2026, 12, 4))
    users = [org.office, org.hunan_staff, org.leader, org.viewer, org.inspector, org.lead]
    for order in (issued, in_progress, late):
        order.refresh_from_db()
        for user in users:
            expected = [s for s in RULES if _refusal(user, order, s) is None]
            assert rules.allowed_steps(user, order) == expected


def test_the_unit_may_acknowledge_and_ask_for_time_the_office_may_remind(org):
    order = make_order(org)
    assert rules.allowed_steps(org.hunan_staff, order) == [
        Step.ACKNOWLEDGE,
        Step.REQUEST_EXTENSION,
    ]
    assert rules.allowed_steps(org.office, order) == [Step.REMIND, Step.ASSIGN_REVIEWER]
    assert rules.allowed_steps(org.viewer, order) == []


def test_no_extension_can_be_asked_after_the_deadline_by_button_or_service(org, set_today):
    order = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 2))
    set_today(dt.date(2026, 12, 3))
    order.refresh_from_db()
    assert Step.REQUEST_EXTENSION not in rules.allowed_steps(org.hunan_staff, order)
    with pytest.raises(GongjianError, match="延期须在办结时限（2026-12-02）前申请"):
        orders.request_extension(
            actor=org.hunan_staff, order=order, reason="r", new_deadline=dt.date(2026, 12, 9)
        )
    assert order.extensions.count() == 0


def test_deciding_needs_a_pending_extension_by_button_or_service(org):
    order = make_order(org, state=State.IN_PROGRESS)
    assert Step.DECIDE_EXTENSION not in rules.allowed_steps(org.office, order)
    with pytest.raises(InvalidTransition, match="没有待审批的延期申请"):
        orders.decide_extension(actor=org.office, order=order, approve=True)
    order.refresh_from_db()
    assert (order.version, order.deadline) == (3, order.original_deadline)


# ---------------------------------------------------------------- who may rectify a hazard


def _hazard(org):
    insp = inspections.record_inspection(
        actor=org.inspector,
        kind="random",
        unit=org.hunan,
        team="区督查组",
        inspected_on=TODAY,
        findings="f",
        hazards=[inspections.HazardIn("灭火器过期", TODAY + dt.timedelta(days=3))],
    )
    return insp.hazards.select_related("inspection__unit").get()


def test_only_the_inspected_units_handlers_may_rectify_a_hazard(org):
    hazard = _hazard(org)
    superuser = UserFactory(username="root", unit=None, is_superuser=True)
    assert rules.may_rectify(org.hunan_staff, hazard)
    assert rules.may_rectify(superuser, hazard)
    # A viewer of the unit itself reads it but does not answer for it.
    for user in (org.viewer, org.office, org.inspector, org.leader):
        assert not rules.may_rectify(user, hazard)
    with pytest.raises(PermissionDenied):
        inspections.rectify_hazard(actor=org.viewer, hazard=hazard, note="已更换")
    hazard.refresh_from_db()
    assert (hazard.rectified_on, hazard.version) == (None, 1)


def test_the_inspections_page_shows_the_rectify_form_to_whom_the_service_accepts(client, org):
    hazard = _hazard(org)
    form = f'action="/supervision/hazards/{hazard.pk}/rectify/"'
    login(client, org.viewer)  # of 湖南镇, the inspected unit, but without the right to answer
    assert form not in client.get("/supervision/inspections/").content.decode()
    client.logout()
    login(client, org.hunan_staff)
    assert form in client.get("/supervision/inspections/").content.decode()
    inspections.rectify_hazard(actor=org.hunan_staff, hazard=hazard, note="已更换")
    assert form not in client.get("/supervision/inspections/").content.decode()


# ---------------------------------------------------------------- inbox


def test_marking_the_inbox_read_touches_only_the_readers_messages(org):
    make_order(org)
    other = UserFactory(username="hunan2", unit=org.hunan, roles=["unit_staff"])
    orders.issue_order(
        actor=org.office,
        unit=org.hunan,
        title="t",
        content="c",
        deadline=TODAY + dt.timedelta(days=3),
    )
    assert inbox.mark_all_read(actor=org.hunan_staff) == 2
    assert not Message.objects.filter(user=org.hunan_staff, read_at__isnull=True).exists()
    assert Message.objects.filter(user=other, read_at__isnull=True).count() == 1
