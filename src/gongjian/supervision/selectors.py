"""Reads of supervision, always within the user's scope; and per-unit counts for the assessment."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy

from gongjian.core import clock, paging
from gongjian.core.errors import NotFound, ValidationFailed
from gongjian.org.models import Role, Unit
from gongjian.org.scope import Action, scope_for
from gongjian.org.selectors import distinct_names
from gongjian.projects.models import Project
from gongjian.supervision.flow import DRAFT_STATES, OPEN_STATES, State
from gongjian.supervision.lights import annotate_lights
from gongjian.supervision.models import (
    LEVEL_CHOICES,
    STATE_CHOICES,
    ExtensionRequest,
    ExtensionStatus,
    Inspection,
    InspectionKind,
    Message,
    Notice,
    NoticeKind,
    NoticeState,
    OrderCooperator,
    OrderEvent,
    RandomDraw,
    SupervisionOrder,
)

OPEN = [s.value for s in OPEN_STATES]
DRAFTS = [s.value for s in DRAFT_STATES]


def orders_for(user: Any, action: Action = Action.VIEW) -> QuerySet[SupervisionOrder]:
    """Orders in the user's scope for `action`; a draft waiting for 领导审核 has not reached the
    unit yet, so the unit's own people do not see it."""
    scope = scope_for(user)
    if scope.is_superuser:
        return SupervisionOrder.objects.all()
    # A co-operating unit sees the orders it helps with, once they are issued.
    helping = OrderCooperator.objects.filter(scope.q(action, via="unit")).exclude(
        order__state__in=DRAFTS
    )
    qs = SupervisionOrder.objects.filter(
        scope.q(action, via="unit") | Q(pk__in=helping.values("order_id"))
    )
    unit = getattr(user, "unit", None)
    if unit is not None and not user.is_superuser:
        # The unit side is the actor's own unit or one above it (`rules.require_side`).
        qs = qs.exclude(state__in=DRAFTS, unit_id__in=unit.ancestor_ids())
    return qs


def to_approve(user: Any) -> QuerySet[SupervisionOrder]:
    """Drafts waiting for this user's 领导审核 (`rules.check_step` would let the user approve)."""
    if Role.LEADER not in scope_for(user).roles and not user.is_superuser:
        return SupervisionOrder.objects.none()
    return orders_for(user, Action.ISSUE_ORDER).filter(state=State.PENDING_APPROVAL)


def parts_due(user: Any) -> QuerySet[OrderCooperator]:
    """The co-operating parts this user's unit still owes (协办意见 not given, order open)."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return OrderCooperator.objects.none()
    return (
        scope_for(user)
        .filter(OrderCooperator.objects.all(), Action.HANDLE_ORDER, via="unit")
        .filter(unit_id__in=unit.ancestor_ids(), part_on__isnull=True, order__state__in=OPEN)
        .select_related("order__unit", "unit")
        .order_by("order__deadline", "pk")
    )


def revisits_due(user: Any) -> QuerySet[SupervisionOrder]:
    """Closed orders whose 回访 date has come and that nobody has revisited yet: the office's,
    and the named reviewer's."""
    today = clock.today()
    due = Q(state=State.CLOSED, revisit_due__lte=today, revisited_on__isnull=True)
    mine = orders_for(user, Action.REVIEW_ORDER).filter(due)
    unit = getattr(user, "unit", None)
    if unit is not None:
        mine = mine.exclude(unit_id__in=unit.ancestor_ids())
    named = SupervisionOrder.objects.filter(due, reviewer_id=user.pk)
    return (
        (mine | named)
        .select_related("unit", "issuing_unit", "project")
        .order_by("revisit_due", "pk")
    )


def reviewer_candidates(order: SupervisionOrder) -> list[Any]:
    """Inspectors an office may name to review this order: inspectors over its unit (their own
    unit is above it), never the unit's own (`rules.check_reviewer` decides)."""
    from gongjian.org.models import User

    ancestors = [pk for pk in order.unit.ancestor_ids() if pk != order.unit_id]
    return list(
        User.objects.filter(is_active=True, roles__role=Role.INSPECTOR, unit_id__in=ancestors)
        .distinct()
        .order_by("username")
    )


