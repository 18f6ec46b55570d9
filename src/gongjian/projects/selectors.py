"""Reads of the ledger: projects in a user's scope, filters, and their warnings on a date."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    When,
)
from django.db.models import Value as V
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.campaigns.models import Campaign, Line
from gongjian.core import paging
from gongjian.core.bulk import chunks
from gongjian.core.errors import NotFound, PermissionDenied
from gongjian.core.forms import SharedChoices
from gongjian.org.models import Person, Unit, person_name
from gongjian.org.scope import ACTION_LABELS, Action, scope_for
from gongjian.org.selectors import distinct_names
from gongjian.projects import following
from gongjian.projects.models import (
    Milestone,
    PendingRefresh,
    ProgressReport,
    Project,
    ProjectLevel,
    ProjectStatus,
    TeamMember,
    WarningSnapshot,
    WarningTally,
)
from gongjian.projects.warning_feed import warnings_for
from gongjian.projects.warnings import Colour, Warning


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


PROJECT_RELATED = ("campaign", "line", "unit", "leader")


def project_for(
    user: Any,
    pk: int,
    action: Action = Action.VIEW,
    *,
    related: tuple[str, ...] = PROJECT_RELATED,
    for_update: bool = False,
) -> Project:
    """One project the user may act on, with its `related` rows (a caller that needs only the
    unit, such as filing a report, names just it). A project outside the user's view is
    NotFound (never leaks that it exists elsewhere); one in view that the user may not act on
    so is refused for that reason ("无权填报进度"), not as missing.

    `for_update`: the project's row is locked until the caller's transaction ends, so a write
    that goes on to change it (a report) need not read it a second time to lock it."""
    qs = projects_for(user, action).select_related(*related)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    # By its key: no ORDER BY to compile (`first()` would add the model's).
    project = next(iter(qs.filter(pk=pk).order_by()[:1]), None)
    if project is not None:
        return project
    if action is not Action.VIEW:
        seen = projects_for(user).filter(pk=pk).only("name").first()
        if seen is not None:
            raise PermissionDenied(
                _("您无权对项目“%(project)s”%(action)s。")
                % {"project": seen.name, "action": ACTION_LABELS[action]},
                action=str(action),
            )
    raise NotFound(_("项目不存在或不在您的查看范围内。"))


@dataclass(frozen=True)
class LedgerFilter:
    campaign: int | None = None
    line: int | None = None
    level: str | None = None
    unit: int | None = None
    leader: int | None = None
    colour: str | None = None
    q: str = ""
    status: str | None = None
    warned: bool = False  # only the projects lit yellow or red, or at risk by their trend

    def check(self) -> LedgerFilter:
        """Refuse a filter value no project can have, naming the parameter."""
        paging.choice("level", self.level, ProjectLevel.values)
        paging.choice("status", self.status, ProjectStatus.values)
        paging.choice("colour", self.colour, [c.value for c in Colour])
        return self


def filtered(user: Any, f: LedgerFilter) -> QuerySet[Project]:
    qs = projects_for(user)
    if f.status:
        qs = qs.filter(status=f.status)
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
            | Q(investment_code__icontains=text)
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


COLOUR_RANK = {Colour.RED.value: 0, Colour.YELLOW.value: 1, Colour.GREEN.value: 2}


def snapshot_state(
    on: dt.date, *, of: type[WarningSnapshot] | type[WarningTally] = WarningSnapshot
) -> bool | None:
    """None when the day has no snapshot rows (or no tallies, `of=WarningTally`); otherwise
    whether some of its rows are behind the ledger (marked by a write a moment ago,
    projects/refreshes.py). One query."""
    found = (
        of.objects.filter(on=on)
        .annotate(behind=Exists(PendingRefresh.objects.filter(on=on)))
        .values_list("behind", flat=True)[:1]
    )
    return next(iter(found), None)


def behind_snapshot(qs: QuerySet[Project], on: dt.date) -> dict[int, Warning]:
    """The warnings of the projects of `qs` whose row of `on` is still behind the ledger: their
    colour is theirs, not the row's (a handful of projects, for a moment)."""
    ids = list(PendingRefresh.objects.filter(on=on).values_list("project_id", flat=True))
    return warnings_for(qs.filter(pk__in=ids), on) if ids else {}


