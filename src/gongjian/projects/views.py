"""Pages of the ledger: list with filters, project detail and timeline, report form, history."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongjian.campaigns.models import Line
from gongjian.core import audit, clock, paging
from gongjian.core.errors import GongjianError, ImportRejected
from gongjian.core.http import flash_error
from gongjian.core.replica import reads_from_replica
from gongjian.exchange.office_xlsx import xlsx_response
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for
from gongjian.org.selectors import resolve_unit, unit_references
from gongjian.projects import (
    attachments,
    editing,
    following,
    ledger_file,
    panels,
    pickers,
    report_file,
    selectors,
    warning_feed,
)
from gongjian.projects import coordination as coordination_service
from gongjian.projects import ledger as ledger_service
from gongjian.projects.forms import (
    LedgerFilterForm,
    MilestoneFormSet,
    ProjectForm,
    ReportForm,
    ResolveForm,
    TeamFormSet,
)
from gongjian.projects.gantt import gantt_rows
from gongjian.projects.models import AttachmentKind, CoordinationRequest, CoordinationStatus


def _filter_choices(user: Any) -> dict[str, list[tuple[int, str]]]:
    campaigns = following.campaigns_for(user)
    return {
        "campaign": list(campaigns.order_by("name").values_list("pk", "name")),
        "line": [
            (pk, f"{c} · {n}")
            for pk, n, c in Line.objects.filter(campaign__in=campaigns.values("pk"))
            .order_by("campaign__name", "sort_order", "pk")
            .values_list("pk", "name", "campaign__name")
        ],
        # The same options the filter's pickers search (one rule each).
        "unit": pickers.PURPOSES["ledger_units"].options(user, None),
        "leader": pickers.PURPOSES["ledger_leaders"].options(user, None),
    }


def _ledger_filter(request: HttpRequest) -> tuple[LedgerFilterForm, selectors.LedgerFilter]:
    """The ledger page's filter form and what it asks for: the list and its export read both
    from here, so the export holds exactly the rows the page shows."""
    form = LedgerFilterForm(request.GET or None, choices=_filter_choices(request.user))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    f = selectors.LedgerFilter(
        campaign=data.get("campaign") or None,
        line=data.get("line") or None,
        level=data.get("level") or None,
        unit=data.get("unit") or None,
        leader=data.get("leader") or None,
        colour=data.get("colour") or None,
        q=data.get("q") or "",
        status=data.get("status") or None,
    )
    return form, f


@login_required
@reads_from_replica
def picker_options(request: HttpRequest) -> HttpResponse:
    """A searched select's options for what was typed (`pickers`), in the user's view."""
    purpose = pickers.PURPOSES.get(request.GET.get("purpose", ""))
    field, target = request.GET.get("field", "unit"), request.GET.get("id", "id_unit")
    if purpose is None or not all(pickers.FIELD_NAME.fullmatch(n) for n in (field, target)):
        raise Http404
    answer = pickers.answer(
        request.user,
        purpose,
        text=request.GET.get("q", ""),
        project_id=request.GET.get("project", ""),
        chosen=request.GET.get(field, ""),
    )
    return render(
        request,
        "projects/picker_options.html",
        {
            "blank": purpose.blank,
            "matches": answer.matches,
            "selected": answer.selected,
            "kept": answer.kept,
            "status": pickers.options_text(answer.matches),
            "status_id": f"{target}-status",
        },
    )


@login_required
@reads_from_replica
def ledger(request: HttpRequest) -> HttpResponse:
    """The ledger, a page at a time (`selectors.ledger_page`, the API's list): filters, sort and
    cursor live in the URL, and the pager's links swap the list in place with htmx."""
    form, f = _ledger_filter(request)
    today = clock.today()
    req = paging.parse_params(selectors.LEDGER_SORTS, request.GET)
    found = selectors.ledger_page(request.user, f, today, req)
    return render(
        request,
        "projects/ledger.html",
        {
            "form": form,
            "rows": found.items,
            "page": found,
            "counts": selectors.ledger_colour_counts(request.user, f, today),
            "today": today,
            "pager": paging.pager(request.GET, found, selectors.LEDGER_SORTS),
            "can_create": selectors.may_create_projects(request.user),
        },
    )


@login_required
@reads_from_replica
def warnings_page(request: HttpRequest) -> HttpResponse:
    """The lit and at-risk projects a page at a time, red first unless sorted otherwise: the
    ledger's selector with its `warned` filter, the ledger's filters in the URL."""
    form, f = _ledger_filter(request)
    today = clock.today()
    params = request.GET.copy()
    params.setdefault("sort", "colour")
    req = paging.parse_params(selectors.LEDGER_SORTS, params)
    found = selectors.ledger_page(request.user, dataclasses.replace(f, warned=True), today, req)
    return render(
        request,
        "projects/warnings.html",
        {
            "form": form,
            "rows": found.items,
            "page": found,
            "pager": paging.pager(params, found, selectors.LEDGER_SORTS),
            "today": today,
        },
    )


def _timeline(milestones: list[Any], today: dt.date) -> list[dict[str, Any]]:
    """Each milestone with its days late (negative: early) and whether it is overdue."""
    items = []
    for m in milestones:
        late = None
        if m.actual_date:
            late = (m.actual_date - m.planned_date).days
        elif today > m.planned_date:
            late = (today - m.planned_date).days
        items.append(
            {"m": m, "late": late, "overdue": m.actual_date is None and today > m.planned_date}
        )
    return items


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Missing or out of view: 404; in view but not the user's to change: 403 (core.http).
    project = selectors.project_for(request.user, pk)
    today = clock.today()
    milestones = selectors.milestones_of(project)
    for m in milestones:
        m.project = project  # the Gantt rows read the project's dates, already loaded
    coordination = list(
        CoordinationRequest.objects.filter(project=project)
        .select_related("handling_unit", "resolved_by")
        .order_by("status", "-created_at")
    )
    # The reports a page at a time, as the API pages them (selectors.reports_page).
    req = paging.parse_params(selectors.REPORT_SORTS, request.GET)
    reports = selectors.reports_page(project, req)
    scope = scope_for(request.user)
    for c in coordination:
        c.project = project  # the rule reads the project's unit, already loaded
        c.can_resolve = (  # type: ignore[attr-defined]
            c.status == CoordinationStatus.OPEN
            and coordination_service.may_resolve(request.user, c)
        )
    return render(
        request,
        "projects/detail.html",
        {
            "p": project,
            "w": warning_feed.warnings_for([project], today)[project.pk],
            "team": list(project.teammember_set.select_related("person").order_by("pk")),
            "timeline": _timeline(milestones, today),
            "gantt": gantt_rows(milestones, today),
            "reports": reports.items,
            "page": reports,
            "pager": paging.pager(request.GET, reports, selectors.REPORT_SORTS),
            "coordination": coordination,
            "can_report": scope.can(Action.REPORT_PROGRESS, project.unit),
            "can_edit": scope.can(Action.EDIT_LEDGER, project.unit),
            "today": today,
            "panels": panels.panels_for(request.user, project),
        },
    )


@login_required
def new(request: HttpRequest) -> HttpResponse:
    if not selectors.may_create_projects(request.user):
        messages.error(request, _("您无权新建项目。"))
        return redirect("projects:ledger")
    choices = selectors.sheet_choices(request.user)
    form = ProjectForm(request.POST or None, choices=choices, new=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = ledger_service.create_project(
                actor=request.user, code=d["code"], **form.ledger_fields()
            )
        except GongjianError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("项目已新建，请制定节点计划和工作团队。"))
            return redirect("projects:edit", pk=project.pk)
    return render(request, "projects/sheet.html", {"form": form, "p": None})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Missing or out of view: 404; in view but not the user's to change: 403 (core.http).
    project = selectors.project_for(request.user, pk, Action.EDIT_LEDGER)
    choices = selectors.sheet_choices(request.user, project)
    milestones = selectors.milestones_of(project)
    team = list(project.teammember_set.order_by("pk"))
    data = request.POST or None
    form = ProjectForm(
        data, choices=choices, new=False, initial=_project_initial(project), prefix="p"
    )
    team_set = TeamFormSet(
        data,
        prefix="team",
        initial=[{"person": t.person_id, "duty": t.duty} for t in team],
        form_kwargs={"choices": choices},
    )
    unit_refs = unit_references(
        Unit.objects.filter(pk__in=[m.unit_id for m in milestones if m.unit_id])
    )
    milestone_set = MilestoneFormSet(
        data,
        prefix="ms",
        initial=[_milestone_initial(m, unit_refs) for m in milestones],
        form_kwargs={"choices": choices, "near": project.unit},
    )
    if request.method == "POST" and all(
        [form.is_valid(), team_set.is_valid(), milestone_set.is_valid()]
    ):
        try:
            result = editing.save_sheet(
                actor=request.user,
                project_id=project.pk,
                expected_version=form.cleaned_data["version"],
                fields=form.ledger_fields(),
                team=[
                    (row["person"], row.get("duty", ""))
                    for row in team_set.cleaned_data
                    if row.get("person")
                ],
                milestones=_milestone_rows(milestone_set),
            )
        except GongjianError as exc:
            _form_error(form, exc)
        else:
            if result.changed:
                messages.success(request, _("项目台账已保存。"))
            else:
                messages.info(request, _("没有修改。"))
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/sheet.html",
        {"form": form, "p": project, "team_set": team_set, "milestone_set": milestone_set},
    )