def returned_drafts(user: Any) -> QuerySet[SupervisionOrder]:
    """Drafts a leader returned, for the office that can revise and resubmit them."""
    return orders_for(user, Action.ISSUE_ORDER).filter(state=State.RETURNED)


def overdue_q(today: dt.date) -> Q:
    """Orders the unit still owes after their deadline (`flow.is_overdue`, in SQL)."""
    return Q(state__in=OPEN, deadline__lt=today)


@dataclass
class Board:
    orders: list[SupervisionOrder]
    by_state: dict[str, int]
    by_unit: list[dict[str, Any]]
    overdue: int
    today: dt.date

    @property
    def total(self) -> int:
        return sum(self.by_state.values())


def board(
    user: Any,
    *,
    state: str = "",
    unit_id: int | None = None,
    overdue: bool = False,
    limit: int = 500,
) -> Board:
    """The office's board: orders by state, by unit, the overdue ones; four queries."""
    today = clock.today()
    base = orders_for(user)
    by_state = dict(base.values_list("state").annotate(n=Count("pk")).order_by())
    overdue_n = base.filter(overdue_q(today)).count()
    by_unit: list[dict[str, Any]] = [
        dict(row)
        for row in base.values("unit_id", "unit__name", "unit__path")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(state__in=OPEN)),
            overdue=Count("pk", filter=overdue_q(today)),
            closed=Count("pk", filter=Q(state=State.CLOSED)),
        )
        .order_by("-overdue", "-open", "unit__name")
    ]
    labels = distinct_names((u["unit_id"], u["unit__name"], u["unit__path"]) for u in by_unit)
    for u in by_unit:
        u["label"] = labels[u["unit_id"]]
    qs = board_orders(user, state=state, unit_id=unit_id, overdue=overdue, today=today)
    rows = list(qs[:limit])
    annotate_lights(rows, today)
    return Board(
        orders=rows,
        by_state={s.value: by_state.get(s.value, 0) for s in State},
        by_unit=by_unit,
        overdue=overdue_n,
        today=today,
    )


# ---------------------------------------------------------------- the lists, paged (core.paging)

ORDER_SORTS = paging.Sorts(
    keys=(
        paging.SortKey("deadline", "deadline", gettext_lazy("办结时限")),
        paging.SortKey("issued_on", "issued_on", gettext_lazy("交办日期")),
        paging.SortKey("code", "code", gettext_lazy("督办单编号")),
        paging.SortKey("feedback_on", "feedback_on", gettext_lazy("最近反馈"), nullable=True),
        paging.SortKey("state", "state", gettext_lazy("状态")),
        paging.SortKey("updated", "updated_at", gettext_lazy("更新时间")),
    ),
    default="deadline",
)


# The to-do list's sections, each in the order it is worked through (the first rows on the to-do
# page are these sorts' first page; its pages per section sort and page the same way).
TODO_SORTS: dict[str, paging.Sorts] = {
    "to_approve": replace(ORDER_SORTS, default="issued_on"),
    "returned": replace(ORDER_SORTS, default="issued_on"),
    "parts_due": paging.Sorts(
        keys=(
            paging.SortKey("deadline", "order__deadline", gettext_lazy("办结时限")),
            paging.SortKey("code", "order__code", gettext_lazy("督办单编号")),
        ),
        default="deadline",
    ),
    "revisits_due": replace(
        ORDER_SORTS,
        keys=(
            paging.SortKey("revisit_due", "revisit_due", gettext_lazy("回访日期")),
            *ORDER_SORTS.keys,
        ),
        default="revisit_due",
    ),
    "to_handle": ORDER_SORTS,
    "to_review": replace(ORDER_SORTS, default="feedback_on"),
    "extensions": paging.Sorts(
        keys=(
            paging.SortKey("requested_on", "requested_on", gettext_lazy("申请日期")),
            paging.SortKey("deadline", "order__deadline", gettext_lazy("办结时限")),
            paging.SortKey("new_deadline", "new_deadline", gettext_lazy("申请时限")),
        ),
        default="requested_on",
    ),
}


