"""Every write of the assessment: plans, rounds, values, compute, objections, publish, correct.

Each service checks scope, validates, writes in one transaction and records history. The scoring
itself is `engine.compute` over plain data; `compute_round` feeds it and stores what it returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.backends.utils import format_number
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.assessment import (
    assessing,
    engine,
    explanations,
    feed,
    lists,
    movement,
    offences,
    providers,
)
from gongjian.assessment.engine import Method
from gongjian.assessment.models import (
    AssessmentEvent,
    Indicator,
    IndicatorValue,
    Objection,
    ObjectionState,
    Plan,
    PlanGroup,
    PlanLine,
    PlanMember,
    Round,
    RoundState,
    UnitResult,
    ValueSource,
)
from gongjian.assessment.plan_file import PlanDoc
from gongjian.campaigns.models import Campaign
from gongjian.core import audit, clock
from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import (
    CellError,
    ImportRejected,
    InvalidTransition,
    UnitNameError,
    ValidationFailed,
)
from gongjian.core.gc import paused_gc
from gongjian.core.history import record
from gongjian.core.text import check_text, check_texts
from gongjian.exchange.numbers import check_fits, read_decimal
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for
from gongjian.org.selectors import UnitResolver, resolve_unit, unit_references


def _require(actor: Any, action: Action, unit: Unit | None) -> None:
    if actor is None:  # system work: the demo loader, the bench
        return
    scope_for(actor).require(action, unit)


def _owner(round_or_plan: Round | Plan) -> Unit:
    plan = round_or_plan.plan if isinstance(round_or_plan, Round) else round_or_plan
    return plan.campaign.owner


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- plans --------------------------------------------------------------------------------------


@transaction.atomic
def import_plan(*, actor: Any, doc: PlanDoc) -> Plan:
    """Create the plan a file describes; a plan of the same name gets the next edition."""
    errors: list[CellError] = []
    try:
        owner = resolve_unit(doc.owner)
    except UnitNameError as exc:
        raise ImportRejected(errors=[CellError("方案", 0, "owner", "owner", exc.message)]) from None
    _require(actor, Action.MANAGE_CAMPAIGN, owner)
    campaign = Campaign.objects.filter(owner=owner, name=doc.campaign).first()
    if campaign is None:
        raise ImportRejected(
            errors=[
                CellError(
                    "方案",
                    0,
                    "campaign",
                    "campaign",
                    _("“%(owner)s”没有名为“%(name)s”的攻坚行动")
                    % {"owner": owner.name, "name": doc.campaign},
                )
            ]
        )
    resolver = UnitResolver()

    def unit_of(name: str, loc: tuple[str, int, str]) -> Unit | None:
        try:
            # A district's plan naming 区财政局 means its own (every district has one).
            return resolver.resolve(name, near=owner)
        except UnitNameError as exc:
            errors.append(CellError(loc[0], loc[1], loc[2], "unit", exc.message))
            return None

    members: list[tuple[str, Unit]] = []
    seen: dict[int, str] = {}
    for gname, units in doc.groups:
        for uname, loc in units:
            unit = unit_of(uname, loc)
            if unit is None:
                continue
            if unit.pk in seen:
                errors.append(
                    CellError(
                        loc[0],
                        loc[1],
                        loc[2],
                        "unit",
                        _("“%(u)s”已在分组“%(g)s”中：一个单位在一个方案中只能属于一个分组")
                        % {"u": unit.name, "g": seen[unit.pk]},
                    )
                )
                continue
            seen[unit.pk] = gname
            members.append((gname, unit))
    line_units: dict[str, list[Unit]] = {}
    for line_doc in doc.lines:
        resolved = []
        for uname, loc in line_doc.units:
            unit = unit_of(uname, loc)
            if unit is not None and unit.pk not in seen:
                errors.append(
                    CellError(
                        loc[0],
                        loc[1],
                        loc[2],
                        "unit",
                        _("“%(u)s”不是本方案的被考评单位") % {"u": unit.name},
                    )
                )
            elif unit is not None:
                resolved.append(unit)
        line_units[line_doc.name] = resolved
        for ind in line_doc.indicators:
            known = providers.get(ind.source)
            for key, message in known.refusals(ind.params) if known else ():
                errors.append(
                    CellError(ind.loc[0], ind.loc[1], ind.loc[2], f"params.{key}", message)
                )
            if ind.source != "entered" and known is None:
                errors.append(
                    CellError(
                        ind.loc[0],
                        ind.loc[1],
                        ind.loc[2],
                        "source",
                        _("未知的系统指标来源“%(s)s”；可用：%(all)s")
                        % {"s": ind.source, "all": "、".join(providers.names())},
                    )
                )
    where = ("方案", 0, "B")
    codes = [i.code for line_doc in doc.lines for i in line_doc.indicators]
    for key, message in lists.check(doc.lists, codes, [ld.name for ld in doc.lines]):
        errors.append(CellError(*where, key, message))
    for key, message in offences.check(doc.offences):
        errors.append(CellError(*where, key, message))
    if errors:
        raise ImportRejected(errors=errors)
    _check_plan_text(doc)
    latest = Plan.objects.filter(campaign=campaign, name=doc.name).order_by("-edition").first()
    plan = Plan(
        campaign=campaign,
        name=doc.name,
        edition=latest.edition + 1 if latest else 1,
        precision=doc.precision,
        missing_rule=doc.missing_rule,
        bonus_cap=doc.bonus_cap,
        deduction_cap=doc.deduction_cap,
        grades=doc.grades,
        description=doc.description,
        report_style=doc.report_style,
        report_top=doc.report_top,
        report_heading=doc.report_heading,
        composite=doc.composite,
        lists=doc.lists or {},
        offences=doc.offences or [],
    )
    record(plan, actor=actor, reason=_("导入考评方案"))
    plan.save()
    groups = {}
    for i, (gname, _units) in enumerate(doc.groups):
        groups[gname] = PlanGroup.objects.create(plan=plan, name=gname, sort_order=i)
    for i, (gname, unit) in enumerate(members):
        PlanMember.objects.create(plan=plan, group=groups[gname], unit=unit, sort_order=i)
    campaign_lines = {line.name: line for line in campaign.lines.all()}
    for i, line_doc in enumerate(doc.lines):
        pline = PlanLine.objects.create(
            plan=plan,
            name=line_doc.name,
            line=campaign_lines.get(line_doc.name),
            weight=line_doc.weight,
            sort_order=i,
        )
        if line_units[line_doc.name]:
            pline.units.set(line_units[line_doc.name])
        for j, ind in enumerate(line_doc.indicators):
            Indicator.objects.create(
                plan=plan,
                line=pline,
                code=ind.code,
                name=ind.name,
                method=ind.method,
                weight=ind.weight,
                full_marks=ind.full_marks,
                params=ind.params,
                source=ind.source,
                sort_order=j,
            )
    return plan


def _check_plan_text(doc: PlanDoc) -> None:
    """The plan file's names and texts, checked like any text a user sends (core.text)."""
    check_texts(
        Plan,
        {"name": doc.name, "description": doc.description, "report_heading": doc.report_heading},
    )
    for gname, _units in doc.groups:
        check_text(PlanGroup, "name", gname)
    for line_doc in doc.lines:
        check_text(PlanLine, "name", line_doc.name)
        for ind in line_doc.indicators:
            check_texts(Indicator, {"code": ind.code, "name": ind.name})


