"""Reads of the ledger: projects in a user's scope, filters, and their warnings on a date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongjian.campaigns.models import Campaign, Line
from gongjian.core.errors import NotFound
from gongjian.org.models import Person, Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import Milestone, ProgressReport, Project, TeamMember
from gongjian.projects.warnings import (
    Colour,
    MilestoneFacts,
    ProjectFacts,
    Thresholds,
    Warning,
    assess,
    one_language,
)


def projects_for(user: Any, action: Action = Action.VIEW) -> QuerySet[Project]:
    """Projects the user may act on; a leader also sees the projects he or she leads or is in."""
    scope = scope_for(user)
    qs = Project.objects.all()
    if scope.is_superuser:
        return qs
    q = scope.q(action, via="unit")
    if action is Action.VIEW and scope.person_id:
        q |= Q(leader_id=scope.person_id) | Q(
            pk__in=TeamMember.objects.filter(person_id=scope.person_id).values("project_id")
        )
    return qs.filter(q)


def project_for(user: Any, pk: int, action: Action = Action.VIEW) -> Project:
    """One project the user may see, or NotFound (never leaks that it exists elsewhere)."""
    project = (
        projects_for(user, action)
        .select_related("campaign", "line", "unit", "leader")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise NotFound(_("项目不存在或不在您的查看范围内。"))
    return project


def can(user: Any, action: Action, project: Project) -> bool:
    return scope_for(user).can(action, project.unit)


@dataclass(frozen=True)
class LedgerFilter:
    campaign: int | None = None
    line: int | None = None
    level: str | None = None
    unit: int | None = None
    leader: int | None = None
    colour: str | None = None
    q: str = ""


def filtered(user: Any, f: LedgerFilter) -> QuerySet[Project]:
    qs = projects_for(user)
    if f.campaign:
        qs = qs.filter(campaign_id=f.campaign)
    if f.line:
        qs = qs.filter(line_id=f.line)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.unit:
        unit = Unit.objects.filter(pk=f.unit).first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    if f.leader:
        qs = qs.filter(leader_id=f.leader)
    text = f.q.strip()
    if text:
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(code__icontains=text)
            | Q(owner__icontains=text)
            | Q(location__icontains=text)
        )
    return qs.select_related("campaign", "line", "unit", "leader").order_by("code")


@dataclass(frozen=True)
class LedgerRow:
    project: Project
    warning: Warning


def ledger(user: Any, f: LedgerFilter, on: dt.date) -> list[LedgerRow]:
    """The filtered ledger with each project's warning; the colour filter applies to the warning."""
    projects = list(filtered(user, f))
    warnings = warnings_for(projects, on)
    rows = [LedgerRow(p, warnings[p.pk]) for p in projects]
    if f.colour:
        rows = [r for r in rows if r.warning.colour.value == f.colour]
    return rows


def colour_counts(rows: Iterable[LedgerRow]) -> dict[str, int]:
    counts = {c.value: 0 for c in Colour}
    for r in rows:
        counts[r.warning.colour.value] += 1
    return counts


def leaders_in(qs: QuerySet[Project]) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=qs.values("leader_id")).order_by("name")


@dataclass(frozen=True)
class SheetChoices:
    """Everything the sheet's selects offer, read once per page (never once per row)."""

    units: dict[int, Unit]
    people: dict[int, Person]
    campaigns: dict[int, Campaign]
    lines: dict[int, Line]

    @staticmethod
    def _pick(options: dict[int, Any], label: Any = str) -> list[tuple[Any, str]]:
        return [("", "—"), *[(pk, label(o)) for pk, o in options.items()]]

    def unit_choices(self) -> list[tuple[Any, str]]:
        return self._pick(self.units)

    def person_choices(self) -> list[tuple[Any, str]]:
        return self._pick(self.people, lambda p: f"{p} · {p.unit.name}")

    def campaign_choices(self) -> list[tuple[Any, str]]:
        return self._pick(self.campaigns)

    def line_choices(self) -> list[tuple[Any, str]]:
        return self._pick(self.lines, lambda ln: f"{ln.campaign.name} · {ln.name}")


