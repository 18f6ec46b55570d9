"""Security of supervision input (issue 12): links only to the target unit's objects (12.9),
dates out of range answered in words (12.11), control characters and over-long text refused by
every service that stores text, naming the field (12.6). Run on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.core.errors import ValidationFailed
from gongjian.supervision import inspections, notices, orders, reminders
from gongjian.supervision.flow import State
from gongjian.supervision.models import (
    ExtensionRequest,
    Hazard,
    Inspection,
    Notice,
    OrderEvent,
    OrderEvidence,
    RandomDraw,
    Reminder,
    SupervisionOrder,
)
from tests.factories import PASSWORD, image_bytes
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_order, make_project

NUL = "整改\x00完成"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def snapshot():
    """Everything a supervision service writes, to assert a refusal changed nothing."""
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (
            SupervisionOrder,
            OrderEvent,
            OrderEvidence,
            ExtensionRequest,
            Reminder,
            Notice,
            Inspection,
            Hazard,
            RandomDraw,
        )
    } | {"versions": sorted(SupervisionOrder.objects.values_list("pk", "version", "state"))}


# ---------------------------------------------------------------- 12.9 links across units


def test_an_order_to_one_town_cannot_link_another_towns_project(org):
    songxia_project = make_project(org.songxia, name="松下港区道路")
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        orders.issue_order(
            actor=org.office,
            unit=org.hunan,
            project=songxia_project,
            title="t",
            content="c",
            deadline=TODAY + dt.timedelta(days=5),
        )
    assert refused.value.message == ("项目“松下港区道路”属于“松下镇”，不属于“湖南镇”，不能关联。")
    assert refused.value.details == {"field": "project"}
    assert snapshot() == before


def test_an_order_may_link_a_project_of_its_unit_or_below(org):
    village_project = make_project(org.hunan_village, name="湖南村道")
    order = orders.issue_order(
        actor=org.office,
        unit=org.hunan,
        project=village_project,
        title="t",
        content="c",
        deadline=TODAY + dt.timedelta(days=5),
    )
    assert order.project == village_project


def test_the_api_refuses_a_foreign_project_and_the_town_never_reads_its_name(client, org):
    songxia_project = make_project(org.songxia, name="松下港区道路")
    login(client, org.office)
    before = snapshot()
    r = post(
        client,
        "/api/supervision/orders",
        {
            "unit_id": org.hunan.pk,
            "project_id": songxia_project.pk,
            "title": "t",
            "content": "c",
            "deadline": "2026-12-20",
        },
    )
    assert r.status_code == 422
    assert r.json() == {
        "code": "invalid",
        "message": "项目“松下港区道路”属于“松下镇”，不属于“湖南镇”，不能关联。",
        "field": "project",
    }
    assert snapshot() == before
    client.logout()
    login(client, org.hunan_staff)
    assert "松下港区道路" not in client.get("/api/supervision/orders").content.decode()


def test_the_api_does_not_tell_which_unit_owns_a_project_out_of_scope(client, org):
    gulou_project = make_project(org.gulou_caizheng, name="鼓楼项目")
    login(client, org.office)
    r = post(
        client,
        "/api/supervision/orders",
        {
            "unit_id": org.hunan.pk,
            "project_id": gulou_project.pk,
            "title": "t",
            "content": "c",
            "deadline": "2026-12-20",
        },
    )
    assert (r.status_code, r.json()["message"]) == (404, "项目不存在，或不在您的查看范围内。")


@pytest.mark.parametrize("link", ["orders", "projects", "inspections"])
def test_a_notice_about_one_town_cannot_link_another_towns_objects(org, link):
    foreign = {
        "orders": lambda: [make_order(org, unit=org.songxia)],
        "projects": lambda: [make_project(org.songxia, name="松下港区道路")],
        "inspections": lambda: [
            inspections.record_inspection(
                actor=org.inspector,
                kind="random",
                unit=org.songxia,
                team="区督查组",
                inspected_on=TODAY,
                findings="f",
            )
        ],
    }[link]()
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        notices.create_notice(
            actor=org.office,
            kind="criticism",
            unit=org.hunan,
            title="t",
            reason="r",
            **{link: foreign},
        )
    assert refused.value.details == {"field": link}
    assert "属于“松下镇”，不属于“湖南镇”，不能关联。" in refused.value.message
    assert snapshot() == before


def test_the_api_refuses_a_notice_with_foreign_or_unknown_links_instead_of_dropping_them(
    client, org
):
    songxia_order = make_order(org, unit=org.songxia)
    gulou_project = make_project(org.gulou_caizheng)
    songxia_project = make_project(org.songxia, name="松下港区道路")
    login(client, org.office)
    base = {"kind": "criticism", "unit_id": org.hunan.pk, "title": "t", "reason": "r"}
    before = snapshot()
    r = post(client, "/api/supervision/notices", base | {"order_ids": [songxia_order.pk]})
    assert (r.status_code, r.json()["field"]) == (422, "orders")
    assert r.json()["message"] == (
        f"督办单 {songxia_order.code}属于“松下镇”，不属于“湖南镇”，不能关联。"
    )
    r = post(client, "/api/supervision/notices", base | {"project_ids": [songxia_project.pk]})
    assert (r.status_code, r.json()["field"]) == (422, "projects")
    r = post(client, "/api/supervision/notices", base | {"project_ids": [gulou_project.pk]})
    assert r.status_code == 404
    assert r.json()["message"] == (f"项目（编号 {gulou_project.pk}）不存在，或不在您的查看范围内。")
    r = post(client, "/api/supervision/notices", base | {"order_ids": [999999]})
    assert r.status_code == 404
    assert r.json()["message"] == "督办单（编号 999999）不存在，或不在您的查看范围内。"
    assert snapshot() == before


# ---------------------------------------------------------------- 12.11 dates and ids out of range


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-12-01&end=0001-01-01",
        "start=0001-01-01&end=0001-01-01",
        "start=9999-12-31&end=9999-12-31",
        "start=2026-12-31&end=2026-12-01",
    ],
)
def test_counts_over_an_impossible_period_are_refused_in_chinese(client, org, query):
    login(client, org.office)
    r = client.get(f"/api/supervision/counts?{query}")
    assert r.status_code == 422
    assert r.json()["code"] == "invalid"
    assert "统计" in r.json()["message"]


def test_counts_over_a_month_still_answer(client, org):
    login(client, org.office)
    r = client.get("/api/supervision/counts?start=2026-12-01&end=2026-12-31")
    assert r.status_code == 200


BIG = 2**70


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (f"/api/supervision/orders?unit_id={BIG}", None),
        ("/api/supervision/orders", {"unit_id": BIG, "title": "t", "content": "c"}),
        (
            "/api/supervision/notices",
            {"kind": "praise", "unit_id": 1, "title": "t", "reason": "r", "order_ids": [BIG]},
        ),
        (
            "/api/supervision/notices",
            {"kind": "praise", "unit_id": 1, "title": "t", "reason": "r", "project_ids": [BIG]},
        ),
        (
            "/api/supervision/inspections",
            {
                "kind": "random",
                "project_id": 1,
                "team": "t",
                "inspected_on": "2026-12-01",
                "findings": "f",
                "draw_id": BIG,
            },
        ),
        ("/api/supervision/draws", {"scope_unit_id": BIG, "count": 1}),
    ],
)
def test_ids_too_large_for_the_database_are_refused_not_a_500(client, org, url, body):
    login(client, org.office)
    r = client.get(url) if body is None else post(client, url, body)
    assert r.status_code == 422


def test_unknown_project_or_draw_is_a_chinese_404(client, org):
    project = make_project(org.hunan)
    login(client, org.inspector)
    r = post(
        client,
        "/api/supervision/inspections",
        {
            "kind": "random",
            "project_id": project.pk,
            "team": "t",
            "inspected_on": "2026-12-01",
            "findings": "f",
            "draw_id": 424242,
        },
    )
    assert (r.status_code, r.json()["message"]) == (404, "抽签记录不存在，或不在您的查看范围内。")
    assert not Inspection.objects.exists()


# ---------------------------------------------------------------- 12.6 text checked by every service


def _refused(call, field, words):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        call()
    assert refused.value.details == {"field": field}
    assert words in refused.value.message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("title", "督办\x00事项", "督办事项不能包含控制字符"),
        ("title", "长" * 201, "督办事项最长 200 个字符，现为 201 个"),
        ("content", NUL, "督办内容不能包含控制字符"),
        ("required_evidence", "照片\x07", "不能包含控制字符"),
    ],
)
def test_issuing_refuses_control_characters_and_over_long_text(org, field, value, words):
    args = {"title": "t", "content": "c", "required_evidence": ""} | {field: value}
    _refused(
        lambda: orders.issue_order(
            actor=org.office, unit=org.hunan, deadline=TODAY + dt.timedelta(days=3), **args
        ),
        field,
        words,
    )


@pytest.mark.parametrize("step", ["acknowledge", "start"])
def test_a_step_note_with_a_nul_is_refused(org, step):
    order = make_order(org, state=State.ISSUED if step == "acknowledge" else State.ACKNOWLEDGED)
    _refused(
        lambda: getattr(orders, step)(actor=org.hunan_staff, order=order, note=NUL),
        "note",
        "说明不能包含控制字符",
    )


def test_feedback_text_and_evidence_captions_are_checked(org):
    order = make_order(org, state=State.IN_PROGRESS)
    _refused(
        lambda: orders.feedback(actor=org.hunan_staff, order=order, text=NUL),
        "note",
        "说明不能包含控制字符",
    )
    photo = SimpleUploadedFile("a.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    _refused(
        lambda: orders.feedback(
            actor=org.hunan_staff,
            order=order,
            text="已完成",
            files=[orders.EvidenceFile(photo, kind="photo", caption="图" * 201)],
        ),
        "caption",
        "说明最长 200 个字符",
    )


def test_closing_and_sending_back_check_their_text(org):
    order = make_order(org, state=State.FEEDBACK)
    _refused(lambda: orders.close(actor=org.office, order=order, note=NUL), "note", "控制字符")
    _refused(
        lambda: orders.send_back(actor=org.office, order=order, reason=NUL), "note", "控制字符"
    )


def test_extension_reason_and_decision_note_are_checked(org):
    order = make_order(org, state=State.IN_PROGRESS)
    new = order.deadline + dt.timedelta(days=5)
    _refused(
        lambda: orders.request_extension(
            actor=org.hunan_staff, order=order, reason=NUL, new_deadline=new
        ),
        "reason",
        "延期理由不能包含控制字符",
    )
    orders.request_extension(
        actor=org.hunan_staff, order=order, reason="征迁未完", new_deadline=new
    )
    order.refresh_from_db()
    _refused(
        lambda: orders.decide_extension(actor=org.office, order=order, approve=False, note=NUL),
        "decision_note",
        "审批意见不能包含控制字符",
    )


def test_a_reminder_text_with_a_nul_is_refused(org):
    order = make_order(org)
    _refused(lambda: reminders.remind(actor=org.office, order=order, text=NUL), "text", "控制字符")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("title", NUL, "标题不能包含控制字符"),
        ("reason", NUL, "事由不能包含控制字符"),
        ("person_name", "张" * 51, "被通报个人最长 50 个字符"),
    ],
)
def test_notices_refuse_control_characters_and_over_long_text(org, field, value, words):
    args = {"title": "t", "reason": "r", "person_name": ""} | {field: value}
    _refused(
        lambda: notices.create_notice(actor=org.office, kind="praise", unit=org.hunan, **args),
        field,
        words,
    )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("team", "督查组\n第二组", "督查组不能包含控制字符"),
        ("team", "组" * 201, "督查组最长 200 个字符"),
        ("findings", NUL, "检查发现不能包含控制字符"),
    ],
)
def test_inspections_refuse_control_characters_and_over_long_text(org, field, value, words):
    args = {"team": "区督查组", "findings": "f"} | {field: value}
    _refused(
        lambda: inspections.record_inspection(
            actor=org.inspector, kind="random", unit=org.hunan, inspected_on=TODAY, **args
        ),
        field,
        words,
    )


def test_hazard_description_and_rectification_note_are_checked(org):
    _refused(
        lambda: inspections.record_inspection(
            actor=org.inspector,
            kind="random",
            unit=org.hunan,
            team="t",
            inspected_on=TODAY,
            findings="f",
            hazards=[inspections.HazardIn(NUL, TODAY)],
        ),
        "description",
        "隐患描述不能包含控制字符",
    )
    insp = inspections.record_inspection(
        actor=org.inspector,
        kind="random",
        unit=org.hunan,
        team="t",
        inspected_on=TODAY,
        findings="f",
        hazards=[inspections.HazardIn("灭火器过期", TODAY)],
    )
    hazard = insp.hazards.get()
    _refused(
        lambda: inspections.rectify_hazard(actor=org.hunan_staff, hazard=hazard, note=NUL),
        "rectification_note",
        "整改情况不能包含控制字符",
    )
    hazard.refresh_from_db()
    assert (hazard.rectified_on, hazard.version) == (None, 1)


def test_a_draw_seed_too_long_or_with_a_nul_is_refused(org):
    make_project(org.hunan)
    for seed, words in (
        ("s" * 65, "随机种子最长 64 个字符"),
        ("s\x00", "随机种子不能包含控制字符"),
    ):
        _refused(
            lambda seed=seed: inspections.draw_random_check(
                actor=org.inspector, scope_unit=org.hunan, count=1, seed=seed
            ),
            "seed",
            words,
        )


def test_the_api_answers_a_nul_with_a_422_naming_the_field(client, org):
    order = make_order(org)
    login(client, org.hunan_staff)
    before = snapshot()
    r = post(
        client,
        f"/api/supervision/orders/{order.pk}/acknowledge",
        {"version": order.version, "note": NUL},
    )
    assert r.status_code == 422
    assert r.json() == {"code": "invalid", "message": "说明不能包含控制字符", "field": "note"}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"/supervision/?unit={BIG}", 200),
        (f"/supervision/orders.xlsx?unit={BIG}", 200),
        (f"/supervision/orders/{BIG}/", 404),
    ],
)
def test_pages_answer_an_id_too_large_for_the_database_without_a_500(client, org, url, status):
    make_order(org)
    login(client, org.office)
    assert client.get(url).status_code == status


def test_a_page_step_with_a_nul_note_comes_back_as_a_message(client, org):
    order = make_order(org)
    login(client, org.hunan_staff)
    before = snapshot()
    r = client.post(
        f"/supervision/orders/{order.pk}/acknowledge/",
        {"version": order.version, "note": NUL},
        follow=True,
    )
    assert "说明不能包含控制字符" in r.content.decode()
    assert snapshot() == before