def plan_document(plan: Plan) -> PlanDoc:
    """The plan as a file document (the inverse of import_plan)."""
    from gongjian.assessment.plan_file import IndicatorDoc, LineDoc

    loc = ("", 0, "")
    members = plan.members.select_related("group", "unit").order_by(
        "group__sort_order", "sort_order", "pk"
    )
    groups: dict[str, list[tuple[str, tuple[str, int, str]]]] = {
        g.name: [] for g in plan.groups.all()
    }
    plan_lines = list(plan.lines.prefetch_related("units", "indicators").all())
    owner = plan.campaign.owner
    # Names as import_plan reads them back: 区财政局（长乐区） where another unit shares the name,
    # so a plan written out and read in again names the same units, not the nearest namesakes.
    named = {owner.pk, *(m.unit_id for m in members)}
    named.update(u.pk for pline in plan_lines for u in pline.units.all())
    refs = unit_references(Unit.objects.filter(pk__in=named))
    for m in members:
        groups[m.group.name].append((refs[m.unit_id], loc))
    lines = []
    for pline in plan_lines:
        lines.append(
            LineDoc(
                name=pline.name,
                units=[(refs[u.pk], loc) for u in pline.units.all()],
                indicators=[
                    IndicatorDoc(
                        code=i.code,
                        name=i.name,
                        method=engine.Method(i.method),
                        weight=i.weight,
                        full_marks=i.full_marks,
                        params=i.params,
                        source=i.source,
                        loc=loc,
                    )
                    for i in pline.indicators.all()
                ],
                loc=loc,
                weight=pline.weight,
            )
        )
    return PlanDoc(
        campaign=plan.campaign.name,
        owner=refs[owner.pk],
        name=plan.name,
        precision=plan.precision,
        missing_rule=engine.MissingRule(plan.missing_rule),
        bonus_cap=plan.bonus_cap,
        deduction_cap=plan.deduction_cap,
        grades=plan.grades,
        description=plan.description,
        report_style=plan.report_style,
        report_top=plan.report_top,
        report_heading=plan.report_heading,
        composite=engine.Composite(plan.composite),
        lists=plan.lists or {},
        offences=plan.offences or [],
        groups=list(groups.items()),
        lines=lines,
    )


