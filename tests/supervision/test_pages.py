"""The supervision pages: board, to-do, detail with the trail and step forms, notices, inspections."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gongjian.supervision import inspections, notices, orders
from gongjian.supervision.flow import State
from gongjian.supervision.models import Inspection, Notice, RandomDraw, SupervisionOrder
from tests.factories import PASSWORD, image_bytes
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_order, make_project


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_office_board_shows_counts_by_state_unit_and_overdue(client, org, set_today):
    make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3), title="逾期事项")
    make_order(org, state=State.CLOSED, title="已销号事项")
    make_order(org, unit=org.songxia, title="松下事项")
    set_today(dt.date(2026, 12, 5))
    login(client, org.office)
    body = client.get("/supervision/").content.decode()
    assert "督办单看板" in body
    assert 'data-state="overdue">逾期<strong>1</strong>' in body
    assert 'data-state="closed">销号<strong>1</strong>' in body
    assert body.count("is-overdue") == 1
    only_overdue = client.get("/supervision/?overdue=1").content.decode()
    assert "逾期事项" in only_overdue and "松下事项" not in only_overdue
    songxia = client.get(f"/supervision/?unit={org.songxia.pk}").content.decode()
    assert "松下事项" in songxia and "逾期事项" not in songxia


def test_board_query_count_does_not_grow_with_orders(client, org, django_assert_max_num_queries):
    for _ in range(3):
        make_order(org)
    login(client, org.office)
    client.get("/supervision/")
    # The counts (tiles, by unit, overdue) and a page of the orders with its total (on
    # PostgreSQL the planner's estimate first, then the exact count under 10,000).
    with django_assert_max_num_queries(14) as few:
        client.get("/supervision/")
    for _ in range(10):
        make_order(org, unit=org.songxia)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/supervision/")


def test_a_town_sees_only_its_own_orders_on_the_board(client, org):
    make_order(org, title="湖南事项")
    make_order(org, unit=org.songxia, title="松下事项")
    login(client, org.hunan_staff)
    body = client.get("/supervision/").content.decode()
    assert "湖南事项" in body and "松下事项" not in body


def test_the_unit_walks_an_order_through_the_pages_and_the_office_closes_it(client, org):
    order = make_order(org)
    login(client, org.hunan_staff)
    todo = client.get("/supervision/todo/").content.decode()
    assert order.code in todo
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert 'data-step="acknowledge"' in page and 'data-step="close"' not in page
    for step in ("acknowledge", "start"):
        order.refresh_from_db()
        r = client.post(f"/supervision/orders/{order.pk}/{step}/", {"version": order.version})
        assert r.status_code == 302
    order.refresh_from_db()
    photo = SimpleUploadedFile("p.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    client.post(
        f"/supervision/orders/{order.pk}/feedback/",
        {"version": order.version, "note": "已完成交地", "kind": "photo", "files": [photo]},
    )
    order.refresh_from_db()
    assert order.state == "feedback"
    client.logout()
    login(client, org.office)
    review = client.get("/supervision/todo/").content.decode()
    assert order.code in review
    client.post(
        f"/supervision/orders/{order.pk}/close/", {"version": order.version, "note": "同意"}
    )
    order.refresh_from_db()
    assert order.state == "closed"
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    for label in ("交办", "签收", "开始办理", "反馈", "审核销号", "已完成交地", "照片：p.jpg"):
        assert label in page


def test_a_stale_page_gets_a_chinese_message_and_changes_nothing(client, org):
    order = make_order(org)
    login(client, org.hunan_staff)
    stale = order.version
    orders.acknowledge(actor=org.hunan_staff, order=order)
    response = client.post(
        f"/supervision/orders/{order.pk}/start/", {"version": stale}, follow=True
    )
    assert "该记录已被他人修改" in response.content.decode()
    order.refresh_from_db()
    assert (order.state, order.version) == ("acknowledged", stale + 1)


def test_a_refused_step_shows_the_reason_on_the_page(client, org):
    order = make_order(org)
    login(client, org.viewer)
    response = client.post(
        f"/supervision/orders/{order.pk}/acknowledge/", {"version": order.version}, follow=True
    )
    assert "无权对“湖南镇”执行“办理督办单”操作。" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "issued"


def test_an_order_out_of_scope_is_not_found(client, org):
    order = make_order(org, unit=org.songxia)
    login(client, org.hunan_staff)
    response = client.get(f"/supervision/orders/{order.pk}/")
    assert response.status_code == 404
    assert "不在您的查看范围内" in response.content.decode()


def test_the_office_issues_from_the_form(client, org):
    project = make_project(org.hunan, name="湖南镇污水管网")
    login(client, org.office)
    assert "湖南镇污水管网" in client.get("/supervision/orders/new/").content.decode()
    response = client.post(
        "/supervision/orders/new/",
        {
            "unit": org.hunan.pk,
            "project": project.pk,
            "title": "管网施工滞后",
            "content": "倒排工期",
            "deadline": (TODAY + dt.timedelta(days=7)).isoformat(),
            "level": "orange",
        },
    )
    order = SupervisionOrder.objects.get()
    assert response["Location"] == f"/supervision/orders/{order.pk}/"
    assert (order.project, order.level, order.issued_by) == (project, "orange", org.office)


def test_extension_request_and_decision_through_the_pages(client, org):
    order = make_order(org, state=State.IN_PROGRESS)
    login(client, org.hunan_staff)
    client.post(
        f"/supervision/orders/{order.pk}/request_extension/",
        {"version": order.version, "note": "雨季停工", "new_deadline": "2026-12-30"},
    )
    order.refresh_from_db()
    client.logout()
    login(client, org.office)
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "申请由 2026-12-11 延期至 2026-12-30，理由：雨季停工" in page
    client.post(
        f"/supervision/orders/{order.pk}/decide_extension/",
        {"version": order.version, "approve": "1", "note": "同意"},
    )
    order.refresh_from_db()
    assert order.deadline == dt.date(2026, 12, 30)
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "2026-12-11 → 2026-12-30" in page
    assert "原定 2026-12-11" in page


def test_notices_page_lists_and_the_office_publishes(client, org):
    login(client, org.office)
    response = client.post(
        "/supervision/notices/",
        {"kind": "criticism", "unit": org.hunan.pk, "title": "通报批评湖南镇", "reason": "逾期"},
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    client.post(f"/supervision/notices/{notice.pk}/publish/", {"version": notice.version})
    notice.refresh_from_db()
    assert notice.state == "published"
    client.logout()
    login(client, org.hunan_staff)
    body = client.get("/supervision/notices/").content.decode()
    assert "通报批评湖南镇" in body and "起草通报" not in body


def test_an_inspector_records_an_inspection_with_a_hazard_from_a_phone_form(client, org):
    project = make_project(org.hunan, name="湖南中学")
    login(client, org.inspector)
    page = client.get("/supervision/inspections/").content.decode()
    assert 'id="inspection-form"' in page
    client.post(
        "/supervision/inspections/",
        {
            "kind": "scheduled",
            "project": project.pk,
            "team": "区督查组",
            "inspected_on": TODAY.isoformat(),
            "findings": "现场文明施工不到位",
            "hazard": "塔吊限位器失效",
            "rectify_by": (TODAY + dt.timedelta(days=2)).isoformat(),
        },
    )
    insp = Inspection.objects.get()
    assert list(insp.hazards.values_list("description", flat=True)) == ["塔吊限位器失效"]
    client.post(
        "/supervision/inspections/draw/", {"scope_unit": org.hunan.pk, "count": 1, "seed": "s1"}
    )
    assert RandomDraw.objects.get().picked_ids == [project.pk]


def test_the_unit_reports_a_hazard_rectified_on_the_page(client, org):
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
    login(client, org.hunan_staff)
    client.post(f"/supervision/hazards/{hazard.pk}/rectify/", {"version": 1, "note": "已更换"})
    hazard.refresh_from_db()
    assert hazard.rectified_on == TODAY


def test_inbox_shows_messages_and_marks_them_read(client, org):
    order = make_order(org)
    login(client, org.hunan_staff)
    body = client.get("/supervision/inbox/").content.decode()
    assert f"新督办单 {order.code}" in body and 'class="unread"' in body
    client.post("/supervision/inbox/read/")
    assert 'class="unread"' not in client.get("/supervision/inbox/").content.decode()


def test_orders_and_notices_export_to_xlsx(client, org, set_today):
    make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3), title="逾期事项")
    notices.create_notice(
        actor=org.office,
        kind="praise",
        unit=org.hunan,
        title="表扬湖南镇",
        reason="r",
        publish=True,
    )
    set_today(dt.date(2026, 12, 5))
    stamp = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)
    SupervisionOrder.objects.filter(title="逾期事项").update(updated_at=stamp)
    login(client, org.office)
    response = client.get("/supervision/orders.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb["督办单"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "督办事项", "责任单位")
    assert rows[1][1:3] == ("逾期事项", "湖南镇")
    assert rows[1][10] == "是"
    assert ws["J2"].value == dt.datetime(2026, 12, 3)  # 办结时限: a date cell, in Chinese
    assert ws["J2"].number_format == 'yyyy"年"m"月"d"日"'
    (rule,) = ws.conditional_formatting
    assert str(rule.sqref) == "A2:P2"
    assert rule.rules[0].formula == ['$K2="是"']
    assert wb["督办单"].freeze_panes == "C2" and wb["督办单"].auto_filter.ref == "A1:P2"
    assert ws.data_validations.count == 4  # 责任单位, 交办单位, 颜色, 状态
    # 更新时间, the list's `updated` sort, in the office's local time (a date-time cell)
    assert rows[0][15] == "更新时间"
    assert ws["P2"].value == dt.datetime(2026, 12, 4, 17, 30)
    notice_file = client.get("/supervision/notices.xlsx")
    ws = load_workbook(io.BytesIO(b"".join(notice_file.streaming_content)))["通报"]
    notice_rows = list(ws.iter_rows(values_only=True))
    assert notice_rows[1][:3] == ("通报表扬", "表扬湖南镇", "湖南镇")
    assert notice_rows[0][-1] == "更新时间" and isinstance(notice_rows[1][-1], dt.datetime)


@pytest.mark.parametrize(
    "url", ["/supervision/", "/supervision/todo/", "/supervision/notices/", "/supervision/inbox/"]
)
def test_pages_need_a_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", ["office", "lead", "hunan_staff", "leader", "inspector", "viewer"])
def test_every_role_can_open_every_page(client, org, role):
    order = make_order(org)
    login(client, getattr(org, role))
    for url in [
        "/supervision/",
        "/supervision/todo/",
        "/supervision/notices/",
        "/supervision/inspections/",
        "/supervision/inbox/",
    ]:
        assert client.get(url).status_code == 200, url
    # the lead unit sees 湖南镇 too: its line covers the town
    assert client.get(f"/supervision/orders/{order.pk}/").status_code == 200


def test_the_office_sees_orders_read_only_in_the_admin_within_its_tree(client, org):
    order = make_order(org)
    gulou_order = SupervisionOrder.objects.create(
        code="DB-GL",
        title="鼓楼事项",
        content="c",
        unit=org.gulou,
        issuing_unit=org.city,
        issued_on=TODAY,
        deadline=TODAY,
        original_deadline=TODAY,
    )
    org.office.is_staff = True
    org.office.save()
    login(client, org.office)
    body = client.get("/admin/supervision/supervisionorder/").content.decode()
    assert order.code in body and gulou_order.code not in body
    page = client.get(f"/admin/supervision/supervisionorder/{order.pk}/change/")
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()


def test_the_board_and_an_order_read_in_english(client, org):
    order = make_order(org, state=State.FEEDBACK)
    login(client, org.office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/supervision/").content.decode()
    assert "Order board" in body and "Reported, awaiting review" in body
    assert ">Orders<" in body and ">Inspections<" in body and ">Notices<" in body
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "Trail" in page and "Review and close" in page


def test_the_inspection_form_speaks_to_staff_and_keeps_the_seed_for_the_audit(client, org):
    make_project(org.hunan, name="湖南中学")
    login(client, org.inspector)
    client.post("/supervision/inspections/draw/", {"scope_unit": org.hunan.pk, "count": 1})
    draw = RandomDraw.objects.get()
    assert draw.seed  # generated and recorded
    page = client.get("/supervision/inspections/").content.decode()
    assert "---------" not in page
    assert "请选择…" in page
    assert "类型：" in page and "类型:" not in page
    assert "种子" not in page and draw.seed not in page
    # the office (the auditor of the draw) reads the seed in the draw's detail
    login(client, org.office)
    page = client.get("/supervision/inspections/").content.decode()
    assert f"<code>{draw.seed}</code>" in page


def test_the_leader_approves_a_draft_on_its_page_and_the_unit_then_sees_it(client, org):
    from tests.supervision.factories import make_draft

    draft = make_draft(org)
    login(client, org.hunan_staff)
    assert client.get(f"/supervision/orders/{draft.pk}/").status_code == 404
    client.logout()
    login(client, org.leader)
    todo = client.get("/supervision/todo/").content.decode()
    assert 'id="to-approve"' in todo and draft.code in todo
    page = client.get(f"/supervision/orders/{draft.pk}/").content.decode()
    assert 'data-step="approve"' in page and 'data-step="return_draft"' in page
    r = client.post(
        f"/supervision/orders/{draft.pk}/approve/",
        {"version": draft.version, "note": "同意", "deadline": "2026-12-21"},
    )
    assert r.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.deadline) == ("issued", dt.date(2026, 12, 21))
    client.logout()
    login(client, org.hunan_staff)
    assert client.get(f"/supervision/orders/{draft.pk}/").status_code == 200


def test_the_issue_form_sends_a_draft_to_the_leader_with_its_source(client, org):
    from tests.supervision.factories import require_approval

    require_approval(org.line.campaign)
    project = make_project(org.hunan, name="安置房", campaign=org.line.campaign)
    login(client, org.office)
    r = client.post(
        "/supervision/orders/new/",
        {
            "unit": org.hunan.pk,
            "project": project.pk,
            "title": "安置房征迁",
            "content": "限期交地",
            "deadline": "2026-12-15",
            "level": "blue",
            "source": "public",
            "source_ref": "12345-0071",
        },
        follow=True,
    )
    order = SupervisionOrder.objects.get()
    assert (order.state, order.source, order.source_ref) == (
        "pending_approval",
        "public",
        "12345-0071",
    )
    assert f"{order.code} 已提交分管领导审核。" in r.content.decode()


@pytest.mark.parametrize(
    ("role", "sees_form"),
    [("office", True), ("leader", True), ("hunan_staff", False), ("viewer", False)],
)
def test_the_instruction_register_shows_the_form_only_to_who_may_record(
    client, org, role, sees_form
):
    login(client, getattr(org, role))
    body = client.get("/supervision/instructions/").content.decode()
    assert 'id="instruction-register"' in body
    assert ('id="record-instruction"' in body) is sees_form
    r = client.post(
        "/supervision/instructions/",
        {
            "leader": org.leader.person_id,
            "given_on": "2026-11-30",
            "kind": "reference",
            "text": "供参阅",
        },
        follow=True,
    )
    from gongjian.supervision.models import LeaderInstruction

    assert LeaderInstruction.objects.count() == (1 if sees_form else 0)
    if sees_form:
        assert "存档备查" in r.content.decode()


def test_a_co_operating_unit_gives_its_part_on_the_page_and_the_lead_sees_it(client, org):
    from tests.supervision.factories import unit_staff

    songxia = unit_staff(org.songxia)
    order = make_order(org, state=State.IN_PROGRESS, cooperators=[org.songxia])
    login(client, songxia)
    assert (
        f'href="/supervision/orders/{order.pk}/"'
        in client.get("/supervision/todo/").content.decode()
    )
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert 'data-step="co_acknowledge"' in page and 'data-step="feedback"' not in page
    client.post(f"/supervision/orders/{order.pk}/co_acknowledge/", {"version": order.version})
    order.refresh_from_db()
    client.post(
        f"/supervision/orders/{order.pk}/co_part/",
        {"version": order.version, "note": "管线迁改已完成"},
    )
    client.logout()
    login(client, org.hunan_staff)
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "管线迁改已完成" in page
    assert 'name="explain_' not in page  # the part is in: nothing to explain


def test_the_leads_feedback_form_asks_why_a_part_is_missing(client, org):
    order = make_order(org, state=State.IN_PROGRESS, cooperators=[org.songxia])
    login(client, org.hunan_staff)
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert f'name="explain_{org.songxia.pk}"' in page
    r = client.post(
        f"/supervision/orders/{order.pk}/feedback/",
        {"version": order.version, "note": "已完成"},
        follow=True,
    )
    assert "协办单位“松下镇”尚未提交协办意见" in r.content.decode()
    order.refresh_from_db()
    assert order.state == State.IN_PROGRESS
    client.post(
        f"/supervision/orders/{order.pk}/feedback/",
        {"version": order.version, "note": "已完成", f"explain_{org.songxia.pk}": "无需配合"},
    )
    order.refresh_from_db()
    assert order.state == State.FEEDBACK


def test_the_office_names_a_reviewer_and_revisits_on_the_order_page(client, org):
    order = make_order(org, state=State.FEEDBACK)
    login(client, org.office)
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert 'data-step="assign_reviewer"' in page and f'value="{org.inspector.pk}"' in page
    client.post(
        f"/supervision/orders/{order.pk}/assign_reviewer/",
        {"version": order.version, "reviewer": org.inspector.pk},
    )
    order.refresh_from_db()
    assert order.reviewer == org.inspector
    orders.close(actor=org.office, order=order)
    order.refresh_from_db()
    r = client.post(
        f"/supervision/orders/{order.pk}/revisit/",
        {"version": order.version, "held": "0", "note": "又出现问题"},
        follow=True,
    )
    assert "须给出重新交办的办结时限" in r.content.decode()
    client.post(
        f"/supervision/orders/{order.pk}/revisit/",
        {"version": order.version, "held": "0", "note": "又出现问题", "new_deadline": "2026-12-20"},
    )
    again = SupervisionOrder.objects.get(reopened_from=order)
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert again.code in page and "成效未巩固" in page
