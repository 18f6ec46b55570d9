"""Where a matter comes from: the source every order names, and the register of leaders'
instructions with what became of each."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.core.errors import NotFound, PermissionDenied, ValidationFailed
from gongjian.supervision import orders, sources
from gongjian.supervision.models import (
    InstructionKind,
    LeaderInstruction,
    OrderSource,
    SupervisionOrder,
)
from tests.factories import PersonFactory, UserFactory
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_order


def _instruction(org, kind=InstructionKind.DIRECTIVE, actor=None):
    return sources.record_instruction(
        actor=actor or org.office,
        leader=org.leader.person,
        text="请区发改局牵头，月底前解决湖南镇安置房用电问题。",
        given_on=TODAY - dt.timedelta(days=1),
        kind=kind,
        document_ref="长政批〔2026〕12号",
    )


def _issue(org, **extra):
    return orders.issue_order(
        actor=org.office,
        unit=org.hunan,
        title="安置房用电",
        content="协调供电公司接入临时用电。",
        deadline=TODAY + dt.timedelta(days=10),
        **extra,
    )


def test_an_order_from_a_leaders_instruction_names_it_and_the_register_shows_the_order(org):
    # given a 批办性 instruction registered by the office
    instruction = _instruction(org)
    assert sources.outcome(sources.instruction_for(org.office, instruction.pk)).status == "待交办"
    # when the office issues an order from it
    order = _issue(org, source=OrderSource.LEADER_INSTRUCTION, instruction=instruction)
    # then the order names its source and the register shows what became of the instruction
    assert (order.source, order.instruction_id) == ("leader_instruction", instruction.pk)
    outcome = sources.outcome(sources.instruction_for(org.office, instruction.pk))
    assert (outcome.status, [o.pk for o in outcome.orders]) == ("督办中", [order.pk])
    # and the leader who gave it sees it in his register too
    assert [i.pk for i in sources.instructions_for(org.leader)] == [instruction.pk]


def test_a_reference_instruction_is_filed_and_never_becomes_an_order(org):
    instruction = _instruction(org, kind=InstructionKind.REFERENCE)
    with pytest.raises(ValidationFailed, match="参阅性批示只存档备查，不交办督办单。") as err:
        _issue(org, source=OrderSource.LEADER_INSTRUCTION, instruction=instruction)
    assert err.value.details == {"field": "instruction"}
    assert SupervisionOrder.objects.count() == 0
    assert sources.outcome(sources.instruction_for(org.office, instruction.pk)).status == "存档备查"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (OrderSource.UPPER, "上级交办须填写上级交办文件的文号。"),
        (OrderSource.PUBLIC, "群众反映须填写工单编号（如12345热线工单号）。"),
        (OrderSource.MEETING, "会议议定事项须填写会议纪要编号或会议名称。"),
        (OrderSource.LEADER_INSTRUCTION, "来源为领导批示时须选择登记的批示件。"),
        (OrderSource.RED_PROJECT, "“红灯项目自动督办”由系统自动生成，不能手工选择。"),
        (OrderSource.HAZARD, "“隐患逾期未整改”由系统自动生成，不能手工选择。"),
        ("rumour", "未知的督办来源：rumour"),
    ],
)
def test_a_source_without_what_it_must_cite_is_refused_and_nothing_is_issued(org, source, message):
    with pytest.raises(ValidationFailed) as err:
        _issue(org, source=source)
    assert err.value.message == message
    assert SupervisionOrder.objects.count() == 0


@pytest.mark.parametrize(
    ("source", "ref"),
    [
        (OrderSource.UPPER, "榕政督〔2026〕8号"),
        (OrderSource.PUBLIC, "12345-20261130-0071"),
        (OrderSource.MEETING, "区攻坚专题会纪要第9期"),
        (OrderSource.INSPECTION, ""),
        (OrderSource.MANUAL, ""),
    ],
)
def test_each_source_is_kept_with_its_number(org, source, ref):
    order = _issue(org, source=source, source_ref=f"  {ref}  ")
    order.refresh_from_db()
    assert (order.source, order.source_ref) == (source, ref)


def test_only_a_leaders_instruction_source_links_an_instruction(org):
    instruction = _instruction(org)
    with pytest.raises(ValidationFailed, match="只有来源为“领导批示”的督办单可以关联批示件"):
        _issue(org, source=OrderSource.UPPER, source_ref="x", instruction=instruction)
    assert SupervisionOrder.objects.count() == 0


def test_an_instruction_registered_elsewhere_cannot_be_cited(org):
    songxia_leader = PersonFactory(name="松下镇书记", unit=org.songxia, is_leader=True)
    songxia_office = UserFactory(username="sx", unit=org.songxia, roles=["office_admin"])
    instruction = sources.record_instruction(
        actor=songxia_office,
        leader=songxia_leader,
        text="抓紧推进",
        given_on=TODAY,
        kind=InstructionKind.DIRECTIVE,
    )
    # 湖南镇's staff may not see 松下镇's register, and so cannot cite it
    with pytest.raises(NotFound):
        sources.instruction_for(org.hunan_staff, instruction.pk)
    assert list(sources.instructions_for(org.hunan_staff)) == []


def test_registering_an_instruction_checks_who_what_and_when(org):
    with pytest.raises(PermissionDenied):
        _instruction(org, actor=org.hunan_staff)
    plain = PersonFactory(name="张科员", unit=org.fagai, is_leader=False)
    with pytest.raises(ValidationFailed, match="“张科员”不是领导干部"):
        sources.record_instruction(
            actor=org.office, leader=plain, text="t", given_on=TODAY, kind="directive"
        )
    with pytest.raises(ValidationFailed, match="批示日期不能晚于今天"):
        sources.record_instruction(
            actor=org.office,
            leader=org.leader.person,
            text="t",
            given_on=TODAY + dt.timedelta(days=1),
            kind="directive",
        )
    with pytest.raises(ValidationFailed, match="未知的批示类别"):
        sources.record_instruction(
            actor=org.office, leader=org.leader.person, text="t", given_on=TODAY, kind="x"
        )
    with pytest.raises(ValidationFailed, match="批示内容不能为空"):
        sources.record_instruction(
            actor=org.office, leader=org.leader.person, text="  ", given_on=TODAY, kind="guidance"
        )
    assert LeaderInstruction.objects.count() == 0


def test_an_instruction_is_done_when_every_order_it_became_is_closed(org):
    instruction = _instruction(org)
    order = _issue(org, source=OrderSource.LEADER_INSTRUCTION, instruction=instruction)
    staff = org.hunan_staff
    order = orders.acknowledge(actor=staff, order=order)
    order = orders.start(actor=staff, order=order)
    order = orders.feedback(actor=staff, order=order, text="已接入")
    orders.close(actor=org.office, order=order)
    assert sources.outcome(sources.instruction_for(org.office, instruction.pk)).status == "已办结"


def test_the_default_order_source_is_the_offices_own(org):
    assert make_order(org).source == OrderSource.MANUAL
