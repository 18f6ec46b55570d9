"""Pages of the assessment: rounds, results, a unit's explanation, the bulletin, a unit's trend."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl.utils import get_column_letter

from gongjian.assessment import lists, results_file, rollups, selectors, services, visibility
from gongjian.assessment.bulletin import (
    PARTICULAR_FIELDS,
    build_bulletin,
    combinable_rounds,
    particulars_refusal,
    set_particulars,
)
from gongjian.assessment.bulletin_forms import ParticularsForm
from gongjian.assessment.models import Objection, RoundState, ValueSource
from gongjian.core import audit, clock, paging
from gongjian.core.errors import GongjianError, ImportRejected, NotFound, ValidationFailed
from gongjian.core.http import flash_error
from gongjian.exchange.office_xlsx import xlsx_response
from gongjian.org.models import Unit


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    """The rounds a page at a time (the API's selector), state filter and sort in the URL."""
    state = request.GET.get("state") or None
    if state not in RoundState.values:
        state = None
    req = paging.parse_params(selectors.ROUND_SORTS, request.GET)
    found, rows = selectors.rounds_page(request.user, req, state=state)
    shown = selectors.visible_rounds(request.user).filter(pk__in=[r.pk for r in found.items])
    full = selectors.full_round_ids(request.user, shown)
    for row in rows:
        row["bulletin"] = row["id"] in full
    plans = list(selectors.manageable_plans(request.user))
    return render(
        request,
        "assessment/round_list.html",
        {
            "rounds": rows,
            "page": found,
            "pager": paging.pager(request.GET, found, selectors.ROUND_SORTS),
            "states": RoundState.choices,
            "state": state or "",
            "plans": plans,
            "this_month": clock.today().strftime("%Y-%m"),
        },
    )


@login_required
@require_POST
def new_round(request: HttpRequest) -> HttpResponse:
    plan = (
        selectors.manageable_plans(request.user).filter(pk=_int(request.POST.get("plan"))).first()
    )
    if plan is None:
        messages.error(request, _("找不到该方案，或无权为其新建考评期。"))
        return redirect("assessment:rounds")
    try:
        round_ = services.create_round(
            actor=request.user,
            plan=plan,
            period=request.POST.get("period", "").strip(),
            title=request.POST.get("title", "").strip(),
        )
    except GongjianError as exc:
        flash_error(request, exc)
        return redirect("assessment:rounds")
    messages.success(request, _("考评期已新建：请录入或导入指标值，然后计算。"))
    return redirect("assessment:round", round_id=round_.pk)


def _int(raw: str | None) -> int:
    try:
        return int(raw or 0)
    except ValueError:
        return 0


def _result_blocks(rows: list[dict[str, Any]], by_rank: bool) -> list[dict[str, Any]]:
    """A page of results as the page shows it: under each group's heading when in ranking
    order (a group's rows are consecutive), else one table that names each row's group."""
    if not by_rank:
        return [{"group": None, "rows": rows}] if rows else []
    blocks: list[dict[str, Any]] = []
    for row in rows:
        if not blocks or blocks[-1]["group"] != row["group"]:
            blocks.append({"group": row["group"], "rows": []})
        blocks[-1]["rows"].append(row)
    return blocks


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    """A round and its results a page at a time (the API's selector): group and grade filters,
    sort and cursor in the URL, ranking order unless sorted otherwise; htmx swaps the list."""
    round_ = selectors.get_round(request.user, round_id)
    sorts = selectors.result_sorts(round_.plan)
    req = paging.parse_params(sorts, request.GET)
    group = request.GET.get("group") or None
    grade = request.GET.get("grade") or None
    found = selectors.results_page(request.user, round_, req, group=group, grade=grade)
    return render(
        request,
        "assessment/round_detail.html",
        {
            "round": round_,
            "page": found,
            "pager": paging.pager(request.GET, found, sorts),
            "blocks": _result_blocks(found.items, found.sort.lstrip("-") == "rank"),
            "group_choices": selectors.result_groups(round_),
            "grade_choices": selectors.result_grades(round_),
            "group": group or "",
            "grade": grade or "",
            "sort": request.GET.get("sort", ""),
            "lines": [pl.name for pl in round_.plan.lines.all()],
            "has_composite": round_.plan.has_composite,
            "composite": selectors.composite_statement(round_.plan),
            "can_manage": selectors.can_manage(request.user, round_),
            "sees_all": visibility.sight(request.user, round_).full,
            "can_enter": selectors.can_enter(request.user, round_),
            "objectable": selectors.objectable_units(request.user, round_),
            "objections": selectors.objections(request.user, round_),
            "diff": selectors.correction_diff(request.user, round_),
            "corrections": list(round_.corrections.all()),
            "lists": selectors.round_lists(request.user, round_),
            "superseded": rollups.superseded_sources(round_),
            "rollups_to_correct": rollups.using_rollups(round_),
        },
    )


@login_required
def results_xlsx(request: HttpRequest, round_id: int) -> HttpResponseBase:
    """The round's results the user may see, as a streamed .xlsx."""
    round_ = selectors.get_round(request.user, round_id)
    file = results_file.results_workbook(round_, request.user)
    audit.record(audit.EventKind.EXPORT, request=request, target=f"考评结果 {round_}")
    return xlsx_response(file, f"考评结果-{round_.period}-{round_.pk}.xlsx")


@login_required
def explanation(request: HttpRequest, round_id: int, unit_id: int) -> HttpResponse:
    round_ = selectors.get_round(request.user, round_id)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("找不到该单位。"))
    data = selectors.explanation(request.user, round_, unit)
    return render(
        request, "assessment/explanation.html", {"round": round_, "unit": unit, "x": data}
    )


