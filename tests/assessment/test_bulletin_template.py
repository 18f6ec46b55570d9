"""An office's own red-header .docx (docxtpl): checked on upload, used for its bulletins."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document

from gongjian.assessment.bulletin import build_bulletin, render
from gongjian.assessment.bulletin_template import (
    BulletinTemplate,
    example_template,
    missing_placeholders,
    upload_template,
)
from gongjian.assessment.models import Round
from gongjian.core.errors import PermissionDenied, ValidationFailed
from gongjian.exchange import office_pdf
from tests.factories import PASSWORD


def _without(data: bytes, *placeholders: str) -> bytes:
    doc = Document(io.BytesIO(data))
    for p in doc.paragraphs:
        for run in p.runs:
            for name in placeholders:
                run.text = run.text.replace("{{ " + name + " }}", "")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_example_template_has_every_placeholder() -> None:
    assert missing_placeholders(example_template()) == []


def test_office_template_is_used_for_its_bulletins(org, published_round: Round) -> None:  # type: ignore[no-untyped-def]
    upload_template(
        actor=org.office, office=org.changle, data=example_template(), filename="a.docx"
    )
    doc = Document(io.BytesIO(render(build_bulletin(published_round), "docx")))
    texts = [p.text for p in doc.paragraphs]
    assert "长攻坚办〔2026〕12号" in texts
    assert "关于长乐区乡镇攻坚120天2026年12月考评情况的通报" in texts
    assert "附件：1．长乐区乡镇攻坚120天2026年12月考评结果" in texts
    assert "抄送：福州市攻坚行动领导小组办公室。" in texts
    assert not any("{{" in t or "{%" in t for t in texts)
    assert len(doc.tables) == 1  # the attachment, as a sub-document


def test_template_missing_placeholders_is_refused_naming_them(org) -> None:  # type: ignore[no-untyped-def]
    data = _without(example_template(), "number", "printed_on")
    with pytest.raises(ValidationFailed) as refused:
        upload_template(actor=org.office, office=org.changle, data=data, filename="b.docx")
    assert str(refused.value) == "模板缺少占位符：{{ number }}、{{ printed_on }}"
    with pytest.raises(ValidationFailed) as not_docx:
        upload_template(actor=org.office, office=org.changle, data=b"PK\x03\x04x", filename="c")
    assert str(not_docx.value) == "不是有效的 .docx 文件。"
    assert not BulletinTemplate.objects.exists()


def test_only_the_office_uploads_its_template(org) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        upload_template(
            actor=org.hunan_staff, office=org.changle, data=example_template(), filename="a"
        )
    client = Client()
    assert client.login(username=org.hunan_staff.username, password=PASSWORD)
    upload = SimpleUploadedFile("a.docx", example_template())
    response = client.post(
        f"/api/assessment/offices/{org.changle.pk}/bulletin-template", {"file": upload}
    )
    assert response.status_code == 403
    assert not BulletinTemplate.objects.exists()


def test_template_upload_through_the_api(org) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=org.office.username, password=PASSWORD)
    bad = SimpleUploadedFile("b.docx", _without(example_template(), "title"))
    response = client.post(
        f"/api/assessment/offices/{org.changle.pk}/bulletin-template", {"file": bad}
    )
    assert response.status_code == 422
    assert response.json()["message"] == "模板缺少占位符：{{ title }}"
    good = SimpleUploadedFile("a.docx", example_template())
    response = client.post(
        f"/api/assessment/offices/{org.changle.pk}/bulletin-template", {"file": good}
    )
    assert response.status_code == 200, response.content
    assert BulletinTemplate.objects.get().office == org.changle


def _marked(data: bytes, mark: str) -> bytes:
    """The example template with a line of the office's own (what its red header would be)."""
    doc = Document(io.BytesIO(data))
    doc.paragraphs[0].insert_paragraph_before(mark)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pdf_text(pdf: bytes, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    run = [["/usr/bin/pdftotext", "-raw", str(path), "-"], ["/usr/bin/pdfinfo", str(path)]]
    text, info = (subprocess.run(c, capture_output=True, text=True, check=True).stdout for c in run)  # noqa: S603
    return text, info


def test_office_template_also_lays_out_its_pdf(org, published_round: Round, tmp_path) -> None:  # type: ignore[no-untyped-def]
    upload_template(
        actor=org.office,
        office=org.changle,
        data=_marked(example_template(), "长乐区专用版头"),
        filename="a.docx",
    )
    text, info = _pdf_text(render(build_bulletin(published_round), "pdf"), tmp_path)
    flat = "".join(text.split())
    assert "长乐区专用版头" in flat and "长攻坚办〔2026〕12号" in flat
    assert "LibreOffice" in info  # the filled .docx, laid out by LibreOffice, not the default page


def test_a_template_pdf_that_takes_too_long_is_refused_in_chinese(
    org, published_round: Round, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    upload_template(actor=org.office, office=org.changle, data=example_template(), filename="a")
    monkeypatch.setattr(office_pdf, "TIMEOUT", 0.01)
    with pytest.raises(office_pdf.ConversionFailed) as refused:
        render(build_bulletin(published_round), "pdf")
    assert str(refused.value) == "由通报模板生成 PDF 超时（0.01 秒），请稍后重试或下载 .docx。"


def test_without_a_template_the_pdf_is_the_default_page(published_round: Round, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _text, info = _pdf_text(render(build_bulletin(published_round), "pdf"), tmp_path)
    assert "WeasyPrint" in info