def orders_page(
    user: Any,
    req: paging.PageRequest,
    *,
    state: str | None = None,
    unit_id: int | None = None,
    overdue: bool = False,
    level: str | None = None,
    project_id: int | None = None,
    q: str = "",
) -> paging.Page[SupervisionOrder]:
    """The orders in scope, filtered as the board filters them, one page in the asked order."""
    qs = orders_for(user).select_related("unit", "project", "issuing_unit")
    if paging.choice("state", state, [v for v, _label in STATE_CHOICES]):
        qs = qs.filter(state=state)
    if paging.choice("level", level, [v for v, _label in LEVEL_CHOICES]):
        qs = qs.filter(level=level)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if project_id:
        qs = qs.filter(project_id=project_id)
    if overdue:
        qs = qs.filter(overdue_q(clock.today()))
    if q.strip():
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(code__icontains=q.strip()))
    return paging.page(qs, req, ORDER_SORTS)


NOTICE_SORTS = paging.Sorts(
    keys=(
        paging.SortKey("published_on", "published_on", gettext_lazy("发布日期"), nullable=True),
        paging.SortKey("title", "title", gettext_lazy("标题")),
        paging.SortKey("updated", "updated_at", gettext_lazy("更新时间")),
    ),
    default="-published_on",
)


def notices_page(
    user: Any,
    req: paging.PageRequest,
    *,
    kind: str | None = None,
    state: str | None = None,
    unit_id: int | None = None,
) -> paging.Page[Notice]:
    qs = notices_for(user)
    if paging.choice("kind", kind, NoticeKind.values):
        qs = qs.filter(kind=kind)
    if paging.choice("state", state, NoticeState.values):
        qs = qs.filter(state=state)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return paging.page(qs, req, NOTICE_SORTS)


INSPECTION_SORTS = paging.Sorts(
    keys=(
        paging.SortKey("inspected_on", "inspected_on", gettext_lazy("检查日期")),
        paging.SortKey("created", "created_at", gettext_lazy("记录时间")),
    ),
    default="-inspected_on",
)


def inspections_page(
    user: Any,
    req: paging.PageRequest,
    *,
    kind: str | None = None,
    unit_id: int | None = None,
    project_id: int | None = None,
) -> paging.Page[Inspection]:
    qs = inspections_for(user)
    if paging.choice("kind", kind, InspectionKind.values):
        qs = qs.filter(kind=kind)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if project_id:
        qs = qs.filter(project_id=project_id)
    return paging.page(qs, req, INSPECTION_SORTS)


MESSAGE_SORTS = paging.Sorts(
    keys=(paging.SortKey("created", "created_at", gettext_lazy("时间")),), default="-created"
)


def messages_page(
    user: Any, req: paging.PageRequest, *, unread: bool = False
) -> paging.Page[Message]:
    qs = Message.objects.filter(user=user).select_related("order")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return paging.page(qs, req, MESSAGE_SORTS)


