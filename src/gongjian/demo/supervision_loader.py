"""The supervision part of the demo (seed 003's 督查督办到位): December 2026 replayed day by day.

It finds Hunan Town's lagging projects by asking the warning engine (red or yellow on the demo
date), and refuses to run without them rather than invent any. On them the district office and
leader 林志强 issue orders that end up overdue, sent back, closed and extended; the inspection team
finds a safety hazard that is not rectified in time (and becomes an order) and draws a random
check; the office publishes a criticism of the town for the overdue order. `gongjian tick` runs
every day of the month, so overdue marks, reminders and automatic orders for red projects are the
real ones. Everything goes through the services, as a person would. The district's story of a
leader's instruction (approval, lead and co-operating units, review, revisit) is
`demo.supervision_story`, replayed on the same days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.test.utils import override_settings

from gongjian.demo import supervision_story
from gongjian.org.models import Unit, User
from gongjian.projects.models import Project
from gongjian.projects.warning_feed import warnings_for
from gongjian.projects.warnings import Colour
from gongjian.supervision import inspections, notices, tick
from gongjian.supervision import orders as order_services
from gongjian.supervision.models import SupervisionOrder

TOWN = "湖南镇"
MONTH_START = dt.date(2026, 12, 1)
DEMO_DAY = dt.date(2026, 12, 31)


class DemoDataMissing(RuntimeError):
    pass


@contextmanager
def on_day(day: dt.date, hour: int = 9) -> Iterator[None]:
    """Run services as if it were `day` (the demo replays December; the app clock is the only way
    services learn the date)."""
    moment = dt.datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with (
        override_settings(GONGJIAN_TODAY=day.isoformat()),
        mock.patch("gongjian.core.clock.now", return_value=moment),
    ):
        yield


def lagging_projects(town: Unit, on: dt.date) -> list[Project]:
    """The town's projects that are red or yellow on `on`, red first."""
    projects = list(Project.objects.filter(unit=town).order_by("code"))
    warnings = warnings_for(projects, on)
    lagging = [p for p in projects if warnings[p.pk].colour != Colour.GREEN]
    return sorted(lagging, key=lambda p: -warnings[p.pk].colour.severity)


def load_supervision() -> dict[str, Any]:
    town = Unit.objects.filter(name=TOWN).first()
    if town is None:
        raise DemoDataMissing(f"演示数据缺少单位“{TOWN}”：请先载入组织机构。")
    lagging = lagging_projects(town, DEMO_DAY)
    if len(lagging) < 4:
        raise DemoDataMissing(
            f"{TOWN}在 {DEMO_DAY} 只有 {len(lagging)} 个红灯或黄灯项目，督办演示需要至少 4 个："
            "请先载入项目台账（攻坚行动与项目台账一步）。"
        )
    users = {u.username: u for u in User.objects.filter(username__in=_USERNAMES)}
    missing = sorted(set(_USERNAMES) - set(users))
    if missing:
        raise DemoDataMissing(f"演示数据缺少用户：{'、'.join(missing)}")
    return _replay(town, lagging, users)


_USERNAMES = sorted(
    {"changle_office", "hunan_staff", "leader_lin", "inspector", *supervision_story.USERNAMES}
)