def _with_colour(
    qs: QuerySet[Project], on: dt.date, colour: str | None, *, warned: bool = False
) -> QuerySet[Project]:
    """`qs` with each project's warning colour on `on` as `_colour_rank` (red 0, yellow 1,
    green 2), kept to `colour` if given, in SQL.

    From the day's snapshot when the day has one (the tick stores each day, and every ledger
    write refreshes its projects' rows right after it commits; a row still behind takes the
    project's own warning, `behind_snapshot`), joined on its (project, day) key, so the planner
    walks the sort's index and probes the snapshot for each row; otherwise worked out by the warning
    rules for the scope, as the ledger always did. `warned` keeps the projects the warnings page
    lists: yellow or red, or at risk by their trend.
    """
    lit = [Colour.RED.value, Colour.YELLOW.value]
    state = snapshot_state(on)
    if state is not None:
        live = behind_snapshot(qs, on) if state else {}
        qs = qs.annotate(
            _snap=FilteredRelation("warning_snapshots", condition=Q(warning_snapshots__on=on))
        )
        fresh = ~Q(pk__in=list(live)) if live else Q()
        if colour:
            qs = qs.filter(
                (Q(_snap__colour=colour) & fresh)
                | Q(pk__in=[pk for pk, w in live.items() if w.colour.value == colour])
            )
        if warned:
            qs = qs.filter(
                ((Q(_snap__colour__in=lit) | Q(_snap__at_risk=True)) & fresh)
                | Q(pk__in=[pk for pk, w in live.items() if w.colour.value in lit or w.at_risk])
            )
        whens = [When(pk=pk, then=V(COLOUR_RANK[w.colour.value])) for pk, w in sorted(live.items())]
        whens += [When(_snap__colour=c, then=V(rank)) for c, rank in COLOUR_RANK.items()]
        return qs.alias(_colour_rank=Case(*whens, default=V(None), output_field=IntegerField()))
    by_rank: dict[int, list[int]] = {rank: [] for rank in COLOUR_RANK.values()}
    flagged: list[int] = []
    for pk, w in warnings_for(qs, on).items():
        by_rank[COLOUR_RANK[w.colour.value]].append(pk)
        if w.colour.value in lit or w.at_risk:
            flagged.append(pk)
    if colour:
        qs = qs.filter(pk__in=by_rank[COLOUR_RANK[colour]])
    if warned:
        qs = qs.filter(pk__in=flagged)
    whens = [When(pk__in=pks, then=V(rank)) for rank, pks in by_rank.items() if pks]
    rank: Expression = (
        Case(*whens, default=V(None), output_field=IntegerField())
        if whens
        else V(None, output_field=IntegerField())
    )
    return qs.alias(_colour_rank=rank)


LEDGER_SORTS = paging.Sorts(
    keys=(
        paging.SortKey("code", "code", gettext_lazy("项目编号")),
        paging.SortKey("name", "name", gettext_lazy("项目名称")),
        paging.SortKey(
            "planned_completion", "planned_completion", gettext_lazy("计划竣工"), nullable=True
        ),
        paging.SortKey("percent_done", "percent_done", gettext_lazy("形象进度")),
        paging.SortKey("colour", "_colour_rank", gettext_lazy("预警（红、黄、绿）"), nullable=True),
        paging.SortKey("total_investment", "total_investment_wan", gettext_lazy("总投资")),
        paging.SortKey("updated", "updated_at", gettext_lazy("更新时间")),
    ),
    default="code",
)


def ledger_page(
    user: Any, f: LedgerFilter, on: dt.date, req: paging.PageRequest
) -> paging.Page[LedgerRow]:
    """One page of the filtered ledger, sorted, with each row's warning: the API's and the
    page's list. The colour filter and sort read the day's colours in SQL (`_colour_rank`), so a
    page of 25 of 100,000 projects is a keyset scan of the (planned_completion, id) index."""
    qs = filtered(user, f.check())
    if f.colour or f.warned or req.sort.name == "colour":
        qs = _with_colour(qs, on, f.colour, warned=f.warned)
    result = paging.page(qs, req, LEDGER_SORTS)
    warnings = warnings_for(result.items, on)
    return result.map(lambda p: LedgerRow(p, warnings[p.pk]))