def board_orders(
    user: Any,
    *,
    state: str = "",
    unit_id: int | None = None,
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[SupervisionOrder]:
    """The board's orders with its filters, by deadline: the board shows the first of them, the
    export streams all."""
    qs = orders_for(user).select_related("unit", "project", "issuing_unit")
    if state:
        qs = qs.filter(state=state)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if overdue:
        qs = qs.filter(overdue_q(today or clock.today()))
    return qs.order_by("deadline", "pk")


def leader_q(user: Any) -> Q:
    """What of the board concerns a leader: orders to the units he or she is linked to (挂钩)
    and orders about the projects he or she leads or is on the team of. A user linked to nothing
    (the office looking at the leader view) keeps the whole board."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return Q()
    linked = list(Unit.objects.filter(linked_leaders=person_id).values_list("path", flat=True))
    mine = Q(project__leader_id=person_id) | Q(project__team__id=person_id)
    if not linked and not _leads_projects(person_id):
        return Q()
    for path in linked:
        mine |= Q(unit__path__startswith=path)
    return mine


def _leads_projects(person_id: int) -> bool:
    return Project.objects.filter(Q(leader_id=person_id) | Q(team__id=person_id)).exists()


def leader_orders(user: Any) -> list[SupervisionOrder]:
    """The leader view's open orders: the board's own orders (`orders_for`, open, in the board's
    order) filtered by `leader_q`, overdue first as their deadlines come first."""
    ids = orders_for(user).filter(state__in=OPEN).filter(leader_q(user)).values("pk")
    return list(
        SupervisionOrder.objects.filter(pk__in=ids)
        .select_related("unit", "project")
        .order_by("deadline", "pk")
    )


# The to-do page lists the first rows of each of its sections and counts the rest: a province
# office reviews hundreds of feedbacks at once; each section is paged on a page of its own.
TODO_SHOWN = 50


@dataclass(frozen=True)
class TodoCount:
    """How many rows a section of the to-do list has (`paging.count`: above 10,000 an estimate,
    said so) and how many of them it lists."""

    count: int
    exact: bool
    shown: int

    @property
    def more(self) -> bool:
        return self.count > self.shown


@dataclass
class Todo:
    to_handle: list[SupervisionOrder]
    to_review: list[SupervisionOrder]
    extensions: list[ExtensionRequest]
    today: dt.date
    to_approve: list[SupervisionOrder]
    returned: list[SupervisionOrder]
    parts_due: list[OrderCooperator]
    revisits_due: list[SupervisionOrder]
    counts: dict[str, TodoCount] = dataclasses.field(default_factory=dict)  # per section


def _handle_and_review(user: Any) -> tuple[QuerySet[SupervisionOrder], QuerySet[SupervisionOrder]]:
    """The open orders the user's unit must handle, and the orders the user may review."""
    unit = getattr(user, "unit", None)
    handle = orders_for(user, Action.HANDLE_ORDER).filter(state__in=OPEN)
    review = orders_for(user, Action.REVIEW_ORDER)
    if unit is not None:
        # The unit side is the actor's own unit (or one above it); reviewers never review it.
        own = unit.ancestor_ids()
        handle = handle.filter(unit_id__in=own)
        review = review.exclude(unit_id__in=own)
    elif not user.is_superuser:
        handle = handle.none()
    return handle, review


def _to_review(user: Any, review: QuerySet[SupervisionOrder]) -> QuerySet[SupervisionOrder]:
    # An inspector the office named reviews that order's feedback too.
    reviewing = review | SupervisionOrder.objects.filter(reviewer_id=user.pk)
    return (
        reviewing.filter(state=State.FEEDBACK)
        .select_related(*TODO_RELATED)
        .order_by("feedback_on", "pk")
    )


def _extensions(review: QuerySet[SupervisionOrder]) -> QuerySet[ExtensionRequest]:
    return (
        ExtensionRequest.objects.filter(
            status=ExtensionStatus.PENDING, order__in=review.filter(state__in=OPEN)
        )
        .select_related("order__unit", "requested_by")
        .order_by("requested_on", "pk")
    )


TODO_RELATED = ("unit", "project", "issuing_unit")
# The sections whose rows are not orders but an order's extension or co-operating part.
OF_AN_ORDER = frozenset({"extensions", "parts_due"})
ORDER_OF_ROW = tuple(f"order__{name}" for name in TODO_RELATED)  # an extension's, a part's


@dataclass(frozen=True)
class TodoQueries:
    """The querysets behind the to-do list's sections, for a page that counts them and shows
    only their first rows (the workbench: a province office reviews thousands of orders)."""

    to_sign: QuerySet[SupervisionOrder]
    to_answer: QuerySet[SupervisionOrder]
    overdue: QuerySet[SupervisionOrder]
    to_review: QuerySet[SupervisionOrder]
    extensions: QuerySet[ExtensionRequest]


def todo_queries(user: Any) -> TodoQueries:
    """`todo`'s orders to sign, to answer, overdue, to review and its extensions, unread: the
    same rules (`Todo.to_sign` … are these filters in Python)."""
    handle, review = _handle_and_review(user)
    handle = handle.select_related(*TODO_RELATED).order_by("deadline", "pk")
    return TodoQueries(
        to_sign=handle.filter(state=State.ISSUED),
        to_answer=handle.exclude(state=State.ISSUED),
        overdue=handle.filter(overdue_q(clock.today())),
        to_review=_to_review(user, review),
        extensions=_extensions(review),
    )


def todo_sections(user: Any) -> dict[str, QuerySet[Any]]:
    """The querysets behind each section of the to-do list, in its order (`TODO_SORTS`)."""
    unit = getattr(user, "unit", None)
    handle, review = _handle_and_review(user)
    own = unit.ancestor_ids() if unit is not None else []
    return {
        "to_approve": to_approve(user).select_related(*TODO_RELATED),
        "returned": returned_drafts(user).exclude(unit_id__in=own).select_related(*TODO_RELATED),
        "parts_due": parts_due(user).select_related(*ORDER_OF_ROW),
        "revisits_due": revisits_due(user),
        "to_handle": handle.select_related(*TODO_RELATED),
        "to_review": _to_review(user, review),
        "extensions": _extensions(review).select_related(*ORDER_OF_ROW),
    }


def todo(user: Any, *, shown: int | None = None) -> Todo:
    """What waits for this user: orders to handle for the unit, feedback and extensions to review,
    drafts to approve or revise, parts and revisits due; each section's first `shown` rows
    (TODO_SHOWN unless given)."""
    shown = shown or TODO_SHOWN
    today = clock.today()
    first: dict[str, list[Any]] = {}
    counts: dict[str, TodoCount] = {}
    for section, qs in todo_sections(user).items():
        sorts = TODO_SORTS[section]
        found = paging.page(qs, sorts.first(shown), sorts, counted=False)
        first[section] = found.items
        n, exact = paging.count(qs) if found.next_cursor else (len(found.items), True)
        counts[section] = TodoCount(n, exact, len(found.items))
    annotate_lights(first["to_handle"], today)
    return Todo(today=today, counts=counts, **first)


def todo_page(user: Any, section: str, req: paging.PageRequest) -> paging.Page[Any]:
    """One page of one section of the to-do list (`TODO_SORTS[section]`)."""
    return paging.page(todo_sections(user)[section], req, TODO_SORTS[section])


def order_detail(user: Any, pk: int) -> SupervisionOrder:
    """One order with its whole trail, evidence, extensions and reminders."""
    order = (
        orders_for(user)
        .select_related(
            "unit",
            "issuing_unit",
            "project",
            "line",
            "issued_by",
            "reviewer",
            "approved_by",
            "reopened_from",
            "instruction__leader",
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=OrderEvent.objects.select_related("actor").prefetch_related("evidence"),
            ),
            Prefetch(
                "extensions",
                queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by"),
            ),
            "reminders",
            Prefetch("cooperators", queryset=OrderCooperator.objects.select_related("unit")),
            "reopened_as",
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise NotFound(_not_found())
    return order


def _not_found() -> str:
    from django.utils.translation import gettext as _

    return _("督办单不存在，或不在您的查看范围内。")


def notices_for(user: Any, *, published_only: bool = False) -> QuerySet[Notice]:
    qs = scope_for(user).filter(Notice.objects.all(), Action.VIEW, via="unit")
    if published_only:
        qs = qs.filter(state=NoticeState.PUBLISHED)
    return qs.select_related("unit", "issuing_unit").prefetch_related("orders", "projects")


def inspections_for(user: Any) -> QuerySet[Inspection]:
    return (
        scope_for(user)
        .filter(Inspection.objects.all(), Action.VIEW, via="unit")
        .select_related("unit", "project", "recorded_by", "draw")
        .prefetch_related("hazards__order")
    )


def draws_for(user: Any) -> QuerySet[RandomDraw]:
    return scope_for(user).filter(RandomDraw.objects.all(), Action.VIEW, via="scope_unit")


def unread_count(user: Any) -> int:
    return Message.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def inbox(user: Any, limit: int = 200) -> list[Message]:
    return list(Message.objects.filter(user=user).select_related("order")[:limit])


# ---------------------------------------------------------------- for the assessment


@dataclass(frozen=True)
class UnitSupervisionCounts:
    """What supervision says about one unit over a period (both ends included)."""

    orders_issued: int = 0
    orders_overdue: int = 0
    orders_closed_on_time: int = 0
    criticism_notices: int = 0
    praise_notices: int = 0


def overdue_in_period_q(start: dt.date, end: dt.date, today: dt.date) -> Q:
    """Orders that became overdue in [start, end]: recorded by tick or a step, or overdue now
    with their first overdue day (deadline + 1) in the period and not yet recorded."""
    last_unmarked = min(end, today) - dt.timedelta(days=1)
    return Q(overdue_on__range=(start, end)) | Q(
        overdue_on__isnull=True,
        state__in=OPEN,
        deadline__range=(start - dt.timedelta(days=1), last_unmarked),
    )


def parts_overdue_in_period_q(start: dt.date, end: dt.date, today: dt.date) -> Q:
    """Co-operating parts (`OrderCooperator`) that became late in [start, end]: the same rule as
    `overdue_in_period_q`, for a part not given by the order's deadline while the order is open."""
    last_unmarked = min(end, today) - dt.timedelta(days=1)
    return Q(overdue_on__range=(start, end)) | Q(
        overdue_on__isnull=True,
        part_on__isnull=True,
        order__state__in=OPEN,
        order__deadline__range=(start - dt.timedelta(days=1), last_unmarked),
    )


# Dates a period may span: a day either side of them is still a date (`overdue_in_period_q`).
PERIOD_BOUNDS = (dt.date(1900, 1, 1), dt.date(9998, 12, 31))


def check_period(start: dt.date, end: dt.date) -> None:
    """Refuse a period the counts cannot be taken over, in words, not with an OverflowError."""
    from django.utils.translation import gettext as _

    low, high = PERIOD_BOUNDS
    for field, day in (("start", start), ("end", end)):
        if not low <= day <= high:
            raise ValidationFailed(
                _("统计日期须在 %(low)s 至 %(high)s 之间。")
                % {"low": low.isoformat(), "high": high.isoformat()},
                field=field,
            )
    if start > end:
        raise ValidationFailed(_("统计起始日期不能晚于截止日期。"), field="start")


def unit_counts(
    units: Iterable[Unit], start: dt.date, end: dt.date
) -> dict[int, UnitSupervisionCounts]:
    """Per unit (by exact unit, not its subtree), over [start, end]:

    - orders_issued: orders given to the unit with an issue date in the period (drafts waiting
      for 领导审核 have not been given yet);
    - orders_overdue: orders that became overdue in the period, i.e. whose first overdue day
      (recorded by `gongjian tick` or a step) is in it, or that are overdue now with their first
      overdue day (deadline + 1) in it and not yet recorded — so the count does not wait for tick;
      plus the co-operating parts (协办) the unit gave late or not at all by the deadline, which
      count against the co-operating unit, not the lead;
    - orders_closed_on_time: orders closed in the period whose accepted feedback came by the
      deadline (an approved extension moves the deadline);
    - criticism_notices / praise_notices: notices published in the period.
    Five queries whatever the number of units. Not scoped: the assessment reads all units.
    """
    ids = [u.pk for u in units]
    today = clock.today()
    issued = Counter(
        dict(
            SupervisionOrder.objects.filter(unit_id__in=ids, issued_on__range=(start, end))
            .exclude(state__in=DRAFTS)
            .values_list("unit_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    overdue = Counter(
        dict(
            SupervisionOrder.objects.filter(unit_id__in=ids)
            .filter(overdue_in_period_q(start, end, today))
            .values_list("unit_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    # Lateness counts against the unit that was late: a co-operating unit for its part.
    overdue.update(
        dict(
            OrderCooperator.objects.filter(unit_id__in=ids)
            .filter(parts_overdue_in_period_q(start, end, today))
            .values_list("unit_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    on_time = Counter(
        dict(
            SupervisionOrder.objects.filter(
                unit_id__in=ids, closed_on__range=(start, end), closed_on_time=True
            )
            .values_list("unit_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    notices: Counter[tuple[int, str]] = Counter()
    for unit_id, kind, n in (
        Notice.objects.filter(
            unit_id__in=ids, state=NoticeState.PUBLISHED, published_on__range=(start, end)
        )
        .values_list("unit_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        notices[(unit_id, kind)] = n
    return {
        pk: UnitSupervisionCounts(
            orders_issued=issued[pk],
            orders_overdue=overdue[pk],
            orders_closed_on_time=on_time[pk],
            criticism_notices=notices[(pk, NoticeKind.CRITICISM)],
            praise_notices=notices[(pk, NoticeKind.PRAISE)],
        )
        for pk in ids
    }
