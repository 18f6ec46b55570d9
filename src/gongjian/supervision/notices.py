"""通报: drafting and publishing praise or criticism of a unit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.assessment.providers import reference_key
from gongjian.core import audit, clock
from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import InvalidTransition, ValidationFailed
from gongjian.core.history import record
from gongjian.core.text import check_texts
from gongjian.org.models import Unit, UnitKind
from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import Project
from gongjian.supervision.flow import Side
from gongjian.supervision.inbox import notify, unit_handlers
from gongjian.supervision.models import (
    Inspection,
    IssuingLevel,
    Notice,
    NoticeKind,
    NoticeState,
    SupervisionOrder,
)
from gongjian.supervision.rules import require_owned, require_side


@transaction.atomic
def create_notice(
    *,
    actor: Any,
    kind: str,
    unit: Unit,
    title: str,
    reason: str,
    person_name: str = "",
    orders: Iterable[SupervisionOrder] = (),
    projects: Iterable[Project] = (),
    inspections: Iterable[Inspection] = (),
    publish: bool = False,
    doc_number: str = "",
    issuing_level: str | None = None,
) -> Notice:
    """通报: the office drafts praise or criticism of a unit (or a person in it). The issuing
    level defaults to the level of the actor's office (市 for a city, 区（县） below)."""
    scope = scope_for(actor)
    scope.require(Action.MANAGE_CAMPAIGN, unit)
    require_side(actor, unit, Side.REVIEWER)
    if kind not in NoticeKind.values:
        raise ValidationFailed(_("未知的通报类型。"), field="kind")
    texts = _checked(
        unit=unit,
        level=issuing_level or issuing_level_of(actor.unit or unit),
        title=title,
        reason=reason,
        person_name=person_name,
        doc_number=doc_number,
    )
    title, reason, level = texts["title"], texts["reason"], texts["issuing_level"]
    orders, projects, inspections = list(orders), list(projects), list(inspections)
    for linked_unit in (
        [o.unit for o in orders] + [p.unit for p in projects] + [i.unit for i in inspections]
    ):
        scope.require(Action.VIEW, linked_unit)
    for o in orders:
        require_owned(unit, o.unit, _("督办单 %(code)s") % {"code": o.code}, "orders")
    for p in projects:
        require_owned(unit, p.unit, _("项目“%(name)s”") % {"name": p.name}, "projects")
    for i in inspections:
        require_owned(
            unit,
            i.unit,
            _("%(date)s 对“%(unit)s”的督查记录")
            % {"date": i.inspected_on.isoformat(), "unit": i.unit.name},
            "inspections",
        )
    notice = Notice(
        kind=kind,
        unit=unit,
        title=title,
        reason=reason,
        person_name=texts["person_name"],
        issuing_unit=actor.unit or unit,
        issuing_level=level,
        doc_number=texts["doc_number"],
        created_by=actor,
    )
    record(notice, actor=actor, reason=_("起草通报"))
    notice.save()
    notice.orders.set(orders)
    notice.projects.set(projects)
    notice.inspections.set(inspections)
    if publish:
        return publish_notice(actor=actor, notice=notice)
    return notice


def _checked(
    *,
    unit: Unit,
    level: str,
    title: str,
    reason: str,
    person_name: str,
    doc_number: str,
    notice: Notice | None = None,
) -> dict[str, str]:
    """A notice's texts, checked and cleaned, with its issuing level; refused with the field."""
    if level not in IssuingLevel.values:
        raise ValidationFailed(
            _("未知的发文层级“%(level)s”；可选：%(all)s")
            % {"level": level, "all": "、".join(f"{v}（{lb}）" for v, lb in IssuingLevel.choices)},
            field="issuing_level",
        )
    texts = check_texts(
        Notice,
        {
            "title": title or "",
            "reason": reason or "",
            "person_name": person_name or "",
            "doc_number": (doc_number or "").strip(),
        },
    )
    if not texts["title"]:
        raise ValidationFailed(_("通报标题不能为空。"), field="title")
    if not texts["reason"]:
        raise ValidationFailed(_("通报须写明事由。"), field="reason")
    number = texts["doc_number"]
    if number:
        # One document, one notice per unit: the assessment counts a number once (〔〕/[] alike).
        key = reference_key(number)
        others = Notice.objects.filter(unit=unit).exclude(doc_number="")
        if notice is not None:
            others = others.exclude(pk=notice.pk)
        same = next((n for n in others if reference_key(n.doc_number) == key), None)
        if same is not None:
            raise ValidationFailed(
                _("“%(unit)s”已有发文字号为“%(number)s”的通报（%(title)s）。")
                % {"unit": unit.name, "number": same.doc_number, "title": same.title},
                field="doc_number",
            )
    return {**texts, "issuing_level": level}


@transaction.atomic
def update_notice(
    *,
    actor: Any,
    notice: Notice,
    title: str,
    reason: str,
    person_name: str = "",
    doc_number: str = "",
    issuing_level: str,
    expected_version: int | None = None,
) -> Notice:
    """Edit a draft notice (title, reason, person, document number, issuing level); a published
    notice is what the assessment counted and never changes."""
    version = notice.version if expected_version is None else expected_version
    locked = lock_for_update(Notice, notice.pk, expected_version=version)
    scope_for(actor).require(Action.MANAGE_CAMPAIGN, locked.unit)
    require_side(actor, locked.unit, Side.REVIEWER)
    if locked.state != NoticeState.DRAFT:
        raise InvalidTransition(_("该通报已发布，不能再修改。"), step="edit")
    texts = _checked(
        unit=locked.unit,
        level=issuing_level,
        title=title,
        reason=reason,
        person_name=person_name,
        doc_number=doc_number,
        notice=locked,
    )
    locked.title, locked.reason = texts["title"], texts["reason"]
    locked.person_name, locked.doc_number = texts["person_name"], texts["doc_number"]
    locked.issuing_level = texts["issuing_level"]
    record(locked, actor=actor, reason=_("修改通报"))
    locked.save()
    return locked


def issuing_level_of(unit: Unit) -> str:
    """The level an office's notices are issued at, by the kind of its unit."""
    return {
        UnitKind.PROVINCE: IssuingLevel.PROVINCE,
        UnitKind.CITY: IssuingLevel.CITY,
    }.get(UnitKind(unit.kind), IssuingLevel.DISTRICT)


@transaction.atomic
def publish_notice(*, actor: Any, notice: Notice, expected_version: int | None = None) -> Notice:
    """Publish a draft; a published notice is what the assessment counts, and never changes."""
    version = notice.version if expected_version is None else expected_version
    locked = lock_for_update(Notice, notice.pk, expected_version=version)
    scope_for(actor).require(Action.MANAGE_CAMPAIGN, locked.unit)
    if locked.state != NoticeState.DRAFT:
        raise InvalidTransition(_("该通报已发布，不能再次发布。"), step="publish")
    locked.state = NoticeState.PUBLISHED
    locked.published_on = clock.today()
    record(locked, actor=actor, reason=_("发布通报"))
    locked.save()
    audit.record(audit.EventKind.PUBLISH, user=actor, target=locked.title)
    label = NoticeKind(locked.kind).label
    notify(
        unit_handlers(locked.unit),
        None,
        lambda: _("%(kind)s：%(title)s") % {"kind": label, "title": locked.title},
    )
    return locked
