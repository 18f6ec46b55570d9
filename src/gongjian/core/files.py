"""Files users upload (report photos and documents, supervision evidence): checked by what they
contain, stored under random names, and sent only to users who may see what they belong to.

A file's name says nothing about it (HTML named page.png is still HTML), so an upload is
accepted only when its bytes are a photo Pillow decodes or a document with its format's
signature; it is stored under a random name with the extension of what it really is, and
anything but a photo is sent as a download. `/media/` goes through `serve_media`, which asks
the registered owners (one per app, `register_owner`) whether the user may see the file.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from gongjian.core.errors import ValidationFailed

PHOTO = "photo"
DOCUMENT = "document"

# Photos: what Pillow decodes (HEIC, which it cannot without a plugin, by its ISO-BMFF brand).
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1")
# Documents: the extension the name claims, and the signature its bytes must start with.
PDF, ZIP, OLE = b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
DOCUMENT_SIGNATURES = {
    ".pdf": PDF,
    ".docx": ZIP,
    ".xlsx": ZIP,
    ".ofd": ZIP,
    ".zip": ZIP,
    ".doc": OLE,
    ".xls": OLE,
}
CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ofd": "application/ofd",
    ".zip": "application/zip",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}
# Shown in the browser; everything else (a PDF too) is sent as a download.
INLINE = frozenset({".jpg", ".png", ".webp"})


@dataclass(frozen=True)
class CheckedFile:
    extension: str  # of what the file really is, with the dot
    content_type: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "GONGJIAN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def check_upload(file: UploadedFile, *, kind: str) -> CheckedFile:
    """What the upload really is, or ValidationFailed (field "file") in Chinese.

    `kind` is PHOTO (jpeg/png/webp/heic, decoded) or DOCUMENT (pdf/docx/xlsx/doc/xls/ofd/zip,
    by signature and the extension its name claims).
    """
    limit = max_upload_bytes()
    if (file.size or 0) > limit:
        raise ValidationFailed(
            _("附件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)}, field="file"
        )
    extension = _photo_type(file) if kind == PHOTO else _document_type(file)
    if extension is None:
        raise ValidationFailed(
            _("不支持的文件类型：%(name)s") % {"name": file.name or ""}, field="file"
        )
    return CheckedFile(extension=extension, content_type=CONTENT_TYPES[extension])


def _head(file: UploadedFile, size: int = 16) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _photo_type(file: UploadedFile) -> str | None:
    head = _head(file)
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return ".heic"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            found = image.format
            image.verify()  # reads the whole image: a truncated or forged one fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        file.seek(0)
    return PHOTO_FORMATS.get(found or "")


def _document_type(file: UploadedFile) -> str | None:
    extension = PurePosixPath((file.name or "").lower()).suffix
    signature = DOCUMENT_SIGNATURES.get(extension)
    if signature is None or not _head(file).startswith(signature):
        return None
    return extension


@deconstructible
class RandomName:
    """`upload_to` that stores a file as `<prefix>/<year>/<month>/<32 hex digits><ext>`: the
    uploader's name is neither trusted nor kept on disk; the extension is the one the
    service set from the checked content."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, instance: Any, filename: str) -> str:
        extension = PurePosixPath(filename).suffix.lower()
        extension = extension if extension in CONTENT_TYPES else ""
        today = dt.datetime.now(dt.UTC)
        return f"{self.prefix}/{today:%Y/%m}/{secrets.token_hex(16)}{extension}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


# name in MEDIA_ROOT -> True (may see), False (may not), None (not this owner's file)
Owner = Callable[[Any, str], bool | None]
_owners: list[Owner] = []


def register_owner(owner: Owner) -> None:
    """An app says which stored files are its own and who may see them (AppConfig.ready)."""
    if owner not in _owners:
        _owners.append(owner)


def may_see(user: Any, name: str) -> bool:
    for owner in _owners:
        verdict = owner(user, name)
        if verdict is not None:
            return verdict
    return False


@login_required
def serve_media(request: HttpRequest, name: str) -> HttpResponse | FileResponse:
    """A stored file, to a user who may see what it belongs to; 404 to anyone else (it does
    not say whether the file exists)."""
    if ".." in PurePosixPath(name).parts or not may_see(request.user, name):
        raise Http404
    return file_response(name)


def file_response(name: str) -> HttpResponse | FileResponse:
    """The stored file `name`: sent by nginx (X-Accel-Redirect) or Apache (X-Sendfile) when
    `GONGJIAN_FILE_SENDER` says so, by Django otherwise; photos inline, the rest as downloads."""
    path = settings.MEDIA_ROOT / name
    extension = PurePosixPath(name).suffix.lower()
    content_type = CONTENT_TYPES.get(extension, "application/octet-stream")
    sender = getattr(settings, "GONGJIAN_FILE_SENDER", "")
    response: HttpResponse | FileResponse
    if sender == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(settings.GONGJIAN_FILE_INTERNAL_URL + name)
    elif sender == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = str(path)
    else:
        if not path.is_file():
            raise Http404
        response = FileResponse(path.open("rb"), content_type=content_type)
    disposition = "inline" if extension in INLINE else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(path.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
