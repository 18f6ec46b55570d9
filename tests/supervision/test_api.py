"""The supervision API for every role: lists in scope, steps with versions, refusals as codes."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.supervision.flow import State
from gongjian.supervision.models import SupervisionOrder
from tests.factories import PASSWORD, image_bytes
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_draft, make_order, make_project

ROLES = ["office", "city_office", "lead", "hunan_staff", "leader", "inspector", "viewer"]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_the_orders_in_its_scope(client, org, role):
    make_order(org, title="湖南事项")
    make_order(org, unit=org.songxia, title="松下事项")
    login(client, getattr(org, role))
    titles = sorted(o["title"] for o in client.get("/api/supervision/orders").json()["items"])
    expected = {
        "office": ["松下事项", "湖南事项"],
        "city_office": ["松下事项", "湖南事项"],
        "lead": ["松下事项", "湖南事项"],  # its line covers both towns
        "hunan_staff": ["湖南事项"],
        "leader": ["湖南事项"],  # linked to 湖南镇 only
        "inspector": ["松下事项", "湖南事项"],
        "viewer": ["湖南事项"],
    }[role]
    assert titles == expected


STEP_CALLS = {
    "acknowledge": (State.ISSUED, {}),
    "start": (State.ACKNOWLEDGED, {}),
    "feedback": (State.IN_PROGRESS, {"note": "已完成"}),
    "close": (State.FEEDBACK, {}),
    "send-back": (State.FEEDBACK, {"reason": "佐证不足"}),
    "extension": (State.IN_PROGRESS, {"reason": "r", "new_deadline": "2026-12-30"}),
    "remind": (State.IN_PROGRESS, {}),
}
ALLOWED = {
    "acknowledge": {"hunan_staff"},
    "start": {"hunan_staff"},
    "feedback": {"hunan_staff"},
    "extension": {"hunan_staff"},
    "close": {"office", "city_office"},
    "send-back": {"office", "city_office"},
    "remind": {"office", "city_office"},
}


def response_version(order, state):
    """The version an order has after the factory walked it to `state` (one bump per step)."""
    return {
        State.ISSUED: 1,
        State.ACKNOWLEDGED: 2,
        State.IN_PROGRESS: 3,
        State.FEEDBACK: 4,
    }[state]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(STEP_CALLS))
def test_every_step_endpoint_for_every_role(client, org, step, role):
    state, data = STEP_CALLS[step]
    order = make_order(org, state=state)
    trail = order.events.count()
    login(client, getattr(org, role))
    response = post(
        client, f"/api/supervision/orders/{order.pk}/{step}", {"version": order.version, **data}
    )
    order.refresh_from_db()
    if role in ALLOWED[step]:
        assert response.status_code == 200, response.json()
        assert response.json()["version"] == order.version
    else:
        assert response.status_code == 403, response.json()
        assert response.json()["code"] == "permission_denied"
        assert (order.state, order.version, order.events.count()) == (
            state,
            response_version(order, state),
            trail,
        )


def test_a_stale_version_is_a_409_concurrent_update(client, org):
    order = make_order(org)
    login(client, org.hunan_staff)
    ok = post(client, f"/api/supervision/orders/{order.pk}/acknowledge", {"version": 1})
    assert ok.status_code == 200
    stale = post(client, f"/api/supervision/orders/{order.pk}/start", {"version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrent_update"
    assert stale.json()["current_version"] == 2
    order.refresh_from_db()
    assert (order.state, order.version) == ("acknowledged", 2)


def test_a_step_from_the_wrong_state_is_a_409_invalid_transition(client, org):
    order = make_order(org)
    login(client, org.office)
    r = post(client, f"/api/supervision/orders/{order.pk}/close", {"version": order.version})
    assert r.status_code == 409
    assert r.json() == {
        "code": "invalid_transition",
        "message": "督办单当前状态为“交办”，不能执行“审核销号”。",
        "state": "issued",
        "step": "close",
    }


def test_an_order_out_of_scope_is_404(client, org):
    order = make_order(org, unit=org.songxia)
    login(client, org.hunan_staff)
    assert client.get(f"/api/supervision/orders/{order.pk}").status_code == 404
    r = post(client, f"/api/supervision/orders/{order.pk}/acknowledge", {"version": 1})
    assert r.status_code == 404


def test_issue_and_read_the_detail_with_trail_and_allowed_steps(client, org):
    project = make_project(org.hunan)
    login(client, org.leader)
    r = post(
        client,
        "/api/supervision/orders",
        {
            "unit_id": org.hunan.pk,
            "project_id": project.pk,
            "title": "协调杆线迁改",
            "content": "联系供电公司",
            "deadline": "2026-12-15",
        },
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["state"], body["unit_name"], body["issuing_unit_name"]) == (
        "issued",
        "湖南镇",
        "区财政局",
    )
    assert [e["kind"] for e in body["trail"]] == ["issued"]
    assert body["allowed_steps"] == []  # a leader issues but does not review
    login(client, org.hunan_staff)
    body = client.get(f"/api/supervision/orders/{body['id']}").json()
    assert body["allowed_steps"] == ["acknowledge", "request_extension"]


def test_issue_with_a_past_deadline_is_422(client, org):
    login(client, org.office)
    r = post(
        client,
        "/api/supervision/orders",
        {"unit_id": org.hunan.pk, "title": "t", "content": "c", "deadline": "2026-11-01"},
    )
    assert r.status_code == 422
    assert r.json()["message"] == "办结时限不能早于今天。"
    assert SupervisionOrder.objects.count() == 0


def test_extension_decision_through_the_api(client, org):
    order = make_order(org, state=State.IN_PROGRESS)
    login(client, org.hunan_staff)
    r = post(
        client,
        f"/api/supervision/orders/{order.pk}/extension",
        {"version": order.version, "reason": "r", "new_deadline": "2026-12-30"},
    )
    version = r.json()["version"]
    login(client, org.office)
    r = post(
        client,
        f"/api/supervision/orders/{order.pk}/extension/decide",
        {"version": version, "approve": True},
    )
    assert r.status_code == 200
    assert (r.json()["deadline"], r.json()["original_deadline"]) == ("2026-12-30", "2026-12-11")


def test_orders_list_query_count_does_not_grow(client, org, django_assert_max_num_queries):
    make_order(org)
    login(client, org.office)
    client.get("/api/supervision/orders")
    with django_assert_max_num_queries(10) as first:
        client.get("/api/supervision/orders")
    for _ in range(10):
        make_order(org, unit=org.songxia)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(client.get("/api/supervision/orders").json()["items"]) == 11


def test_detail_query_count_does_not_grow_with_the_trail(
    client, org, django_assert_max_num_queries
):
    order = make_order(org, state=State.FEEDBACK)
    login(client, org.office)
    with django_assert_max_num_queries(14) as first:
        client.get(f"/api/supervision/orders/{order.pk}")
    from gongjian.supervision import orders

    order = orders.send_back(actor=org.office, order=order, reason="r")
    order = orders.feedback(actor=org.hunan_staff, order=order, text="t")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(f"/api/supervision/orders/{order.pk}")


def test_todo_messages_notices_inspections_draws_and_counts(client, org, set_today):
    order = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3))
    project = make_project(org.hunan)
    login(client, org.hunan_staff)
    assert [o["id"] for o in client.get("/api/supervision/todo").json()["to_handle"]] == [order.pk]
    assert len(client.get("/api/supervision/messages").json()["items"]) == 1
    login(client, org.office)
    r = post(
        client,
        "/api/supervision/notices",
        {
            "kind": "criticism",
            "unit_id": org.hunan.pk,
            "title": "通报",
            "reason": "逾期",
            "order_ids": [order.pk],
            "publish": True,
        },
    )
    assert r.status_code == 201 and r.json()["order_ids"] == [order.pk]
    login(client, org.inspector)
    r = post(
        client, "/api/supervision/draws", {"scope_unit_id": org.hunan.pk, "count": 1, "seed": "x"}
    )
    assert r.json()["picked_ids"] == [project.pk]
    r = post(
        client,
        "/api/supervision/inspections",
        {
            "kind": "random",
            "project_id": project.pk,
            "team": "督查组",
            "inspected_on": TODAY.isoformat(),
            "findings": "f",
            "hazards": [{"description": "h", "rectify_by": "2026-12-05"}],
            "draw_id": r.json()["id"],
        },
    )
    assert r.status_code == 201 and r.json()["hazards"][0]["description"] == "h"
    set_today(dt.date(2026, 12, 10))
    login(client, org.office)
    counts = client.get("/api/supervision/counts?start=2026-12-01&end=2026-12-31").json()
    hunan = next(c for c in counts if c["unit_name"] == "湖南镇")
    assert (hunan["orders_issued"], hunan["orders_overdue"], hunan["criticism_notices"]) == (
        1,
        1,
        1,
    )


def test_feedback_with_photos_through_the_api(client, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = make_order(org, state=State.IN_PROGRESS)
    login(client, org.hunan_staff)
    r = client.post(
        f"/api/supervision/orders/{order.pk}/feedback-with-evidence",
        {
            "version": order.version,
            "note": "已完成",
            "kind": "photo",
            "files": [
                SimpleUploadedFile("a.jpg", image_bytes("JPEG"), content_type="image/jpeg"),
                SimpleUploadedFile("b.jpg", image_bytes("JPEG"), content_type="image/jpeg"),
            ],
        },
    )
    assert r.status_code == 200, r.json()
    feedback = r.json()["trail"][-1]
    assert feedback["kind"] == "feedback" and len(feedback["evidence"]) == 2


DRAFT_CALLS = {
    "approve": (State.PENDING_APPROVAL, {"deadline": "2026-12-20"}, {"leader"}),
    "return-draft": (State.PENDING_APPROVAL, {"note": "请补充"}, {"leader"}),
    "resubmit": (State.RETURNED, {"note": "已补充"}, {"office", "city_office", "leader"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(DRAFT_CALLS))
def test_every_approval_endpoint_for_every_role(client, org, step, role):
    # given a draft waiting for 领导审核 (or returned by the leader)
    state, data, allowed = DRAFT_CALLS[step]
    order = make_draft(org, state=state)
    before = (order.state, order.version, order.events.count())
    login(client, getattr(org, role))
    response = post(
        client, f"/api/supervision/orders/{order.pk}/{step}", {"version": order.version, **data}
    )
    order.refresh_from_db()
    if role in allowed:
        assert response.status_code == 200, response.json()
        assert response.json()["version"] == order.version
        return
    # the unit's own people do not even see a draft; everyone else is refused; nothing changed
    expected = 404 if role in ("hunan_staff", "viewer") else 403
    assert response.status_code == expected, response.json()
    assert (order.state, order.version, order.events.count()) == before


def test_the_api_issues_from_an_instruction_and_lists_the_register(client, org):
    login(client, org.office)
    r = post(
        client,
        "/api/supervision/instructions",
        {
            "leader_id": org.leader.person_id,
            "text": "请抓紧协调安置房用电",
            "given_on": "2026-11-30",
            "kind": "directive",
        },
    )
    assert r.status_code == 201, r.json()
    instruction_id = r.json()["id"]
    assert r.json()["status"] == "待交办"
    r = post(
        client,
        "/api/supervision/orders",
        {
            "unit_id": org.hunan.pk,
            "title": "安置房用电",
            "content": "协调供电",
            "deadline": "2026-12-10",
            "source": "leader_instruction",
            "instruction_id": instruction_id,
        },
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["source"], r.json()["instruction_id"]) == (
        "leader_instruction",
        instruction_id,
    )
    register = client.get("/api/supervision/instructions").json()
    assert [(i["id"], i["status"], [o["id"] for o in i["orders"]]) for i in register] == [
        (instruction_id, "督办中", [r.json()["id"]])
    ]


def test_the_api_refuses_an_upper_assignment_without_its_document_number(client, org):
    login(client, org.office)
    r = post(
        client,
        "/api/supervision/orders",
        {
            "unit_id": org.hunan.pk,
            "title": "t",
            "content": "c",
            "deadline": "2026-12-10",
            "source": "upper",
        },
    )
    assert r.status_code == 422
    assert r.json() == {
        "code": "invalid",
        "message": "上级交办须填写上级交办文件的文号。",
        "field": "source_ref",
    }
    assert SupervisionOrder.objects.count() == 0


def test_a_unit_may_not_register_instructions(client, org):
    login(client, org.hunan_staff)
    r = post(
        client,
        "/api/supervision/instructions",
        {"leader_id": 999, "text": "t", "given_on": "2026-11-30", "kind": "directive"},
    )
    assert r.status_code == 404
    assert client.get("/api/supervision/instructions").json() == []


def test_the_leaders_todo_lists_drafts_to_approve(client, org):
    draft = make_draft(org)
    login(client, org.leader)
    todo = client.get("/api/supervision/todo").json()
    assert [o["id"] for o in todo["to_approve"]] == [draft.pk]
    assert todo["returned"] == []


@pytest.mark.parametrize("role", [*ROLES, "songxia_staff"])
@pytest.mark.parametrize("step", ["co-acknowledge", "co-part"])
def test_every_co_operating_endpoint_for_every_role(client, org, step, role):
    from gongjian.supervision import orders
    from tests.supervision.factories import unit_staff

    songxia = unit_staff(org.songxia)
    order = make_order(org, state=State.IN_PROGRESS, cooperators=[org.songxia])
    if step == "co-part":
        order = orders.co_acknowledge(actor=songxia, order=order)
    before = (order.version, order.events.count())
    login(client, songxia if role == "songxia_staff" else getattr(org, role))
    r = post(
        client,
        f"/api/supervision/orders/{order.pk}/{step}",
        {"version": order.version, "note": "管线迁改已完成"},
    )
    order.refresh_from_db()
    if role == "songxia_staff":
        assert r.status_code == 200, r.json()
        part = r.json()["cooperators"][0]
        assert part["unit_name"] == "松下镇"
        assert (part["acknowledged_on"] is not None, part["part_text"]) == (
            True,
            "管线迁改已完成" if step == "co-part" else "",
        )
        return
    assert r.status_code == 403, r.json()
    assert (order.version, order.events.count()) == before


def test_the_api_issues_with_co_operating_units_and_asks_the_lead_to_explain_missing_parts(
    client, org
):
    login(client, org.office)
    r = post(
        client,
        "/api/supervision/orders",
        {
            "unit_id": org.hunan.pk,
            "title": "片区道路",
            "content": "c",
            "deadline": "2026-12-10",
            "cooperator_ids": [org.songxia.pk],
        },
    )
    assert r.status_code == 201, r.json()
    order = SupervisionOrder.objects.get()
    assert [c["unit_name"] for c in r.json()["cooperators"]] == ["松下镇"]
    from gongjian.supervision import orders

    order = orders.acknowledge(actor=org.hunan_staff, order=order)
    order = orders.start(actor=org.hunan_staff, order=order)
    client.logout()
    login(client, org.hunan_staff)
    url = f"/api/supervision/orders/{order.pk}/feedback"
    r = post(client, url, {"version": order.version, "note": "已贯通"})
    assert r.status_code == 422
    assert r.json()["field"] == "explanations"
    r = post(
        client,
        url,
        {
            "version": order.version,
            "note": "已贯通",
            "explanations": {str(org.songxia.pk): "松下镇无需迁改"},
        },
    )
    assert r.status_code == 200, r.json()
    assert r.json()["cooperators"][0]["explanation"] == "松下镇无需迁改"


@pytest.mark.parametrize("role", ROLES)
def test_the_revisit_endpoint_for_every_role(client, org, role):
    order = make_order(org, state=State.CLOSED)
    before = (order.version, order.events.count())
    login(client, getattr(org, role))
    r = post(
        client,
        f"/api/supervision/orders/{order.pk}/revisit",
        {"version": order.version, "held": True, "note": "成效巩固"},
    )
    order.refresh_from_db()
    if role in ("office", "city_office"):
        assert r.status_code == 200, r.json()
        assert (r.json()["revisited_on"], r.json()["revisit_held"]) == ("2026-12-01", True)
        return
    assert r.status_code == 403, r.json()
    assert (order.version, order.events.count()) == before


def test_the_office_names_an_inspector_who_then_closes_through_the_api(client, org):
    order = make_order(org, state=State.FEEDBACK)
    login(client, org.office)
    r = post(
        client,
        f"/api/supervision/orders/{order.pk}/reviewer",
        {"version": order.version, "reviewer_id": org.viewer.pk},
    )
    assert r.status_code == 404  # a viewer is no candidate
    r = post(
        client,
        f"/api/supervision/orders/{order.pk}/reviewer",
        {"version": order.version, "reviewer_id": org.inspector.pk},
    )
    assert r.status_code == 200, r.json()
    assert r.json()["reviewer_id"] == org.inspector.pk
    client.logout()
    login(client, org.inspector)
    todo = client.get("/api/supervision/todo").json()
    assert [o["id"] for o in todo["to_review"]] == [order.pk]
    r = post(
        client,
        f"/api/supervision/orders/{order.pk}/close",
        {"version": r.json()["version"], "note": "复核通过"},
    )
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == "closed"
