"""The security audit log: append-only, kept 180 days, read by the office of each subtree."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from openpyxl import load_workbook

from gongjian.core import audit
from gongjian.core.audit import EventKind, SecurityEvent
from gongjian.core.errors import AppendOnly, ValidationFailed
from gongjian.org import selectors


def _rows() -> list[tuple]:
    return list(SecurityEvent.objects.order_by("pk").values_list("pk", "kind", "username", "at"))


def _event(user, *, days_ago: int = 0, kind: str = EventKind.EXPORT) -> SecurityEvent:
    event = audit.record(kind, user=user, target="台账")
    # Back-dating is test setup: the log itself refuses it, so go under it.
    if days_ago:
        with connection.cursor() as c:
            if connection.vendor == "postgresql":
                c.execute("SET LOCAL gongjian.audit_prune = 'on'")
                c.execute(
                    "ALTER TABLE core_security_event DISABLE TRIGGER core_security_event_append_only"
                )
            c.execute(
                "UPDATE core_security_event SET at = %s WHERE id = %s",
                [timezone.now() - dt.timedelta(days=days_ago), event.pk],
            )
            if connection.vendor == "postgresql":
                c.execute(
                    "ALTER TABLE core_security_event ENABLE TRIGGER core_security_event_append_only"
                )
    return event


def test_a_row_refuses_save_and_delete_and_its_queryset_update_and_delete(org):
    event = _event(org.office)
    before = _rows()
    event.username = "someone_else"
    for attempt in (
        event.save,
        event.delete,
        lambda: SecurityEvent.objects.filter(pk=event.pk).update(username="x"),
        lambda: SecurityEvent.objects.all().delete(),
    ):
        with pytest.raises(AppendOnly):
            attempt()
    assert _rows() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_in_sql(org):
    event = _event(org.office)
    before = _rows()
    for sql in (
        "UPDATE core_security_event SET username = 'x' WHERE id = %s",
        "DELETE FROM core_security_event WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [event.pk])
    assert _rows() == before


def test_prune_refuses_fewer_than_180_days_and_changes_nothing(org):
    _event(org.office, days_ago=400)
    before = _rows()
    with pytest.raises(ValidationFailed, match="至少保留 180 天"):
        audit.prune(days=179)
    with pytest.raises(CommandError, match="至少保留 180 天"):
        call_command("audit", "prune", "--days", "30", stdout=io.StringIO())
    assert _rows() == before


def test_prune_deletes_only_rows_older_than_the_days(org):
    old = _event(org.office, days_ago=200)
    recent = _event(org.office, days_ago=100)
    today = _event(org.office)
    out = io.StringIO()
    call_command("audit", "prune", stdout=out)
    assert "已删除 1 条" in out.getvalue()
    left = set(SecurityEvent.objects.values_list("pk", flat=True))
    assert left == {recent.pk, today.pk} and old.pk not in left


def test_an_office_reads_the_events_of_its_subtree_only(org):
    hunan = _event(org.hunan_staff)
    city = _event(org.city_office)
    assert set(selectors.security_events(org.office)) == {hunan}
    assert set(selectors.security_events(org.city_office)) == {hunan, city}
    assert list(selectors.security_events(org.hunan_staff)) == []


def test_security_log_page_is_the_offices_and_pages_by_cursor_keeping_filters(client, org):
    for _ in range(60):
        _event(org.hunan_staff)
    _event(org.hunan_staff, kind=EventKind.IMPORT)
    client.force_login(org.office)
    first = client.get("/account/security-log/", {"kind": "export"})
    assert first.status_code == 200
    page = first.context["page"]
    assert (len(page.items), page.count, page.count_exact) == (50, 60, True)
    body = first.content.decode()
    assert "共 60 条" in body and 'id="security-list-pager"' in body
    assert "kind=export" in first.context["pager"].next_query
    second = client.get(f"/account/security-log/?{first.context['pager'].next_query}")
    ids = [e.pk for e in page.items] + [e.pk for e in second.context["page"].items]
    assert len(ids) == len(set(ids)) == 60
    assert second.context["pager"].paged and not second.context["pager"].next_query
    client.force_login(org.hunan_staff)
    refused = client.get("/account/security-log/")
    assert refused.status_code == 403 and "只有攻坚办管理员" in refused.content.decode()


def test_security_log_sort_links_keep_the_filters_and_reverse_the_active_key(client, org):
    _event(org.hunan_staff)
    client.force_login(org.office)
    response = client.get("/account/security-log/", {"username": "hun", "sort": "username"})
    links = {s.label: s for s in response.context["pager"].sort_links}
    assert links["用户名"].active and not links["用户名"].descending
    assert "sort=-username" in links["用户名"].query and "username=hun" in links["用户名"].query
    assert "sort=at" in links["时间"].query and not links["时间"].active


def test_security_log_exports_xlsx_and_the_export_is_recorded(client, org):
    _event(org.hunan_staff, kind=EventKind.IMPORT)
    client.force_login(org.office)
    response = client.get("/account/security-log.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "事件", "用户名", "来源地址", "对象", "详情")
    assert ("导入", "hunan") in {(r[1], r[2]) for r in rows[1:]}
    assert SecurityEvent.objects.filter(kind=EventKind.EXPORT, username="office").exists()
    client.force_login(org.hunan_staff)
    assert client.get("/account/security-log.xlsx").status_code == 403


def test_source_address_trusts_only_the_configured_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert audit.client_ip(request) == "10.0.0.1"
    settings.GONGJIAN_TRUSTED_PROXY_COUNT = 1
    assert audit.client_ip(request) == "203.0.113.7"
    assert audit.client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


def _api_rows(client, **params):
    # The town's rows only: logging the office in writes a row of its own.
    response = client.get("/api/org/security-log", {"username": "hunan", **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_security_log_api_is_paged_sorted_and_filtered_by_every_field(client, org):
    hunan = [_event(org.hunan_staff) for _ in range(3)]
    imported = _event(org.hunan_staff, kind=EventKind.IMPORT)
    old = _event(org.hunan_staff, days_ago=10)
    client.force_login(org.office)
    body = _api_rows(client, limit=2, sort="at")
    assert [r["id"] for r in body["items"]] == [old.pk, hunan[0].pk]
    assert body["count"] == 5 and body["next_cursor"]
    rest = _api_rows(client, limit=10, sort="at", cursor=body["next_cursor"])
    assert [r["id"] for r in rest["items"]] == [hunan[1].pk, hunan[2].pk, imported.pk]
    assert [r["id"] for r in _api_rows(client, kind="import")["items"]] == [imported.pk]
    assert _api_rows(client, username="HUN")["count"] == 5
    assert _api_rows(client, username="")["count"] == 6  # and the office's login
    assert _api_rows(client, username="nobody")["count"] == 0
    today = timezone.localdate()
    since = _api_rows(client, since=str(today - dt.timedelta(days=1)))
    assert old.pk not in [r["id"] for r in since["items"]] and since["count"] == 4
    until = _api_rows(client, until=str(today - dt.timedelta(days=5)))
    assert [r["id"] for r in until["items"]] == [old.pk]
    assert _api_rows(client, q="台账")["count"] == 5 and _api_rows(client, q="无此")["count"] == 0
    assert body["items"][0]["kind_label"] == "导出"


def test_security_log_api_sorts_ties_by_id(client, org):
    events = [_event(org.hunan_staff) for _ in range(4)]
    client.force_login(org.office)
    up = _api_rows(client, sort="username")
    down = _api_rows(client, sort="-username")
    assert [r["id"] for r in up["items"]] == [e.pk for e in events]
    assert [r["id"] for r in down["items"]] == [e.pk for e in reversed(events)]


def test_security_log_api_keeps_pages_stable_while_rows_are_added(client, org):
    for _ in range(5):
        _event(org.hunan_staff)
    client.force_login(org.office)
    first = _api_rows(client, limit=3)
    seen = [r["id"] for r in first["items"]]
    for _ in range(4):  # new rows land before the first page (newest first): none repeats
        _event(org.hunan_staff)
    rest = _api_rows(client, limit=50, cursor=first["next_cursor"])
    seen += [r["id"] for r in rest["items"]]
    assert len(seen) == len(set(seen)) == 5


def test_security_log_api_is_the_offices_only_and_refuses_bad_filters(client, org):
    _event(org.hunan_staff)
    client.force_login(org.hunan_staff)
    response = client.get("/api/org/security-log")
    assert response.status_code == 403 and "只有攻坚办管理员" in response.json()["message"]
    client.force_login(org.office)
    for params, field in (
        ({"kind": "bogus"}, "kind"),
        ({"sort": "detail"}, "sort"),
        ({"since": "xx"}, "since"),
        ({"since": "2026-12-02", "until": "2026-12-01"}, "since"),
        ({"limit": "abc"}, "limit"),
    ):
        response = client.get("/api/org/security-log", params)
        assert (response.status_code, response.json()["field"]) == (422, field), params


def test_security_log_api_reads_a_fixed_number_of_queries(
    client, org, django_assert_max_num_queries
):
    for _ in range(30):
        _event(org.hunan_staff)
    client.force_login(org.office)
    with django_assert_max_num_queries(8):
        assert len(_api_rows(client, limit=25)["items"]) == 25
