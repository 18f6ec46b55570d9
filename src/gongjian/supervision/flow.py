"""The supervision order's state machine as plain data: states, steps, who may take each step.

No database here, so the whole table can be checked on its own. A step names the states it may
start from, the state it leads to, the scope action it needs (`org.scope.Action`) and which side of
the order the actor must stand on: the responsible unit itself (签收、办理、反馈、延期申请) or the
reviewing office above it (销号、退回、延期审批、催办). Services look a step up here and refuse
anything the table does not allow.

Where a campaign asks for it (`SupervisionSettings.approval_required`), an order starts as a
draft: 待领导审核 → (审核同意) 交办, or → (审核退回) 审核退回修改 → (重新提交) 待领导审核.
An order may name co-operating units (协办): while it is open each signs (协办签收) and gives its
part (提交协办意见) to the lead unit, whose 反馈 needs every part in or explained.
复核 of a 反馈 (审核销号 or 退回) is the office's, or that of the inspector it names (指定复核人);
after 销号 a 回访 records whether the result held, and reopens it as a new linked order if not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongjian.org.scope import Action


class State(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    RETURNED = "returned"
    ISSUED = "issued"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    FEEDBACK = "feedback"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    State.PENDING_APPROVAL: _("待领导审核"),
    State.RETURNED: _("审核退回修改"),
    State.ISSUED: _("交办"),
    State.ACKNOWLEDGED: _("签收"),
    State.IN_PROGRESS: _("办理中"),
    State.FEEDBACK: _("已反馈待审核"),
    State.CLOSED: _("销号"),
}

# The states in which the unit still owes work: the deadline runs and reminders go out.
OPEN_STATES = frozenset({State.ISSUED, State.ACKNOWLEDGED, State.IN_PROGRESS})
# Drafts not yet issued (领导审核 before 下发): the unit neither sees them nor owes anything.
DRAFT_STATES = frozenset({State.PENDING_APPROVAL, State.RETURNED})


def is_overdue(state: State | str, deadline: dt.date, today: dt.date) -> bool:
    """An order is overdue while the unit still owes work and its deadline is behind it (the
    same rule in SQL is `selectors.overdue_q`)."""
    return State(state) in OPEN_STATES and deadline < today


class Side(StrEnum):
    UNIT = "unit"  # a member of the responsible unit (its own subtree)
    REVIEWER = "reviewer"  # someone above the responsible unit, never the unit itself
    LEADER = "leader"  # a leader (分管领导) over the unit, never of the unit itself
    COOPERATOR = "cooperator"  # a member of one of the order's co-operating units (协办单位)


class Step(StrEnum):
    APPROVE = "approve"
    RETURN_DRAFT = "return_draft"
    RESUBMIT = "resubmit"
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    FEEDBACK = "feedback"
    CLOSE = "close"
    SEND_BACK = "send_back"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    REMIND = "remind"
    CO_ACKNOWLEDGE = "co_acknowledge"
    CO_PART = "co_part"
    ASSIGN_REVIEWER = "assign_reviewer"
    REVISIT = "revisit"


@dataclass(frozen=True)
class Rule:
    step: Step
    label: object
    sources: frozenset[State]
    target: State | None  # None: the step does not move the order (extension, reminder)
    action: Action
    side: Side


RULES: dict[Step, Rule] = {
    r.step: r
    for r in [
        Rule(
            Step.APPROVE,
            _("审核同意下发"),
            frozenset({State.PENDING_APPROVAL}),
            State.ISSUED,
            Action.ISSUE_ORDER,
            Side.LEADER,
        ),
        Rule(
            Step.RETURN_DRAFT,
            _("审核退回"),
            frozenset({State.PENDING_APPROVAL}),
            State.RETURNED,
            Action.ISSUE_ORDER,
            Side.LEADER,
        ),
        Rule(
            Step.RESUBMIT,
            _("修改后重新提交审核"),
            frozenset({State.RETURNED}),
            State.PENDING_APPROVAL,
            Action.ISSUE_ORDER,
            Side.REVIEWER,
        ),
        Rule(
            Step.ACKNOWLEDGE,
            _("签收"),
            frozenset({State.ISSUED}),
            State.ACKNOWLEDGED,
            Action.HANDLE_ORDER,
            Side.UNIT,
        ),
        Rule(
            Step.START,
            _("开始办理"),
            frozenset({State.ACKNOWLEDGED}),
            State.IN_PROGRESS,
            Action.HANDLE_ORDER,
            Side.UNIT,
        ),
        Rule(
            Step.FEEDBACK,
            _("反馈办理情况"),
            frozenset({State.IN_PROGRESS}),
            State.FEEDBACK,
            Action.HANDLE_ORDER,
            Side.UNIT,
        ),
        Rule(
            Step.CLOSE,
            _("审核销号"),
            frozenset({State.FEEDBACK}),
            State.CLOSED,
            Action.REVIEW_ORDER,
            Side.REVIEWER,
        ),
        Rule(
            Step.SEND_BACK,
            _("退回重办"),
            frozenset({State.FEEDBACK}),
            State.IN_PROGRESS,
            Action.REVIEW_ORDER,
            Side.REVIEWER,
        ),
        Rule(
            Step.REQUEST_EXTENSION,
            _("申请延期"),
            OPEN_STATES,
            None,
            Action.HANDLE_ORDER,
            Side.UNIT,
        ),
        Rule(
            Step.DECIDE_EXTENSION,
            _("审批延期"),
            OPEN_STATES,
            None,
            Action.REVIEW_ORDER,
            Side.REVIEWER,
        ),
        Rule(
            Step.REMIND,
            _("催办"),
            OPEN_STATES,
            None,
            Action.REVIEW_ORDER,
            Side.REVIEWER,
        ),
        Rule(
            Step.ASSIGN_REVIEWER,
            _("指定复核人"),
            OPEN_STATES | {State.FEEDBACK},
            None,
            Action.REVIEW_ORDER,
            Side.REVIEWER,
        ),
        Rule(
            Step.REVISIT,
            _("回访"),
            frozenset({State.CLOSED}),
            None,
            Action.REVIEW_ORDER,
            Side.REVIEWER,
        ),
        Rule(
            Step.CO_ACKNOWLEDGE,
            _("协办签收"),
            OPEN_STATES,
            None,
            Action.HANDLE_ORDER,
            Side.COOPERATOR,
        ),
        Rule(
            Step.CO_PART,
            _("提交协办意见"),
            OPEN_STATES,
            None,
            Action.HANDLE_ORDER,
            Side.COOPERATOR,
        ),
    ]
}


def rule(step: Step | str) -> Rule:
    return RULES[Step(step)]


def steps_from(state: State | str) -> list[Step]:
    """The steps the table allows from a state (whoever takes them)."""
    return [r.step for r in RULES.values() if State(state) in r.sources]


class Level(StrEnum):
    """Sanming's 三色督查单: blue (reminder) → orange (warning) → red, by how late the order is."""

    BLUE = "blue"
    ORANGE = "orange"
    RED = "red"

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])

    @property
    def severity(self) -> int:
        return {"blue": 0, "orange": 1, "red": 2}[self.value]