def sheet_choices(user: Any, project: Project | None = None) -> SheetChoices:
    """What the project sheet's selects offer this user: units he or she may keep a ledger for,
    the leaders and the people of those units, every campaign and line, and whatever the
    project already names (so a stored value is always shown)."""
    scope = scope_for(user)
    units = scope.units(Action.EDIT_LEDGER)
    people_q = Q(is_leader=True) | Q(unit__in=units)
    if project is not None:
        units = units | Unit.objects.filter(pk=project.unit_id)
        people_q |= Q(pk=project.leader_id) | Q(teammember__project=project)
        people_q |= Q(milestones__project=project)
    people = Person.objects.filter(people_q).distinct().select_related("unit")
    return SheetChoices(
        units={u.pk: u for u in units.order_by("path")},
        people={p.pk: p for p in people.order_by("unit__path", "name")},
        campaigns={c.pk: c for c in Campaign.objects.order_by("name")},
        lines={
            ln.pk: ln
            for ln in Line.objects.select_related("campaign").order_by(
                "campaign__name", "sort_order", "pk"
            )
        },
    )


def may_create_projects(user: Any) -> bool:
    return scope_for(user).units(Action.EDIT_LEDGER).exists()


def thresholds_of(project: Project) -> Thresholds:
    c = project.campaign
    if c is None:
        return Thresholds()
    return Thresholds(
        yellow_gap=c.warn_yellow_gap,
        red_gap=c.warn_red_gap,
        not_started_red_months=c.warn_not_started_red_months,
        milestone_red_days=c.warn_milestone_red_days,
    )


def warnings_for(
    projects: Iterable[Project] | QuerySet[Project], on: dt.date
) -> dict[int, Warning]:
    """Warnings of many projects on `on`, in three queries whatever their number.

    A queryset is read as plain values (no model instances) with its campaign's thresholds
    joined in; of the milestones only those overdue on `on` are loaded (the others cannot
    raise a warning). A window query keeping each project's last six reports was tried and was
    slower on SQLite than reading them all (docs/benchmarks.md).
    """
    facts: list[tuple[Any, ...]]
    if isinstance(projects, QuerySet):
        facts = list(projects.order_by().values_list(*_FACT_FIELDS, *_THRESHOLD_FIELDS))
        ids: Any = projects.order_by().values("pk")
    else:
        rows = list(projects)
        facts = [(*(getattr(p, f) for f in _FACT_FIELDS), *_threshold_values(p)) for p in rows]
        ids = [p.pk for p in rows]
    milestones: dict[int, list[MilestoneFacts]] = defaultdict(list)
    overdue = Milestone.objects.filter(project_id__in=ids, planned_date__lt=on).filter(
        Q(actual_date=None) | Q(actual_date__gt=on)
    )
    for pid, name, planned, actual in overdue.order_by("project_id", "seq").values_list(
        "project_id", "name", "planned_date", "actual_date"
    ):
        milestones[pid].append(MilestoneFacts(name, planned, actual))
    reports: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    recent = ProgressReport.objects.filter(project_id__in=ids, period_end__lte=on)
    for pid, period_end, percent in recent.values_list("project_id", "period_end", "percent_done"):
        reports[pid].append((period_end, percent))
    with one_language():
        return _assess_all(facts, milestones, reports, on)


def _assess_all(
    facts: list[tuple[Any, ...]],
    milestones: dict[int, list[MilestoneFacts]],
    reports: dict[int, list[tuple[dt.date, Decimal]]],
    on: dt.date,
) -> dict[int, Warning]:
    default = Thresholds()
    cache: dict[tuple[Any, ...], Thresholds] = {}
    result: dict[int, Warning] = {}
    for pid, start, end, a_start, a_end, reason, *th in facts:
        key = tuple(th)
        if key not in cache:
            cache[key] = (
                default
                if th[0] is None
                else Thresholds(
                    yellow_gap=th[0],
                    red_gap=th[1],
                    not_started_red_months=th[2],
                    milestone_red_days=th[3],
                )
            )
        result[pid] = assess(
            ProjectFacts(
                planned_start=start,
                planned_completion=end,
                actual_start=a_start,
                actual_completion=a_end,
                not_started_reason=reason,
                milestones=milestones.get(pid, ()),
                reports=reports.get(pid, ()),
            ),
            on,
            cache[key],
        )
    return result


