"""Synthetic province-scale world for the benchmarks, written into a throwaway database.

`generate(scale)` makes a province of 10 cities, 100 counties and 2,000 towns (and six provincial
departments leading the campaign's six lines), one campaign, 100k × scale projects with 8
milestones and 12 monthly reports each (2026), by raw bulk inserts (COPY on PostgreSQL). On top,
what the pages read (`_page_world`): a province, a city and a county office, a town staffer and
a lead-unit staffer (`USERS`, password `PASSWORD`), two supervision orders per town in every
state (to sign, to answer, overdue, waiting for review, closed; some extensions asked for),
unread messages, and an assessment of the counties with a published November and a draft
December round. The numbers are random but seeded, so two runs make the same world. Never
point it at real data.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

PROJECTS = 100_000
MILESTONES = 8
REPORTS = 12
CITIES, COUNTIES, TOWNS = 10, 100, 20  # 10 cities of 10 counties of 20 towns
COUNTIES_PER_CITY = COUNTIES // CITIES
ON = dt.date(2026, 12, 31)  # the day the world is read on (the benchmarks' ON)
MONTH_ENDS = [
    dt.date(2026, m + 1, 1) - dt.timedelta(days=1) if m < 12 else dt.date(2026, 12, 31)
    for m in range(1, 13)
]
MILESTONE_NAMES = [
    "立项",
    "用地审批",
    "规划许可",
    "施工许可",
    "开工",
    "主体完工",
    "竣工验收",
    "投产",
]
# (lead department, line): the campaign's lines, each led by a provincial department.
LINES = [
    ("省发展改革委", "重大项目建设提速攻坚"),
    ("省商务厅", "重大招商项目落地攻坚"),
    ("省自然资源厅", "征迁交地攻坚"),
    ("省工业和信息化厅", "竣工投产攻坚"),
    ("省财政厅", "资金运作攻坚"),
    ("省住房城乡建设厅", "城乡品质再提升攻坚"),
]
# The page world's accounts, by what they stand for.
USERS = {
    "province": "bench_province",  # the province's campaign office
    "city": "bench_city",  # the office of the city above the staffer's county
    "county": "bench_county",  # the office of the staffer's county
    "town": "bench_town",  # a staffer of the town of project 1
    "lead": "bench_lead",  # a staffer of the first line's lead department
}
PASSWORD = "Bench-2026-pages"  # noqa: S105 - throwaway benchmark accounts
ORDERS_PER_TOWN = 2
# (messages, of them unread) per account.
MESSAGES = {"town": (30, 25), "county": (20, 15), "city": (20, 15), "province": (40, 30)}


def _insert(model: Any, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """Raw rows into `model`'s table; the columns the generator does not name get what the ORM
    would give them (`_defaults`), so a new column with a default never breaks the benchmarks."""
    table = model._meta.db_table
    extra, values = _defaults(model, columns)
    if extra:
        columns = [*columns, *extra]
        tail = tuple(values)
        rows = (row + tail for row in rows)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _defaults(model: Any, columns: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The model's columns missing from `columns` and the value each row gets: the field's
    default (now for auto_now fields), NULL, or the empty string, as the ORM would write.
    A NOT NULL column with none of these is named here, not found by a failed benchmark."""
    from django.db.models import JSONField

    now = timezone.now()
    extra, values = [], []
    for f in model._meta.concrete_fields:
        if f.column in columns or (f.primary_key and "id" in columns):
            continue
        if f.primary_key:
            continue  # the database numbers the rows
        value: Any
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        elif f.empty_strings_allowed:
            value = ""
        else:
            raise RuntimeError(
                f"bench/generate.py: {model._meta.db_table}.{f.column} 不可为空且没有默认值，"
                "请在生成器里给它一个值"
            )
        extra.append(f.column)
        if isinstance(f, JSONField):
            values.append(json.dumps(value))
        else:
            values.append(f.get_db_prep_save(value, connection))
    return extra, values


