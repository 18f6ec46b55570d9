"""Domain errors: one class per kind of refusal, each with a stable code.

Services raise these; `gongjian.core.http` turns them into HTTP responses and page messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


class GongjianError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, **self.details}


class PermissionDenied(GongjianError):
    code = "permission_denied"
    http_status = 403


class AuthenticationFailed(GongjianError):
    """A credential that does not let anyone in: unknown, revoked or expired token."""

    code = "unauthenticated"
    http_status = 401


class AppendOnly(GongjianError):
    """The security audit log is only ever added to; rows are pruned by age, never edited."""

    code = "append_only"
    http_status = 409


class NotFound(GongjianError):
    code = "not_found"
    http_status = 404


class ValidationFailed(GongjianError):
    code = "invalid"
    http_status = 422


class InvalidTransition(GongjianError):
    code = "invalid_transition"
    http_status = 409


class ConcurrentUpdate(GongjianError):
    """Someone saved the same record after this user loaded it; nothing was written."""

    code = "concurrent_update"
    http_status = 409


class AlreadyExists(GongjianError):
    """The record a user meant to create is already there (the loser of a race gets this too);
    nothing was written."""

    code = "already_exists"
    http_status = 409


class Immutable(GongjianError):
    """A published record cannot change; corrections are new versions."""

    code = "immutable"
    http_status = 409


class UnitNameError(GongjianError):
    """A unit name that is unknown or fits more than one unit; carries the candidates."""

    code = "unit_name"
    http_status = 422

    def __init__(self, message: str, *, name: str, candidates: list[str]) -> None:
        super().__init__(message, name=name, candidates=candidates)
        self.name = name
        self.candidates = candidates


class RowsRejected(GongjianError):
    """Rows of a bulk write that break a rule; nothing was written. The file's reader turns each
    problem (a row, a field, a message) into the cell error that names where it stands."""

    code = "rows_rejected"
    http_status = 422

    def __init__(self, problems: list[Any]) -> None:
        super().__init__(
            _("导入被拒绝：共 %(count)s 处错误，未做任何更改。") % {"count": len(problems)}
        )
        self.problems = problems


@dataclass(frozen=True)
class CellError:
    """One bad cell of an imported file: where (sheet, row, column, field) and what."""

    sheet: str
    row: int
    column: str
    field: str
    message: str

    def __str__(self) -> str:
        return _("工作表“%(sheet)s”第%(row)s行%(column)s列（%(field)s）：%(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ImportRejected(GongjianError):
    """A file with any bad cell; nothing was imported."""

    errors: list[CellError] = field(default_factory=list)
    code = "import_rejected"
    http_status = 422

    def __post_init__(self) -> None:
        message = _("导入被拒绝：共 %(count)s 处错误，未做任何更改。") % {"count": len(self.errors)}
        GongjianError.__init__(self, message)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "errors": [
                {
                    "sheet": e.sheet,
                    "row": e.row,
                    "column": e.column,
                    "field": e.field,
                    "message": e.message,
                    "text": str(e),
                }
                for e in self.errors
            ],
        }