# --- rounds -------------------------------------------------------------------------------------


@transaction.atomic
def create_round(*, actor: Any, plan: Plan, period: str, title: str = "") -> Round:
    _require(actor, Action.MANAGE_CAMPAIGN, _owner(plan))
    if Round.objects.filter(plan=plan, period=period).exists():
        raise ValidationFailed(
            _("该方案已有 %(p)s 的考评期；更正请在发布后新建更正版本。") % {"p": period},
            field="period",
        )
    round_ = Round(plan=plan, period=period, title=check_text(Round, "title", title))
    try:
        round_.period_start  # noqa: B018 - validates the period
    except ValueError:
        raise ValidationFailed(_("考评期应为“年-月”，如 2026-12。"), field="period") from None
    if not (len(period) == 7 and period[4] == "-"):
        raise ValidationFailed(_("考评期应为“年-月”，如 2026-12。"), field="period")
    record(round_, actor=actor, reason=_("新建考评期"))
    round_.save()
    return round_


def _editable(round_: Round) -> None:
    if round_.state == RoundState.PUBLISHED:
        from gongjian.core.errors import Immutable

        raise Immutable(_("考评期已发布，结果不可更改；如需更正，请新建更正版本。"))


def _back_to_draft(round_: Round, actor: Any, reason: str) -> None:
    """New inputs make stored results stale: the round goes back to draft until recomputed."""
    if round_.state == RoundState.COMPUTED:
        UnitResult.objects.filter(round=round_).delete()
        round_.state = RoundState.DRAFT
        round_.computed_at = None
        record(round_, actor=actor, reason=reason)
        round_.save()


# The store of IndicatorValue.value and .target: numeric(18, 4).
VALUE_DIGITS, VALUE_PLACES = 18, 4
_COUNTING = (Method.BONUS, Method.DEDUCTION, Method.VETO)


def _parse_number(raw: Any, field: str) -> Decimal:
    try:
        value = read_decimal(raw)
        check_fits(value, max_digits=VALUE_DIGITS, places=VALUE_PLACES)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field=field) from None
    return value


