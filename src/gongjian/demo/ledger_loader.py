"""Loads the demo campaigns and ledger through the campaign and ledger services."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from gongjian.campaigns import services as campaign_services
from gongjian.campaigns.models import Campaign, Line
from gongjian.core import clock
from gongjian.demo import ledger_data as data
from gongjian.org import services as org_services
from gongjian.org.models import Person, Unit, UnitKind
from gongjian.projects import coordination as coordination_service
from gongjian.projects import ledger, reports
from gongjian.projects.models import CoordinationRequest, Milestone, Project, ProjectStatus
from gongjian.projects.warnings import expected_percent

MONTH_ENDS = [dt.date(2026, 9, 30), dt.date(2026, 10, 31), dt.date(2026, 11, 30), clock.DEMO_DAY]
TENTH = Decimal("0.1")
CENT = Decimal("0.01")


def load_ledger(units: dict[str, Unit]) -> dict[str, object]:
    changle, lines_changle = _changle_campaign(units)
    hunan, lines_hunan = _hunan_campaign(units)
    _hunan_people(units[data.HUNAN])
    people = {p.name: p for p in Person.objects.all()}
    count = 0
    for spec in data.HUNAN_PROJECTS:
        _project(spec, hunan, lines_hunan[spec.line], units, people)
        count += 1
    for spec in data.CHANGLE_PROJECTS:
        _project(spec, changle, lines_changle[spec.line], units, people)
        count += 1
    city, lines_city = _city_campaign(units)
    leaders = _city_leaders(units)
    people = {p.name: p for p in Person.objects.all()}
    for spec in data.city_projects(leaders):
        _project(spec, city, lines_city[spec.line], units, people)
        count += 1
    return {"changle": changle, "hunan": hunan, "city": city, "projects": count}


def _city_campaign(units: dict[str, Unit]) -> tuple[Campaign, dict[str, Line]]:
    """The city's 攻坚120天 and its six lines, as the assessment's demo makes them too (both
    ensure, so whichever runs first creates them)."""
    from gongjian.assessment.demo import CITY_LINES

    name, start, end = data.CITY_CAMPAIGN
    city = units["福州市"]
    campaign = campaign_services.ensure_campaign(
        actor=None, owner=city, name=name, start_date=start, end_date=end
    )
    lines = {
        line: campaign_services.ensure_line(
            actor=None, campaign=campaign, name=line, lead_unit=city, sort_order=i
        )
        for i, line in enumerate(CITY_LINES)
    }
    return campaign, lines


def _city_leaders(units: dict[str, Unit]) -> dict[str, str]:
    """One linked leader per county for its city projects (a person of that county)."""
    leaders = {}
    for county, name in zip(data.CITY_PROJECT_SEEDS, data.CITY_LEADERS, strict=True):
        if not Person.objects.filter(name=name).exists():
            org_services.create_person(
                actor=None, name=name, unit=units[county], post=data.CITY_LEADER_POST,
                is_leader=True,
            )  # fmt: skip
        leaders[county] = name
    return leaders


def _changle_campaign(units: dict[str, Unit]) -> tuple[Campaign, dict[str, Line]]:
    name, start, end = data.CHANGLE_CAMPAIGN
    campaign = campaign_services.ensure_campaign(
        actor=None, owner=units["长乐区"], name=name, start_date=start, end_date=end
    )
    district = units["长乐区"]
    towns = list(
        Unit.objects.filter(
            parent=district, kind__in=[UnitKind.TOWN, UnitKind.STREET, UnitKind.TOWNSHIP]
        )
    )
    departments = list(
        Unit.objects.filter(path__startswith=district.path, kind=UnitKind.DEPARTMENT)
    )
    lines = {}
    for i, (line_name, lead, covers) in enumerate(data.CHANGLE_LINES):
        lines[line_name] = campaign_services.ensure_line(
            actor=None,
            campaign=campaign,
            name=line_name,
            lead_unit=units[lead],
            covered_units=towns if covers == "towns" else departments,
            sort_order=i,
        )
    return campaign, lines


def _hunan_campaign(units: dict[str, Unit]) -> tuple[Campaign, dict[str, Line]]:
    name, start, end = data.HUNAN_CAMPAIGN
    hunan = units[data.HUNAN]
    campaign = campaign_services.ensure_campaign(
        actor=None,
        owner=hunan,
        name=name,
        start_date=start,
        end_date=end,
        description="湖南镇列入福州市、长乐区百日攻坚行动的项目共 13 项：市级 7 项，区级 6 项。",
    )
    lines = {
        line_name: campaign_services.ensure_line(
            actor=None,
            campaign=campaign,
            name=line_name,
            lead_unit=units[lead],
            covered_units=[hunan],
            sort_order=i,
        )
        for i, (line_name, lead) in enumerate(data.HUNAN_LINES)
    }
    return campaign, lines


def _hunan_people(hunan: Unit) -> None:
    existing = set(Person.objects.filter(unit=hunan).values_list("name", flat=True))
    for name, post, is_leader in data.HUNAN_PEOPLE:
        if name not in existing:
            org_services.create_person(
                actor=None, name=name, unit=hunan, post=post, is_leader=is_leader
            )


def _milestone_plan(spec: data.DemoProject) -> list[tuple[str, dt.date, str | None]]:
    ps, pc = spec.planned_start, spec.planned_completion
    span = (pc - ps).days

    def at(share: float) -> dt.date:
        return ps + dt.timedelta(days=round(span * share))

    if spec.kind == "land":
        plan = [
            ("入户调查", ps),
            ("评估测绘", at(0.15)),
            ("签约", at(0.4)),
            ("房屋腾空", at(0.65)),
            ("交地", at(0.85)),
        ]
        unit_of = data.LAND_UNITS
    else:
        plan = [
            ("立项", ps - dt.timedelta(days=120)),
            ("用地审批", ps - dt.timedelta(days=60)),
            ("施工许可", ps - dt.timedelta(days=10)),
            ("开工", ps),
            ("主体完工", at(0.7)),
            ("竣工验收", pc),
        ]
        unit_of = data.BUILD_UNITS
    return [(n, spec.stalled.get(n, d), unit_of.get(n)) for n, d in plan]


def _actual(spec: data.DemoProject, name: str, planned: dt.date, i: int) -> dt.date | None:
    if name in spec.stalled:
        return None
    if name == "开工":
        return spec.started
    if name == "竣工验收":
        return spec.completed
    if spec.started is None and name not in ("立项", "用地审批", "施工许可"):
        return None
    actual = planned + dt.timedelta(days=(i * 3) % 7 - 2)
    return actual if actual <= clock.DEMO_DAY and planned <= clock.DEMO_DAY else None


def _project(
    spec: data.DemoProject,
    campaign: Campaign,
    line: Line,
    units: dict[str, Unit],
    people: dict[str, Person],
) -> Project:
    status = ProjectStatus.PLANNED
    if spec.completed:
        status = ProjectStatus.COMPLETED
    elif spec.started:
        status = ProjectStatus.UNDER_CONSTRUCTION
    project = ledger.create_project(
        actor=None,
        code=spec.code,
        name=spec.name,
        level=spec.level,
        unit=units[spec.unit],
        campaign=campaign,
        line=line,
        owner=spec.owner,
        leader=people[spec.leader],
        location=spec.location,
        total_investment_wan=Decimal(spec.total_wan),
        annual_planned_wan=Decimal(spec.annual_wan),
        planned_start=spec.planned_start,
        planned_completion=spec.planned_completion,
        actual_start=spec.started,
        actual_completion=spec.completed,
        status=status,
        not_started_reason=spec.not_started_reason,
    )
    ledger.set_team(
        actor=None,
        project=project,
        members=[(people[spec.leader], "包项目领导")] + [(people[n], d) for n, d in spec.team],
    )
    team = [people[n] for n, _d in spec.team] or [people[spec.leader]]
    milestones = []
    for i, (name, planned, unit_name) in enumerate(_milestone_plan(spec)):
        milestones.append(
            ledger.add_milestone(
                actor=None,
                project=project,
                name=name,
                planned_date=planned,
                actual_date=_actual(spec, name, planned, i),
                person=people[spec.leader] if i % 2 == 0 else team[i % len(team)],
                unit=units[unit_name] if unit_name else units[spec.unit],
            )
        )
    _reports(spec, project, milestones, units)
    return project


def _reports(
    spec: data.DemoProject, project: Project, milestones: list[Milestone], units: dict[str, Unit]
) -> None:
    if spec.started is None:
        for c in spec.coordination:  # a project not started still raises its problems
            row = coordination_service.raise_coordination(
                actor=None,
                project=project,
                category=c.category,
                description=c.description,
                handling_unit=units[c.handling_unit],
            )
            _maybe_resolve(row, c)
        return
    periods = [d for d in MONTH_ENDS if d >= spec.started]
    if spec.completed:
        periods = [d for d in periods if d < spec.completed] + [spec.completed]
    previous_date, previous = spec.started, Decimal(0)
    to_date = Decimal(0)
    n = len(periods)
    for i, period in enumerate(periods):
        gap = spec.gap_first + (spec.gap_last - spec.gap_first) * (i / (n - 1) if n > 1 else 1)
        expected = expected_percent(spec.planned_start, spec.planned_completion, period)
        percent = (expected - Decimal(str(gap))).quantize(TENTH, rounding=ROUND_HALF_UP)
        percent = min(max(percent, previous, Decimal(0)), Decimal(100))
        if spec.completed and period == spec.completed:
            percent = Decimal(100)
        new_to_date = (Decimal(spec.total_wan) * percent / 100).quantize(CENT)
        reached = [
            m
            for m in milestones
            if m.actual_date is not None and previous_date < m.actual_date <= period
        ]
        coordination = [
            coordination_service.CoordinationInput(
                c.category, c.description, units[c.handling_unit]
            )
            for c in spec.coordination
            if c.period == period
        ]
        report = reports.submit_report(
            actor=None,
            project=project,
            period_end=period,
            percent_done=percent,
            investment_period_wan=new_to_date - to_date,
            investment_to_date_wan=new_to_date,
            milestones_reached=reached,
            problems=spec.problems if i == n - 1 else "",
            coordination=coordination,
        )
        for c in spec.coordination:
            if c.period == period:
                row = CoordinationRequest.objects.get(report=report, description=c.description)
                _maybe_resolve(row, c)
        previous_date, previous, to_date = period, percent, new_to_date


def _maybe_resolve(row: CoordinationRequest, c: data.Coord) -> None:
    if c.resolution:
        coordination_service.resolve_coordination(
            actor=None, request_id=row.pk, expected_version=row.version, resolution=c.resolution
        )