def ledger_colour_counts(user: Any, f: LedgerFilter, on: dt.date) -> dict[str, int]:
    """How many projects of the filtered ledger are of each colour (with a colour filter, only
    that colour counts): one GROUP BY over the day's snapshot, or the warnings worked out where
    the day has none."""
    qs = filtered(user, dataclasses.replace(f, colour=None)).order_by()
    counts = {c.value: 0 for c in Colour}
    state = snapshot_state(on)
    if state is not None:
        live = behind_snapshot(qs, on) if state else {}
        for w in live.values():
            counts[w.colour.value] += 1
        if live:
            qs = qs.exclude(pk__in=list(live))
        qs = qs.annotate(
            _snap=FilteredRelation("warning_snapshots", condition=Q(warning_snapshots__on=on))
        )
        for colour, n in qs.values_list("_snap__colour").annotate(n=Count("pk")):
            if colour in counts:
                counts[colour] += n
    else:
        for w in warnings_for(qs, on).values():
            counts[w.colour.value] += 1
    if f.colour:
        counts = {c: (n if c == f.colour else 0) for c, n in counts.items()}
    return counts


def ledger_projects(user: Any, f: LedgerFilter, on: dt.date) -> QuerySet[Project]:
    """The filtered ledger as a queryset (for the export), the colour filter included."""
    qs = filtered(user, f)
    if f.colour:
        qs = qs.filter(pk__in=[r.project.pk for r in ledger(user, f, on)])
    return qs


def colour_counts(rows: Iterable[LedgerRow]) -> dict[str, int]:
    counts = {c.value: 0 for c in Colour}
    for r in rows:
        counts[r.warning.colour.value] += 1
    return counts


def leaders_in(qs: QuerySet[Project]) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=qs.values("leader_id")).order_by("name")


# The ways a project names a person, as paths from Person: its leader, its team, its milestones.
NAMED_ON = ("led_projects", "teammember__project", "milestones__project")


def ledger_filter_units(user: Any) -> QuerySet[Unit]:
    """The ledger's 责任单位 filter: the units of the projects in the user's view."""
    return Unit.objects.filter(pk__in=projects_for(user).order_by().values("unit_id"))


def sheet_units(user: Any) -> QuerySet[Unit]:
    """The project sheet's 责任单位: the units the user may keep a ledger for."""
    return scope_for(user).units(Action.EDIT_LEDGER)


def sheet_units_of(user: Any, project: Project | None) -> QuerySet[Unit]:
    """`sheet_units`, and on an existing project's sheet its own unit (a stored value is always
    offered): what its 责任单位 select and picker list."""
    units = sheet_units(user)
    if project is not None:
        units = units | Unit.objects.filter(pk=project.unit_id)
    return units


def nameable_people(user: Any, project: Project | None = None) -> QuerySet[Person]:
    """People `user` may name on a project, as its leader, in its team or on a milestone: every
    leader (a city leader may 包联 a district's project), the people of the units the user keeps
    a ledger for, and whoever `project` already names (a stored name stays valid on it). The
    project sheet offers these; the Excel import reads names among them (`people_named_on`)."""
    q = Q(is_leader=True) | Q(unit__in=sheet_units(user))
    if project is not None:
        for path in NAMED_ON:
            q |= Q(pk__in=Person.objects.filter(**{path: project}).values("pk"))
    return Person.objects.filter(q)


def people_named_on(codes: Sequence[str]) -> Iterator[tuple[str, Person]]:
    """(code, person), with the person's unit, for whoever the projects of `codes` already name
    (`NAMED_ON`): what `nameable_people(user, project)` adds for each of many projects at once."""
    for path in NAMED_ON:
        for chunk in chunks(list(codes)):
            people = (
                Person.objects.filter(**{f"{path}__code__in": chunk})
                .annotate(named_on=F(f"{path}__code"))
                .select_related("unit")
                .order_by()
                .distinct()  # a person on several milestones of a project, once
            )
            for person in people:
                yield person.named_on, person


def person_text(name: str, post: str, unit_name: str) -> str:
    """A person as the sheet's lists show one, from the columns (lists of thousands are read
    without models): 王书记（镇党委书记） · 湖南镇, two of a name told apart by their units."""
    return f"{person_name(name, post)} · {unit_name}"