def value_refusal(indicator: Indicator, value: Decimal) -> str | None:
    """Why a value cannot be entered for the indicator: a negative count or direct score."""
    if value < 0 and indicator.method in _COUNTING:
        return _("“%(i)s”按次计分，次数不能为负数（%(v)s）") % {"i": indicator.name, "v": value}
    if value < 0 and indicator.method == Method.DIRECT:
        return _("“%(i)s”为直接打分，得分不能为负数（%(v)s）") % {"i": indicator.name, "v": value}
    return None


def target_refusal(indicator: Indicator, target: Decimal) -> str | None:
    if target <= 0 and indicator.method == Method.COMPLETION:
        return _("“%(i)s”的目标值应大于0（%(v)s）") % {"i": indicator.name, "v": target}
    return None


def _parse_value(indicator: Indicator, raw: Any, field: str) -> Decimal:
    value = _parse_number(raw, field)
    problem = value_refusal(indicator, value)
    if problem:
        raise ValidationFailed(problem, field=field)
    return value


def _check_applies(indicator: Indicator, unit: Unit, members: dict[int, str]) -> str | None:
    if unit.pk not in members:
        return _("“%(u)s”不是本方案的被考评单位") % {"u": unit.name}
    line_units = {u.pk for u in indicator.line.units.all()}
    if line_units and unit.pk not in line_units:
        return _("指标“%(i)s”不适用于“%(u)s”") % {"i": indicator.name, "u": unit.name}
    if indicator.source != "entered":
        return _("指标“%(i)s”取自系统数据，不能录入") % {"i": indicator.name}
    return None


@transaction.atomic
def enter_value(
    *,
    actor: Any,
    round: Round,
    indicator: Indicator,
    unit: Unit,
    value: Any,
    target: Any = None,
    note: str = "",
    expected_version: int | None = None,
) -> IndicatorValue:
    """A lead unit enters one indicator value for a unit its line covers."""
    assessing.require_may_assess(actor, unit)
    locked = lock_for_update(Round, round.pk, expected_version=expected_version)
    _editable(locked)
    if indicator.plan_id != locked.plan_id:
        raise ValidationFailed(_("指标不属于该考评方案。"), field="indicator")
    members = dict(locked.plan.members.values_list("unit_id", "group__name"))
    problem = _check_applies(indicator, unit, members)
    if problem:
        raise ValidationFailed(problem, field="unit")
    number = _parse_value(indicator, value, "value")
    target_number = None if target in (None, "") else _parse_number(target, "target")
    problem = None if target_number is None else target_refusal(indicator, target_number)
    if problem:
        raise ValidationFailed(problem, field="target")
    row = IndicatorValue.objects.filter(round=locked, indicator=indicator, unit=unit).first()
    if row is None:
        row = IndicatorValue(round=locked, indicator=indicator, unit=unit)
    row.value, row.target = number, target_number
    row.note = check_text(IndicatorValue, "note", note)
    row.source, row.entered_by, row.trail = ValueSource.ENTERED, _user(actor), []
    record(row, actor=actor, reason=_("录入指标值"))
    row.save()
    _back_to_draft(locked, actor, _("指标值变更，待重新计算"))
    record(locked, actor=actor, reason=_("录入指标值"))
    locked.save()
    round.version, round.state = locked.version, locked.state
    return row


@dataclass(frozen=True)
class ValueRow:
    """One cell of an uploaded values file: where it was and what it said."""

    sheet: str
    row: int
    column: str
    unit_name: str
    indicator_key: str
    raw: Any


