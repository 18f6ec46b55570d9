"""An office's own red-header .docx for its bulletins, filled with docxtpl (docs/bulletin-template.md).

The office uploads a .docx with Jinja placeholders (docxtpl); it is checked on upload — every
placeholder of `REQUIRED` must be there, the missing ones are named — and kept per office. The
bulletins that office issues are then its template filled in; without one, the default GB/T 9704
layout of `bulletin_docx.py` is used.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.enum.text import WD_ALIGN_PARAGRAPH
from simple_history.models import HistoricalRecords

from gongjian.assessment.bulletin import Bulletin, zh_date
from gongjian.core.errors import ValidationFailed
from gongjian.core.history import record
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for

# What a template must show; `cc`, `copy_number` and `secrecy` are optional (shown when set).
REQUIRED = (
    "issuer",
    "number",
    "title",
    "addressees",
    "paragraphs",
    "attachment_list",
    "signatory",
    "date",
    "attachments",
    "printer",
    "printed_on",
)
OPTIONAL = ("cc", "copy_number", "secrecy", "draft")
MAX_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED = 50 * 1024 * 1024  # a zip bomb stops here, before docxtpl reads a part


class BulletinTemplate(models.Model):
    office = models.OneToOneField(
        Unit,
        verbose_name=gettext_lazy("发文单位"),
        on_delete=models.PROTECT,
        related_name="bulletin_template",
    )
    filename = models.CharField(gettext_lazy("文件名"), max_length=200)
    content = models.BinaryField(gettext_lazy("模板文件"))
    uploaded_at = models.DateTimeField(gettext_lazy("上传时间"), auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["content"])

    class Meta:
        app_label = "assessment"
        verbose_name = gettext_lazy("通报模板")
        verbose_name_plural = gettext_lazy("通报模板")

    def __str__(self) -> str:
        return f"{self.office.name} · {self.filename}"


def _open(data: bytes) -> Any:
    from docxtpl import DocxTemplate

    if len(data) > MAX_BYTES:
        raise ValidationFailed(_("模板文件不能超过 5 MB。"), field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED:
                raise ValidationFailed(_("模板文件解压后过大。"), field="file")
            if "word/document.xml" not in z.namelist():
                raise zipfile.BadZipFile
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationFailed(_("不是有效的 .docx 文件。"), field="file") from exc
    return tpl


def missing_placeholders(data: bytes) -> list[str]:
    """The required placeholders the template does not use, in `REQUIRED` order."""
    tpl = _open(data)
    try:
        used = tpl.get_undeclared_template_variables()
    except Exception as exc:  # a Jinja syntax error in the document: say so, in Chinese
        raise ValidationFailed(
            _("模板占位符有语法错误：%(e)s") % {"e": str(exc)[:200]}, field="file"
        ) from exc
    return [name for name in REQUIRED if name not in used]


@transaction.atomic
def upload_template(*, actor: Any, office: Unit, data: bytes, filename: str) -> BulletinTemplate:
    """The office's own template, checked first: nothing is kept when a placeholder is missing."""
    if actor is not None:
        scope_for(actor).require(Action.MANAGE_CAMPAIGN, office)
    missing = missing_placeholders(data)
    if missing:
        raise ValidationFailed(
            _("模板缺少占位符：%(names)s")
            % {"names": "、".join("{{ " + name + " }}" for name in missing)},
            field="file",
        )
    template = BulletinTemplate.objects.filter(office=office).first() or BulletinTemplate(
        office=office
    )
    template.filename = filename[:200]
    template.content = data
    template.uploaded_by = actor if getattr(actor, "is_authenticated", False) else None
    record(template, actor=actor, reason=_("上传通报模板"))
    template.save()
    return template


def office_template(office_id: int) -> bytes | None:
    content = (
        BulletinTemplate.objects.filter(office_id=office_id)
        .values_list("content", flat=True)
        .first()
    )
    return bytes(content) if content is not None else None


def template_for(unit: Unit) -> tuple[Unit, bytes] | None:
    """The template of `unit`'s office: its own, else the nearest unit above it that has one
    (a department's daily briefing carries its district office's red header)."""
    ids = [unit.pk, *(pk for pk in reversed(unit.ancestor_ids()) if pk != unit.pk)]
    found = dict(
        BulletinTemplate.objects.filter(office_id__in=ids).values_list("office_id", "content")
    )
    for pk in ids:
        if pk in found:
            return Unit.objects.get(pk=pk), bytes(found[pk])
    return None


def context(b: Bulletin, tpl: Any) -> dict[str, Any]:
    """What the placeholders stand for; the attachments are a sub-document of tables."""
    info = b.particulars
    paragraphs = [b.lead] if b.lead else []
    for s in b.sections:
        paragraphs += s.texts()
    attachments = tpl.new_subdoc()
    for i, t in enumerate(b.tables, start=1):
        attachments.add_paragraph(f"附件{i}")
        attachments.add_paragraph(t.caption).alignment = WD_ALIGN_PARAGRAPH.CENTER
        table = attachments.add_table(rows=1, cols=len(t.columns))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, t.columns, strict=True):
            cell.text = text
        for row in t.rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    return {
        "issuer": b.issuer,
        "number": info.number,
        "title": b.title,
        "addressees": info.addressees,
        "paragraphs": paragraphs,
        "attachment_list": [f"{i}．{t.caption}" for i, t in enumerate(b.tables, start=1)],
        "signatory": info.signatory,
        "date": zh_date(info.date),
        "attachments": attachments,
        "cc": info.cc,
        "printer": info.printer,
        "printed_on": zh_date(info.printed_on or info.date),
        "copy_number": info.copy_number,
        "secrecy": info.secrecy,
        "draft": b.draft,
    }


def render_with_template(b: Bulletin, data: bytes) -> bytes:
    tpl = _open(data)
    tpl.render(context(b, tpl), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def example_template() -> bytes:
    """The example of docs/bulletin-template.md: a red header and every placeholder, made with
    python-docx so it stays in step with `REQUIRED` (the tests upload it)."""
    from docx import Document
    from docx.shared import Mm

    from gongjian.exchange.docx_styles import FANGSONG, HEITI, RED, XIAOBIAOSONG, styled_run

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    def para(text: str, *, font: str = FANGSONG, size: float = 16, **kw: Any) -> Any:
        p = doc.add_paragraph()
        styled_run(p, text, font=font, size=size, **kw)
        return p

    para("{{ copy_number }}", font=HEITI)
    para("{{ secrecy }}", font=HEITI)
    para("{{ issuer }}", font=XIAOBIAOSONG, size=26, color=RED).alignment = 1
    para("{{ number }}").alignment = 1
    para("{{ title }}", font=XIAOBIAOSONG, size=22).alignment = 1
    para("{{ addressees }}：")
    para("{%p for text in paragraphs %}")
    para("{{ text }}")
    para("{%p endfor %}")
    para("{%p for item in attachment_list %}")
    para("{% if loop.first %}附件：{% endif %}{{ item }}")
    para("{%p endfor %}")
    para("{{ signatory }}").alignment = 2
    para("{{ date }}").alignment = 2
    para("{{p attachments }}")
    para("{%p if cc %}")
    para("抄送：{{ cc }}。", size=14)
    para("{%p endif %}")
    para("{{ printer }}　　{{ printed_on }}印发", size=14)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