def generate(scale: float = 1.0, seed: int = 2026) -> dict[str, int]:
    """Fill an empty, migrated database in one transaction; returns the row counts."""
    from gongjian.projects.reports import refresh_report_summaries

    with transaction.atomic():
        world = _generate(scale, seed)
        # The reports went in past the report service: their summaries are made here, as the
        # service makes them for every report it writes.
        refresh_report_summaries()
        _page_world(world)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from gongjian.org.models import Unit
    from gongjian.projects.models import Milestone, ProgressReport, Project
    from gongjian.supervision.models import Message, SupervisionOrder

    return {
        "units": Unit.objects.count(),
        "projects": Project.objects.count(),
        "milestones": Milestone.objects.count(),
        "reports": ProgressReport.objects.count(),
        "orders": SupervisionOrder.objects.count(),
        "messages": Message.objects.count(),
    }


def is_current(scale: float) -> bool:
    """Whether the database holds this generator's world of this size (an older generator's
    world, without the page users or with fewer reports, is not)."""
    from gongjian.campaigns.models import Line
    from gongjian.org.models import User
    from gongjian.projects.models import ProgressReport, Project

    expected = max(int(PROJECTS * scale), 10)
    return (
        Project.objects.count() == expected
        and ProgressReport.objects.count() == expected * REPORTS
        and Line.objects.count() == len(LINES)
        and User.objects.filter(username__in=USERS.values()).count() == len(USERS)
    )


@dataclass
class World:
    """What `_generate` made that the page world builds on."""

    province: Any
    campaign: Any
    lines: list[Any]
    departments: list[int]
    cities: list[int]
    counties: list[int]
    towns: list[int]
    parent: dict[int, int]  # a town's county, a county's city
    project_of_town: dict[int, int]  # a town's first project


