"""API of supervision: orders and their steps, to-do, inbox, notices, inspections, draws, counts.

Every step takes the `version` the client read, so two people acting at once get 409
`concurrent_update` instead of losing an action. Refusals come back as the domain errors' codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from gongjian.core import clock, paging
from gongjian.core.api_types import Id
from gongjian.core.errors import NotFound
from gongjian.core.replica import api_reads_from_replica
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import Project
from gongjian.supervision import inspections as inspection_services
from gongjian.supervision import lights, orders, reminders, rules, selectors, sources
from gongjian.supervision import notices as notice_services
from gongjian.supervision.flow import is_overdue
from gongjian.supervision.models import Hazard, Notice, RandomDraw, SupervisionOrder

router = Router(tags=["督查督办"])


class OrderOut(Schema):
    id: int
    code: str
    title: str
    state: str
    state_label: str
    level: str
    source: str
    source_ref: str
    instruction_id: int | None
    light: str | None
    unit_id: int
    unit_name: str
    issuing_unit_name: str
    project_id: int | None
    project_name: str | None
    issued_on: dt.date
    deadline: dt.date
    original_deadline: dt.date
    overdue: bool
    overdue_on: dt.date | None
    closed_on: dt.date | None
    times_sent_back: int
    version: int
    updated_at: dt.datetime = Field(description="督办单最后修改时间（排序字段 updated）")


class EventOut(Schema):
    kind: str
    kind_label: str
    actor: str
    at: dt.datetime
    from_state: str
    to_state: str
    note: str
    old_deadline: dt.date | None
    new_deadline: dt.date | None
    evidence: list[str]


class ExtensionOut(Schema):
    id: int
    reason: str
    old_deadline: dt.date
    new_deadline: dt.date
    status: str
    requested_on: dt.date
    decided_on: dt.date | None
    decision_note: str


class CooperatorOut(Schema):
    unit_id: int
    unit_name: str
    acknowledged_on: dt.date | None
    part_on: dt.date | None
    part_text: str
    explanation: str
    overdue_on: dt.date | None


class OrderDetailOut(OrderOut):
    content: str
    required_evidence: str
    trail: list[EventOut]
    extensions: list[ExtensionOut]
    cooperators: list[CooperatorOut]
    reviewer_id: int | None
    revisit_due: dt.date | None
    revisited_on: dt.date | None
    revisit_held: bool | None
    reopened_from_id: int | None
    reopened_as: list[int]
    allowed_steps: list[str]


def _light(o: SupervisionOrder, today: dt.date) -> str | None:
    colour = getattr(o, "light", None) if hasattr(o, "light") else lights.order_light(o, today)
    return colour.value if colour else None


def _order_out(o: SupervisionOrder, today: dt.date) -> dict[str, Any]:
    return {
        "id": o.pk,
        "code": o.code,
        "title": o.title,
        "state": o.state,
        "state_label": o.state_label,
        "level": o.level,
        "source": o.source,
        "source_ref": o.source_ref,
        "instruction_id": o.instruction_id,
        "light": _light(o, today),
        "unit_id": o.unit_id,
        "unit_name": o.unit.name,
        "issuing_unit_name": o.issuing_unit.name,
        "project_id": o.project_id,
        "project_name": o.project.name if o.project else None,
        "issued_on": o.issued_on,
        "deadline": o.deadline,
        "original_deadline": o.original_deadline,
        "overdue": is_overdue(o.state, o.deadline, today),
        "overdue_on": o.overdue_on,
        "closed_on": o.closed_on,
        "times_sent_back": o.times_sent_back,
        "version": o.version,
        "updated_at": o.updated_at,
    }


def _detail_out(user: Any, o: SupervisionOrder) -> dict[str, Any]:
    out = _order_out(o, clock.today())
    out.update(
        content=o.content,
        required_evidence=o.required_evidence,
        trail=[
            {
                "kind": e.kind,
                "kind_label": e.get_kind_display(),
                "actor": e.actor_label,
                "at": e.at,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
                "old_deadline": e.old_deadline,
                "new_deadline": e.new_deadline,
                "evidence": [ev.file.url for ev in e.evidence.all()],
            }
            for e in o.events.all()
        ],
        extensions=list(o.extensions.all()),
        cooperators=[
            {
                "unit_id": c.unit_id,
                "unit_name": c.unit.name,
                "acknowledged_on": c.acknowledged_on,
                "part_on": c.part_on,
                "part_text": c.part_text,
                "explanation": c.explanation,
                "overdue_on": c.overdue_on,
            }
            for c in o.cooperators.all()
        ],
        reviewer_id=o.reviewer_id,
        revisit_due=o.revisit_due,
        revisited_on=o.revisited_on,
        revisit_held=o.revisit_held,
        reopened_from_id=o.reopened_from_id,
        reopened_as=[r.pk for r in o.reopened_as.all()],
        allowed_steps=[str(s) for s in rules.allowed_steps(user, o)],
    )
    return out


class OrderQuery(paging.PageParams):
    state: str = Field("", description="状态（如 issued、in_progress、closed）")
    unit_id: Id | None = None
    overdue: bool = False
    level: str = Field("", description="督查单颜色：blue、yellow、red")
    project_id: Id | None = None
    q: str = Field("", description="按编号、事项查找")


class OrderPage(paging.PageMeta):
    items: list[OrderOut]


@router.get(
    "/orders",
    response=OrderPage,
    summary="督办单列表（分页、排序；按状态、单位、颜色、项目、逾期筛选）",
    description=selectors.ORDER_SORTS.describe(),
)
@api_reads_from_replica
def list_orders(request: HttpRequest, filters: Query[OrderQuery]) -> dict[str, Any]:
    req = paging.parse_params(selectors.ORDER_SORTS, filters)
    found = selectors.orders_page(
        request.user,
        req,
        state=filters.state,
        unit_id=filters.unit_id,
        overdue=filters.overdue,
        level=filters.level,
        project_id=filters.project_id,
        q=filters.q,
    )
    today = clock.today()
    lights.annotate_lights(found.items, today)
    return found.map(lambda o: _order_out(o, today)).as_dict()


@router.get("/orders/{order_id}", response=OrderDetailOut, summary="督办单详情与全程记录")
def order_detail(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return _detail_out(request.user, selectors.order_detail(request.user, order_id))


class IssueIn(Schema):
    unit_id: Id
    title: str
    content: str
    deadline: dt.date
    project_id: Id | None = None
    required_evidence: str = ""
    level: str = "blue"
    source: str = "manual"
    source_ref: str = ""
    instruction_id: Id | None = None
    cooperator_ids: list[Id] = []


def _unit(user: Any, unit_id: int) -> Unit:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not scope_for(user).can(Action.VIEW, unit):
        raise NotFound(_("单位不存在，或不在您的查看范围内。"))
    return unit


def _project(user: Any, project_id: int) -> Project:
    project = (
        scope_for(user)
        .filter(Project.objects.select_related("unit"), Action.VIEW)
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise NotFound(_("项目不存在，或不在您的查看范围内。"))
    return project


def _draw(user: Any, draw_id: int) -> RandomDraw:
    draw = selectors.draws_for(user).filter(pk=draw_id).first()
    if draw is None:
        raise NotFound(_("抽签记录不存在，或不在您的查看范围内。"))
    return draw


@router.post("/orders", response={201: OrderDetailOut}, summary="交办督办单")
def issue(request: HttpRequest, payload: IssueIn) -> Status[dict[str, Any]]:
    project = None
    if payload.project_id:
        project = _project(request.user, payload.project_id)
    instruction = None
    if payload.instruction_id:
        instruction = sources.instruction_for(request.user, payload.instruction_id)
    order = orders.issue_order(
        actor=request.user,
        unit=_unit(request.user, payload.unit_id),
        title=payload.title,
        content=payload.content,
        deadline=payload.deadline,
        project=project,
        required_evidence=payload.required_evidence,
        level=payload.level,
        source=payload.source,
        source_ref=payload.source_ref,
        instruction=instruction,
        cooperators=[_unit(request.user, pk) for pk in dict.fromkeys(payload.cooperator_ids)],
    )
    return Status(201, _detail_out(request.user, selectors.order_detail(request.user, order.pk)))


class StepIn(Schema):
    version: int
    note: str = ""


class FeedbackIn(Schema):
    version: int
    note: str = ""
    # Why a co-operating unit's part is not in, by the unit's id.
    explanations: dict[Id, str] = {}


class ReasonIn(Schema):
    version: int
    reason: str


class ExtensionIn(Schema):
    version: int
    reason: str
    new_deadline: dt.date


class DecisionIn(Schema):
    version: int
    approve: bool
    note: str = ""


class ApproveIn(Schema):
    version: int
    note: str = ""
    deadline: dt.date | None = None


class ResubmitIn(Schema):
    version: int
    title: str = ""
    content: str = ""
    deadline: dt.date | None = None
    note: str = ""


class ReviewerIn(Schema):
    version: int
    reviewer_id: Id


class RevisitIn(Schema):
    version: int
    held: bool
    note: str
    new_deadline: dt.date | None = None


class RemindIn(Schema):
    text: str = ""


def _visible(request: HttpRequest, order_id: int) -> SupervisionOrder:
    return selectors.order_detail(request.user, order_id)


def _done(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return _detail_out(request.user, selectors.order_detail(request.user, order_id))


@router.post("/orders/{order_id}/approve", response=OrderDetailOut, summary="领导审核同意下发")
def approve(request: HttpRequest, order_id: int, payload: ApproveIn) -> dict[str, Any]:
    orders.approve(
        actor=request.user,
        order=_visible(request, order_id),
        note=payload.note,
        deadline=payload.deadline,
        expected_version=payload.version,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/return-draft", response=OrderDetailOut, summary="领导审核退回")
def return_draft(request: HttpRequest, order_id: int, payload: StepIn) -> dict[str, Any]:
    orders.return_draft(
        actor=request.user,
        order=_visible(request, order_id),
        note=payload.note,
        expected_version=payload.version,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/resubmit", response=OrderDetailOut, summary="修改后重新提交审核")
def resubmit(request: HttpRequest, order_id: int, payload: ResubmitIn) -> dict[str, Any]:
    orders.resubmit(
        actor=request.user,
        order=_visible(request, order_id),
        title=payload.title,
        content=payload.content,
        deadline=payload.deadline,
        note=payload.note,
        expected_version=payload.version,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/reviewer", response=OrderDetailOut, summary="指定复核人")
def assign_reviewer(request: HttpRequest, order_id: int, payload: ReviewerIn) -> dict[str, Any]:
    order = _visible(request, order_id)
    reviewer = next(
        (u for u in selectors.reviewer_candidates(order) if u.pk == payload.reviewer_id), None
    )
    if reviewer is None:
        raise NotFound(_("该人员不能复核此督办单。"))
    orders.assign_reviewer(
        actor=request.user, order=order, reviewer=reviewer, expected_version=payload.version
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/revisit", response=OrderDetailOut, summary="销号后回访")
def revisit(request: HttpRequest, order_id: int, payload: RevisitIn) -> dict[str, Any]:
    orders.revisit(
        actor=request.user,
        order=_visible(request, order_id),
        held=payload.held,
        note=payload.note,
        new_deadline=payload.new_deadline,
        expected_version=payload.version,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/co-acknowledge", response=OrderDetailOut, summary="协办签收")
def co_acknowledge(request: HttpRequest, order_id: int, payload: StepIn) -> dict[str, Any]:
    orders.co_acknowledge(
        actor=request.user,
        order=_visible(request, order_id),
        expected_version=payload.version,
        note=payload.note,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/co-part", response=OrderDetailOut, summary="提交协办意见")
def give_part(request: HttpRequest, order_id: int, payload: StepIn) -> dict[str, Any]:
    orders.give_part(
        actor=request.user,
        order=_visible(request, order_id),
        text=payload.note,
        expected_version=payload.version,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/acknowledge", response=OrderDetailOut, summary="签收")
def acknowledge(request: HttpRequest, order_id: int, payload: StepIn) -> dict[str, Any]:
    orders.acknowledge(
        actor=request.user,
        order=_visible(request, order_id),
        expected_version=payload.version,
        note=payload.note,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/start", response=OrderDetailOut, summary="开始办理")
def start(request: HttpRequest, order_id: int, payload: StepIn) -> dict[str, Any]:
    orders.start(
        actor=request.user,
        order=_visible(request, order_id),
        expected_version=payload.version,
        note=payload.note,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/feedback", response=OrderDetailOut, summary="反馈（文字佐证）")
def feedback(request: HttpRequest, order_id: int, payload: FeedbackIn) -> dict[str, Any]:
    orders.feedback(
        actor=request.user,
        order=_visible(request, order_id),
        text=payload.note,
        expected_version=payload.version,
        explanations=payload.explanations,
    )
    return _done(request, order_id)


@router.post(
    "/orders/{order_id}/feedback-with-evidence",
    response=OrderDetailOut,
    summary="反馈（附照片或文件，multipart）",
)
def feedback_with_evidence(
    request: HttpRequest,
    order_id: int,
    version: Form[int],
    note: Form[str],
    kind: Form[str] = "photo",
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> dict[str, Any]:
    orders.feedback(
        actor=request.user,
        order=_visible(request, order_id),
        text=note,
        files=[orders.EvidenceFile(f, kind=kind, caption=f.name or "") for f in files or []],
        expected_version=version,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/close", response=OrderDetailOut, summary="审核销号")
def close(request: HttpRequest, order_id: int, payload: StepIn) -> dict[str, Any]:
    orders.close(
        actor=request.user,
        order=_visible(request, order_id),
        note=payload.note,
        expected_version=payload.version,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/send-back", response=OrderDetailOut, summary="退回")
def send_back(request: HttpRequest, order_id: int, payload: ReasonIn) -> dict[str, Any]:
    orders.send_back(
        actor=request.user,
        order=_visible(request, order_id),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/extension", response=OrderDetailOut, summary="申请延期")
def request_extension(request: HttpRequest, order_id: int, payload: ExtensionIn) -> dict[str, Any]:
    orders.request_extension(
        actor=request.user,
        order=_visible(request, order_id),
        reason=payload.reason,
        new_deadline=payload.new_deadline,
        expected_version=payload.version,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/extension/decide", response=OrderDetailOut, summary="审批延期")
def decide_extension(request: HttpRequest, order_id: int, payload: DecisionIn) -> dict[str, Any]:
    orders.decide_extension(
        actor=request.user,
        order=_visible(request, order_id),
        approve=payload.approve,
        note=payload.note,
        expected_version=payload.version,
    )
    return _done(request, order_id)


@router.post("/orders/{order_id}/remind", response=OrderDetailOut, summary="催办")
def remind(request: HttpRequest, order_id: int, payload: RemindIn) -> dict[str, Any]:
    reminders.remind(actor=request.user, order=_visible(request, order_id), text=payload.text)
    return _done(request, order_id)


class TodoCountOut(Schema):
    count: int = Field(description="这一类待办的总件数（count_exact 为 false 时为估计值）")
    count_exact: bool
    shown: int = Field(description="本答复列出的件数（每类至多 50 件）")


class TodoOut(Schema):
    to_handle: list[OrderOut]
    to_review: list[OrderOut]
    extensions: list[int]
    to_approve: list[OrderOut]
    returned: list[OrderOut]
    parts_due: list[int]
    revisits_due: list[OrderOut]
    counts: dict[str, TodoCountOut] = Field(
        description="每类待办的总件数；多于所列时用 /todo/{section} 分页读取全部"
    )


@router.get(
    "/todo",
    response=TodoOut,
    summary="我的待办（每类列出前 50 件并给出总数）",
    description="extensions、parts_due 为相应督办单的 id。",
)
@api_reads_from_replica
def todo(request: HttpRequest) -> dict[str, Any]:
    t = selectors.todo(request.user)
    for listed in (t.to_handle, t.to_review, t.to_approve, t.returned, t.revisits_due):
        lights.annotate_lights(listed, t.today)
    return {
        "to_handle": [_order_out(o, t.today) for o in t.to_handle],
        "to_review": [_order_out(o, t.today) for o in t.to_review],
        "extensions": [e.order_id for e in t.extensions],
        "to_approve": [_order_out(o, t.today) for o in t.to_approve],
        "returned": [_order_out(o, t.today) for o in t.returned],
        "parts_due": [c.order_id for c in t.parts_due],
        "revisits_due": [_order_out(o, t.today) for o in t.revisits_due],
        "counts": {
            section: {"count": c.count, "count_exact": c.exact, "shown": c.shown}
            for section, c in t.counts.items()
        },
    }


class TodoPage(paging.PageMeta):
    items: list[OrderOut] = Field(
        description="督办单；extensions、parts_due 为延期申请、协办所属的督办单"
    )


@router.get(
    "/todo/{section}",
    response=TodoPage,
    summary="我的待办中的一类（分页、排序）",
    description="section："
    + "、".join(selectors.TODO_SORTS)
    + "。排序字段随类别而定："
    + "；".join(f"{name}：{sorts.describe()}" for name, sorts in selectors.TODO_SORTS.items()),
)
@api_reads_from_replica
def todo_section(
    request: HttpRequest, section: str, params: Query[paging.PageParams]
) -> dict[str, Any]:
    paging.choice("section", section, list(selectors.TODO_SORTS))
    req = paging.parse_params(selectors.TODO_SORTS[section], params)
    found = selectors.todo_page(request.user, section, req)
    if section in selectors.OF_AN_ORDER:
        found = found.map(lambda row: row.order)
    today = clock.today()
    lights.annotate_lights(found.items, today)
    return found.map(lambda o: _order_out(o, today)).as_dict()


class InstructionOrderOut(Schema):
    id: int
    code: str
    unit_name: str
    state: str


class InstructionOut(Schema):
    id: int
    leader_id: int
    leader_name: str
    text: str
    given_on: dt.date
    kind: str
    kind_label: str
    document_ref: str
    unit_id: int
    status: str
    orders: list[InstructionOrderOut]


def _instruction_out(i: Any) -> dict[str, Any]:
    outcome = sources.outcome(i)
    return {
        "id": i.pk,
        "leader_id": i.leader_id,
        "leader_name": i.leader.name,
        "text": i.text,
        "given_on": i.given_on,
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "document_ref": i.document_ref,
        "unit_id": i.unit_id,
        "status": outcome.status,
        "orders": [
            {"id": o.pk, "code": o.code, "unit_name": o.unit.name, "state": o.state}
            for o in outcome.orders
        ],
    }


@router.get("/instructions", response=list[InstructionOut], summary="领导批示登记簿（含办理情况）")
@api_reads_from_replica
def instructions(request: HttpRequest) -> list[dict[str, Any]]:
    return [_instruction_out(i) for i in sources.instructions_for(request.user)[:500]]


class InstructionIn(Schema):
    leader_id: Id
    text: str
    given_on: dt.date
    kind: str
    document_ref: str = ""


@router.post("/instructions", response={201: InstructionOut}, summary="登记领导批示")
def record_instruction(request: HttpRequest, payload: InstructionIn) -> Status[dict[str, Any]]:
    leader = sources.leaders_for(request.user).filter(pk=payload.leader_id).first()
    if leader is None:
        raise NotFound(_("领导不存在，或不在您的查看范围内。"))
    i = sources.record_instruction(
        actor=request.user,
        leader=leader,
        text=payload.text,
        given_on=payload.given_on,
        kind=payload.kind,
        document_ref=payload.document_ref,
    )
    return Status(201, _instruction_out(sources.instruction_for(request.user, i.pk)))


class MessageOut(Schema):
    id: int
    text: str
    order_id: int | None
    created_at: dt.datetime
    read: bool


class MessageQuery(paging.PageParams):
    unread: bool = Field(False, description="只看未读")


class MessagePage(paging.PageMeta):
    items: list[MessageOut]


@router.get(
    "/messages",
    response=MessagePage,
    summary="站内消息（分页，新的在前）",
    description=selectors.MESSAGE_SORTS.describe(),
)
@api_reads_from_replica
def messages(request: HttpRequest, filters: Query[MessageQuery]) -> dict[str, Any]:
    req = paging.parse_params(selectors.MESSAGE_SORTS, filters)
    found = selectors.messages_page(request.user, req, unread=filters.unread)
    return found.map(
        lambda m: {
            "id": m.pk,
            "text": m.text,
            "order_id": m.order_id,
            "created_at": m.created_at,
            "read": m.read_at is not None,
        }
    ).as_dict()


class NoticeOut(Schema):
    id: int
    kind: str
    title: str
    unit_id: int
    unit_name: str
    person_name: str
    reason: str
    state: str
    published_on: dt.date | None
    doc_number: str
    issuing_level: str
    issuing_level_label: str
    order_ids: list[int]
    project_ids: list[int]
    version: int
    updated_at: dt.datetime = Field(description="通报最后修改时间（排序字段 updated）")


def _notice_out(n: Notice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "unit_id": n.unit_id,
        "unit_name": n.unit.name,
        "person_name": n.person_name,
        "reason": n.reason,
        "state": n.state,
        "published_on": n.published_on,
        "doc_number": n.doc_number,
        "issuing_level": n.issuing_level,
        "issuing_level_label": str(n.get_issuing_level_display()),
        "order_ids": [o.pk for o in n.orders.all()],
        "project_ids": [p.pk for p in n.projects.all()],
        "version": n.version,
        "updated_at": n.updated_at,
    }


class NoticeQuery(paging.PageParams):
    kind: str = Field("", description="类型：criticism（批评）、praise（表扬）")
    state: str = Field("", description="状态：draft（草稿）、published（已发布）")
    unit_id: Id | None = None


class NoticePage(paging.PageMeta):
    items: list[NoticeOut]


@router.get(
    "/notices",
    response=NoticePage,
    summary="通报列表（分页、排序、筛选）",
    description=selectors.NOTICE_SORTS.describe(),
)
@api_reads_from_replica
def notices(request: HttpRequest, filters: Query[NoticeQuery]) -> dict[str, Any]:
    req = paging.parse_params(selectors.NOTICE_SORTS, filters)
    found = selectors.notices_page(
        request.user, req, kind=filters.kind, state=filters.state, unit_id=filters.unit_id
    )
    return found.map(_notice_out).as_dict()


class NoticeIn(Schema):
    kind: str
    unit_id: Id
    title: str
    reason: str
    person_name: str = ""
    order_ids: list[Id] = []
    project_ids: list[Id] = []
    publish: bool = False
    doc_number: str = Field("", description="发文字号，如 长攻坚办〔2026〕15号；考评按文号只计一次")
    issuing_level: str | None = Field(
        None, description="发文层级：national、province、city、district；不填按本办层级"
    )


class NoticeEditIn(Schema):
    version: int = Field(description="读取时的版本号（乐观锁）")
    title: str
    reason: str
    person_name: str = ""
    doc_number: str = ""
    issuing_level: str = Field(description="发文层级：national、province、city、district")


def _each_visible(qs: Any, ids: list[int], missing: Any) -> list[Any]:
    wanted = list(dict.fromkeys(ids))
    rows = {row.pk: row for row in qs.filter(pk__in=wanted)}
    absent = [str(i) for i in wanted if i not in rows]
    if absent:
        raise NotFound(missing("、".join(absent)))
    return [rows[i] for i in wanted]


@router.post("/notices", response={201: NoticeOut}, summary="起草或发布通报")
def create_notice(request: HttpRequest, payload: NoticeIn) -> Status[dict[str, Any]]:
    # Every id is found or refused by name: a link the caller asked for is never dropped.
    orders = _each_visible(
        selectors.orders_for(request.user),
        payload.order_ids,
        lambda ids: _("督办单（编号 %(ids)s）不存在，或不在您的查看范围内。") % {"ids": ids},
    )
    projects = _each_visible(
        scope_for(request.user).filter(Project.objects.select_related("unit"), Action.VIEW),
        payload.project_ids,
        lambda ids: _("项目（编号 %(ids)s）不存在，或不在您的查看范围内。") % {"ids": ids},
    )
    notice = notice_services.create_notice(
        actor=request.user,
        kind=payload.kind,
        unit=_unit(request.user, payload.unit_id),
        title=payload.title,
        reason=payload.reason,
        person_name=payload.person_name,
        orders=orders,
        projects=projects,
        publish=payload.publish,
        doc_number=payload.doc_number,
        issuing_level=payload.issuing_level,
    )
    return Status(201, _notice_out(selectors.notices_for(request.user).get(pk=notice.pk)))


@router.put("/notices/{notice_id}", response=NoticeOut, summary="修改通报草稿")
def update_notice(request: HttpRequest, notice_id: int, payload: NoticeEditIn) -> dict[str, Any]:
    notice = selectors.notices_for(request.user).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(_("通报不存在，或不在您的查看范围内。"))
    notice_services.update_notice(
        actor=request.user,
        notice=notice,
        expected_version=payload.version,
        title=payload.title,
        reason=payload.reason,
        person_name=payload.person_name,
        doc_number=payload.doc_number,
        issuing_level=payload.issuing_level,
    )
    return _notice_out(selectors.notices_for(request.user).get(pk=notice_id))


@router.post("/notices/{notice_id}/publish", response=NoticeOut, summary="发布通报")
def publish_notice(request: HttpRequest, notice_id: int, payload: StepIn) -> dict[str, Any]:
    notice = selectors.notices_for(request.user).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(_("通报不存在，或不在您的查看范围内。"))
    notice_services.publish_notice(
        actor=request.user, notice=notice, expected_version=payload.version
    )
    return _notice_out(selectors.notices_for(request.user).get(pk=notice_id))


class HazardIn(Schema):
    description: str
    rectify_by: dt.date


class HazardOut(Schema):
    id: int
    description: str
    rectify_by: dt.date
    rectified_on: dt.date | None
    order_id: int | None


class InspectionIn(Schema):
    kind: str
    unit_id: Id | None = None
    project_id: Id | None = None
    team: str
    inspected_on: dt.date
    findings: str
    hazards: list[HazardIn] = []
    draw_id: Id | None = None


class InspectionOut(Schema):
    id: int
    kind: str
    unit_name: str
    project_name: str | None
    team: str
    inspected_on: dt.date
    findings: str
    hazards: list[HazardOut]


def _inspection_out(i: Any) -> dict[str, Any]:
    return {
        "id": i.pk,
        "kind": i.kind,
        "unit_name": i.unit.name,
        "project_name": i.project.name if i.project else None,
        "team": i.team,
        "inspected_on": i.inspected_on,
        "findings": i.findings,
        "hazards": list(i.hazards.all()),
    }


class InspectionQuery(paging.PageParams):
    kind: str = Field("", description="类型")
    unit_id: Id | None = None
    project_id: Id | None = None


class InspectionPage(paging.PageMeta):
    items: list[InspectionOut]


@router.get(
    "/inspections",
    response=InspectionPage,
    summary="督查检查列表（分页、排序、筛选）",
    description=selectors.INSPECTION_SORTS.describe(),
)
@api_reads_from_replica
def inspections(request: HttpRequest, filters: Query[InspectionQuery]) -> dict[str, Any]:
    req = paging.parse_params(selectors.INSPECTION_SORTS, filters)
    found = selectors.inspections_page(
        request.user, req, kind=filters.kind, unit_id=filters.unit_id, project_id=filters.project_id
    )
    return found.map(_inspection_out).as_dict()


@router.post("/inspections", response={201: InspectionOut}, summary="记录督查检查")
def record_inspection(request: HttpRequest, payload: InspectionIn) -> Status[dict[str, Any]]:
    project = _project(request.user, payload.project_id) if payload.project_id else None
    unit = _unit(request.user, payload.unit_id) if payload.unit_id else None
    draw = _draw(request.user, payload.draw_id) if payload.draw_id else None
    insp = inspection_services.record_inspection(
        actor=request.user,
        kind=payload.kind,
        unit=unit,
        project=project,
        team=payload.team,
        inspected_on=payload.inspected_on,
        findings=payload.findings,
        hazards=[
            inspection_services.HazardIn(h.description, h.rectify_by) for h in payload.hazards
        ],
        draw=draw,
    )
    return Status(201, _inspection_out(selectors.inspections_for(request.user).get(pk=insp.pk)))


@router.post("/hazards/{hazard_id}/rectify", response=HazardOut, summary="隐患整改完成")
def rectify(request: HttpRequest, hazard_id: int, payload: StepIn) -> Hazard:
    hazard = scope_for(request.user).filter(
        Hazard.objects.all(), Action.VIEW, via="inspection__unit"
    )
    row = hazard.filter(pk=hazard_id).first()
    if row is None:
        raise NotFound(_("隐患不存在，或不在您的查看范围内。"))
    return inspection_services.rectify_hazard(
        actor=request.user, hazard=row, note=payload.note, expected_version=payload.version
    )


class DrawIn(Schema):
    scope_unit_id: Id
    count: int
    seed: str = ""
    unit_id: Id | None = None
    level: str = ""


class DrawOut(Schema):
    id: int
    seed: str
    drawn_on: dt.date
    criteria: dict[str, Any]
    candidate_ids: list[int]
    picked_ids: list[int]


@router.post("/draws", response={201: DrawOut}, summary="随机抽查抽签")
def draw(request: HttpRequest, payload: DrawIn) -> Status[Any]:
    row = inspection_services.draw_random_check(
        actor=request.user,
        scope_unit=_unit(request.user, payload.scope_unit_id),
        unit=_unit(request.user, payload.unit_id) if payload.unit_id else None,
        count=payload.count,
        seed=payload.seed or None,
        level=payload.level,
    )
    return Status(201, row)


class CountsOut(Schema):
    unit_id: int
    unit_name: str
    orders_issued: int
    orders_overdue: int
    orders_closed_on_time: int
    criticism_notices: int
    praise_notices: int


@router.get("/counts", response=list[CountsOut], summary="各单位督办与通报计数（考评用）")
@api_reads_from_replica
def counts(request: HttpRequest, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    selectors.check_period(start, end)
    units = list(scope_for(request.user).units(Action.VIEW).order_by("path"))
    result = selectors.unit_counts(units, start, end)
    return [{"unit_id": u.pk, "unit_name": u.name, **vars(result[u.pk])} for u in units]
