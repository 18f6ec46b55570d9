"""领导审核 before issue, as a campaign's setting: a draft waits for the unit's leader, who
approves it (perhaps with a new deadline) or returns it with a note; the unit sees nothing till then."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.core.errors import PermissionDenied, ValidationFailed
from gongjian.supervision import orders, selectors, tick
from gongjian.supervision.flow import State
from gongjian.supervision.models import EventKind, Message, SupervisionOrder
from tests.factories import UserFactory
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_draft, make_order, make_project, require_approval


def _texts(user):
    return list(Message.objects.filter(user=user).order_by("pk").values_list("text", flat=True))


def test_without_the_setting_an_order_goes_straight_to_the_unit(org):
    require_approval(org.line.campaign, on=False)
    order = orders.issue_order(
        actor=org.office,
        unit=org.hunan,
        title="t",
        content="c",
        deadline=TODAY + dt.timedelta(days=3),
        campaign=org.line.campaign,
    )
    assert order.state == State.ISSUED


def test_a_draft_waits_for_the_leader_and_the_unit_neither_sees_nor_owes_it(org):
    # given a campaign that wants 领导审核, when the office drafts an order
    draft = make_draft(org)
    # then it waits for the linked leader, who is told; the unit is told nothing and sees nothing
    assert draft.state == State.PENDING_APPROVAL
    assert _texts(org.leader) == [f"督办单 {draft.code}“加快征迁交地进度”待您审核后下发。"]
    assert _texts(org.hunan_staff) == []
    assert not selectors.orders_for(org.hunan_staff).filter(pk=draft.pk).exists()
    assert selectors.todo(org.hunan_staff).to_handle == []
    assert [o.pk for o in selectors.todo(org.leader).to_approve] == [draft.pk]
    assert selectors.todo(org.office).to_approve == []
    # and it is not counted as issued to the unit
    counts = selectors.unit_counts([org.hunan], TODAY, TODAY)[org.hunan.pk]
    assert counts.orders_issued == 0


def test_the_leader_approves_with_a_new_deadline_and_the_order_reaches_the_unit(org, set_today):
    draft = make_draft(org)
    set_today(TODAY + dt.timedelta(days=2))
    new = TODAY + dt.timedelta(days=20)
    order = orders.approve(actor=org.leader, order=draft, note="同意，时限放宽", deadline=new)
    assert order.state == State.ISSUED
    assert (order.issued_on, order.deadline, order.original_deadline) == (
        TODAY + dt.timedelta(days=2),
        new,
        new,
    )
    assert (order.approved_by, order.approved_on) == (org.leader, TODAY + dt.timedelta(days=2))
    assert [(e.kind, e.from_state, e.to_state) for e in order.events.order_by("pk")] == [
        (EventKind.SUBMITTED, "", "pending_approval"),
        (EventKind.APPROVED, "pending_approval", "issued"),
    ]
    approved = order.events.get(kind=EventKind.APPROVED)
    assert (approved.old_deadline, approved.new_deadline, approved.note) == (
        TODAY + dt.timedelta(days=10),
        new,
        "同意，时限放宽",
    )
    assert _texts(org.hunan_staff) == [
        f"新督办单 {order.code}：加快征迁交地进度，请于 {new.isoformat()} 前办结。"
    ]
    assert selectors.orders_for(org.hunan_staff).filter(pk=order.pk).exists()
    counts = selectors.unit_counts([org.hunan], TODAY, TODAY + dt.timedelta(days=5))
    assert counts[org.hunan.pk].orders_issued == 1


def test_a_draft_whose_deadline_passed_needs_a_new_one_to_be_approved(org, set_today):
    draft = make_draft(org, deadline=TODAY + dt.timedelta(days=1))
    set_today(TODAY + dt.timedelta(days=3))
    version = draft.version
    with pytest.raises(ValidationFailed, match="已过，审核时请改定新的办结时限"):
        orders.approve(actor=org.leader, order=draft)
    with pytest.raises(ValidationFailed, match="办结时限不能早于今天"):
        orders.approve(actor=org.leader, order=draft, deadline=TODAY)
    draft.refresh_from_db()
    assert (draft.state, draft.version, draft.events.count()) == ("pending_approval", version, 1)


def test_the_leader_returns_with_a_note_and_the_office_resubmits_a_revised_draft(org):
    draft = make_draft(org)
    with pytest.raises(ValidationFailed, match="审核退回须写明意见"):
        orders.return_draft(actor=org.leader, order=draft, note=" ")
    returned = orders.return_draft(actor=org.leader, order=draft, note="请写明具体交地面积")
    assert returned.state == State.RETURNED
    assert _texts(org.office)[-1] == f"督办单 {draft.code} 被领导审核退回：请写明具体交地面积"
    assert [o.pk for o in selectors.todo(org.office).returned] == [draft.pk]
    again = orders.resubmit(
        actor=org.office,
        order=returned,
        content="月底前完成剩余32亩征迁交地。",
        deadline=TODAY + dt.timedelta(days=15),
        note="已写明面积",
    )
    assert (again.state, again.content, again.title) == (
        State.PENDING_APPROVAL,
        "月底前完成剩余32亩征迁交地。",
        "加快征迁交地进度",
    )
    assert again.deadline == TODAY + dt.timedelta(days=15)
    assert [e.kind for e in again.events.order_by("pk")] == [
        EventKind.SUBMITTED,
        EventKind.RETURNED,
        EventKind.SUBMITTED,
    ]
    assert len(_texts(org.leader)) == 2


def test_a_leader_of_the_unit_itself_may_not_approve_its_orders(org):
    own_leader = UserFactory(username="hunan_leader", unit=org.hunan, roles=["leader"])
    draft = make_draft(org)
    with pytest.raises(PermissionDenied, match="只有“湖南镇”的分管领导可以审核督办单是否下发"):
        orders.approve(actor=own_leader, order=draft)
    draft.refresh_from_db()
    assert draft.state == State.PENDING_APPROVAL


def test_an_order_a_leader_issues_needs_no_approval(org):
    require_approval(org.line.campaign)
    order = orders.issue_order(
        actor=org.leader,
        unit=org.hunan,
        title="协调用电",
        content="协调供电",
        deadline=TODAY,
        campaign=org.line.campaign,
    )
    assert order.state == State.ISSUED


def test_the_setting_follows_the_projects_campaign(org):
    require_approval(org.line.campaign)
    project = make_project(org.hunan, campaign=org.line.campaign)
    order = make_order(org, project=project)
    assert (order.state, order.campaign_id) == (State.PENDING_APPROVAL, org.line.campaign.pk)


def test_automatic_orders_follow_the_setting_and_are_not_overdue_while_waiting(org, set_today):
    require_approval(org.line.campaign)
    project = make_project(org.hunan, red=True, campaign=org.line.campaign)
    assert tick.tick(deliver=False).auto_orders == 1
    order = SupervisionOrder.objects.get(project=project)
    assert order.state == State.PENDING_APPROVAL
    assert _texts(org.hunan_staff) == []
    # a second tick raises no second order for the same project while the draft waits
    assert tick.tick(deliver=False).auto_orders == 0
    set_today(TODAY + dt.timedelta(days=30))
    tick.tick(deliver=False)
    order.refresh_from_db()
    assert (order.state, order.overdue_on) == (State.PENDING_APPROVAL, None)
    counts = selectors.unit_counts([org.hunan], TODAY, TODAY + dt.timedelta(days=30))
    assert counts[org.hunan.pk].orders_overdue == 0


def test_the_office_sets_its_own_campaigns_supervision_in_the_admin(client, org):
    from gongjian.campaigns.models import Campaign
    from tests.factories import PASSWORD, UserFactory

    other = Campaign.objects.create(
        name="鼓楼攻坚", owner=org.gulou, start_date="2026-09-01", end_date="2026-12-31"
    )
    org.office.is_staff = True
    org.office.save()
    assert client.login(username=org.office.username, password=PASSWORD)
    page = client.get("/admin/supervision/supervisionsettings/add/").content.decode()
    assert f'<option value="{org.line.campaign.pk}"' in page
    assert f'<option value="{other.pk}"' not in page
    client.logout()
    town = UserFactory(username="town_office", unit=org.hunan, roles=["office_admin"])
    town.is_staff = True
    town.save()
    assert client.login(username="town_office", password=PASSWORD)
    page = client.get("/admin/supervision/supervisionsettings/add/").content.decode()
    assert f'<option value="{org.line.campaign.pk}"' not in page
