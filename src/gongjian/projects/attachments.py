"""Files attached to a progress report: photos of the site and documents."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core.errors import ValidationFailed
from gongjian.org.scope import Action
from gongjian.projects.ledger import require_scope
from gongjian.projects.models import (
    AttachmentKind,
    ProgressReport,
    ReportAttachment,
)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


ALLOWED_EXTENSIONS = {
    AttachmentKind.PHOTO: {".jpg", ".jpeg", ".png", ".webp", ".heic"},
    AttachmentKind.DOCUMENT: {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".txt"},
}


@transaction.atomic
def add_attachment(
    *, actor: Any, report: ProgressReport, kind: str, file: UploadedFile, caption: str = ""
) -> ReportAttachment:
    require_scope(actor, Action.REPORT_PROGRESS, report.project.unit)
    if kind not in AttachmentKind.values:
        raise ValidationFailed(_("未知的附件类型：%(v)s") % {"v": kind}, field="kind")
    name = (file.name or "").lower()
    if not any(name.endswith(ext) for ext in ALLOWED_EXTENSIONS[AttachmentKind(kind)]):
        raise ValidationFailed(_("不支持的文件类型：%(name)s") % {"name": file.name}, field="file")
    if (file.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(_("附件不能超过 20 MB。"), field="file")
    return ReportAttachment.objects.create(
        report=report,
        kind=kind,
        file=file,
        caption=caption.strip(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