def _form_error(form: Any, exc: GongjianError) -> None:
    name = exc.details.get("field")
    if isinstance(name, str) and name in form.fields and not form.fields[name].widget.is_hidden:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)


def _project_initial(p: Any) -> dict[str, Any]:
    initial = {f: getattr(p, f) for f in ledger_service.EDITABLE_FIELDS}
    for key in ("campaign", "line", "unit", "leader"):
        initial[key] = getattr(p, f"{key}_id")
    initial["version"] = p.version
    return initial


def _milestone_initial(m: Any, unit_refs: dict[int, str]) -> dict[str, Any]:
    return {
        "id": m.pk,
        "version": m.version,
        "name": m.name,
        "planned_date": m.planned_date,
        "actual_date": m.actual_date,
        "person": m.person_id,
        "unit": unit_refs.get(m.unit_id, ""),
        "note": m.note,
    }


def _milestone_rows(formset: Any) -> list[editing.MilestoneRow]:
    rows = []
    for line, d in enumerate(formset.cleaned_data, start=1):
        if not d or (not d.get("id") and not (d.get("name") or "").strip()):
            continue  # an empty new line
        rows.append(
            editing.MilestoneRow(
                line=line,
                id=d.get("id"),
                version=d.get("version"),
                name=d.get("name") or "",
                planned_date=d["planned_date"],
                actual_date=d.get("actual_date"),
                person=d.get("person"),
                unit=d.get("unit_obj"),
                note=d.get("note") or "",
            )
        )
    return rows


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    # Missing or out of view: 404; in view but not the user's to change: 403 (core.http).
    project = selectors.project_for(request.user, pk, Action.REPORT_PROGRESS)
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        project=project,
        initial={"period_end": clock.today(), "percent_done": project.percent_done},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            coordination = []
            if d["coordination_category"]:
                unit = (
                    resolve_unit(d["coordination_unit"], near=project.unit)
                    if d["coordination_unit"]
                    else None
                )
                coordination.append(
                    coordination_service.CoordinationInput(
                        d["coordination_category"], d["coordination_description"], unit
                    )
                )
            attachments.submit_report_with_files(
                actor=request.user,
                project=project,
                period_end=d["period_end"],
                percent_done=d["percent_done"],
                investment_period_wan=d["investment_period_wan"],
                milestones_reached=d["milestones_reached"],
                problems=d["problems"],
                coordination=coordination,
                files=[
                    (kind, d[field])
                    for field, kind in (
                        ("photo", AttachmentKind.PHOTO),
                        ("document", AttachmentKind.DOCUMENT),
                    )
                    if d.get(field)
                ],
            )
        except GongjianError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("进度已填报。"))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/report.html", {"p": project, "form": form})


