"""In a real browser: the bulletin's download says it is being made, then saves the named file."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongjian.assessment import services
from tests.assessment.factories import enter, import_plan
from tests.e2e.conftest import login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pdf_download_shows_busy_then_saves_the_named_file(page, live_server, org) -> None:  # type: ignore[no-untyped-def]
    round_ = services.create_round(actor=None, plan=import_plan(), period="2026-12", title="12月")
    enter(round_, org.hunan, "tz", "90")
    enter(round_, org.songxia, "tz", "85")
    services.compute_round(actor=None, round=round_)
    services.publish_round(actor=None, round=round_)
    login(page, live_server.url, org.office.username, PASSWORD)
    page.goto(f"{live_server.url}/assessment/rounds/{round_.pk}/bulletin/")
    link = page.locator("#bulletin-downloads a[href$='format=pdf']")
    with page.expect_download() as download:
        link.click()
        expect(link).to_have_attribute("aria-busy", "true")
        expect(link).to_have_text("正在生成…")
    assert download.value.suggested_filename == "长乐区乡镇攻坚120天2026年12月考评情况通报.pdf"
    expect(link).not_to_have_attribute("aria-busy", "true")
    expect(link).to_have_text("PDF")
