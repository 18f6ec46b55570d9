"""Report attachments (12.10): checked by content, stored under random names with history, the
report and its files saved together, and served only to those who see the project."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.core.errors import PermissionDenied, ValidationFailed
from gongjian.projects import attachments, reports
from gongjian.projects.models import ProgressReport, ReportAttachment
from tests.factories import PASSWORD, image_bytes

D = dt.date
HTML = b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png() -> bytes:
    return image_bytes("PNG")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def report(org, ledger):
    return reports.submit_report(
        actor=org.hunan_staff,
        project=ledger.hunan_project,
        period_end=D(2026, 6, 30),
        percent_done=Decimal(20),
    )


def test_an_attachment_is_stored_under_a_random_name_with_its_history(org, report, media):
    row = attachments.add_attachment(
        actor=org.hunan_staff,
        report=report,
        kind="photo",
        file=SimpleUploadedFile("../../现场 照片.PNG", png()),
        caption=" 东侧 ",
    )
    assert row.file.name.startswith("reports/2") and row.file.name.endswith(".png")
    assert "现场" not in row.file.name and ".." not in row.file.name
    assert (media / row.file.name).read_bytes() == png()
    assert (row.original_name, row.caption, row.uploaded_by) == (
        "现场 照片.PNG",  # the upload handler keeps the base name only
        "东侧",
        org.hunan_staff,
    )
    created = row.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        org.hunan_staff,
        "上传填报附件",
    )


@pytest.mark.parametrize(
    ("kind", "name", "content"),
    [
        ("photo", "page.png", HTML),
        ("document", "evil.html", HTML),
        ("document", "drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_a_file_that_is_not_what_it_may_be_is_refused_and_nothing_is_stored(
    org, report, media, kind, name, content
):
    with pytest.raises(ValidationFailed) as caught:
        attachments.add_attachment(
            actor=org.hunan_staff,
            report=report,
            kind=kind,
            file=SimpleUploadedFile(name, content),
        )
    assert caught.value.message == f"不支持的文件类型：{name}"
    assert not ReportAttachment.objects.exists()
    assert not ReportAttachment.history.exists()
    assert not any(media.rglob("*.*"))


def test_staff_of_another_unit_cannot_attach_and_nothing_is_stored(org, ledger, report):
    with pytest.raises(PermissionDenied):
        attachments.add_attachment(
            actor=org.viewer, report=report, kind="photo", file=SimpleUploadedFile("a.png", png())
        )
    assert not ReportAttachment.objects.exists()


def test_the_report_form_with_a_bad_photo_saves_neither_the_report_nor_any_file(
    client, org, ledger
):
    login(client, org.hunan_staff)
    response = client.post(
        f"/ledger/{ledger.hunan_project.pk}/report/",
        {
            "period_end": "2026-06-30",
            "percent_done": "20",
            "investment_period_wan": "0",
            "problems": "",
            "photo": SimpleUploadedFile("page.png", HTML),
            "document": SimpleUploadedFile("报告.pdf", b"%PDF-1.7"),
        },
    )
    assert response.status_code == 200
    assert "不支持的文件类型：page.png" in response.content.decode()
    assert not ProgressReport.objects.exists()
    assert not ReportAttachment.objects.exists()


def test_the_report_form_stores_the_report_with_its_photo(client, org, ledger):
    login(client, org.hunan_staff)
    response = client.post(
        f"/ledger/{ledger.hunan_project.pk}/report/",
        {
            "period_end": "2026-06-30",
            "percent_done": "20",
            "investment_period_wan": "0",
            "problems": "",
            "photo": SimpleUploadedFile("site.png", png()),
        },
    )
    assert response.status_code == 302
    (row,) = ReportAttachment.objects.all()
    assert (row.report.percent_done, row.kind) == (Decimal(20), "photo")


def attach(org, report, name, content, kind):
    return attachments.add_attachment(
        actor=org.hunan_staff, report=report, kind=kind, file=SimpleUploadedFile(name, content)
    )


def test_the_projects_people_open_a_photo_inline_from_the_detail_page(client, org, ledger, report):
    row = attach(org, report, "site.png", png(), "photo")
    login(client, org.hunan_staff)
    html = client.get(f"/ledger/{ledger.hunan_project.pk}/").content.decode()
    assert f'href="/media/{row.file.name}"' in html
    response = client.get(f"/media/{row.file.name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_document_is_always_sent_as_a_download(client, org, report):
    row = attach(org, report, "报告.pdf", b"%PDF-1.7", "document")
    login(client, org.office)
    response = client.get(f"/media/{row.file.name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_files_are_hidden_from_users_outside_the_project_and_from_the_anonymous(
    client, org, ledger, report
):
    row = attach(org, report, "site.png", png(), "photo")
    assert client.get(f"/media/{row.file.name}").status_code == 302  # to the login page
    sx = type(org.hunan_staff).objects.create(username="sx", unit=org.songxia)
    sx.set_password(PASSWORD)
    sx.save()
    sx.roles.create(role="unit_staff")
    login(client, sx)
    assert client.get(f"/media/{row.file.name}").status_code == 404
    assert client.get("/media/reports/2026/07/unknown.png").status_code == 404
    assert client.get("/media/../settings.py").status_code == 404


def test_nginx_sends_the_file_when_the_setting_says_so(client, settings, org, report):
    settings.GONGJIAN_FILE_SENDER = "x-accel-redirect"
    row = attach(org, report, "site.png", png(), "photo")
    login(client, org.hunan_staff)
    response = client.get(f"/media/{row.file.name}")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{row.file.name}"
    assert response.content == b""
