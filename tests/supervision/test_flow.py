"""The state table on its own: no database."""

import pytest

from gongjian.org.scope import Action
from gongjian.supervision.flow import (
    DRAFT_STATES,
    OPEN_STATES,
    RULES,
    Level,
    Side,
    State,
    Step,
    escalated_level,
    steps_from,
)


def test_the_main_path_runs_issued_to_closed_through_feedback():
    path = [Step.ACKNOWLEDGE, Step.START, Step.FEEDBACK, Step.CLOSE]
    state = State.ISSUED
    for step in path:
        assert state in RULES[step].sources
        state = RULES[step].target
    assert state is State.CLOSED


def test_send_back_returns_feedback_to_in_progress():
    rule = RULES[Step.SEND_BACK]
    assert rule.sources == frozenset({State.FEEDBACK})
    assert rule.target is State.IN_PROGRESS


def test_unit_steps_need_handle_order_and_review_steps_need_review_order():
    for step in (Step.ACKNOWLEDGE, Step.START, Step.FEEDBACK, Step.REQUEST_EXTENSION):
        assert (RULES[step].action, RULES[step].side) == (Action.HANDLE_ORDER, Side.UNIT)
    for step in (Step.CLOSE, Step.SEND_BACK, Step.DECIDE_EXTENSION, Step.REMIND):
        assert (RULES[step].action, RULES[step].side) == (Action.REVIEW_ORDER, Side.REVIEWER)


def test_a_closed_order_allows_only_its_revisit():
    assert steps_from(State.CLOSED) == [Step.REVISIT]


def test_a_draft_is_approved_or_returned_by_a_leader_and_resubmitted_by_the_office():
    assert steps_from(State.PENDING_APPROVAL) == [Step.APPROVE, Step.RETURN_DRAFT]
    assert RULES[Step.APPROVE].target is State.ISSUED
    assert RULES[Step.RETURN_DRAFT].target is State.RETURNED
    assert (RULES[Step.APPROVE].side, RULES[Step.RETURN_DRAFT].side) == (Side.LEADER, Side.LEADER)
    assert steps_from(State.RETURNED) == [Step.RESUBMIT]
    assert RULES[Step.RESUBMIT].target is State.PENDING_APPROVAL
    assert not DRAFT_STATES & OPEN_STATES


def test_co_operating_units_sign_and_give_their_part_while_the_order_is_open():
    for step in (Step.CO_ACKNOWLEDGE, Step.CO_PART):
        rule = RULES[step]
        assert (rule.sources, rule.target, rule.side) == (OPEN_STATES, None, Side.COOPERATOR)


def test_reminders_and_extensions_only_while_the_unit_owes_work():
    for step in (Step.REQUEST_EXTENSION, Step.DECIDE_EXTENSION, Step.REMIND):
        assert RULES[step].sources == OPEN_STATES
    assert State.FEEDBACK not in OPEN_STATES


@pytest.mark.parametrize(
    ("current", "late", "expected"),
    [
        (Level.BLUE, 0, Level.BLUE),
        (Level.BLUE, 1, Level.ORANGE),
        (Level.BLUE, 5, Level.ORANGE),
        (Level.BLUE, 6, Level.RED),
        (Level.ORANGE, 0, Level.ORANGE),
        (Level.RED, 1, Level.RED),
    ],
)
def test_colour_escalates_by_working_days_late_and_never_drops(current, late, expected):
    assert escalated_level(current, late) is expected