LEVEL_LABELS = {
    Level.BLUE: _("蓝色督查单"),
    Level.ORANGE: _("橙色督查单"),
    Level.RED: _("红色督查单"),
}

# Past the deadline a blue order turns orange; more than this many working days late, red.
RED_AFTER_WORKING_DAYS = 5


def escalated_level(current: Level | str, working_days_late: int) -> Level:
    """The level an order should have when it is `working_days_late` past its deadline.

    Escalation only climbs: an order issued red stays red, and one never drops back.
    """
    level = Level(current)
    if working_days_late > RED_AFTER_WORKING_DAYS:
        wanted = Level.RED
    elif working_days_late > 0:
        wanted = Level.ORANGE
    else:
        wanted = Level.BLUE
    return wanted if wanted.severity > level.severity else level


class Light(StrEnum):
    """Xi'an's lights on an open order: green, yellow from N working days before the deadline,
    red when late (beside the Sanming colour, which only says how late)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return str(LIGHT_LABELS[self])


LIGHT_LABELS = {Light.GREEN: _("绿灯"), Light.YELLOW: _("黄灯"), Light.RED: _("红灯")}
DEFAULT_YELLOW_WORKING_DAYS = 3


def light(
    state: State | str, deadline: dt.date, today: dt.date, working_days_left: int, yellow_days: int
) -> Light | None:
    """The light of an order (None once the unit owes nothing): red past the deadline, yellow when
    `working_days_left` (working days after today up to the deadline) is at most `yellow_days`."""
    if State(state) not in OPEN_STATES:
        return None
    if deadline < today:
        return Light.RED
    if working_days_left <= yellow_days:
        return Light.YELLOW
    return Light.GREEN
