"""Orders through their steps: who may take each step, from which state, and what the trail keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.core.errors import (
    ConcurrentUpdate,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from gongjian.supervision import orders, reminders
from gongjian.supervision.flow import RULES, State, Step
from gongjian.supervision.models import (
    EventKind,
    ExtensionStatus,
    Message,
    OrderEvent,
    Reminder,
    SupervisionOrder,
)
from tests.factories import image_bytes
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_order, make_project, unit_staff

ROLES = [
    "office",
    "city_office",
    "lead",
    "hunan_staff",
    "songxia_staff",
    "leader",
    "inspector",
    "viewer",
]
ALLOWED = {
    Step.CO_ACKNOWLEDGE: {"songxia_staff"},
    Step.CO_PART: {"songxia_staff"},
    Step.ASSIGN_REVIEWER: {"office", "city_office"},
    Step.REVISIT: {"office", "city_office"},
    Step.APPROVE: {"leader"},
    Step.RETURN_DRAFT: {"leader"},
    Step.RESUBMIT: {"office", "city_office", "leader"},
    Step.ACKNOWLEDGE: {"hunan_staff"},
    Step.START: {"hunan_staff"},
    Step.FEEDBACK: {"hunan_staff"},
    Step.REQUEST_EXTENSION: {"hunan_staff"},
    Step.CLOSE: {"office", "city_office"},
    Step.SEND_BACK: {"office", "city_office"},
    Step.DECIDE_EXTENSION: {"office", "city_office"},
    Step.REMIND: {"office", "city_office"},
}


def actor_for(org, role):
    """A role of the shared world; `songxia_staff` handles 松下镇, the co-operating unit."""
    return unit_staff(org.songxia) if role == "songxia_staff" else getattr(org, role)


def take(step: Step, actor, order):
    """Take a step with valid input, so only role and state decide."""
    if step is Step.ASSIGN_REVIEWER:
        inspector = order.issued_by.__class__.objects.get(username="inspector")
        return orders.assign_reviewer(actor=actor, order=order, reviewer=inspector)
    if step is Step.REVISIT:
        return orders.revisit(actor=actor, order=order, held=True, note="成效巩固")
    if step is Step.CO_ACKNOWLEDGE:
        return orders.co_acknowledge(actor=actor, order=order)
    if step is Step.CO_PART:
        return orders.give_part(actor=actor, order=order, text="已配合完成管线迁改")
    if step is Step.APPROVE:
        return orders.approve(actor=actor, order=order)
    if step is Step.RETURN_DRAFT:
        return orders.return_draft(actor=actor, order=order, note="请补充项目现状")
    if step is Step.RESUBMIT:
        return orders.resubmit(actor=actor, order=order, note="已补充")
    if step is Step.ACKNOWLEDGE:
        return orders.acknowledge(actor=actor, order=order)
    if step is Step.START:
        return orders.start(actor=actor, order=order)
    if step is Step.FEEDBACK:
        why = {c.unit_id: "协办单位未按时提供" for c in order.cooperators.all()}
        return orders.feedback(actor=actor, order=order, text="已办结", explanations=why)
    if step is Step.CLOSE:
        return orders.close(actor=actor, order=order)
    if step is Step.SEND_BACK:
        return orders.send_back(actor=actor, order=order, reason="佐证不足")
    if step is Step.REQUEST_EXTENSION:
        return orders.request_extension(
            actor=actor, order=order, reason="征迁户未签约", new_deadline=TODAY + dt.timedelta(30)
        )
    if step is Step.DECIDE_EXTENSION:
        return orders.decide_extension(actor=actor, order=order, approve=True)
    if step is Step.REMIND:
        return reminders.remind(actor=actor, order=order)
    raise AssertionError(step)


def source_state(step: Step) -> State:
    if step is Step.REVISIT:
        return State.CLOSED
    if step is Step.ASSIGN_REVIEWER:
        return State.FEEDBACK
    if step in (Step.APPROVE, Step.RETURN_DRAFT):
        return State.PENDING_APPROVAL
    if step is Step.RESUBMIT:
        return State.RETURNED
    return (
        State.FEEDBACK
        if step in (Step.CLOSE, Step.SEND_BACK)
        else (
            State.ISSUED
            if step is Step.ACKNOWLEDGE
            else State.ACKNOWLEDGED
            if step is Step.START
            else State.IN_PROGRESS
        )
    )


def snapshot(order: SupervisionOrder) -> tuple:
    order.refresh_from_db()
    return (
        order.state,
        order.version,
        order.deadline,
        OrderEvent.objects.filter(order=order).count(),
        order.history.count(),
        order.extensions.count(),
        Reminder.objects.filter(order=order).count(),
        (order.reviewer_id, order.revisited_on, SupervisionOrder.objects.count()),
        list(order.cooperators.values_list("acknowledged_on", "part_on", "part_text")),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(Step))
def test_each_step_is_allowed_only_to_its_roles(org, step, role):
    # given an order in the state the step starts from (with a pending extension for a decision,
    # with 松下镇 co-operating — and having signed, to give its part)
    order = make_order(org, state=source_state(step), cooperators=[org.songxia])
    if step is Step.DECIDE_EXTENSION:
        take(Step.REQUEST_EXTENSION, org.hunan_staff, order)
        order.refresh_from_db()
    if step is Step.CO_PART:
        take(Step.CO_ACKNOWLEDGE, actor_for(org, "songxia_staff"), order)
        order.refresh_from_db()
    before = snapshot(order)
    actor = actor_for(org, role)
    if role in ALLOWED[step]:
        # when the right role takes it, then it is done and the trail grows
        take(step, actor, order)
        after = snapshot(order)
        assert after[3] > before[3]
        target = RULES[step].target
        assert after[0] == (target.value if target else before[0])
    else:
        # when any other role tries, then it is refused in Chinese and nothing changed
        with pytest.raises(PermissionDenied) as err:
            take(step, actor, order)
        assert err.value.message.startswith(
            (
                "无权",
                "只有责任单位",
                "责任单位不能",
                "只有“湖南镇”的分管领导",
                "只有本督办单协办单位",
            )
        )
        assert snapshot(order) == before


@pytest.mark.parametrize(
    ("step", "state"),
    [(step, state) for step in Step for state in State if state not in RULES[step].sources],
)
def test_each_step_is_refused_from_a_state_it_does_not_start_from(org, step, state):
    order = make_order(org, state=state, cooperators=[org.songxia])
    before = snapshot(order)
    actor = actor_for(org, sorted(ALLOWED[step])[0])
    with pytest.raises(InvalidTransition) as err:
        take(step, actor, order)
    assert err.value.message == (
        f"督办单当前状态为“{State(state).label}”，不能执行“{RULES[step].label}”。"
    )
    assert snapshot(order) == before


def test_the_whole_flow_is_timestamped_attributed_and_kept(org):
    # given an order issued by the office to 湖南镇 about a project
    project = make_project(org.hunan, name="湖南镇安置房")
    order = orders.issue_order(
        actor=org.office,
        unit=org.hunan,
        title="安置房主体施工滞后",
        content="倒排工期，月底前完成主体结构。",
        deadline=TODAY + dt.timedelta(days=14),
        project=project,
        required_evidence="现场照片",
    )
    assert order.code == f"DB2026-{order.pk:05d}"
    assert order.issuing_unit == org.changle
    # when the unit signs, works, reports; the office sends back; the unit reports again; closes
    staff = org.hunan_staff
    order = orders.acknowledge(actor=staff, order=order)
    order = orders.start(actor=staff, order=order)
    order = orders.feedback(
        actor=staff,
        order=order,
        text="主体结构已完成80%",
        files=[
            orders.EvidenceFile(
                SimpleUploadedFile("site.jpg", image_bytes("JPEG"), content_type="image/jpeg"),
                kind="photo",
                caption="现场",
            )
        ],
    )
    order = orders.send_back(actor=org.office, order=order, reason="未完成主体结构")
    order = orders.feedback(actor=staff, order=order, text="主体结构已封顶")
    order = orders.close(actor=org.office, order=order, note="同意销号")
    # then every step is in the trail, in order, with who and the state change
    events = list(order.events.order_by("pk"))
    assert [(e.kind, e.actor_id, e.from_state, e.to_state) for e in events] == [
        (EventKind.ISSUED, org.office.pk, "", "issued"),
        (EventKind.ACKNOWLEDGED, staff.pk, "issued", "acknowledged"),
        (EventKind.STARTED, staff.pk, "acknowledged", "in_progress"),
        (EventKind.FEEDBACK, staff.pk, "in_progress", "feedback"),
        (EventKind.SENT_BACK, org.office.pk, "feedback", "in_progress"),
        (EventKind.FEEDBACK, staff.pk, "in_progress", "feedback"),
        (EventKind.CLOSED, org.office.pk, "feedback", "closed"),
    ]
    assert all(e.at is not None and e.on == TODAY for e in events)
    assert events[4].note == "未完成主体结构"
    assert [(ev.kind, ev.caption) for ev in events[3].evidence.all()] == [("photo", "现场")]
    assert order.state == "closed"
    assert order.closed_on == TODAY
    assert order.closed_on_time is True
    assert order.times_sent_back == 1
    assert order.version == 7
    assert order.history.count() >= 7


def test_unit_staff_get_a_message_when_an_order_arrives(org):
    order = make_order(org)
    assert list(Message.objects.filter(user=org.hunan_staff).values_list("text", flat=True)) == [
        f"新督办单 {order.code}：加快征迁交地进度，请于 2026-12-11 前办结。"
    ]


def test_a_leader_may_issue_to_a_linked_unit_but_not_to_another(org):
    order = orders.issue_order(
        actor=org.leader, unit=org.hunan, title="协调用电", content="协调供电", deadline=TODAY
    )
    assert order.issuing_unit == org.caizheng
    before = SupervisionOrder.objects.count()
    with pytest.raises(PermissionDenied):
        orders.issue_order(
            actor=org.leader, unit=org.songxia, title="x", content="y", deadline=TODAY
        )
    assert SupervisionOrder.objects.count() == before


def test_a_unit_cannot_be_its_own_reviewer_even_with_an_issuing_role(org):
    from gongjian.org.models import Role
    from tests.factories import UserFactory

    town_office = UserFactory(unit=org.hunan, roles=[Role.OFFICE_ADMIN])
    with pytest.raises(PermissionDenied) as err:
        orders.issue_order(
            actor=town_office, unit=org.hunan, title="x", content="y", deadline=TODAY
        )
    assert err.value.message == "责任单位不能审核、催办自己的督办单，须由交办方办理。"
    # but it may issue to a village below it
    order = orders.issue_order(
        actor=town_office, unit=org.hunan_village, title="x", content="y", deadline=TODAY
    )
    assert order.issuing_unit == org.hunan


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": " "}, "督办事项不能为空。"),
        ({"content": ""}, "督办内容不能为空。"),
        ({"deadline": TODAY - dt.timedelta(days=1)}, "办结时限不能早于今天。"),
        ({"level": "purple"}, "未知的督查单颜色：purple"),
    ],
)
def test_issuing_refuses_bad_input_and_writes_nothing(org, kwargs, message):
    args = {"title": "t", "content": "c", "deadline": TODAY} | kwargs
    with pytest.raises(ValidationFailed) as err:
        orders.issue_order(actor=org.office, unit=org.hunan, **args)
    assert err.value.message == message
    assert SupervisionOrder.objects.count() == 0
    assert OrderEvent.objects.count() == 0


def test_feedback_without_text_and_send_back_without_reason_are_refused(org):
    order = make_order(org, state=State.IN_PROGRESS)
    before = snapshot(order)
    with pytest.raises(ValidationFailed, match="请填写办理情况。"):
        orders.feedback(actor=org.hunan_staff, order=order, text="  ")
    assert snapshot(order) == before
    order = orders.feedback(actor=org.hunan_staff, order=order, text="ok")
    before = snapshot(order)
    with pytest.raises(ValidationFailed, match="退回须写明理由。"):
        orders.send_back(actor=org.office, order=order, reason="")
    assert snapshot(order) == before


def test_an_order_out_of_scope_is_refused_to_another_town(org):
    from gongjian.org.models import Role
    from tests.factories import UserFactory

    songxia_staff = UserFactory(unit=org.songxia, roles=[Role.UNIT_STAFF])
    order = make_order(org)
    before = snapshot(order)
    with pytest.raises(PermissionDenied) as err:
        orders.acknowledge(actor=songxia_staff, order=order)
    assert err.value.message == "无权对“湖南镇”执行“办理督办单”操作。"
    assert snapshot(order) == before


# ---------------------------------------------------------------- concurrency


def test_two_people_acting_on_one_version_the_second_is_refused_and_the_first_kept(org):
    # given the unit and the office both loaded the order at the same version
    order = make_order(org, state=State.IN_PROGRESS)
    seen_by_unit = SupervisionOrder.objects.get(pk=order.pk)
    seen_by_office = SupervisionOrder.objects.get(pk=order.pk)
    # when the unit reports feedback first
    orders.feedback(actor=org.hunan_staff, order=seen_by_unit, text="已完成")
    after_first = snapshot(order)
    # and the office, from its stale page, sends a reminder-worthy step (an extension decision)
    # then the second action is refused as a concurrent update, and the first is kept
    with pytest.raises(ConcurrentUpdate) as err:
        orders.request_extension(
            actor=org.hunan_staff,
            order=seen_by_office,
            reason="r",
            new_deadline=TODAY + dt.timedelta(days=20),
        )
    assert err.value.details == {"expected_version": 3, "current_version": 4}
    assert "请刷新后重新提交" in err.value.message
    assert snapshot(order) == after_first
    assert after_first[0] == "feedback"


def test_two_reviewers_on_one_feedback_only_the_first_decision_counts(org):
    order = make_order(org, state=State.FEEDBACK)
    a = SupervisionOrder.objects.get(pk=order.pk)
    b = SupervisionOrder.objects.get(pk=order.pk)
    orders.close(actor=org.office, order=a)
    with pytest.raises(ConcurrentUpdate):
        orders.send_back(actor=org.city_office, order=b, reason="不同意")
    order.refresh_from_db()
    assert order.state == "closed"
    assert order.times_sent_back == 0
    assert [e.kind for e in order.events.order_by("pk")][-1] == EventKind.CLOSED


def test_an_explicit_expected_version_is_checked(org):
    order = make_order(org)
    with pytest.raises(ConcurrentUpdate):
        orders.acknowledge(actor=org.hunan_staff, order=order, expected_version=order.version - 1)
    orders.acknowledge(actor=org.hunan_staff, order=order, expected_version=order.version)


# ---------------------------------------------------------------- extensions


def test_extension_approved_moves_the_deadline_and_the_trail_keeps_both(org):
    order = make_order(org, state=State.IN_PROGRESS, deadline=TODAY + dt.timedelta(days=3))
    ext = orders.request_extension(
        actor=org.hunan_staff,
        order=order,
        reason="杆线迁改需供电公司配合",
        new_deadline=TODAY + dt.timedelta(days=20),
    )
    assert ext.status == ExtensionStatus.PENDING
    order.refresh_from_db()
    order = orders.decide_extension(actor=org.office, order=order, approve=True, note="同意")
    assert order.deadline == TODAY + dt.timedelta(days=20)
    assert order.original_deadline == TODAY + dt.timedelta(days=3)
    events = list(order.events.filter(kind__startswith="extension").order_by("pk"))
    assert [(e.kind, e.old_deadline, e.new_deadline) for e in events] == [
        ("extension_requested", TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=20)),
        ("extension_approved", TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=20)),
    ]
    ext.refresh_from_db()
    assert (ext.status, ext.decided_by, ext.decided_on) == ("approved", org.office, TODAY)


def test_extension_refused_keeps_the_deadline_and_needs_a_reason(org):
    order = make_order(org, state=State.ACKNOWLEDGED, deadline=TODAY + dt.timedelta(days=3))
    orders.request_extension(
        actor=org.hunan_staff, order=order, reason="r", new_deadline=TODAY + dt.timedelta(days=9)
    )
    order.refresh_from_db()
    before = snapshot(order)
    with pytest.raises(ValidationFailed, match="不同意延期须写明理由。"):
        orders.decide_extension(actor=org.office, order=order, approve=False)
    assert snapshot(order) == before
    order = orders.decide_extension(actor=org.office, order=order, approve=False, note="理由不充分")
    assert order.deadline == TODAY + dt.timedelta(days=3)
    assert order.extensions.get().status == ExtensionStatus.REFUSED


def test_extension_after_the_deadline_is_refused(org, set_today):
    order = make_order(org, state=State.IN_PROGRESS, deadline=TODAY + dt.timedelta(days=2))
    set_today(TODAY + dt.timedelta(days=3))
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as err:
        orders.request_extension(
            actor=org.hunan_staff, order=order, reason="r", new_deadline=TODAY + dt.timedelta(30)
        )
    assert err.value.message == "延期须在办结时限（2026-12-03）前申请，现已逾期。"
    assert snapshot(order) == before


@pytest.mark.parametrize(
    ("reason", "days", "message"),
    [
        ("", 20, "请写明延期理由。"),
        ("r", 10, "申请的新时限须晚于现时限 2026-12-11。"),
    ],
)
def test_extension_needs_a_reason_and_a_later_date(org, reason, days, message):
    order = make_order(org)
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as err:
        orders.request_extension(
            actor=org.hunan_staff,
            order=order,
            reason=reason,
            new_deadline=TODAY + dt.timedelta(days=days),
        )
    assert err.value.message == message
    assert snapshot(order) == before


def test_a_second_extension_while_one_is_pending_is_refused(org):
    order = make_order(org)
    orders.request_extension(
        actor=org.hunan_staff, order=order, reason="r", new_deadline=TODAY + dt.timedelta(days=20)
    )
    order.refresh_from_db()
    before = snapshot(order)
    with pytest.raises(InvalidTransition, match="已有一份延期申请在等待审批。"):
        orders.request_extension(
            actor=org.hunan_staff, order=order, reason="r", new_deadline=TODAY + dt.timedelta(30)
        )
    assert snapshot(order) == before


def test_deciding_without_a_pending_request_is_refused(org):
    order = make_order(org)
    before = snapshot(order)
    with pytest.raises(InvalidTransition, match="没有待审批的延期申请。"):
        orders.decide_extension(actor=org.office, order=order, approve=True)
    assert snapshot(order) == before


def test_texts_stored_for_others_are_in_the_site_language_whoever_acts(org):
    from django.utils import translation

    order = make_order(org, state=State.FEEDBACK)
    with translation.override("en"):
        orders.send_back(actor=org.office, order=order, reason="缺少照片")
    assert Message.objects.filter(user=org.hunan_staff).latest("pk").text == (
        f"督办单 {order.code} 被退回：缺少照片"
    )