_FACT_FIELDS = (
    "pk",
    "planned_start",
    "planned_completion",
    "actual_start",
    "actual_completion",
    "not_started_reason",
)
_THRESHOLD_FIELDS = (
    "campaign__warn_yellow_gap",
    "campaign__warn_red_gap",
    "campaign__warn_not_started_red_months",
    "campaign__warn_milestone_red_days",
)


def _threshold_values(p: Project) -> tuple[Any, ...]:
    th = thresholds_of(p) if p.campaign_id else None
    if th is None:
        return (None, None, None, None)
    return (th.yellow_gap, th.red_gap, th.not_started_red_months, th.milestone_red_days)


def milestones_of(project: Project) -> list[Milestone]:
    return list(project.milestones.select_related("person", "unit").order_by("seq"))


def report_detail(pk: int) -> ProgressReport:
    return (
        ProgressReport.objects.select_related("reported_by")
        .prefetch_related("milestones_reached", "attachments", "coordination__handling_unit")
        .get(pk=pk)
    )


def reports_of(project: Project) -> list[ProgressReport]:
    return list(
        project.reports.select_related("reported_by")
        .prefetch_related("milestones_reached", "attachments", "coordination__handling_unit")
        .order_by("-period_end")
    )


@dataclass(frozen=True)
class Change:
    when: dt.datetime
    who: str
    what: str
    reason: str
    fields: list[tuple[str, str, str]]


def history_of(project: Project, *, limit: int = 200) -> list[Change]:
    """Every recorded change to the project, its milestones and its reports, newest first."""
    changes: list[Change] = []
    sources: list[tuple[Any, Any, Any]] = [
        (Project, Project.history.filter(id=project.pk), lambda r: r.name),
        (Milestone, Milestone.history.filter(project_id=project.pk), lambda r: r.name),
        (
            ProgressReport,
            ProgressReport.history.filter(project_id=project.pk),
            lambda r: r.period_end.isoformat(),
        ),
    ]
    for model, qs, describe in sources:
        label = str(model._meta.verbose_name)
        records = list(qs.select_related("history_user").order_by("history_id"))
        previous: dict[int, Any] = {}
        for rec in records:
            prev = previous.get(rec.id)
            fields: list[tuple[str, str, str]] = []
            if prev is not None:
                delta = rec.diff_against(prev)
                for c in delta.changes:
                    if c.field == "version":
                        continue
                    verbose = str(model._meta.get_field(c.field).verbose_name)
                    fields.append((verbose, _show(c.old), _show(c.new)))
            previous[rec.id] = rec
            changes.append(
                Change(
                    when=rec.history_date,
                    who=str(rec.history_user) if rec.history_user else "系统",
                    what=f"{label}：{describe(rec)}",
                    reason=rec.history_change_reason or "",
                    fields=fields,
                )
            )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:limit]


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def warning_rows(projects: QuerySet[Project], on: dt.date) -> list[dict[str, Any]]:
    """The warnings report as plain data: the contract of `gongjian warnings --json` and the API."""
    rows = list(projects.select_related("campaign", "unit").order_by("code"))
    warnings = warnings_for(rows, on)
    return [warning_row(p, warnings[p.pk]) for p in rows]


def warning_row(p: Project, w: Warning) -> dict[str, Any]:
    return {
        "project_id": p.pk,
        "project_code": p.code,
        "project": p.name,
        "unit": p.unit.name,
        "level": p.level,
        "colour": w.colour.value,
        "reasons": list(w.reasons),
        "percent_done": str(w.percent_done) if w.percent_done is not None else None,
        "expected_percent": str(w.expected_percent) if w.expected_percent is not None else None,
        "gap": str(w.gap) if w.gap is not None else None,
        "forecast_completion": w.forecast_completion.isoformat() if w.forecast_completion else None,
        "planned_completion": p.planned_completion.isoformat() if p.planned_completion else None,
        "at_risk": w.at_risk,
    }
