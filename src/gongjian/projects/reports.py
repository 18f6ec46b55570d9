"""Progress reports (进度填报): one per project and period, correcting by version; each write
keeps the project's latest progress and its `ReportSummary` in step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.core.bulk import chunks
from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import AlreadyExists, ValidationFailed
from gongjian.core.history import record, save_with_history
from gongjian.core.text import check_text
from gongjian.org.scope import Action
from gongjian.projects import selectors
from gongjian.projects.coordination import (
    CoordinationInput,
    raise_coordination,
    validate_coordination,
)
from gongjian.projects.ledger import HUNDRED, ZERO, refresh_warning, require_scope
from gongjian.projects.models import (
    Milestone,
    ProgressReport,
    Project,
    ReportSummary,
)
from gongjian.projects.warnings import report_summary


def _file_report(
    *,
    actor: Any,
    project: Project,
    period_end: dt.date,
    percent_done: Decimal,
    investment_period_wan: Decimal = ZERO,
    investment_to_date_wan: Decimal | None = None,
    milestones_reached: Iterable[Milestone] = (),
    problems: str = "",
    coordination: Sequence[CoordinationInput] = (),
    expected_version: int | None = None,
    locked: Project | None = None,
) -> ProgressReport:
    """Create (or, naming its version, correct) the report of one project for one period.

    Reached milestones get the period end as their actual date unless they already have one; the
    latest report's percent and investment become the project's.

    `locked` (`submit_report_to` only): `project` itself, read and locked in this transaction.
    """
    require_scope(actor, Action.REPORT_PROGRESS, project.unit)
    if period_end > clock.today():
        raise ValidationFailed(_("填报期末不能晚于今天。"), field="period_end")
    if not ZERO <= percent_done <= HUNDRED:
        raise ValidationFailed(_("形象进度须在 0 到 100 之间。"), field="percent_done")
    if investment_period_wan < ZERO:
        raise ValidationFailed(_("本期完成投资不能为负数。"), field="investment_period_wan")
    # Reports of one project are filed one at a time: the second of two simultaneous reports
    # for a period waits here, then finds the first (and is told so) instead of failing on
    # the unique (project, period) constraint; its checks against the periods before and after
    # read what the first stored. The locked row is the one the latest progress is written to.
    if locked is None:
        locked = Project.objects.select_for_update().get(pk=project.pk)
    # One read of the project's reports (a few dozen at most) serves the checks against the
    # periods before and after, the correction and the summary.
    others = [
        _Period(*row)
        for row in ProgressReport.objects.filter(project=project)
        .order_by("period_end")
        .values_list("pk", "period_end", "percent_done", "investment_to_date_wan")
    ]
    earlier = next((r for r in reversed(others) if r.period_end < period_end), None)
    later = next((r for r in others if r.period_end > period_end), None)
    if earlier and percent_done < earlier.percent_done:
        raise ValidationFailed(
            _("形象进度不能低于上期（%(d)s 为 %(p)s%%）。")
            % {"d": earlier.period_end.isoformat(), "p": earlier.percent_done},
            field="percent_done",
        )
    if later and percent_done > later.percent_done:
        raise ValidationFailed(
            _("形象进度不能高于之后一期（%(d)s 为 %(p)s%%）。")
            % {"d": later.period_end.isoformat(), "p": later.percent_done},
            field="percent_done",
        )
    if investment_to_date_wan is None:
        investment_to_date_wan = (
            earlier.investment_to_date_wan if earlier else ZERO
        ) + investment_period_wan
    if investment_to_date_wan < ZERO:
        raise ValidationFailed(_("累计完成投资不能为负数。"), field="investment_to_date_wan")
    problems = check_text(ProgressReport, "problems", problems)
    reached = list(milestones_reached)
    if any(m.project_id != project.pk for m in reached):
        raise ValidationFailed(_("所选节点不属于本项目。"), field="milestones_reached")
    for c in coordination:
        validate_coordination(c)

    existing = next((r for r in others if r.period_end == period_end), None)
    if existing is None:
        report = ProgressReport(project=project, period_end=period_end, reported_by=actor)
        reason = _("进度填报")
    else:
        if expected_version is None:
            raise AlreadyExists(
                _("%(d)s 的进度已填报；如需更正，请在原填报上修改。")
                % {"d": period_end.isoformat()},
                field="period_end",
            )
        report = lock_for_update(ProgressReport, existing.pk, expected_version=expected_version)
        reason = _("更正进度填报")
    report.percent_done = percent_done
    report.investment_period_wan = investment_period_wan
    report.investment_to_date_wan = investment_to_date_wan
    report.problems = problems.strip()
    if actor is not None and getattr(actor, "is_authenticated", False):
        report.reported_by = actor
    record(report, actor=actor, reason=reason)
    save_with_history(report)
    if reached or existing is not None:
        report.milestones_reached.set(reached)
    for m in reached:
        if m.actual_date is None:
            row = lock_for_update(Milestone, m.pk, expected_version=None)
            row.actual_date = period_end
            record(row, actor=actor, reason=_("进度填报：节点完成"))
            row.save()
    for c in coordination:
        raise_coordination(
            actor=actor,
            project=project,
            report=report,
            category=c.category,
            description=c.description,
            handling_unit=c.handling_unit,
            deadline=c.deadline,
        )
    if later is None:
        _take_latest(actor=actor, project=project, locked=locked, report=report)
    points = [(r.period_end, r.percent_done) for r in others if r.period_end != period_end]
    _store_summary(project.pk, [*points, (period_end, percent_done)])
    refresh_warning(project.pk)
    return report


# Each report is a transaction, or a savepoint of the caller's (an import goes on past a row
# refused here, its own rows kept).
submit_report = transaction.atomic(_file_report)


@transaction.atomic
def submit_report_to(
    *, actor: Any, project_id: int, milestone_ids: Sequence[int] = (), **report: Any
) -> tuple[ProgressReport, list[Milestone]]:
    """`submit_report` for a project named by its id, as the API files it: the project is read
    in the actor's view and locked by the same query, so a report reads it once, not twice (a
    project out of view is NotFound, as everywhere); `milestone_ids` must be the project's.
    The report, and the milestones it reached."""
    project = selectors.project_for(actor, project_id, related=("unit",), for_update=True)
    reached = (
        list(Milestone.objects.filter(pk__in=milestone_ids, project=project))
        if milestone_ids
        else []
    )
    if len(reached) != len(set(milestone_ids)):
        raise ValidationFailed(_("所选节点不属于本项目。"), field="milestone_ids")
    # The report joins this transaction without a savepoint of its own.
    filed = _file_report(
        actor=actor, project=project, milestones_reached=reached, locked=project, **report
    )
    return filed, reached


class _Period(NamedTuple):
    pk: int
    period_end: dt.date
    percent_done: Decimal
    investment_to_date_wan: Decimal


def _store_summary(project_id: int, points: list[tuple[dt.date, Decimal]]) -> None:
    """The summary of one project whose row is locked and whose reports are `points`: the
    same row `refresh_report_summaries` would write, in one statement."""
    ReportSummary.objects.bulk_create(
        [ReportSummary(project_id=project_id, **report_summary(points))],
        update_conflicts=True,
        unique_fields=["project"],
        update_fields=["reports", "latest_period_end", "latest_percent", "forecast_completion"],
    )


@transaction.atomic
def refresh_report_summaries(*, project_ids: Iterable[int] | None = None) -> int:
    """Work the `ReportSummary` of these projects (every project when None) out again from
    their reports; how many were written. Every write of a report calls it, in the same
    transaction: the warnings trust a summary over the reports it stands for.

    The projects named are locked first, so two reports filed at once for one project cannot
    each leave a summary that misses the other's report.
    """
    if project_ids is None:
        ReportSummary.objects.all().delete()
        everyone = list(Project.objects.order_by("pk").values_list("pk", flat=True))
        return _write_summaries(everyone, ProgressReport.objects.all())
    written = 0
    for chunk in chunks(sorted(set(project_ids))):
        locked = list(
            Project.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ReportSummary.objects.filter(project_id__in=locked).delete()
        reports = ProgressReport.objects.filter(project_id__in=locked)
        written += _write_summaries(locked, reports)
    return written


def _write_summaries(project_ids: list[int], reports: Any) -> int:
    found: dict[int, list[tuple[dt.date, Decimal]]] = {pk: [] for pk in project_ids}
    for pid, period_end, percent in reports.order_by().values_list(
        "project_id", "period_end", "percent_done"
    ):
        found[pid].append((period_end, percent))
    rows = [
        ReportSummary(project_id=pid, **report_summary(points)) for pid, points in found.items()
    ]
    ReportSummary.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _take_latest(*, actor: Any, project: Project, locked: Project, report: ProgressReport) -> None:
    row = locked  # locked since the start of the transaction: nobody has changed it since
    row.version += 1
    row.percent_done = report.percent_done
    row.investment_completed_wan = report.investment_to_date_wan
    record(row, actor=actor, reason=_("进度填报更新项目进度"))
    # `auto_now` stamps `updated_at` only when it is among the fields saved.
    save_with_history(
        row, update_fields=["percent_done", "investment_completed_wan", "version", "updated_at"]
    )
    project.percent_done = row.percent_done
    project.investment_completed_wan = row.investment_completed_wan
    project.version = row.version
    project.updated_at = row.updated_at
