"""Leaders and service teams in the field (现场办公 / 调研 / 专题会): the visit record, its problems
turned into coordination requests or orders in one step, the service teams (攻坚服务小组), and
when each leader last went to each linked unit (定期赴挂钩单位) against the campaign's cadence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.core.errors import NotFound, PermissionDenied, ValidationFailed
from gongjian.core.history import record
from gongjian.core.text import check_text, check_texts
from gongjian.org.models import LeaderLink, Person, Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects import coordination
from gongjian.projects.models import CoordinationRequest, Project
from gongjian.supervision.models import (
    FieldVisit,
    OrderSource,
    ServiceTeam,
    SupervisionOrder,
    SupervisionSettings,
    VisitItem,
    VisitItemKind,
    VisitKind,
)

DEFAULT_VISIT_EVERY_DAYS = 30


@dataclass(frozen=True)
class ItemIn:
    description: str
    kind: str = VisitItemKind.PROBLEM
    project: Project | None = None


def _person_id(actor: Any) -> int | None:
    return getattr(actor, "person_id", None)


def _in_team(actor: Any, team: ServiceTeam) -> bool:
    person_id = _person_id(actor)
    if person_id is None:
        return False
    return team.head_id == person_id or team.members.filter(pk=person_id).exists()


def may_act_for_team(actor: Any, team: ServiceTeam) -> bool:
    """A team's head and members record its visits; so does the campaign office over the unit
    that set the team up."""
    return _in_team(actor, team) or scope_for(actor).can(Action.MANAGE_ORG, team.unit)


def may_act_for_leader(actor: Any, leader: Person) -> bool:
    """A leader records his or her own visits (not a peer's); the campaign office over the
    leader's unit may record them for the leader."""
    return _person_id(actor) == leader.pk or scope_for(actor).can(Action.MANAGE_ORG, leader.unit)


def may_manage(actor: Any, visit: FieldVisit) -> bool:
    """Who may turn a visit's problems into requests or orders: whoever could have recorded it."""
    if visit.recorded_by_id is not None and visit.recorded_by_id == getattr(actor, "pk", None):
        return True
    if visit.leader is not None and may_act_for_leader(actor, visit.leader):
        return True
    return visit.team is not None and may_act_for_team(actor, visit.team)


def _check_places(
    actor: Any, projects: Sequence[Project], units: Sequence[Unit], team: ServiceTeam | None
) -> None:
    scope = scope_for(actor)
    followed: set[int] = set()
    if team is not None and _in_team(actor, team):
        followed = set(team.projects.values_list("pk", flat=True))
    for project in projects:
        if project.pk not in followed and not scope.can(Action.VIEW, project.unit):
            raise PermissionDenied(
                _("项目“%(p)s”不在您的查看范围内，不能登记对它的走访。") % {"p": project.name}
            )
    for unit in units:
        if not scope.can(Action.VIEW, unit):
            raise PermissionDenied(
                _("单位“%(u)s”不在您的查看范围内，不能登记对它的走访。") % {"u": unit.name}
            )
    if len({p.pk for p in projects}) != len(projects):
        raise ValidationFailed(_("走访项目有重复。"), field="projects")
    if len({u.pk for u in units}) != len(units):
        raise ValidationFailed(_("走访单位有重复。"), field="units")


@transaction.atomic
def record_visit(
    *,
    actor: Any,
    kind: str,
    visited_on: dt.date,
    subject: str,
    leader: Person | None = None,
    team: ServiceTeam | None = None,
    projects: Sequence[Project] = (),
    units: Sequence[Unit] = (),
    items: Sequence[ItemIn] = (),
    decisions: str = "",
    minutes_ref: str = "",
    campaign: Any = None,
) -> FieldVisit:
    """登记现场办公/调研/专题会: by the leader, a member of the service team, or the office."""
    if getattr(actor, "unit", None) is None:
        raise PermissionDenied(_("登记人须属于某个单位。"))
    if kind not in VisitKind.values:
        raise ValidationFailed(_("未知的走访形式：%(k)s") % {"k": kind}, field="kind")
    if leader is None and team is None:
        raise ValidationFailed(_("请选择带队领导或服务小组。"), field="leader")
    if leader is not None:
        if not leader.is_leader:
            raise ValidationFailed(
                _("“%(name)s”不是领导干部，不能作为带队领导。") % {"name": leader.name},
                field="leader",
            )
        if not may_act_for_leader(actor, leader):
            raise PermissionDenied(_("只能登记本人或本单位分管领导的走访。"))
    if team is not None and not may_act_for_team(actor, team):
        raise PermissionDenied(
            _("您不是服务小组“%(t)s”的成员，不能登记它的走访。") % {"t": team.name}
        )
    if not isinstance(visited_on, dt.date) or visited_on > clock.today():
        raise ValidationFailed(_("走访日期不能晚于今天。"), field="visited_on")
    if not projects and not units:
        raise ValidationFailed(_("请至少选择一个走访的项目或单位。"), field="projects")
    _check_places(actor, projects, units, team)
    texts = check_texts(
        FieldVisit,
        {"subject": subject or "", "decisions": decisions or "", "minutes_ref": minutes_ref or ""},
    )
    if not texts["subject"].strip():
        raise ValidationFailed(_("请填写走访主题。"), field="subject")
    project_ids = {p.pk for p in projects}
    descriptions = []
    for n, item in enumerate(items, start=1):
        if item.kind not in VisitItemKind.values:
            raise ValidationFailed(_("第 %(n)s 条：未知的类别。") % {"n": n}, field="items")
        text = check_text(VisitItem, "description", item.description or "").strip()
        if not text:
            raise ValidationFailed(_("第 %(n)s 条问题内容为空。") % {"n": n}, field="items")
        if item.project is not None and item.project.pk not in project_ids:
            raise ValidationFailed(
                _("第 %(n)s 条所涉项目“%(p)s”不在本次走访的项目中。")
                % {"n": n, "p": item.project.name},
                field="items",
            )
        descriptions.append(text)
    visit = FieldVisit(
        kind=kind,
        visited_on=visited_on,
        leader=leader,
        team=team,
        subject=texts["subject"].strip(),
        decisions=texts["decisions"].strip(),
        minutes_ref=texts["minutes_ref"].strip(),
        campaign=campaign or _campaign_of(projects),
        recording_unit=actor.unit,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(visit, actor=actor, reason=_("登记现场办公"))
    visit.save()
    visit.projects.set(projects)
    visit.units.set(units)
    for item, text in zip(items, descriptions, strict=True):
        only = projects[0] if len(projects) == 1 else None
        row = VisitItem(visit=visit, kind=item.kind, description=text, project=item.project or only)
        record(row, actor=actor, reason=_("记录现场发现的问题"))
        row.save()
    return visit


def _campaign_of(projects: Sequence[Project]) -> Any:
    campaigns = {p.campaign_id for p in projects if p.campaign_id}
    return projects[0].campaign if len(campaigns) == 1 else None


def _item_for_change(actor: Any, item_id: int) -> VisitItem:
    visible = visits_for(actor).values("pk")
    item = (
        VisitItem.objects.select_for_update(of=("self",))
        .filter(pk=item_id, visit__in=visible)
        .select_related("visit__leader__unit", "visit__team__unit", "project__unit")
        .first()
    )
    if item is None:
        raise NotFound(_("现场问题不存在，或不在您的查看范围内。"))
    if not may_manage(actor, item.visit):
        raise PermissionDenied(_("只有登记人、带队领导、服务小组成员或攻坚办可以处理这条问题。"))
    if item.handled:
        raise ValidationFailed(_("这条问题已转为协调事项或督办单，不能重复转办。"), field="item")
    return item


def _item_project(item: VisitItem, project: Project | None) -> Project | None:
    if project is None:
        return item.project
    if not item.visit.projects.filter(pk=project.pk).exists():
        raise ValidationFailed(
            _("项目“%(p)s”不在本次走访的项目中。") % {"p": project.name}, field="project"
        )
    return project


@transaction.atomic
def item_to_coordination(
    *,
    actor: Any,
    item_id: int,
    category: str,
    handling_unit: Unit | None = None,
    deadline: dt.date | None = None,
    project: Project | None = None,
) -> CoordinationRequest:
    """转协调事项: the problem goes onto the project's ledger as a coordination request."""
    item = _item_for_change(actor, item_id)
    target = _item_project(item, project)
    if target is None:
        raise ValidationFailed(_("转协调事项须选择所涉项目。"), field="project")
    if handling_unit is not None and not scope_for(actor).can(Action.VIEW, handling_unit):
        raise PermissionDenied(_("协调单位不在您的查看范围内。"))
    if deadline is not None and deadline < clock.today():
        raise ValidationFailed(_("办结时限不能早于今天。"), field="deadline")
    request = coordination.create_coordination(
        actor=actor,
        project=target,
        category=category,
        description=item.description,
        handling_unit=handling_unit,
        deadline=deadline,
        reason=_("现场办公发现的问题转协调事项"),
    )
    item.coordination = request
    item.project = target
    record(item, actor=actor, reason=_("转协调事项"))
    item.save()
    return request


def order_source(visit: FieldVisit) -> tuple[str, str]:
    """The source an order from a visit names: 会议议定事项 for a 专题会 (citing its minutes),
    督查发现 for what a leader or team found on site."""
    if visit.kind == VisitKind.MEETING:
        ref = visit.minutes_ref or _("专题会：%(s)s（%(d)s）") % {
            "s": visit.subject[:60],
            "d": visit.visited_on.isoformat(),
        }
        return OrderSource.MEETING, ref
    label = VisitKind(visit.kind).label
    return OrderSource.INSPECTION, _("%(kind)s %(d)s") % {
        "kind": label,
        "d": visit.visited_on.isoformat(),
    }


@transaction.atomic
def item_to_order(
    *,
    actor: Any,
    item_id: int,
    unit: Unit,
    deadline: dt.date,
    title: str = "",
    project: Project | None = None,
    cooperators: Sequence[Unit] = (),
) -> SupervisionOrder:
    """转督办单: the problem (or a 专题会's decision) becomes an order to a unit, through the same
    door as any order (`orders.issue_order`: permission, 领导审核 where the campaign asks)."""
    from gongjian.supervision.orders import issue_order

    item = _item_for_change(actor, item_id)
    target = _item_project(item, project)
    source, ref = order_source(item.visit)
    title = (title or "").strip() or item.description.splitlines()[0][:60]
    content = item.description
    linked = target
    if target is not None and not target.unit.path.startswith(unit.path):
        # An order links only its own unit's projects (rules.require_owned); the visit item
        # keeps the link, and the order names the project in its text.
        linked = None
        content = _("%(text)s（涉及项目：%(p)s）") % {"text": content, "p": target.name}
    order = issue_order(
        actor=actor,
        unit=unit,
        title=title,
        content=content,
        deadline=deadline,
        project=linked,
        source=source,
        source_ref=ref[:100],
        campaign=item.visit.campaign,
        cooperators=cooperators,
    )
    item.order = order
    item.project = target
    record(item, actor=actor, reason=_("转督办单"))
    item.save()
    return order


@transaction.atomic
def create_team(
    *,
    actor: Any,
    name: str,
    unit: Unit,
    head: Person | None = None,
    members: Sequence[Person] = (),
    projects: Sequence[Project] = (),
    enterprises: str = "",
) -> ServiceTeam:
    """组建攻坚服务小组: a unit's office (orders in that unit) sets up a team to follow projects."""
    scope = scope_for(actor)
    scope.require(Action.ISSUE_ORDER, unit)
    texts = check_texts(ServiceTeam, {"name": name or "", "enterprises": enterprises or ""})
    if not texts["name"].strip():
        raise ValidationFailed(_("请填写服务小组名称。"), field="name")
    if ServiceTeam.objects.filter(unit=unit, name=texts["name"].strip()).exists():
        raise ValidationFailed(
            _("本单位已有名为“%(n)s”的服务小组。") % {"n": texts["name"].strip()}, field="name"
        )
    for person in [*([head] if head else []), *members]:
        if not scope.can(Action.VIEW, person.unit):
            raise PermissionDenied(_("干部“%(n)s”不在您的查看范围内。") % {"n": person.name})
    for project in projects:
        if not scope.can(Action.VIEW, project.unit):
            raise PermissionDenied(_("项目“%(p)s”不在您的查看范围内。") % {"p": project.name})
    if not members and head is None:
        raise ValidationFailed(_("服务小组至少要有组长或一名成员。"), field="members")
    team = ServiceTeam(
        name=texts["name"].strip(),
        unit=unit,
        head=head,
        enterprises="\n".join(
            line.strip() for line in texts["enterprises"].splitlines() if line.strip()
        ),
    )
    record(team, actor=actor, reason=_("组建攻坚服务小组"))
    team.save()
    team.members.set(members)
    team.projects.set(projects)
    return team


# ---- reads ------------------------------------------------------------------------------------


def visits_for(user: Any) -> QuerySet[FieldVisit]:
    """Visits the user sees: to a unit or a project in view, recorded in view, or the user's own
    (as the leader or a member of the team)."""
    scope = scope_for(user)
    if scope.user_id is None:
        return FieldVisit.objects.none()
    visible = (
        scope.q(Action.VIEW, via="recording_unit")
        | scope.q(Action.VIEW, via="units")
        | scope.q(Action.VIEW, via="projects__unit")
    )
    person_id = _person_id(user)
    if person_id:
        visible |= Q(leader_id=person_id) | Q(team__members=person_id) | Q(team__head_id=person_id)
    ids = FieldVisit.objects.filter(visible).values("pk")
    return (
        FieldVisit.objects.filter(pk__in=ids)
        .select_related("leader", "team", "recording_unit")
        .prefetch_related("projects", "units", "items__order", "items__coordination")
        .order_by("-visited_on", "-pk")
    )


def visit_for(user: Any, pk: int) -> FieldVisit:
    found = visits_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("走访记录不存在，或不在您的查看范围内。"))
    return found


def visits_of_project(user: Any, project: Project) -> list[FieldVisit]:
    return list(visits_for(user).filter(projects=project)[:20])


def own_visits(user: Any) -> QuerySet[FieldVisit]:
    """The leader's own visits (none for a user who is not a cadre)."""
    person_id = _person_id(user)
    if not person_id:
        return FieldVisit.objects.none()
    return visits_for(user).filter(leader_id=person_id)


def visits_between(user: Any, start: dt.date, end: dt.date) -> list[FieldVisit]:
    return list(visits_for(user).filter(visited_on__gte=start, visited_on__lte=end))


def teams_for(user: Any) -> QuerySet[ServiceTeam]:
    scope = scope_for(user)
    visible = scope.q(Action.VIEW, via="unit")
    person_id = _person_id(user)
    if person_id:
        visible |= Q(members=person_id) | Q(head_id=person_id)
    ids = ServiceTeam.objects.filter(visible).values("pk")
    return (
        ServiceTeam.objects.filter(pk__in=ids)
        .select_related("unit", "head")
        .prefetch_related("members", "projects")
        .order_by("unit__path", "name")
    )


def projects_reachable(user: Any) -> QuerySet[Project]:
    """Projects a visit may name: those in view, and those the user's service teams follow."""
    visible = scope_for(user).q(Action.VIEW, via="unit")
    person_id = _person_id(user)
    if person_id:
        visible |= Q(service_teams__members=person_id) | Q(service_teams__head_id=person_id)
    ids = Project.objects.filter(visible).values("pk")
    return Project.objects.filter(pk__in=ids).select_related("unit", "campaign").order_by("code")


def teams_to_record(user: Any) -> list[ServiceTeam]:
    return [t for t in teams_for(user) if may_act_for_team(user, t)]


def visit_every_days(campaign: Any) -> int:
    """The campaign's cadence for 定期 visits, in days (30 where it set none)."""
    if campaign is None:
        return DEFAULT_VISIT_EVERY_DAYS
    found = (
        SupervisionSettings.objects.filter(campaign=campaign)
        .values_list("visit_every_days", flat=True)
        .first()
    )
    return found or DEFAULT_VISIT_EVERY_DAYS


@dataclass(frozen=True)
class LinkVisit:
    """One of a leader's linked units, when the leader last went there, and whether it is time."""

    unit: Unit
    last_on: dt.date | None
    due_on: dt.date | None  # the day the next visit is due; None: never visited
    overdue: bool

    @property
    def days_since(self) -> int | None:
        return None if self.last_on is None else (clock.today() - self.last_on).days


def linked_unit_visits(person: Person | None, on: dt.date, every_days: int) -> list[LinkVisit]:
    """Each unit the leader is linked to (挂钩), with the leader's last visit to it or anything
    under it (a village of the town, a project of its); overdue when none in `every_days`."""
    if person is None:
        return []
    links = list(
        LeaderLink.objects.filter(person=person).select_related("unit").order_by("unit__path")
    )
    if not links:
        return []
    visits = FieldVisit.objects.filter(leader=person, visited_on__lte=on)
    places: list[tuple[dt.date, str]] = [
        *visits.filter(units__isnull=False).values_list("visited_on", "units__path"),
        *visits.filter(projects__isnull=False).values_list("visited_on", "projects__unit__path"),
    ]
    rows = []
    for link in links:
        dates = [d for d, path in places if path and path.startswith(link.unit.path)]
        last = max(dates) if dates else None
        due = last + dt.timedelta(days=every_days) if last else None
        rows.append(LinkVisit(link.unit, last, due, due is None or due < on))
    return rows


def leader_link_visits(user: Any, on: dt.date) -> list[LinkVisit]:
    """The signed-in leader's linked units and their last visits, at the cadence of the campaign
    the leader follows."""
    person = getattr(user, "person", None) if _person_id(user) else None
    if person is None or not person.is_leader:
        return []
    from gongjian.projects import following

    campaign = following.default_campaign(user, list(following.campaigns_for(user)))
    return linked_unit_visits(person, on, visit_every_days(campaign))


def may_record_somewhere(user: Any) -> bool:
    """Whether the page offers 登记现场办公: leaders, the office, inspectors, team members."""
    scope = scope_for(user)
    if scope.roots(Action.ISSUE_ORDER) or scope.roots(Action.INSPECT):
        return True
    person_id = _person_id(user)
    return (
        bool(person_id)
        and ServiceTeam.objects.filter(Q(members=person_id) | Q(head_id=person_id)).exists()
    )


def project_panel(user: Any, project: Project) -> Any:
    """The project page's section of visits (registered with projects.panels)."""
    from gongjian.projects.panels import Panel

    return Panel(
        "supervision/_project_visits.html",
        {
            "visits": visits_of_project(user, project),
            "project_id": project.pk,
            "can_record": may_record_somewhere(user),
        },
    )