@login_required
def bulletin(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = selectors.get_round(request.user, round_id)
    selectors.require_full_sight(request.user, round_)
    editable = particulars_refusal(request.user, round_) is None
    form = ParticularsForm(instance=round_) if editable else None
    fully_seen = selectors.visible_rounds(request.user).filter(
        visibility.full_rounds_q(request.user)
    )
    context = {
        "round": round_,
        "bulletin": build_bulletin(round_),
        "particulars_form": form,
        "combinable": combinable_rounds(fully_seen, round_),
    }
    return render(request, "assessment/bulletin.html", context)


@login_required
@require_POST
def bulletin_particulars(request: HttpRequest, round_id: int) -> HttpResponse:
    try:
        round_ = selectors.get_round(request.user, round_id)
        form = ParticularsForm(request.POST, instance=round_)  # checked here, saved by the service
        if not form.is_valid():
            raise ValidationFailed(_("通报要素填写有误：%(e)s") % {"e": form.errors.as_text()})
        values = {name: form.cleaned_data[name] for name in PARTICULAR_FIELDS}
        set_particulars(actor=request.user, round=round_, **values)
        messages.success(request, _("通报要素已保存。"))
    except GongjianError as exc:
        flash_error(request, exc)
    return redirect("assessment:bulletin", round_id=round_id)


@login_required
def trend(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("找不到该单位。"))
    rows = selectors.trend(request.user, unit)
    series: dict[str, list[list[Any]]] = {}
    for r in rows:
        series.setdefault(r["plan"], []).append([r["period"], r["rank"]])
    return render(
        request,
        "assessment/trend.html",
        {"unit": unit, "rows": rows, "series_json": json.dumps(series, ensure_ascii=False)},
    )


def _act(request: HttpRequest, round_id: int, action: Any, ok: str) -> HttpResponse:
    try:
        round_ = selectors.get_round(request.user, round_id)
        action(round_)
        messages.success(request, ok)
    except GongjianError as exc:
        flash_error(request, exc)
    return redirect("assessment:round", round_id=round_id)


@login_required
@require_POST
def compute(request: HttpRequest, round_id: int) -> HttpResponse:
    return _act(
        request,
        round_id,
        lambda r: services.compute_round(actor=request.user, round=r),
        _("已计算，结果待审核发布。"),
    )


@login_required
@require_POST
def publish(request: HttpRequest, round_id: int) -> HttpResponse:
    return _act(
        request,
        round_id,
        lambda r: services.publish_round(actor=request.user, round=r),
        _("已发布。发布后的结果不可更改。"),
    )


@login_required
@require_POST
def correct(request: HttpRequest, round_id: int) -> HttpResponse:
    return _act(
        request,
        round_id,
        lambda r: services.correct_round(
            actor=request.user, round=r, reason=request.POST.get("reason", "")
        ),
        _("已新建更正版本（草稿），原发布版本保留。"),
    )


@login_required
@require_POST
def object_(request: HttpRequest, round_id: int) -> HttpResponse:
    def raise_it(r: Any) -> None:
        unit = Unit.objects.filter(pk=request.POST.get("unit_id") or 0).first()
        if unit is None:
            raise NotFound(_("找不到该单位。"))
        services.raise_objection(
            actor=request.user, round=r, unit=unit, reason=request.POST.get("reason", "")
        )

    return _act(request, round_id, raise_it, _("异议已提交，待攻坚办处理。"))


@login_required
@require_POST
def resolve(request: HttpRequest, round_id: int, objection_id: int) -> HttpResponse:
    def resolve_it(r: Any) -> None:
        objection = Objection.objects.filter(pk=objection_id, round=r).first()
        if objection is None:
            raise NotFound(_("找不到该异议。"))
        services.resolve_objection(
            actor=request.user,
            objection=objection,
            accept=request.POST.get("accept") == "1",
            reply=request.POST.get("reply", ""),
        )

    return _act(request, round_id, resolve_it, _("异议已处理。"))


@login_required
def entry(request: HttpRequest, round_id: int) -> HttpResponse:
    """The lead unit's entry form: every open cell of its units; saved all or nothing."""
    round_ = selectors.get_round(request.user, round_id)
    sheet = selectors.entry_sheet(request.user, round_)
    errors: list[str] = []
    if request.method == "POST":
        rows = []
        for r, row in enumerate(sheet["rows"], start=2):
            for c, cell in enumerate(row["cells"], start=3):
                raw = request.POST.get(cell["name"], "").strip()
                if cell["open"] and raw != "" and raw != str(cell["value"]):
                    unit_name = row["member"].unit.name
                    code = cell["indicator"].code
                    sheet_name = _("录入表")
                    column = get_column_letter(c)
                    rows.append(services.ValueRow(sheet_name, r, column, unit_name, code, raw))
        try:
            if rows:
                services.import_values(
                    actor=request.user, round=round_, rows=rows, source=ValueSource.ENTERED
                )
            messages.success(request, _("已保存 %(n)s 个指标值。") % {"n": len(rows)})
            return redirect("assessment:entry", round_id=round_id)
        except ImportRejected as exc:
            errors = [str(e) for e in exc.errors]
            flash_error(request, exc)
        except GongjianError as exc:
            flash_error(request, exc)
    return render(
        request, "assessment/entry.html", {"round": round_, "sheet": sheet, "errors": errors}
    )


@login_required
@require_POST
def exempt(request: HttpRequest, round_id: int) -> HttpResponse:
    """The office exempts a unit from the 黑榜 (force majeure), with a written reason."""

    def exempt_it(r: Any) -> None:
        unit = Unit.objects.filter(pk=_int(request.POST.get("unit_id"))).first()
        if unit is None:
            raise NotFound(_("找不到该单位。"))
        lists.exempt(actor=request.user, round=r, unit=unit, reason=request.POST.get("reason", ""))

    return _act(request, round_id, exempt_it, _("已豁免，理由将与黑榜一并公布。"))
