"""A notice's document number and issuing level (国家/省/市/区), set when drafting and editing it
on the page, through the API and the service: the same rules and refusals everywhere."""

from __future__ import annotations

import pytest

from gongjian.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gongjian.supervision import notices
from gongjian.supervision.models import Notice
from tests.factories import PASSWORD

NUMBER = "长攻坚办〔2026〕15号"


def login(client, user):  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)


def draft(org, **extra):  # type: ignore[no-untyped-def]
    return notices.create_notice(
        actor=org.office, kind="criticism", unit=org.hunan, title="通报", reason="逾期", **extra
    )


def test_a_notice_keeps_its_document_number_and_the_level_asked_for(org) -> None:  # type: ignore[no-untyped-def]
    notice = draft(org, doc_number=f" {NUMBER} ", issuing_level="province")
    assert (notice.doc_number, notice.issuing_level) == (NUMBER, "province")
    assert draft(org).issuing_level == "district"  # the office's own level by default


def test_a_second_notice_of_one_document_for_the_same_unit_is_refused(org) -> None:  # type: ignore[no-untyped-def]
    draft(org, doc_number=NUMBER)
    with pytest.raises(
        ValidationFailed, match="“湖南镇”已有发文字号为“长攻坚办〔2026〕15号”的通报"
    ):
        draft(org, doc_number="长攻坚办[2026]15号")  # the same number, written with []
    assert Notice.objects.count() == 1
    other = notices.create_notice(
        actor=org.office, kind="criticism", unit=org.songxia, title="通报", reason="逾期",
        doc_number=NUMBER,
    )  # fmt: skip
    assert other.doc_number == NUMBER  # one document may criticise several units


def test_an_unknown_issuing_level_is_refused_naming_the_choices(org) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed, match="未知的发文层级“county”；可选：national（国家级）"):
        draft(org, issuing_level="county")
    assert Notice.objects.count() == 0


def test_the_office_edits_a_draft_and_the_edit_is_versioned(org) -> None:  # type: ignore[no-untyped-def]
    notice = draft(org)
    edited = notices.update_notice(
        actor=org.office, notice=notice, expected_version=notice.version, title="关于湖南镇的通报",
        reason="督办事项逾期", doc_number=NUMBER, issuing_level="city",
    )  # fmt: skip
    assert (edited.title, edited.doc_number, edited.issuing_level, edited.version) == (
        "关于湖南镇的通报", NUMBER, "city", notice.version + 1,
    )  # fmt: skip
    assert edited.history.first().history_change_reason == "修改通报"


@pytest.mark.parametrize("role", ["hunan_staff", "leader", "inspector", "viewer", "lead"])
def test_only_the_office_edits_a_notice(org, role) -> None:  # type: ignore[no-untyped-def]
    notice = draft(org)
    with pytest.raises(PermissionDenied):
        notices.update_notice(
            actor=getattr(org, role), notice=notice, title="改", reason="改",
            doc_number=NUMBER, issuing_level="city",
        )  # fmt: skip
    notice.refresh_from_db()
    assert (notice.title, notice.doc_number, notice.version) == ("通报", "", 1)


def test_a_published_notice_is_never_edited(org) -> None:  # type: ignore[no-untyped-def]
    notice = draft(org, publish=True)
    with pytest.raises(InvalidTransition, match="该通报已发布，不能再修改。"):
        notices.update_notice(
            actor=org.office, notice=notice, title="改", reason="改", doc_number=NUMBER,
            issuing_level="city",
        )  # fmt: skip
    notice.refresh_from_db()
    assert (notice.title, notice.doc_number, notice.issuing_level) == ("通报", "", "district")


def test_the_api_drafts_and_edits_with_number_and_level(client, org) -> None:  # type: ignore[no-untyped-def]
    login(client, org.office)
    r = client.post(
        "/api/supervision/notices",
        {"kind": "praise", "unit_id": org.hunan.pk, "title": "表扬", "reason": "成效明显",
         "doc_number": NUMBER, "issuing_level": "city"},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["doc_number"], body["issuing_level"], body["issuing_level_label"]) == (
        NUMBER, "city", "市级",
    )  # fmt: skip
    url = f"/api/supervision/notices/{body['id']}"
    edit = {"version": body["version"], "title": "表扬湖南镇", "reason": "成效明显",
            "doc_number": "长攻坚办〔2026〕16号", "issuing_level": "national"}  # fmt: skip
    r = client.put(url, edit, content_type="application/json")
    assert r.status_code == 200 and r.json()["issuing_level"] == "national"
    stale = client.put(url, edit, content_type="application/json")  # the old version
    assert stale.status_code == 409
    bad = client.put(
        url, {**edit, "version": body["version"] + 1, "issuing_level": "x"},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 422 and "未知的发文层级" in str(bad.json())
    login(client, org.hunan_staff)
    refused = client.put(
        url,
        {**edit, "version": body["version"] + 1, "title": "改"},
        content_type="application/json",
    )
    assert refused.status_code in (403, 404)
    assert Notice.objects.get().title == "表扬湖南镇"


def test_the_page_drafts_and_edits_with_number_and_level(client, org) -> None:  # type: ignore[no-untyped-def]
    login(client, org.office)
    page = client.get("/supervision/notices/").content.decode()
    assert 'name="doc_number"' in page and 'name="issuing_level"' in page
    client.post(
        "/supervision/notices/",
        {"kind": "criticism", "unit": org.hunan.pk, "title": "通报批评湖南镇", "reason": "逾期",
         "doc_number": NUMBER, "issuing_level": "city"},
    )  # fmt: skip
    notice = Notice.objects.get()
    assert (notice.doc_number, notice.issuing_level) == (NUMBER, "city")
    listed = client.get("/supervision/notices/").content.decode()
    assert NUMBER in listed and "市级" in listed
    edit_url = f"/supervision/notices/{notice.pk}/edit/"
    assert NUMBER in client.get(edit_url).content.decode()
    r = client.post(
        edit_url,
        {"title": "通报批评湖南镇", "reason": "逾期", "doc_number": "长攻坚办〔2026〕16号",
         "issuing_level": "district", "version": notice.version},
    )  # fmt: skip
    assert r.status_code == 302
    notice.refresh_from_db()
    assert (notice.doc_number, notice.issuing_level) == ("长攻坚办〔2026〕16号", "district")
    login(client, org.hunan_staff)
    client.post(edit_url, {"title": "改", "reason": "改", "issuing_level": "city", "version": 2})
    notice.refresh_from_db()
    assert notice.title == "通报批评湖南镇"