def _replay(town: Unit, lagging: list[Project], users: dict[str, User]) -> dict[str, Any]:
    office, staff = users["changle_office"], users["hunan_staff"]
    leader, inspector = users["leader_lin"], users["inspector"]
    p_overdue, p_back, p_closed, p_extended = lagging[:4]
    d = MONTH_START
    orders: dict[str, SupervisionOrder] = {}
    day = dt.timedelta(days=1)

    with on_day(d):
        orders["overdue"] = order_services.issue_order(
            actor=office,
            unit=town,
            project=p_overdue,
            title=f"{p_overdue.name}进度严重滞后",
            content="对照百日攻坚节点计划，倒排工期，12月15日前完成征迁交地扫尾并恢复施工。",
            required_evidence="交地确认书、复工现场照片",
            deadline=dt.date(2026, 12, 15),
        )
        orders["back"] = order_services.issue_order(
            actor=leader,
            unit=town,
            project=p_back,
            title=f"{p_back.name}杆线迁改协调",
            content="协调供电、通信部门完成施工范围内杆线迁改，扫清施工障碍。",
            required_evidence="杆线迁改完成确认单、现场照片",
            deadline=dt.date(2027, 1, 10),
        )
        orders["closed"] = order_services.issue_order(
            actor=office,
            unit=town,
            project=p_closed,
            title=f"{p_closed.name}施工用水用电保障",
            content="协调解决施工场地供水、用电等要素保障问题。",
            required_evidence="临时用水用电接通证明",
            deadline=dt.date(2026, 12, 20),
        )
        for o in orders.values():
            order_services.acknowledge(actor=staff, order=o, note="已签收，明确专人负责。")
        tick.tick(deliver=False)

    def step(when: dt.date, fn: Any, key: str, **kwargs: Any) -> None:
        with on_day(when, 15):
            order = SupervisionOrder.objects.get(pk=orders[key].pk)
            orders[key] = fn(order=order, **kwargs)

    script: dict[dt.date, list[Any]] = {
        dt.date(2026, 12, 2): [
            lambda: step(dt.date(2026, 12, 2), order_services.start, "overdue", actor=staff),
            lambda: step(dt.date(2026, 12, 2), order_services.start, "back", actor=staff),
            lambda: step(dt.date(2026, 12, 2), order_services.start, "closed", actor=staff),
        ],
        dt.date(2026, 12, 10): [lambda: _extended_order(orders, office, town, p_extended)],
        dt.date(2026, 12, 12): [lambda: _inspections(inspector, town, p_overdue)],
        dt.date(2026, 12, 18): [
            lambda: step(
                dt.date(2026, 12, 18),
                order_services.feedback,
                "closed",
                actor=staff,
                text="已协调供电所接入临时用电，自来水公司完成临时供水管线接驳。",
            )
        ],
        dt.date(2026, 12, 19): [
            lambda: step(
                dt.date(2026, 12, 19),
                order_services.close,
                "closed",
                actor=office,
                note="佐证齐全，同意销号。",
            )
        ],
        dt.date(2026, 12, 20): [
            lambda: step(
                dt.date(2026, 12, 20),
                order_services.feedback,
                "back",
                actor=staff,
                text="已与供电公司对接，杆线迁改方案已确定。",
            )
        ],
        dt.date(2026, 12, 22): [
            lambda: step(
                dt.date(2026, 12, 22),
                order_services.send_back,
                "back",
                actor=office,
                reason="仅确定方案，杆线尚未迁改完成，缺少完成确认单，请继续办理。",
            )
        ],
        dt.date(2026, 12, 24): [
            lambda: _request_extension(orders, staff),
        ],
        dt.date(2026, 12, 26): [
            lambda: step(
                dt.date(2026, 12, 26),
                order_services.decide_extension,
                "extended",
                actor=office,
                approve=True,
                note="理由充分，同意延期至1月20日。",
            )
        ],
        dt.date(2026, 12, 28): [lambda: _criticism(orders, office, town, p_overdue)],
    }
    story = supervision_story.script(on_day)
    d = MONTH_START + day
    while d <= DEMO_DAY:
        if d == dt.date(2026, 12, 2):
            supervision_story.set_up_settings()  # the district's 领导审核 from 2 December
        for action in [*script.get(d, []), *story.get(d, [])]:
            action()
        with on_day(d, 18):  # the timer runs in the evening, after the day's work
            tick.tick(deliver=False)
        d += day
    return {
        "orders": SupervisionOrder.objects.count(),
        "town_orders": SupervisionOrder.objects.filter(unit=town).count(),
    }


def _extended_order(
    orders: dict[str, SupervisionOrder], office: User, town: Unit, project: Project
) -> None:
    with on_day(dt.date(2026, 12, 10), 10):
        o = order_services.issue_order(
            actor=office,
            unit=town,
            project=project,
            title=f"{project.name}节点滞后",
            content="主体工程节点滞后于计划，请制定赶超措施，12月31日前完成节点。",
            required_evidence="节点完成照片、监理确认",
            deadline=dt.date(2026, 12, 31),
        )
    users = {u.username: u for u in User.objects.filter(username="hunan_staff")}
    with on_day(dt.date(2026, 12, 11), 9):
        o = order_services.acknowledge(actor=users["hunan_staff"], order=o)
        orders["extended"] = order_services.start(actor=users["hunan_staff"], order=o)


def _request_extension(orders: dict[str, SupervisionOrder], staff: User) -> None:
    with on_day(dt.date(2026, 12, 24), 11):
        order = SupervisionOrder.objects.get(pk=orders["extended"].pk)
        order_services.request_extension(
            actor=staff,
            order=order,
            reason="连续阴雨天气影响混凝土浇筑，申请延期至1月20日。",
            new_deadline=dt.date(2027, 1, 20),
        )


def _inspections(inspector: User, town: Unit, project: Project) -> None:
    with on_day(dt.date(2026, 12, 12), 10):
        inspections.record_inspection(
            actor=inspector,
            kind="scheduled",
            project=project,
            team="长乐区百日攻坚督查组",
            inspected_on=dt.date(2026, 12, 12),
            findings="现场施工人员不足，征迁扫尾进度慢；安全文明施工措施落实不到位。",
            hazards=[
                inspections.HazardIn(
                    "基坑临边未设防护栏杆，夜间无警示灯（管项目必须管安全）",
                    dt.date(2026, 12, 18),
                )
            ],
        )
        draw = inspections.draw_random_check(
            actor=inspector,
            scope_unit=town,
            count=2,
            seed="2026-12-湖南镇不定期抽查",
        )
        picked = Project.objects.get(pk=draw.picked_ids[0])
        inspections.record_inspection(
            actor=inspector,
            kind="random",
            project=picked,
            team="长乐区百日攻坚督查组",
            inspected_on=dt.date(2026, 12, 12),
            findings="抽查台账与现场基本一致，形象进度按报送情况核实。",
            draw=draw,
        )


def _criticism(
    orders: dict[str, SupervisionOrder], office: User, town: Unit, project: Project
) -> None:
    with on_day(dt.date(2026, 12, 28), 16):
        order = SupervisionOrder.objects.get(pk=orders["overdue"].pk)
        notices.create_notice(
            actor=office,
            kind="criticism",
            unit=town,
            title="关于湖南镇百日攻坚督办事项逾期未办结的通报",
            reason=(
                f"督办单 {order.code}（{order.title}）办结时限为 {order.deadline:%Y年%m月%d日}，"
                "经多次催办仍未办结反馈，工作不力，予以通报批评。"
            ),
            orders=[order],
            projects=[project],
            publish=True,
            doc_number="长攻坚办〔2026〕15号",
        )
