"""Files attached to a progress report: photos of the site and documents, checked by their
content (`core.files.check_upload`), stored under random names, each upload in the history;
and who may see a stored one (registered with `core.files` for `/media/`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core.errors import ValidationFailed
from gongjian.core.files import DOCUMENT, PHOTO, check_upload
from gongjian.core.history import record
from gongjian.core.text import check_text
from gongjian.org.scope import Action
from gongjian.projects.ledger import require_scope
from gongjian.projects.models import AttachmentKind, ProgressReport, ReportAttachment
from gongjian.projects.reports import submit_report
from gongjian.projects.selectors import projects_for

CHECKED_AS = {AttachmentKind.PHOTO: PHOTO, AttachmentKind.DOCUMENT: DOCUMENT}


@transaction.atomic
def add_attachment(
    *, actor: Any, report: ProgressReport, kind: str, file: UploadedFile, caption: str = ""
) -> ReportAttachment:
    require_scope(actor, Action.REPORT_PROGRESS, report.project.unit)
    if kind not in AttachmentKind.values:
        raise ValidationFailed(_("未知的附件类型：%(v)s") % {"v": kind}, field="kind")
    checked = check_upload(file, kind=CHECKED_AS[AttachmentKind(kind)])
    original = check_text(ReportAttachment, "original_name", (file.name or "")[-255:])
    caption = check_text(ReportAttachment, "caption", caption)
    file.name = f"upload{checked.extension}"  # stored as a random name with this extension
    row = ReportAttachment(
        report=report,
        kind=kind,
        file=file,
        original_name=original,
        caption=caption,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(row, actor=actor, reason=_("上传填报附件"))
    row.save()
    return row


@transaction.atomic
def submit_report_with_files(
    *, actor: Any, files: Sequence[tuple[str, UploadedFile]] = (), **report: Any
) -> ProgressReport:
    """`submit_report` and its files, all or nothing: a refused file leaves no report."""
    filed = submit_report(actor=actor, **report)
    for kind, file in files:
        add_attachment(actor=actor, report=filed, kind=kind, file=file)
    return filed


def may_see_file(user: Any, name: str) -> bool | None:
    """For `/media/`: a report's file may be seen by whoever sees its project."""
    project_id = (
        ReportAttachment.objects.filter(file=name).values_list("report__project_id", flat=True)
    ).first()
    if project_id is None:
        return None
    return projects_for(user).filter(pk=project_id).exists()