@transaction.atomic
def import_values(
    *,
    actor: Any,
    round: Round,
    rows: Sequence[ValueRow],
    source: str = ValueSource.FILE,
) -> int:
    """All-or-nothing: any bad cell rejects the file (or form) with every error named."""
    locked = lock_for_update(Round, round.pk, expected_version=None)
    _editable(locked)
    plan = locked.plan
    indicators = {i.code: i for i in plan.indicators.select_related("line").all()}
    by_name = {i.name: i for i in indicators.values()}
    members = dict(plan.members.values_list("unit_id", "group__name"))
    # The plan's own units first, so a name two units share means the member; any other name
    # is read among every unit, to be refused below as not assessed by this plan.
    of_plan, resolver = UnitResolver(among=set(members)), UnitResolver()
    owner = Campaign.objects.select_related("owner").get(pk=plan.campaign_id).owner
    errors: list[CellError] = []
    accepted: dict[tuple[int, int], tuple[Indicator, Unit, Decimal]] = {}
    for cell in rows:
        indicator = indicators.get(cell.indicator_key) or by_name.get(cell.indicator_key)
        if indicator is None:
            errors.append(
                CellError(
                    cell.sheet,
                    1,
                    cell.column,
                    "indicator",
                    _("未知指标“%(i)s”") % {"i": cell.indicator_key},
                )
            )
            continue
        try:
            try:
                unit = of_plan.resolve(cell.unit_name)
            except UnitNameError:
                unit = resolver.resolve(cell.unit_name, near=owner)
        except UnitNameError as exc:
            errors.append(CellError(cell.sheet, cell.row, "A", "unit", exc.message))
            continue
        problem = _check_applies(indicator, unit, members)
        if problem is None:
            problem = assessing.refusal(actor, unit)
        if problem:
            errors.append(CellError(cell.sheet, cell.row, cell.column, indicator.name, problem))
            continue
        try:
            number = _parse_value(indicator, cell.raw, indicator.code)
        except ValidationFailed as exc:
            errors.append(CellError(cell.sheet, cell.row, cell.column, indicator.name, exc.message))
            continue
        key = (indicator.pk, unit.pk)
        if key in accepted:
            errors.append(
                CellError(
                    cell.sheet,
                    cell.row,
                    cell.column,
                    indicator.name,
                    _("“%(u)s”的该指标在文件中重复") % {"u": unit.name},
                )
            )
            continue
        accepted[key] = (indicator, unit, number)
    if errors:
        raise ImportRejected(errors=errors)
    if not accepted:
        raise ImportRejected(errors=[CellError("-", 0, "-", "file", _("文件中没有指标值"))])
    existing = {
        (v.indicator_id, v.unit_id): v
        for v in IndicatorValue.objects.filter(round=locked, unit_id__in={k[1] for k in accepted})
    }
    for key, (indicator, unit, number) in accepted.items():
        row = existing.get(key) or IndicatorValue(round=locked, indicator=indicator, unit=unit)
        row.value, row.source, row.entered_by, row.trail = (
            number,
            source,
            _user(actor),
            [],
        )
        reason = _("文件导入指标值") if source == ValueSource.FILE else _("录入指标值")
        record(row, actor=actor, reason=reason)
        row.save()
    _back_to_draft(locked, actor, _("导入指标值，待重新计算"))
    record(locked, actor=actor, reason=_("导入指标值"))
    locked.save()
    return len(accepted)


def _pull_system_values(round_: Round, indicators: Iterable[Indicator], actor: Any) -> None:
    system = [i for i in indicators if i.source != "entered"]
    if not system:
        return
    member_units = list(Unit.objects.filter(plan_memberships__plan=round_.plan_id))
    IndicatorValue.objects.filter(round=round_, indicator__in=system).delete()
    rows: list[tuple[Any, ...]] = []
    now = timezone.now()
    for indicator in system:
        provider = providers.get(indicator.source)
        if provider is None:
            raise ValidationFailed(
                _("指标“%(i)s”的系统来源“%(s)s”未注册。")
                % {"i": indicator.name, "s": indicator.source},
                field="source",
            )
        line_units = {u.pk for u in indicator.line.units.all()}
        units = [u for u in member_units if not line_units or u.pk in line_units]
        note = str(provider.label)
        for unit_id, provided in provider.provide(round_, units, indicator).items():
            target = None if provided.target is None else _stored_value(provided.target)
            trail = _dumps(list(provided.trail)) if provided.trail else "[]"
            rows.append(
                (round_.pk, indicator.pk, unit_id, _stored_value(provided.value), target, note,
                 ValueSource.SYSTEM, trail, now)
            )  # fmt: skip
    # Plain rows past the ORM: a roll-up or a province's provider gives 10,000 values, and
    # model instances with per-field preparation took seconds (`core.bulk.insert_rows`).
    IndicatorValue.objects.insert_rows(round_.pk, SYSTEM_VALUE_FIELDS, rows)