@dataclass(frozen=True)
class SheetChoices:
    """Everything the sheet's selects offer, read once per page (never once per row)."""

    units: dict[int, Unit]
    # id → label, read as columns: a province office may name 8,000 people, and building them
    # as models was most of its sheet's time. A row's chosen person is read by `person`.
    people: dict[int, str]
    campaigns: dict[int, Campaign]
    lines: dict[int, Line]
    project_id: int | None = None  # the sheet's project, once it exists (its people are choices)
    _chosen: dict[int, Person | None] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def _pick(options: dict[int, Any], label: Any = str) -> list[tuple[Any, str]]:
        return [("", "—"), *[(pk, label(o)) for pk, o in options.items()]]

    def unit_choices(self) -> list[tuple[Any, str]]:
        labels = distinct_names((u.pk, u.name, u.path) for u in self.units.values())
        return [("", "—"), *labels.items()]

    def person_choices(self) -> SharedChoices:
        """One list for the leader and every team and milestone row (built once a sheet)."""
        return self._person_choices

    @cached_property
    def _person_choices(self) -> SharedChoices:
        return SharedChoices([("", "—"), *self.people.items()])

    def person(self, pk: int | None) -> Person | None:
        """The person of `people` a row chose, with its unit (None for none, or for one gone
        since the sheet was read); each is read once a sheet, however many rows name it."""
        if not pk or pk not in self.people:
            return None
        if pk not in self._chosen:
            self._chosen[pk] = next(
                iter(Person.objects.select_related("unit").filter(pk=pk).order_by()[:1]), None
            )
        return self._chosen[pk]

    def campaign_choices(self) -> list[tuple[Any, str]]:
        return self._pick(self.campaigns)

    def line_choices(self) -> list[tuple[Any, str]]:
        return self._pick(self.lines, lambda ln: f"{ln.campaign.name} · {ln.name}")


def sheet_choices(user: Any, project: Project | None = None) -> SheetChoices:
    """What the project sheet's selects offer this user: units he or she may keep a ledger for,
    the people he or she may name (`nameable_people`), the campaigns the user can see
    (`following.campaigns_for`) and their lines, and whatever the project already names (so a
    stored value is always shown)."""
    units = sheet_units_of(user, project)
    people = nameable_people(user, project).order_by("unit__path", "name")
    campaigns = following.campaigns_for(user).order_by()
    if project is not None and project.campaign_id:
        campaigns = campaigns | Campaign.objects.filter(pk=project.campaign_id)
    return SheetChoices(
        units={u.pk: u for u in units.order_by("path")},
        people={
            pk: person_text(name, post, unit_name)
            for pk, name, post, unit_name in people.values_list("pk", "name", "post", "unit__name")
        },
        campaigns={c.pk: c for c in campaigns.order_by("name")},
        lines={
            ln.pk: ln
            for ln in Line.objects.filter(campaign__in=campaigns)
            .select_related("campaign")
            .order_by("campaign__name", "sort_order", "pk")
        },
        project_id=project.pk if project is not None else None,
    )


def may_create_projects(user: Any) -> bool:
    return sheet_units(user).exists()


def milestones_of(project: Project) -> list[Milestone]:
    return list(project.milestones.select_related("person", "unit").order_by("seq"))


def report_detail(pk: int) -> ProgressReport:
    return (
        ProgressReport.objects.select_related("reported_by")
        .prefetch_related("milestones_reached", "attachments", "coordination__handling_unit")
        .get(pk=pk)
    )


REPORT_SORTS = paging.Sorts(
    keys=(
        paging.SortKey("period_end", "period_end", gettext_lazy("填报期末")),
        paging.SortKey("percent_done", "percent_done", gettext_lazy("形象进度")),
        paging.SortKey("reported_at", "reported_at", gettext_lazy("填报时间")),
    ),
    default="-period_end",
)


def reports_page(project: Project, req: paging.PageRequest) -> paging.Page[ProgressReport]:
    qs = project.reports.select_related("reported_by").prefetch_related(
        "milestones_reached", "attachments", "coordination__handling_unit"
    )
    return paging.page(qs, req, REPORT_SORTS)


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