def _generate(scale: float, seed: int) -> World:
    from gongjian.campaigns.models import Campaign, Line
    from gongjian.org.models import Unit
    from gongjian.org.names import name_key
    from gongjian.projects.models import Milestone, ProgressReport, Project

    rnd = random.Random(seed)
    n_projects = max(int(PROJECTS * scale), 10)
    province = Unit.objects.create(name="某省", kind="province")
    units: list[tuple[Any, ...]] = []
    next_id = province.pk + 1
    departments: list[int] = []
    cities: list[int] = []
    counties: list[int] = []
    towns: list[int] = []
    parent: dict[int, int] = {}
    city, city_path = province.pk, province.path

    def unit(name: str, kind: str, above: int, path: str, depth: int, order: int) -> int:
        nonlocal next_id
        pk = next_id
        next_id += 1
        units.append((pk, name, kind, above, f"{path}{pk}/", depth, name_key(name), order, True))
        parent[pk] = above
        return pk

    for d, (name, _line) in enumerate(LINES):
        departments.append(unit(name, "department", province.pk, province.path, 1, d))
    for c in range(COUNTIES):
        if c % COUNTIES_PER_CITY == 0:
            city = unit(f"市{c // COUNTIES_PER_CITY:02d}", "city", province.pk, province.path, 1,
                        len(LINES) + c // COUNTIES_PER_CITY)  # fmt: skip
            cities.append(city)
            city_path = f"{province.path}{city}/"
        county = unit(f"县{c:03d}", "county", city, city_path, 2, c)
        counties.append(county)
        for t in range(TOWNS):
            towns.append(unit(f"县{c:03d}镇{t:02d}", "town", county, f"{city_path}{county}/", 3, t))
    _insert(
        Unit,
        ["id", "name", "kind", "parent_id", "path", "depth", "name_key", "sort_order", "is_active"],
        iter(units),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('org_unit', 'id'), %s)", [next_id])
    campaign = Campaign.objects.create(
        name="全省项目攻坚",
        owner=province,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    lines = []
    for k, (_lead, name) in enumerate(LINES):
        line = Line.objects.create(
            campaign=campaign, name=name, lead_unit_id=departments[k], sort_order=k
        )
        line.covered_units.set(cities)
        lines.append(line)

    plans: list[tuple[int, dt.date, dt.date, dt.date | None, float]] = []
    stamp = timezone.now()  # a raw insert passes `auto_now` by
    project_of_town: dict[int, int] = {}

    def projects() -> Iterator[tuple[Any, ...]]:
        for i in range(1, n_projects + 1):
            start = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(0, 700))
            end = start + dt.timedelta(days=rnd.randrange(180, 900))
            actual_start = (
                None if rnd.random() < 0.1 else start + dt.timedelta(days=rnd.randrange(0, 60))
            )
            pace = rnd.uniform(0.5, 1.2)  # share of the planned pace actually achieved
            plans.append((i, start, end, actual_start, pace))
            level = rnd.choice(["province", "city", "district"])
            town = rnd.choice(towns)
            project_of_town.setdefault(town, i)
            # The line comes from the number, not from `rnd`: the world's draws stay as they were.
            yield (
                i, 1, f"P{i:07d}", f"项目{i}", level,
                campaign.pk, lines[i % len(lines)].pk, "业主", town, None, "", 1000, 500, 0,
                start, end, actual_start, None,
                "planned" if actual_start is None else "under_construction", 0, "", "",
                "", "", "", stamp,
            )  # fmt: skip

    _insert(
        Project,
        ["id", "version", "code", "name", "level", "campaign_id", "line_id", "owner", "unit_id",
         "leader_id", "location", "total_investment_wan", "annual_planned_wan",
         "investment_completed_wan", "planned_start", "planned_completion", "actual_start",
         "actual_completion", "status", "percent_done", "not_started_reason", "description",
         "investment_code", "contact_name", "contact_phone", "updated_at"],
        projects(),
    )  # fmt: skip

    def milestones() -> Iterator[tuple[Any, ...]]:
        mid = 0
        for pid, start, end, actual_start, _pace in plans:
            first = start - dt.timedelta(days=90)
            span = (end - first).days
            for k, name in enumerate(MILESTONE_NAMES):
                planned = first + dt.timedelta(days=span * k // (MILESTONES - 1))
                late = rnd.choice([-3, 0, 2, 5, 10, 25, 40, 60])
                reached = planned + dt.timedelta(days=late)
                unreached = reached > ON or (actual_start is None and k >= 4) or rnd.random() < 0.03
                actual = None if unreached else reached
                mid += 1
                yield (mid, 1, pid, k + 1, name, planned, actual, None, None, "")

    _insert(
        Milestone,
        ["id", "version", "project_id", "seq", "name", "planned_date", "actual_date", "person_id", "unit_id", "note"],
        milestones(),
    )  # fmt: skip
    now = timezone.now()

    def reports() -> Iterator[tuple[Any, ...]]:
        # Every project reports every month (12 × projects, as the issue sets); before its
        # actual start, or when it has not started, a unit reports 0 %.
        rid = 0
        for pid, start, end, actual_start, pace in plans:
            percent = 0.0
            for period in MONTH_ENDS[:REPORTS]:
                if actual_start is not None and period >= actual_start:
                    elapsed = min(max((period - start).days / (end - start).days, 0), 1)
                    percent = max(
                        percent, min(100.0, round(elapsed * 100 * pace + rnd.uniform(-2, 2), 2))
                    )
                rid += 1
                yield (rid, 1, pid, period, percent, 10, 10 * rid, "", None, now)

    _insert(
        ProgressReport,
        ["id", "version", "project_id", "period_end", "percent_done", "investment_period_wan",
         "investment_to_date_wan", "problems", "reported_by_id", "reported_at"],
        reports(),
    )  # fmt: skip
    if connection.vendor == "postgresql":
        _reset_sequences(["projects_project", "projects_milestone", "projects_progressreport"])
    return World(
        province=province,
        campaign=campaign,
        lines=lines,
        departments=departments,
        cities=cities,
        counties=counties,
        towns=towns,
        parent=parent,
        project_of_town=project_of_town,
    )


def _reset_sequences(tables: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


# --- what the pages show: people, orders, messages, an assessment -----------------------------


def page_users() -> dict[str, Any]:
    """The page world's users by role key (USERS), for the benchmarks and the tests."""
    from gongjian.org.models import User

    by_name = {u.username: u for u in User.objects.filter(username__in=USERS.values())}
    return {key: by_name[name] for key, name in USERS.items()}


def _page_world(world: World) -> None:
    """Users with roles, supervision orders in every state, unread messages and a published and
    a draft assessment round: what the workbench, the battle map and the unit view read."""
    users = _users(world)
    _orders(world, users)
    _assessment(world)


def _users(world: World) -> dict[str, Any]:
    """One account per role the pages are measured for, through the org service (a handful)."""
    from gongjian.org import services

    staffer_town = (
        world.towns[0]
        if not world.project_of_town
        else min(world.project_of_town, key=world.project_of_town.__getitem__)
    )
    homes = {
        "province": (world.province.pk, "office_admin"),
        "city": (world.parent[world.parent[staffer_town]], "office_admin"),
        "county": (world.parent[staffer_town], "office_admin"),
        "town": (staffer_town, "unit_staff"),
        "lead": (world.departments[0], "lead_staff"),
    }
    from gongjian.org.models import Unit

    units = Unit.objects.in_bulk([u for u, _r in homes.values()])
    return {
        key: services.create_user(
            actor=None,
            username=USERS[key],
            password=PASSWORD,
            unit=units[unit_id],
            roles=[role],
            display_name=units[unit_id].name,
            password_policy_exempt=True,
        )
        for key, (unit_id, role) in homes.items()
    }


# Each town's orders cycle through these (state, days from ON to the deadline): to sign, to
# answer, overdue, waiting for review, closed; a tenth of them overdue, a fifth waiting for review.
ORDER_PLAN = [
    ("issued", 10),
    ("acknowledged", 15),
    ("in_progress", 20),
    ("in_progress", -5),
    ("acknowledged", -12),
    ("feedback", 6),
    ("feedback", 9),
    ("closed", -20),
    ("closed", -8),
    ("closed", -3),
]
# The staffer's town has what 湖南镇 has in the demo on top: three overdue, one to sign.
STAFFER_EXTRA = [("issued", 7), ("in_progress", -2), ("acknowledged", -9), ("in_progress", -30)]


def _orders(world: World, users: dict[str, Any]) -> None:
    from gongjian.supervision.models import ExtensionRequest, Message, SupervisionOrder

    town_user = users["town"]
    staffer_town = town_user.unit_id
    rows: list[tuple[Any, ...]] = []
    extensions: list[tuple[Any, ...]] = []
    next_id = 1
    for k, town in enumerate(world.towns):
        plan = [ORDER_PLAN[(2 * k + j) % len(ORDER_PLAN)] for j in range(ORDERS_PER_TOWN)]
        if town == staffer_town:
            plan += STAFFER_EXTRA
        for j, (state, days) in enumerate(plan):
            deadline = ON + dt.timedelta(days=days)
            issued = min(deadline, ON) - dt.timedelta(days=30)
            late = state in ("issued", "acknowledged", "in_progress") and deadline < ON
            closed = state == "closed"
            rows.append(
                (next_id, 1, f"DB{next_id:07d}", f"督办事项{next_id}",
                 f"请按期完成第{j + 1}项整改。", town, world.parent[town],
                 world.project_of_town.get(town), world.lines[k % len(world.lines)].pk,
                 world.campaign.pk, "orange" if late else "blue", state, issued, deadline,
                 deadline, deadline + dt.timedelta(days=1) if late else None,
                 ON - dt.timedelta(days=2) if state in ("feedback", "closed") else None,
                 deadline if closed else None, True if closed else None)
            )  # fmt: skip
            if state == "in_progress" and not late and k % 5 == 1:
                extensions.append(
                    (next_id, "需等待用地审批", deadline, deadline + dt.timedelta(days=15),
                     "pending", town_user.pk, ON - dt.timedelta(days=1))
                )  # fmt: skip
            next_id += 1
    _insert(
        SupervisionOrder,
        ["id", "version", "code", "title", "content", "unit_id", "issuing_unit_id", "project_id",
         "line_id", "campaign_id", "level", "state", "issued_on", "deadline", "original_deadline",
         "overdue_on", "feedback_on", "closed_on", "closed_on_time"],
        iter(rows),
    )  # fmt: skip
    _insert(
        ExtensionRequest,
        ["order_id", "reason", "old_deadline", "new_deadline", "status", "requested_by_id",
         "requested_on"],
        iter(extensions),
    )  # fmt: skip
    now = timezone.now()
    own = [r[0] for r in rows if r[5] == staffer_town]
    messages: list[tuple[Any, ...]] = []
    for key, (n, unread) in MESSAGES.items():
        for i in range(n):
            order = own[i % len(own)] if key == "town" else rows[i * 7 % len(rows)][0]
            messages.append(
                (users[key].pk, order, f"督办单 DB{order:07d} 有新进展（{i + 1}）",
                 now - dt.timedelta(hours=i), None if i < unread else now)
            )  # fmt: skip
    _insert(Message, ["user_id", "order_id", "text", "created_at", "read_at"], iter(messages))
    if connection.vendor == "postgresql":
        _reset_sequences([SupervisionOrder._meta.db_table])


def _assessment(world: World) -> None:
    """One plan ranking the counties in one group: November computed and published, December a
    draft with half its values entered (the rest wait for the lead unit)."""
    from gongjian.assessment import services
    from gongjian.assessment.models import (
        Indicator,
        IndicatorValue,
        Plan,
        PlanGroup,
        PlanLine,
        PlanMember,
    )
    from gongjian.core import clock

    plan = Plan.objects.create(campaign=world.campaign, name="县域项目攻坚考评")
    group = PlanGroup.objects.create(plan=plan, name="县（市、区）", sort_order=0)
    PlanMember.objects.bulk_create(
        PlanMember(plan=plan, group=group, unit_id=u, sort_order=i)
        for i, u in enumerate(world.counties)
    )
    line = PlanLine.objects.create(plan=plan, name=world.lines[0].name, line=world.lines[0])
    indicators = [
        Indicator.objects.create(
            plan=plan, line=line, code=f"k{i}", name=name, method="direct", sort_order=i
        )
        for i, name in enumerate(["项目开工率", "投资完成率"])
    ]
    rnd = random.Random(11)
    now = timezone.now()
    fields = [
        "round",
        "indicator",
        "unit",
        "value",
        "target",
        "note",
        "source",
        "trail",
        "updated_at",
    ]
    with clock.pinned(dt.date(2026, 12, 5)):
        november = services.create_round(actor=None, plan=plan, period="2026-11")
        IndicatorValue.objects.insert_rows(
            november.pk,
            fields,
            ((november.pk, ind.pk, u, Decimal(rnd.randint(60, 100)), None, "", "file", "[]", now)
             for ind in indicators for u in world.counties),
        )  # fmt: skip
        services.compute_round(actor=None, round=november)
        services.publish_round(actor=None, round=november)
    december = services.create_round(actor=None, plan=plan, period="2026-12")
    IndicatorValue.objects.insert_rows(
        december.pk,
        fields,
        ((december.pk, indicators[0].pk, u, Decimal(rnd.randint(60, 100)), None, "", "file", "[]",
          now) for u in world.counties),
    )  # fmt: skip
