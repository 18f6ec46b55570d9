"""Evidence on an order's feedback (issue 12.10): checked by content, stored under a random
name, and sent only to those who see the order; a refusal stores nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.core.errors import ValidationFailed
from gongjian.org.models import Role
from gongjian.supervision import orders
from gongjian.supervision.flow import State
from gongjian.supervision.models import OrderEvidence
from tests.factories import UserFactory, image_bytes
from tests.supervision.factories import make_order

HTML = b"<html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _feedback(org, order, name: str, content: bytes, kind: str):  # type: ignore[no-untyped-def]
    return orders.feedback(
        actor=org.hunan_staff,
        order=order,
        text="已完成",
        files=[orders.EvidenceFile(SimpleUploadedFile(name, content), kind=kind, caption=name)],
    )


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("page.png", HTML, "photo"),
        ("page.html", HTML, "document"),
        ("drawing.svg", SVG, "document"),
        ("report.pdf", HTML, "document"),
    ],
)
def test_evidence_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(
    org, name, content, kind
):  # type: ignore[no-untyped-def]
    order = make_order(org, state=State.IN_PROGRESS)
    with pytest.raises(ValidationFailed) as caught:
        _feedback(org, order, name, content, kind)
    assert "不支持的文件类型" in caught.value.message
    order.refresh_from_db()
    assert order.state == State.IN_PROGRESS
    assert not OrderEvidence.objects.exists()


def test_a_photo_is_stored_under_a_random_name_and_shown_to_those_who_see_the_order(client, org):  # type: ignore[no-untyped-def]
    order = make_order(org, state=State.IN_PROGRESS)
    _feedback(org, order, "现场.png", image_bytes("PNG"), "photo")
    evidence = OrderEvidence.objects.get()
    assert evidence.caption == "现场.png"
    assert evidence.file.name.startswith("supervision/")
    assert evidence.file.name.endswith(".png")
    assert "现场" not in evidence.file.name
    url = f"/media/{evidence.file.name}"
    for who in (org.hunan_staff, org.office):
        client.force_login(who)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("inline")
    other_town = UserFactory(username="songxia", unit=org.songxia, roles=[Role.UNIT_STAFF])
    client.force_login(other_town)
    assert client.get(url).status_code == 404


def test_a_document_is_sent_as_a_download(client, org):  # type: ignore[no-untyped-def]
    order = make_order(org, state=State.IN_PROGRESS)
    _feedback(org, order, "确认书.pdf", b"%PDF-1.4\n%%EOF\n", "document")
    evidence = OrderEvidence.objects.get()
    client.force_login(org.hunan_staff)
    response = client.get(f"/media/{evidence.file.name}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