SYSTEM_VALUE_FIELDS = (
    "round", "indicator", "unit", "value", "target", "note", "source", "trail", "updated_at",
)  # fmt: skip
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _stored_value(value: Decimal) -> Decimal:
    """A value as its column keeps it (numeric(18, 4)), rounded as Django's save rounds, so
    both databases read back the same number."""
    return Decimal(str(format_number(value, 18, 4)))


@transaction.atomic
def compute_round(*, actor: Any, round: Round) -> list[engine.Outcome]:
    """Pull system values, score, rank and store; refuses missing values by name."""
    _require(actor, Action.MANAGE_CAMPAIGN, _owner(round))
    locked = lock_for_update(Round, round.pk, expected_version=None)
    _editable(locked)
    rules, members, indicators = feed.rules_for(locked.plan)
    if not members:
        raise ValidationFailed(_("方案没有被考评单位。"), field="plan")
    _pull_system_values(locked, indicators, actor)
    with paused_gc():
        try:
            outcomes = engine.compute(rules, members, feed.load_inputs(locked))
        except engine.MissingValues as exc:
            raise ValidationFailed(
                _("以下单位的指标值缺失，未计算：%(list)s") % {"list": str(exc)},
                field="values",
                missing=[{"unit": m.name, "indicator": i.name} for m, i in exc.missing],
            ) from None
        previous, places = movement.previous_places(locked, outcomes)
        store_outcomes(locked, outcomes, places)
        lists.build(locked, outcomes)
    locked.previous_round = previous
    locked.state = RoundState.COMPUTED
    locked.computed_at = timezone.now()
    record(locked, actor=actor, reason=_("计算考评结果"))
    locked.save()
    round.state, round.version, round.computed_at = locked.state, locked.version, locked.computed_at
    return outcomes


RESULT_FIELDS = (
    "round", "unit", "group", "score", "rank", "tied", "grade", "veto", "lines", "explanation",
    "previous_rank", "previous_score",
)  # fmt: skip
NOWHERE = (None, None)


def store_outcomes(
    round_: Round,
    outcomes: Sequence[engine.Outcome],
    previous: Mapping[int, tuple[int, Decimal]] | None = None,
) -> None:
    """Store a round's results; `previous` = each unit's (rank, score) in the previous
    comparable round (`movement.previous_places`)."""
    UnitResult.objects.filter(round=round_).delete()
    writer = explanations.ExplanationWriter()
    before = previous or {}
    rows = []
    for o in outcomes:
        lines, explanation = writer.encode(o)
        was_rank, was_score = before.get(o.unit_id, NOWHERE)
        rows.append(
            (round_.pk, o.unit_id, o.group, o.score, o.rank, o.tied, str(o.grade), str(o.veto), lines,
             explanation, was_rank, was_score)
        )  # fmt: skip
    UnitResult.objects.insert_rows(round_.pk, RESULT_FIELDS, rows)


@transaction.atomic
def raise_objection(*, actor: Any, round: Round, unit: Unit, reason: str) -> Objection:
    """A unit objects to its draft result, with a reason; the office answers before publishing."""
    _require(actor, Action.OBJECT, unit)
    locked = lock_for_update(Round, round.pk, expected_version=None)
    _editable(locked)
    if locked.state != RoundState.COMPUTED:
        raise InvalidTransition(_("只能对已计算、待发布的考评结果提出异议。"))
    if not locked.results.filter(unit=unit).exists():
        raise ValidationFailed(_("“%(u)s”不在本期考评结果中。") % {"u": unit.name}, field="unit")
    if not reason.strip():
        raise ValidationFailed(_("请填写异议理由。"), field="reason")
    objection = Objection(
        round=locked, unit=unit, reason=check_text(Objection, "reason", reason), raised_by=actor
    )
    record(objection, actor=actor, reason=_("提出考评异议"))
    objection.save()
    return objection