@login_required
def resolve(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            selectors.project_for(request.user, pk)
            coordination_service.resolve_coordination(
                actor=request.user,
                request_id=request_id,
                expected_version=form.cleaned_data["version"],
                resolution=form.cleaned_data["resolution"],
            )
            messages.success(request, _("协调事项已办结。"))
        except GongjianError as exc:
            flash_error(request, exc)
    else:
        messages.error(request, _("请填写解决情况。"))
    return redirect("projects:detail", pk=pk)


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    # Missing or out of view: 404; in view but not the user's to change: 403 (core.http).
    project = selectors.project_for(request.user, pk)
    return render(
        request,
        "projects/history.html",
        {"p": project, "changes": selectors.history_of(project)},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The ledger in the user's scope (with the page's filters) as .xlsx."""
    _form, f = _ledger_filter(request)
    projects = selectors.ledger_projects(request.user, f, clock.today())
    file = ledger_file.ledger_workbook(projects, actor=request.user)
    audit.record(audit.EventKind.EXPORT, request=request, target=_("项目台账"))
    return xlsx_response(file, f"项目台账-{clock.today():%Y%m%d}.xlsx")


def _errors_dir() -> Path:
    return Path(settings.VAR_DIR) / "import-errors"


@login_required
def import_xlsx(request: HttpRequest) -> HttpResponse:
    """Upload an edited ledger: all or nothing; errors on the page and as a marked .xlsx."""
    context: dict[str, Any] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的 Excel 文件。"))
            return redirect("projects:import")
        # The import asks who may import, then the size, then the sheets, before reading cells.
        try:
            if request.POST.get("kind") == "reports":
                count = report_file.import_reports_xlsx(actor=request.user, data=upload)
                audit.record(audit.EventKind.IMPORT, request=request, target=upload.name or "")
                messages.success(request, _("导入成功：提交 %(n)s 条进度填报。") % {"n": count})
                return redirect("projects:import")
            summary = ledger_file.import_ledger_xlsx(actor=request.user, data=upload)
        except ImportRejected as exc:
            token = secrets.token_hex(12)
            _errors_dir().mkdir(parents=True, exist_ok=True)
            marked = ledger_file.mark_errors(upload, exc.errors)
            (_errors_dir() / f"{request.user.pk}-{token}.xlsx").write_bytes(marked)
            context = {"rejected": exc, "errors": exc.errors[:500], "token": token}
        except GongjianError as exc:  # e.g. a viewer: refused before the file is read
            flash_error(request, exc)
            return redirect("projects:import")
        else:
            audit.record(audit.EventKind.IMPORT, request=request, target=upload.name or "")
            messages.success(
                request,
                _(
                    "导入成功：新建 %(c)s 个项目，修改 %(u)s 个，未变 %(n)s 个；"
                    "新增节点 %(mc)s 个，修改节点 %(mu)s 个。"
                )
                % {
                    "c": summary.created,
                    "u": summary.updated,
                    "n": summary.unchanged,
                    "mc": summary.milestones_created,
                    "mu": summary.milestones_updated,
                },
            )
            return redirect("projects:import")
    return render(request, "projects/import.html", context)


@login_required
def import_errors(request: HttpRequest, token: str) -> HttpResponse:
    if not token.isalnum():
        raise Http404
    path = _errors_dir() / f"{request.user.pk}-{token}.xlsx"
    if not path.exists():
        raise Http404
    return _xlsx_response(path.read_bytes(), f"导入错误标注-{token[:6]}.xlsx")


@login_required
def report_template(request: HttpRequest) -> HttpResponseBase:
    """The unit's pre-filled reporting template: its projects, last percent, today's date."""
    projects = selectors.projects_for(request.user, Action.REPORT_PROGRESS)
    file = report_file.report_workbook(projects)
    return xlsx_response(file, f"进度填报模板-{clock.today():%Y%m%d}.xlsx")
