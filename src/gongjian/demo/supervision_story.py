"""The demo's supervision as offices run it (issue 16), in the district's campaign 攻坚120天:
leader 林志强's instruction becomes an order led by 区发改局 with 松下镇 co-operating; 林志强
approves it (moving the deadline), both units sign, 松下镇 gives its part, 区发改局 answers; the
inspector the office named sends the first answer back, accepts the second, and revisits it ten
days after closing. A 参阅 instruction is filed. All through the services, on December's days.

A second matter, from the office's meeting of 8 December, goes late: 区发改局 leads, 松下镇
co-operates; both sign, 松下镇 gives its part after the deadline and 区发改局 has not answered by
the month's end. Each is late for its own share (the lead for the whole, 松下镇 for its part), so
December's assessment counts it once against each, and each unit's explanation names the order.

In the field (item 6): 区发改局 sets up a service team that follows two of 湖南镇's projects; on
8 December 林志强 holds an on-site office at one of them, and of the two problems found one
becomes a coordination request to 区发改局 and the other an order to 区发改局 (due in January, so
December's overdue figures stay as they were); 文武砂街道, also his, goes unvisited and shows as
overdue on his workbench.

The district turns on 领导审核 from 2 December: its automatic orders of 1 December (two red
projects) were issued before, so the month's overdue counts stay as they were. 区发改局 gains
one order closed on time and one overdue; 松下镇 one co-operating part given late.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gongjian.campaigns.models import Campaign
from gongjian.org.models import Person, Unit, User
from gongjian.projects.models import Project
from gongjian.supervision import orders as order_services
from gongjian.supervision import sources, visits
from gongjian.supervision.models import (
    InstructionKind,
    OrderSource,
    SupervisionOrder,
    SupervisionSettings,
)

DISTRICT_CAMPAIGN = "攻坚120天"
TOWN_CAMPAIGN = "百日攻坚"
LEAD, COOPERATING = "区发改局", "松下镇"
USERNAMES = ["changle_office", "leader_lin", "fagai_lead", "songxia_staff", "inspector"]
REVISIT_AFTER_DAYS = 10
LATE_TITLE = "滨海新城片区重点企业用电报装提速"
VISITED_TOWN = "湖南镇"
TEAM_NAME = "重点项目全程服务小组"
VISIT_SUBJECT = "湖南镇重点项目现场办公"


def set_up_settings() -> None:
    """The town runs without 领导审核; the district with it, and revisits ten days after 销号."""
    town = Campaign.objects.get(name=TOWN_CAMPAIGN)
    district = Campaign.objects.get(name=DISTRICT_CAMPAIGN, owner__name="长乐区")
    SupervisionSettings.objects.update_or_create(
        campaign=town, defaults={"approval_required": False, "revisit_after_days": None}
    )
    SupervisionSettings.objects.update_or_create(
        campaign=district,
        defaults={"approval_required": True, "revisit_after_days": REVISIT_AFTER_DAYS},
    )


def script(on_day: Any) -> dict[dt.date, list[Any]]:
    """What happens on which December day (`on_day(day, hour)` sets the services' clock)."""
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    office, leader = users["changle_office"], users["leader_lin"]
    lead_staff, coop_staff, inspector = (
        users["fagai_lead"],
        users["songxia_staff"],
        users["inspector"],
    )
    lead, coop = Unit.objects.get(name=LEAD), Unit.objects.get(name=COOPERATING)
    district = Campaign.objects.get(name=DISTRICT_CAMPAIGN, owner__name="长乐区")
    lin = Person.objects.get(name="林志强")
    state: dict[str, SupervisionOrder] = {}

    def at(day: dt.date, hour: int, fn: Any, key: str = "order", **kwargs: Any) -> None:
        with on_day(day, hour):
            order = SupervisionOrder.objects.get(pk=state[key].pk)
            state[key] = fn(order=order, **kwargs)

    def late_matter() -> None:
        with on_day(dt.date(2026, 12, 8), 10):
            state["late"] = order_services.issue_order(
                actor=office,
                unit=lead,
                title=LATE_TITLE,
                content="落实区攻坚办12月8日专题会议定事项：区发改局牵头协调供电公司，松下镇"
                "汇总片区重点企业用电报装需求，12月24日前完成报装并反馈。",
                required_evidence="用电报装受理回执、企业需求清单",
                deadline=dt.date(2026, 12, 24),
                source=OrderSource.MEETING,
                source_ref="长攻坚办专题会议纪要〔2026〕9号",
                campaign=district,
                cooperators=[coop],
            )
        at(dt.date(2026, 12, 8), 16, order_services.approve, key="late", actor=leader)
        at(dt.date(2026, 12, 9), 9, order_services.acknowledge, key="late", actor=lead_staff)
        at(dt.date(2026, 12, 9), 10, order_services.co_acknowledge, key="late", actor=coop_staff)
        at(dt.date(2026, 12, 11), 9, order_services.start, key="late", actor=lead_staff)

    def late_part() -> None:
        at(
            dt.date(2026, 12, 28),
            11,
            order_services.give_part,
            key="late",
            actor=coop_staff,
            text="片区重点企业用电报装需求已汇总（9家），因企业资料补正，逾期提交。",
        )

    def register_and_draft() -> None:
        with on_day(dt.date(2026, 12, 3), 10):
            sources.record_instruction(
                actor=office,
                leader=lin,
                text="滨海片区招商项目情况已阅，供各单位参阅。",
                given_on=dt.date(2026, 12, 2),
                kind=InstructionKind.REFERENCE,
                document_ref="长政阅〔2026〕31号",
            )
            instruction = sources.record_instruction(
                actor=office,
                leader=lin,
                text="请区发改局牵头、松下镇配合，12月20日前完成滨海新城片区重点项目用能指标"
                "协调，扫清开工障碍。",
                given_on=dt.date(2026, 12, 2),
                kind=InstructionKind.DIRECTIVE,
                document_ref="长政批〔2026〕58号",
            )
            state["order"] = order_services.issue_order(
                actor=office,
                unit=lead,
                title="滨海新城片区重点项目用能指标协调",
                content="落实林志强副区长批示：区发改局牵头协调用能指标，松下镇做好企业用能"
                "需求摸底和现场配合，12月20日前反馈办理结果。",
                required_evidence="用能指标批复文件、企业需求清单",
                deadline=dt.date(2026, 12, 20),
                source=OrderSource.LEADER_INSTRUCTION,
                instruction=instruction,
                campaign=district,
                cooperators=[coop],
            )

    def set_up_team() -> None:
        with on_day(dt.date(2026, 12, 3), 11):
            followed = list(Project.objects.filter(unit__name=VISITED_TOWN).order_by("code")[:2])
            head = Person.objects.get(name="张秀英")
            visits.create_team(
                actor=office,
                name=TEAM_NAME,
                unit=lead,
                head=head,
                members=[head],
                projects=followed,
                enterprises="福州机场二期扩建工程指挥部\n长乐滨海新城建设投资有限公司",
            )

    def site_visit() -> None:
        project = Project.objects.filter(unit__name=VISITED_TOWN).order_by("code").first()
        if project is None:
            return
        with on_day(dt.date(2026, 12, 8), 15):
            visit = visits.record_visit(
                actor=leader,
                kind="on_site",
                visited_on=dt.date(2026, 12, 8),
                subject=VISIT_SUBJECT,
                leader=lin,
                projects=[project],
                units=[Unit.objects.get(name=VISITED_TOWN)],
                items=[
                    visits.ItemIn("项目临时用电尚未接入，影响主体施工，需协调供电部门。"),
                    visits.ItemIn("项目立项变更手续在区发改局滞留，影响后续报建。"),
                ],
                decisions="区发改局牵头对接供电部门，一周内解决临时用电；立项变更手续限期办结。",
            )
            power, papers = list(visit.items.order_by("pk"))
            visits.item_to_coordination(
                actor=leader,
                item_id=power.pk,
                category="utilities",
                handling_unit=lead,
                deadline=dt.date(2026, 12, 15),
            )
            visits.item_to_order(
                actor=leader,
                item_id=papers.pk,
                unit=lead,
                title="立项变更手续限期办结",
                deadline=dt.date(2027, 1, 8),
            )

    def signed_by_both() -> None:
        at(dt.date(2026, 12, 4), 14, order_services.acknowledge, actor=lead_staff)
        at(dt.date(2026, 12, 4), 15, order_services.co_acknowledge, actor=coop_staff)

    return {
        dt.date(2026, 12, 3): [register_and_draft, set_up_team],
        dt.date(2026, 12, 4): [
            lambda: at(
                dt.date(2026, 12, 4),
                9,
                order_services.approve,
                actor=leader,
                note="同意下发。企业需求摸底需要时间，时限延至12月22日。",
                deadline=dt.date(2026, 12, 22),
            ),
            signed_by_both,
        ],
        dt.date(2026, 12, 7): [
            lambda: at(dt.date(2026, 12, 7), 9, order_services.start, actor=lead_staff)
        ],
        dt.date(2026, 12, 8): [late_matter, site_visit],
        dt.date(2026, 12, 10): [
            lambda: at(
                dt.date(2026, 12, 10),
                16,
                order_services.give_part,
                actor=coop_staff,
                text="已完成片区12家企业用能需求摸底，需求清单已报区发改局。",
            )
        ],
        dt.date(2026, 12, 14): [
            lambda: at(
                dt.date(2026, 12, 14),
                16,
                order_services.feedback,
                actor=lead_staff,
                text="已向市发改委报送用能指标申请。",
            )
        ],
        dt.date(2026, 12, 15): [
            lambda: at(
                dt.date(2026, 12, 15),
                9,
                order_services.assign_reviewer,
                actor=office,
                reviewer=inspector,
            ),
            lambda: at(
                dt.date(2026, 12, 15),
                15,
                order_services.send_back,
                actor=inspector,
                reason="仅报送申请，指标尚未批复落实，缺少批复文件，请继续办理。",
            ),
        ],
        dt.date(2026, 12, 17): [
            lambda: at(
                dt.date(2026, 12, 17),
                16,
                order_services.feedback,
                actor=lead_staff,
                text="市发改委已批复片区用能指标，批复文件及企业需求清单已上传。",
            )
        ],
        dt.date(2026, 12, 18): [
            lambda: at(
                dt.date(2026, 12, 18),
                10,
                order_services.close,
                actor=inspector,
                note="复核通过：指标已批复，佐证齐全，同意销号。",
            )
        ],
        dt.date(2026, 12, 28): [
            late_part,
            lambda: at(
                dt.date(2026, 12, 28),
                10,
                order_services.revisit,
                actor=inspector,
                held=True,
                note="回访：片区3个项目已按批复指标接电开工，成效巩固。",
            ),
        ],
    }
