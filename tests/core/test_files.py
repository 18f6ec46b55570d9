"""Uploads are checked by what they contain, not by their names (12.10)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.core.errors import ValidationFailed
from gongjian.core.files import DOCUMENT, PHOTO, RandomName, check_upload
from tests.factories import image_bytes

HTML = b"<html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("现场.JPG", image_bytes("JPEG"), ".jpg"),
        ("site.png", image_bytes("PNG"), ".png"),
        ("site.webp", image_bytes("WEBP"), ".webp"),
        ("named-wrong.png", image_bytes("JPEG"), ".jpg"),  # the content decides
        ("iphone.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", ".heic"),
    ],
)
def test_photos_are_accepted_by_what_they_decode_to(name, content, extension):
    checked = check_upload(SimpleUploadedFile(name, content), kind=PHOTO)
    assert checked.extension == extension


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.png", HTML),
        ("drawing.svg", SVG),
        ("drawing.png", SVG),
        ("truncated.png", image_bytes("PNG")[:40]),
        ("anim.gif", image_bytes("GIF")),
    ],
)
def test_anything_that_is_not_a_photo_is_refused_as_a_photo(name, content):
    with pytest.raises(ValidationFailed) as caught:
        check_upload(SimpleUploadedFile(name, content), kind=PHOTO)
    assert caught.value.message == f"不支持的文件类型：{name}"
    assert caught.value.details == {"field": "file"}


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("报告.pdf", b"%PDF-1.7\n...", ".pdf"),
        ("台账.xlsx", b"PK\x03\x04rest", ".xlsx"),
        ("通知.docx", b"PK\x03\x04rest", ".docx"),
        ("公文.ofd", b"PK\x03\x04rest", ".ofd"),
        ("材料.zip", b"PK\x03\x04rest", ".zip"),
        ("旧.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc"),
        ("旧.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"),
    ],
)
def test_documents_are_accepted_by_their_signature(name, content, extension):
    assert check_upload(SimpleUploadedFile(name, content), kind=DOCUMENT).extension == extension


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.html", HTML),
        ("drawing.svg", SVG),
        ("fake.pdf", HTML),
        ("fake.docx", b"%PDF-1.7"),
        ("notes.txt", b"plain text"),
        ("photo.png", image_bytes("PNG")),
    ],
)
def test_documents_that_are_not_what_they_claim_or_not_allowed_are_refused(name, content):
    with pytest.raises(ValidationFailed):
        check_upload(SimpleUploadedFile(name, content), kind=DOCUMENT)


def test_an_upload_past_the_size_setting_is_refused(settings):
    settings.GONGJIAN_MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationFailed) as caught:
        check_upload(big, kind=DOCUMENT)
    assert caught.value.message == "附件不能超过 1 MB。"


def test_stored_names_are_random_and_keep_only_a_known_extension():
    upload_to = RandomName("reports")
    first, second = upload_to(None, "upload.png"), upload_to(None, "upload.png")
    assert first != second
    assert first.startswith("reports/") and first.endswith(".png")
    assert not upload_to(None, "x.html").endswith(".html")
