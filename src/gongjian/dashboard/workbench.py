"""The workbench (工作台): what this user must do now, each with a count and one click to the place
to act. Every count comes from the selector of the page it links to (the orders' to-do list, the
drill list, the leader view, the entry sheet), so the workbench and those pages agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gongjian.assessment import selectors as assessment_selectors
from gongjian.campaigns.models import Campaign
from gongjian.dashboard import selectors
from gongjian.org.models import Role
from gongjian.org.scope import Action, is_office, scope_for
from gongjian.projects import coordination, following, reporting
from gongjian.supervision import selectors as supervision_selectors
from gongjian.supervision import visits

ROWS_SHOWN = 8


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Task:
    """One thing to do: how many, where to do it (the item itself when there is one), and the
    first few items to act on straight from the workbench."""

    key: str
    label: str
    count: int
    url: str
    rows: list[Link] = field(default_factory=list)
    urgent: bool = False  # overdue, red: shown in red

    @property
    def href(self) -> str:
        return self.rows[0].url if self.count == 1 and self.rows else self.url


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    url: str
    urgent: bool = False


@dataclass
class Workbench:
    on: dt.date
    tasks: list[Task]
    campaign: Campaign | None = None
    figures: list[Figure] = field(default_factory=list)

    @property
    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.count]

    @property
    def done_tasks(self) -> list[Task]:
        return [t for t in self.tasks if not t.count]


def _first(qs: Any, link: Callable[[Any], Link]) -> tuple[int, list[Link]]:
    """How many rows `qs` has, and links to its first few: a count, never the whole list."""
    return qs.count(), [link(row) for row in qs[:ROWS_SHOWN]]


def _order_link(o: Any) -> Link:
    return Link(f"{o.code} {o.title}（{o.unit.name}，{o.deadline:%m-%d}）", _detail(o.pk))


def _detail(order_id: int) -> str:
    return reverse("supervision:detail", args=[order_id])


def _task(key: str, label: str, qs: Any, url: str, link: Callable[[Any], Link], **kw: Any) -> Task:
    count, rows = _first(qs, link)
    return Task(key, label, count, url, rows, **kw)


def _counted_task(
    key: str, label: str, count: int, qs: Any, url: str, link: Callable[[Any], Link], **kw: Any
) -> Task:
    """A to-do whose count is known already: only its first rows are read, and none when there
    are none (a province office's reports due scan 100,000 projects to find nothing)."""
    rows = [link(row) for row in qs[:ROWS_SHOWN]] if count else []
    return Task(key, label, count, url, rows, **kw)


def _order_tasks(user: Any, scope: Any) -> list[Task]:
    todo = supervision_selectors.todo_queries(user)
    page = reverse("supervision:todo")
    tasks: list[Task] = []
    if scope.roots(Action.HANDLE_ORDER) and getattr(user, "unit", None) is not None:
        tasks += [
            _task("orders_to_sign", _("督办单待签收"), todo.to_sign, f"{page}#to-handle",
                  _order_link),
            _task("orders_to_answer", _("督办单待办理反馈"), todo.to_answer, f"{page}#to-handle",
                  _order_link),
            _task("orders_overdue", _("督办单已逾期"), todo.overdue, f"{page}#to-handle",
                  _order_link, urgent=True),
        ]  # fmt: skip
    if scope.roots(Action.REVIEW_ORDER):
        tasks += [
            _task("orders_to_review", _("反馈待审核销号"), todo.to_review, f"{page}#to-review",
                  _order_link),
            _task("extensions_to_decide", _("延期申请待审批"), todo.extensions,
                  f"{page}#extensions",
                  lambda e: Link(f"{e.order.code}（{e.order.unit.name}）", _detail(e.order_id))),
        ]  # fmt: skip
    return tasks


def _report_tasks(user: Any, scope: Any, on: dt.date) -> list[Task]:
    if not scope.roots(Action.REPORT_PROGRESS) or getattr(user, "unit", None) is None:
        return []
    owed = reporting.reports_due(user, on, unit_path=user.unit.path)

    def link(p: Any) -> Link:
        return Link(f"{p.name}（{p.unit.name}）", reverse("projects:report", args=[p.pk]))

    ledger = reverse("projects:ledger")
    return [
        _counted_task(
            "reports_due",
            _("%(period)s进度待填报") % {"period": owed.period.label},
            owed.due_count,
            owed.due,
            ledger,
            link,
        ),
        _counted_task(
            "reports_overdue",
            _("上期进度未填报"),
            owed.overdue_count,
            owed.overdue,
            ledger,
            link,
            urgent=True,
        ),
    ]


def _assessment_tasks(user: Any, scope: Any) -> list[Task]:
    tasks: list[Task] = []
    rounds = reverse("assessment:rounds")
    if scope.roots(Action.MANAGE_CAMPAIGN):
        tasks.append(
            _task(
                "objections_to_answer",
                _("考评异议待答复"),
                assessment_selectors.objections_to_answer(user),
                rounds,
                lambda o: Link(
                    f"{o.round.plan.name} {o.round.period} · {o.unit.name}",
                    reverse("assessment:round", args=[o.round_id]) + "#objections",
                ),
            )
        )
    if scope.roots(Action.ENTER_SCORES) and Role.LEAD_STAFF in scope.roles:
        waiting = assessment_selectors.values_to_enter(user)
        tasks.append(
            Task(
                "values_to_enter",
                _("考评指标值待录入"),
                sum(w["empty"] for w in waiting),
                rounds,
                [
                    Link(
                        _("%(plan)s %(period)s：%(n)s 项")
                        % {"plan": w["round"].plan.name, "period": w["round"].period,
                           "n": w["empty"]},
                        reverse("assessment:entry", args=[w["round"].pk]),
                    )
                    for w in waiting[:ROWS_SHOWN]
                ],
            )
        )  # fmt: skip
    return tasks


def _coordination_task(user: Any, scope: Any) -> list[Task]:
    if not scope.roots(Action.EDIT_LEDGER) or is_office(user):
        return []  # the office sees the campaign's open requests among its figures
    return [
        _task(
            "coordination_waiting",
            _("协调事项待本单位办理"),
            coordination.waiting_on(user),
            reverse("projects:ledger"),
            lambda r: Link(
                f"{r.project.name}：{r.description[:30]}",
                reverse("projects:detail", args=[r.project_id]) + "#coordination",
            ),
        )
    ]


def _colour_tasks(user: Any, scope: Any, on: dt.date) -> list[Task]:
    unit = getattr(user, "unit", None)
    if unit is None or is_office(user):
        return []
    if Role.LEADER in scope.roles:
        counts = selectors.leader_colour_counts(user, on)
        urls = {c: reverse("dashboard:leader") for c in counts}
    else:
        counts = selectors.colour_counts(user, on, unit=unit)
        urls = {
            c: reverse("dashboard:projects")
            + "?"
            + urlencode({"colour": c, "unit": unit.pk, "on": on.isoformat()})
            for c in ("red", "yellow")
        }
    return [
        Task("red_projects", _("红灯项目"), counts["red"], urls["red"], urgent=True),
        Task("yellow_projects", _("黄灯项目"), counts["yellow"], urls["yellow"]),
    ]


def _visit_tasks(user: Any, scope: Any, on: dt.date) -> list[Task]:
    if Role.LEADER not in scope.roles:
        return []
    due = [r for r in visits.leader_link_visits(user, on) if r.overdue]
    never = _("从未走访")
    return [
        Task("visits_overdue", _("挂钩单位超期未走访"), len(due), reverse("dashboard:leader"),
             [Link(f"{r.unit.name}（{r.last_on or never}）",
                   reverse("supervision:visit_new") + f"?unit={r.unit.pk}")
              for r in due[:ROWS_SHOWN]], urgent=True),
    ]  # fmt: skip


def _campaign_figures(user: Any, on: dt.date) -> tuple[Campaign | None, list[Figure]]:
    """The office's campaign-wide counts: the battle map's own overview of the followed campaign."""
    campaigns = list(following.campaigns_for(user).select_related("owner"))
    campaign = following.default_campaign(user, campaigns)
    if campaign is None:
        return None, []
    data = selectors.overview(user, campaign, on)
    drill = reverse("dashboard:projects")

    def projects(**query: Any) -> str:
        return f"{drill}?{urlencode({'campaign': campaign.pk, 'on': on.isoformat(), **query})}"

    board = reverse("supervision:board")
    return campaign, [
        Figure(_("项目"), data["projects"], projects()),
        Figure(_("红灯"), data["colours"]["red"], projects(colour="red"), urgent=True),
        Figure(_("黄灯"), data["colours"]["yellow"], projects(colour="yellow")),
        Figure(_("趋势预警"), data["at_risk"], projects(at_risk=1)),
        Figure(_("在办督办单"), data["orders"]["open"], board),
        Figure(_("逾期督办单"), data["orders"]["overdue"], f"{board}?overdue=1", urgent=True),
        Figure(
            _("待协调事项"),
            data["open_requests"],
            reverse("dashboard:overview") + f"?campaign={campaign.pk}",
        ),
    ]


def workbench(user: Any, on: dt.date) -> Workbench:
    """Everything on one user's workbench, in a number of queries that does not grow with the
    number of orders, projects or messages; each to-do is a count and its first few rows, never
    the whole list (a province office has thousands)."""
    scope = scope_for(user)
    tasks = [
        *_order_tasks(user, scope),
        *_report_tasks(user, scope, on),
        *_assessment_tasks(user, scope),
        *_coordination_task(user, scope),
        *_colour_tasks(user, scope, on),
        *_visit_tasks(user, scope, on),
        Task(
            "unread_messages",
            _("未读消息"),
            supervision_selectors.unread_count(user),
            reverse("supervision:inbox"),
        ),
    ]
    bench = Workbench(on=on, tasks=tasks)
    if is_office(user):
        bench.campaign, bench.figures = _campaign_figures(user, on)
    return bench