@transaction.atomic
def resolve_objection(*, actor: Any, objection: Objection, accept: bool, reply: str) -> Objection:
    _require(actor, Action.MANAGE_CAMPAIGN, _owner(objection.round))
    # Answering an objection decides a unit's score: no office answers for its own unit.
    assessing.require_may_assess(actor, objection.unit)
    _editable(objection.round)
    if objection.state != ObjectionState.OPEN:
        raise InvalidTransition(_("该异议已处理。"))
    if not reply.strip():
        raise ValidationFailed(_("请填写处理意见。"), field="reply")
    objection.state = ObjectionState.ACCEPTED if accept else ObjectionState.REJECTED
    objection.reply = check_text(Objection, "reply", reply)
    objection.resolved_by = actor
    record(objection, actor=actor, reason=_("处理考评异议"))
    objection.save()
    return objection


@transaction.atomic
def publish_round(*, actor: Any, round: Round, expected_version: int | None = None) -> Round:
    _require(actor, Action.MANAGE_CAMPAIGN, _owner(round))
    locked = lock_for_update(Round, round.pk, expected_version=expected_version)
    _editable(locked)
    if locked.state != RoundState.COMPUTED:
        raise InvalidTransition(_("只能发布已计算的考评期，请先计算。"))
    open_count = locked.objections.filter(state=ObjectionState.OPEN).count()
    if open_count:
        raise InvalidTransition(_("还有 %(n)s 条异议待处理，处理后才能发布。") % {"n": open_count})
    locked.state = RoundState.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_on = clock.today()
    locked.published_by = _user(actor)
    record(locked, actor=actor, reason=_("发布考评结果"))
    locked.save()
    offences.act_on_publish(locked)
    audit.record(audit.EventKind.PUBLISH, user=actor, target=locked)
    return locked


@transaction.atomic
def correct_round(*, actor: Any, round: Round, reason: str) -> Round:
    """A published round stays; its correction is a new edition (draft) with the same inputs."""
    _require(actor, Action.MANAGE_CAMPAIGN, _owner(round))
    if round.state != RoundState.PUBLISHED:
        raise InvalidTransition(_("只有已发布的考评期需要更正版本；未发布的可直接修改。"))
    if not reason.strip():
        raise ValidationFailed(_("请填写更正原因。"), field="reason")
    latest = Round.objects.filter(plan=round.plan, period=round.period).order_by("-edition").first()
    if latest is None or latest.state != RoundState.PUBLISHED:
        raise InvalidTransition(
            _("该考评期已有未发布的更正版本（第%(e)s版）。")
            % {"e": latest.edition if latest else "-"}
        )
    correction = Round(
        plan=round.plan,
        period=round.period,
        title=round.title,
        edition=latest.edition + 1,
        corrects=latest,
        correction_reason=check_text(Round, "correction_reason", reason),
    )
    record(correction, actor=actor, reason=_("新建更正版本"))
    correction.save()
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                round=correction,
                indicator_id=v.indicator_id,
                unit_id=v.unit_id,
                value=v.value,
                target=v.target,
                note=v.note,
                source=v.source,
                trail=v.trail,
                entered_by_id=v.entered_by_id,
            )
            for v in latest.values.all()
        ]
    )
    return correction


@transaction.atomic
def record_event(
    *, actor: Any, unit: Unit, kind: str, date: Any, title: str, reference: str = ""
) -> AssessmentEvent:
    """The office records a notice, an overdue order or an incident for assessment."""
    _require(actor, Action.MANAGE_CAMPAIGN, unit)
    if not title.strip():
        raise ValidationFailed(_("请填写事由。"), field="title")
    texts = check_texts(AssessmentEvent, {"title": title, "reference": reference})
    event = AssessmentEvent(unit=unit, kind=kind, date=date, **texts)
    record(event, actor=actor, reason=_("登记考评事项"))
    event.save()
    return event
