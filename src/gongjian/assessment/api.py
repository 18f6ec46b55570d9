"""API of the assessment: rounds, results, explanations, entry, compute, objections, publish."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from gongjian.assessment import assessing, lists, plan_file, selectors, services
from gongjian.assessment.bulletin import FORMATS as BULLETIN_FORMATS
from gongjian.assessment.bulletin import build_combined, set_particulars
from gongjian.assessment.bulletin import render as render_bulletin
from gongjian.assessment.bulletin_template import MAX_BYTES as MAX_TEMPLATE_BYTES
from gongjian.assessment.bulletin_template import upload_template
from gongjian.assessment.models import Indicator, Objection, Plan
from gongjian.assessment.values_file import import_values_file
from gongjian.core import audit, paging
from gongjian.core.api_types import Count, Id
from gongjian.core.errors import NotFound, PermissionDenied, ValidationFailed
from gongjian.core.replica import api_reads_from_replica
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for

router = Router(tags=["考评"])
UPLOAD = File(...)


class RoundOut(Schema):
    id: int
    plan: str
    plan_id: Id
    campaign: str
    owner: str
    period: str
    title: str
    edition: int
    corrects: int | None
    state: str
    state_label: str
    published_at: str | None


class LinePlacing(Schema):
    score: str | None  # with the plan's precision: "99.50"
    rank: int
    tied: bool


class ResultOut(Schema):
    unit_id: Id
    unit: str
    group: str
    score: str | None  # with the plan's precision: "99.50"; None for a line-only plan
    rank: int | None
    tied: bool
    grade: str
    veto: str
    lines: dict[str, LinePlacing]
    previous_rank: int | None = None
    previous_score: float | int | None = None
    movement: int | None = None  # previous rank − rank: up is positive; None when new
    movement_label: str = ""


class ValueIn(Schema):
    indicator: str  # code
    unit_id: Id
    value: str
    target: str | None = None
    note: str = ""
    expected_version: Count | None = None


class ValueOut(Schema):
    indicator: str
    unit_id: Id
    value: str
    round_version: int
    round_state: str


class StateOut(Schema):
    id: int
    state: str
    version: int


class PublishIn(Schema):
    expected_version: Count | None = None


class ParticularsIn(Schema):
    expected_version: int | None = None
    doc_number: str | None = None
    doc_addressees: str | None = None
    doc_signatory: str | None = None
    signed_on: dt.date | None = None
    doc_cc: str | None = None
    doc_printer: str | None = None
    doc_copy_number: str | None = None
    doc_secrecy: str | None = None
    doc_attach_tables: bool | None = None


class ObjectionIn(Schema):
    unit_id: Id
    reason: str


class ResolveIn(Schema):
    accept: bool
    reply: str


class ObjectionOut(Schema):
    id: int
    unit_id: Id
    state: str
    reason: str
    reply: str


class RoundIn(Schema):
    plan_id: Id
    period: str
    title: str = ""


class CorrectionIn(Schema):
    reason: str


class ImportOut(Schema):
    count: int


def _unit(unit_id: int) -> Unit:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("找不到该单位。"))
    return unit


class RoundQuery(paging.PageParams):
    state: str = Field("", description="状态：draft、computed、published")
    plan_id: Id | None = None
    campaign_id: Id | None = None


class RoundPage(paging.PageMeta):
    items: list[RoundOut]


@router.get(
    "/rounds",
    response=RoundPage,
    summary="考评期列表（分页、排序、筛选）",
    description=selectors.ROUND_SORTS.describe(),
)
@api_reads_from_replica
def rounds(request: HttpRequest, filters: Query[RoundQuery]) -> dict[str, Any]:
    req = paging.parse_params(selectors.ROUND_SORTS, filters)
    found, rows = selectors.rounds_page(
        request.user,
        req,
        state=filters.state,
        plan_id=filters.plan_id,
        campaign_id=filters.campaign_id,
    )
    return {**found.as_dict(), "items": rows}


@router.post("/rounds", response=RoundOut, summary="新建考评期")
def create_round(request: HttpRequest, payload: RoundIn) -> dict[str, Any]:
    plan = selectors.plans(request.user).filter(pk=payload.plan_id).first()
    if plan is None:
        raise NotFound(_("找不到该方案，或无权查看。"))
    round_ = services.create_round(
        actor=request.user, plan=plan, period=payload.period, title=payload.title
    )
    return selectors.round_rows(selectors.all_rounds().filter(pk=round_.pk))[0]


class ResultQuery(paging.PageParams):
    group: str = Field("", description="考评组")
    grade: str = Field("", description="等次")


class ResultPage(paging.PageMeta):
    items: list[ResultOut]


@router.get(
    "/rounds/{round_id}/results",
    response=ResultPage,
    summary="考评结果（分页；默认按组、名次）",
    description=selectors.RESULT_SORTS.describe()
    + "只按专项计分、没有综合得分的方案不能按 score 排序。",
)
@api_reads_from_replica
def results(request: HttpRequest, round_id: Id, filters: Query[ResultQuery]) -> dict[str, Any]:
    round_ = selectors.get_round(request.user, round_id)
    req = paging.parse_params(selectors.result_sorts(round_.plan), filters)
    found = selectors.results_page(
        request.user, round_, req, group=filters.group or None, grade=filters.grade or None
    )
    return found.as_dict()


@router.get(
    "/rounds/{round_id}/units/{unit_id}/explanation", summary="得分说明（含与上一名的差距）"
)
def explanation(request: HttpRequest, round_id: Id, unit_id: Id) -> dict[str, Any]:
    round_ = selectors.get_round(request.user, round_id)
    return selectors.explanation(request.user, round_, _unit(unit_id))


@router.get("/rounds/{round_id}/diff", summary="更正版本与原版本的差异")
def diff(request: HttpRequest, round_id: Id) -> list[dict[str, Any]]:
    return selectors.correction_diff(request.user, selectors.get_round(request.user, round_id))


@router.post("/rounds/{round_id}/values", response=ValueOut, summary="录入指标值")
def enter_value(request: HttpRequest, round_id: Id, payload: ValueIn) -> dict[str, Any]:
    round_ = selectors.get_round(request.user, round_id)
    indicator = Indicator.objects.filter(plan=round_.plan_id, code=payload.indicator).first()
    if indicator is None:
        raise ValidationFailed(_("未知指标。"), field="indicator")
    row = services.enter_value(
        actor=request.user,
        round=round_,
        indicator=indicator,
        unit=_unit(payload.unit_id),
        value=payload.value,
        target=payload.target,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return {
        "indicator": indicator.code,
        "unit_id": row.unit_id,
        "value": f"{row.value.normalize():f}",
        "round_version": round_.version,
        "round_state": round_.state,
    }


@router.post("/rounds/{round_id}/values/import", response=ImportOut, summary="导入指标值文件")
def import_values(
    request: HttpRequest, round_id: Id, file: UploadedFile = UPLOAD
) -> dict[str, int]:
    round_ = selectors.get_round(request.user, round_id)
    assessing.require_may_enter_round(request.user, round_)
    count = import_values_file(actor=request.user, round=round_, name=file.name or "", content=file)
    audit.record(audit.EventKind.IMPORT, request=request, target=file.name or str(round_))
    return {"count": count}


@router.post("/rounds/{round_id}/compute", response=StateOut, summary="计算")
def compute(request: HttpRequest, round_id: Id) -> Any:
    round_ = selectors.get_round(request.user, round_id)
    services.compute_round(actor=request.user, round=round_)
    return round_


@router.post("/rounds/{round_id}/publish", response=StateOut, summary="发布")
def publish(request: HttpRequest, round_id: Id, payload: PublishIn) -> Any:
    round_ = selectors.get_round(request.user, round_id)
    return services.publish_round(
        actor=request.user, round=round_, expected_version=payload.expected_version
    )


@router.post("/rounds/{round_id}/corrections", response=StateOut, summary="新建更正版本")
def correct(request: HttpRequest, round_id: Id, payload: CorrectionIn) -> Any:
    round_ = selectors.get_round(request.user, round_id)
    return services.correct_round(actor=request.user, round=round_, reason=payload.reason)


@router.post("/rounds/{round_id}/objections", response=ObjectionOut, summary="提出异议")
def object_(request: HttpRequest, round_id: Id, payload: ObjectionIn) -> Any:
    round_ = selectors.get_round(request.user, round_id)
    return services.raise_objection(
        actor=request.user, round=round_, unit=_unit(payload.unit_id), reason=payload.reason
    )


@router.post("/objections/{objection_id}/resolve", response=ObjectionOut, summary="处理异议")
def resolve(request: HttpRequest, objection_id: Id, payload: ResolveIn) -> Any:
    objection = get_object_or_404(Objection.objects.select_related("round"), pk=objection_id)
    selectors.get_round(request.user, objection.round_id)
    return services.resolve_objection(
        actor=request.user, objection=objection, accept=payload.accept, reply=payload.reply
    )


class ListUnitOut(Schema):
    unit_id: Id
    unit: str
    rank: int
    reason: str
    action: str
    exempt: bool
    exempt_reason: str


class ListGroupOut(Schema):
    name: str
    units: list[ListUnitOut]


class ListOut(Schema):
    kind: str  # red 红榜, black 黑榜, offence 连续违规名单（如约谈名单）
    name: str
    groups: list[ListGroupOut]


class ExemptionIn(Schema):
    unit_id: Id
    reason: str


class ExemptionOut(Schema):
    unit_id: Id
    reason: str


@router.get("/rounds/{round_id}/lists", response=list[ListOut], summary="红黑榜与约谈等名单")
@api_reads_from_replica
def round_lists(request: HttpRequest, round_id: Id) -> list[dict[str, Any]]:
    return selectors.round_lists(request.user, selectors.get_round(request.user, round_id))


@router.post("/rounds/{round_id}/exemptions", response=ExemptionOut, summary="黑榜豁免（不可抗力）")
def exempt(request: HttpRequest, round_id: Id, payload: ExemptionIn) -> Any:
    round_ = selectors.get_round(request.user, round_id)
    return lists.exempt(
        actor=request.user, round=round_, unit=_unit(payload.unit_id), reason=payload.reason
    )


@router.get("/units/{unit_id}/trend", summary="单位历次得分与名次")
@api_reads_from_replica
def trend(request: HttpRequest, unit_id: Id, plan: str | None = None) -> list[dict[str, Any]]:
    return selectors.trend(request.user, _unit(unit_id), plan)


@router.get(
    "/rounds/{round_id}/bulletin",
    url_name="assessment_bulletin",
    summary="考评情况通报（md、docx 或 pdf）；with=其他考评期ID（可重复）为合并通报",
)
def bulletin(
    request: HttpRequest,
    round_id: Id,
    format: str = "md",
    with_: list[Id] = Query([], alias="with"),  # noqa: B008 - ninja's way to declare it
) -> HttpResponse:
    rounds = [selectors.get_round(request.user, round_id)]
    rounds += [selectors.get_round(request.user, extra) for extra in with_]
    for round_ in rounds:
        selectors.require_full_sight(request.user, round_)
    b = build_combined(rounds)
    response = HttpResponse(render_bulletin(b, format), content_type=BULLETIN_FORMATS[format])
    response["Content-Disposition"] = content_disposition_header(True, b.filename(format))
    audit.record(audit.EventKind.DOWNLOAD, request=request, target=b.filename(format))
    return response


@router.put(
    "/rounds/{round_id}/bulletin/particulars",
    response=StateOut,
    summary="填写通报要素（发文字号、主送机关、署名、成文日期、抄送等；发布前）",
)
def bulletin_particulars(request: HttpRequest, round_id: Id, payload: ParticularsIn) -> Any:
    round_ = selectors.get_round(request.user, round_id)
    values = payload.dict(exclude_unset=True)
    expected = values.pop("expected_version", None)
    return set_particulars(actor=request.user, round=round_, expected_version=expected, **values)


@router.post(
    "/offices/{unit_id}/bulletin-template",
    response=StateOut,
    summary="上传本单位的通报模板（docxtpl 占位符的 .docx，缺少的占位符会列出）",
)
def upload_bulletin_template(
    request: HttpRequest, unit_id: Id, file: UploadedFile = UPLOAD
) -> dict[str, Any]:
    template = upload_template(
        actor=request.user,
        office=_unit(unit_id),
        data=file.read(MAX_TEMPLATE_BYTES + 1),  # more than the limit is refused, never read whole
        filename=file.name or "",
    )
    return {"id": template.pk, "state": "uploaded", "version": 1}


@router.get("/plans/{plan_id}/export", summary="导出考评方案（yaml 或 xlsx）")
def export_plan(request: HttpRequest, plan_id: Id, format: str = "yaml") -> HttpResponse:
    plan = selectors.plans(request.user).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("找不到该方案，或无权查看。"))
    doc = services.plan_document(plan)
    if format == "xlsx":
        response = HttpResponse(
            plan_file.write_xlsx(doc),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(plan_file.write_yaml(doc), content_type="text/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.{format}"'
    audit.record(audit.EventKind.EXPORT, request=request, target=f"plan-{plan.pk}.{format}")
    return response


@router.post("/plans/import", summary="导入考评方案（同名方案成为新版本）")
def import_plan(request: HttpRequest, file: UploadedFile = UPLOAD) -> dict[str, Any]:
    if not scope_for(request.user).roots(Action.MANAGE_CAMPAIGN):
        raise PermissionDenied(_("无权导入考评方案。"))
    plan: Plan = services.import_plan(
        actor=request.user, doc=plan_file.read_upload(file.name or "", file)
    )
    audit.record(audit.EventKind.IMPORT, request=request, target=file.name or plan.name)
    return {"id": plan.pk, "name": plan.name, "edition": plan.edition}
