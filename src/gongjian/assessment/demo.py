"""The demo's assessment: December 2026 (seed 000) and the month before; campaigns, plans,
made-up values, rounds.

Every ranking the seed reports is computed from these values by the engine; nothing here states
a rank. The plans go through the same import service as an office's plan file, the values
through the same all-or-nothing import as an uploaded sheet, then compute and publish.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import yaml

from gongjian.assessment import services
from gongjian.assessment.models import Plan, Round
from gongjian.assessment.plan_file import read_yaml
from gongjian.campaigns import services as campaign_services
from gongjian.core import clock
from gongjian.org.models import Unit

PERIOD = "2026-12"
TITLE = "12月考评"

CITY_LINES = [
    "重大招商项目招商攻坚",
    "重大招商项目落地攻坚",
    "重大项目建设提速攻坚",
    "竣工投产攻坚",
    "征迁交地攻坚",
    "土地收储攻坚",
]
CITY_WEIGHTS = ["0.2", "0.2", "0.2", "0.15", "0.15", "0.1"]
COUNTIES = [
    "鼓楼区", "台江区", "仓山区", "马尾区", "晋安区", "长乐区", "福清市",
    "闽侯县", "连江县", "罗源县", "闽清县", "永泰县", "福州高新区",
]  # fmt: skip
# Each county's line scores, in CITY_LINES order (made up).
CITY_SCORES: dict[str, list[float]] = {
    "长乐区": [98, 97, 99, 96, 95, 88],
    "福清市": [95, 96, 97, 95, 97, 98.5],
    "鼓楼区": [90, 91, 92, 90, 88, 85],
    "台江区": [88, 89, 90, 91, 87, 86],
    "仓山区": [91, 92, 93, 92, 90, 89],
    "马尾区": [93, 94, 95, 93, 94, 92],
    "晋安区": [89, 90, 91, 89, 91, 90],
    "闽侯县": [92, 93, 94, 94, 93, 91],
    "连江县": [87, 88, 89, 88, 89, 87],
    "罗源县": [85, 86, 87, 86, 86, 84],
    "闽清县": [84, 85, 86, 85, 85, 83],
    "永泰县": [86, 87, 88, 87, 84, 85],
    "福州高新区": [94, 95, 96, 94, 92, 90],
}
CITY_CONTEST = {
    "福清市": 97, "长乐区": 95, "马尾区": 93.5, "闽侯县": 93, "福州高新区": 92.5, "仓山区": 91,
    "鼓楼区": 90, "晋安区": 89.5, "台江区": 89, "连江县": 88, "永泰县": 87, "罗源县": 86,
    "闽清县": 85,
}  # fmt: skip

# Changle's own 攻坚120天: (line, lead unit).
CHANGLE_LINES = [
    ("全员大招商招大商攻坚", "区商务局"),
    ("重大招商项目落地攻坚", "区发改局"),
    ("土地收储攻坚", "区自然资源和规划局"),
    ("资金运作攻坚", "区国资中心"),
    ("科技人才提升攻坚", "区科技局"),
    ("营商环境再优化攻坚", "区行政服务中心"),
    ("城乡品质再提升攻坚", "区住建局"),
    ("征迁交地攻坚", "区征迁办"),
    ("竣工投产攻坚", "区工信局(招商办)"),
    ("重大项目建设提速攻坚", "区发改局"),
]

# 区直部门 by line: (indicator code, name, method, params, {unit: value}).
DEPT_LINES: list[tuple[str, str, str, str, dict[str, Any], dict[str, Any]]] = [
    ("全员大招商招大商攻坚", "zs_qy", "签约项目数", "completion", {"target": 10, "cap": 1.5},
     {"福州新区长乐功能区办": 14, "区工信局(招商办)": 12, "区商务局": 11, "区发改局": 9,
      "区科技局": 8}),
    ("重大招商项目落地攻坚", "zs_ld", "落地项目推进得分", "direct", {},
     {"区工信局(招商办)": 97, "福州新区长乐功能区办": 95, "区商务局": 92, "区发改局": 93}),
    ("土地收储攻坚", "td_sc", "收储面积（亩）", "completion", {"target": 100, "cap": 1.2},
     {"区林业局": 125, "区自然资源和规划局": 110, "区征迁办": 105, "区水利局": 90}),
    ("资金运作攻坚", "zj_yz", "资金运作得分", "direct", {},
     {"区税务局": "96.504", "区财政局": "96.496", "区国资中心": 93}),
    ("科技人才提升攻坚", "kj_rc", "科技人才工作得分", "direct", {},
     {"区委组织部(人才办)": 95, "区科技局": 93, "区人社局": 90, "区教育局": 88}),
]  # fmt: skip
DEPT_MEMBERS = [
    "福州新区长乐功能区办", "区工信局(招商办)", "区商务局", "区发改局", "区科技局", "区林业局",
    "区自然资源和规划局", "区征迁办", "区水利局", "区税务局", "区财政局", "区国资中心",
    "区委组织部(人才办)", "区人社局", "区教育局", "区住建局", "区城管局", "区生态环境局",
]  # fmt: skip

BUSINESS_GROUPS = {
    "第一层面": {"区法院": 96, "区检察院": 94, "区公安分局": 93, "区市场监管局": 92,
                 "区行政服务中心": 91},
    "第二层面": {"区委组织部": 95, "区委宣传部": 93, "区统计局": 90, "区卫健局": 89},
}  # fmt: skip

LEAD_SCORES = {
    "区发改局": 96, "区自然资源和规划局": 95.5, "区工信局(招商办)": 94, "区商务局": 93,
    "区国资中心": 92, "区住建局": 92, "区行政服务中心": 91, "区科技局": 90.5, "区征迁办": 89,
}  # fmt: skip

TOWN_GROUPS = {
    "第一方阵": ["湖南镇", "文武砂街道", "吴航街道", "航城街道", "营前街道", "漳港街道"],
    "第二方阵": ["松下镇", "江田镇", "首占镇", "金峰镇", "古槐镇"],
    "第三方阵": ["潭头镇", "玉田镇", "鹤上镇", "梅花镇", "罗联乡", "猴屿乡"],
}
# town: (investment done 亿元, annual target 亿元, 形象进度得分, 征迁交地完成率 %)
TOWN_VALUES = {
    "湖南镇": (11.5, 10, 97, 98), "文武砂街道": (10.8, 10, 93, 96), "吴航街道": (9, 10, 90, 90),
    "航城街道": (9.5, 10, 88, 92), "营前街道": (8, 10, 91, 85), "漳港街道": (8.5, 10, 86, 80),
    "松下镇": (12, 10, 94, 97), "江田镇": (10.5, 10, 92, 95), "首占镇": (9, 10, 90, 93),
    "金峰镇": (9.2, 10, 89, 90), "古槐镇": (8.8, 10, 87, 88),
    "潭头镇": (6.6, 6, 93, 96), "玉田镇": (6.3, 6, 91, 94), "鹤上镇": (5.5, 6, 90, 90),
    "梅花镇": (5, 6, 88, 85), "罗联乡": (4.5, 6, 86, 80), "猴屿乡": (4.8, 6, 85, 80),
}  # fmt: skip
# 抓项目促提升: town: (新开工项目数, 竞赛投资完成 亿元, 竞赛目标 亿元)
CONTEST_VALUES = {
    "文武砂街道": (8, 5, 5), "湖南镇": (7, 4.8, 5), "吴航街道": (5, 4, 5), "航城街道": (6, 4.2, 5),
    "营前街道": (4, 3.5, 5), "漳港街道": (3, 3.8, 5),
    "松下镇": (9, 5, 5), "江田镇": (6, 4.5, 5), "首占镇": (5, 4, 5), "金峰镇": (5, 3.9, 5),
    "古槐镇": (4, 3.6, 5),
    "潭头镇": (7, 3, 3), "玉田镇": (6, 2.8, 3), "鹤上镇": (4, 2.5, 3), "梅花镇": (3, 2.2, 3),
    "罗联乡": (2, 2, 3), "猴屿乡": (2, 2.1, 3),
}  # fmt: skip
# Events the office recorded in December (feed the events.* system indicators).
EVENTS = [
    ("湖南镇", "praise", "2026-12-18", "百日攻坚项目推进成效明显，获市攻坚办通报表扬", "榕攻坚〔2026〕41号"),
    ("江田镇", "overdue", "2026-12-12", "杆线迁改督办单逾期未反馈", "长督〔2026〕88号"),
    ("玉田镇", "overdue", "2026-12-20", "征迁交地督办单逾期未办结", "长督〔2026〕95号"),
    ("梅花镇", "overdue", "2026-12-08", "项目用地报批督办单逾期", "长督〔2026〕79号"),
    ("梅花镇", "overdue", "2026-12-22", "施工许可督办单逾期", "长督〔2026〕97号"),
    ("区发改局", "praise", "2026-12-15", "重大项目谋划工作获市发改委通报表扬", "榕发改〔2026〕120号"),
    ("区住建局", "overdue", "2026-12-10", "城乡品质项目督办单逾期", "长督〔2026〕84号"),
]  # fmt: skip


def _plan(owner: str, campaign: str, name: str, **rest: Any) -> dict[str, Any]:
    return {"campaign": campaign, "owner": owner, "name": name, "precision": 2, **rest}


def city_plan() -> dict[str, Any]:
    return _plan(
        "福州市", "攻坚120天", "县（市）区攻坚120天考评方案",
        report={"style": "composite", "top": 2, "heading": "全市综合排名"},
        groups={"县（市）区": COUNTIES},
        lines=[
            {"name": line, "indicators": [
                {"code": f"city_{i}", "name": f"{line}得分", "method": "direct", "weight": w}
            ]}
            for i, (line, w) in enumerate(zip(CITY_LINES, CITY_WEIGHTS, strict=True))
        ],
    )  # fmt: skip


def city_contest_plan() -> dict[str, Any]:
    return _plan(
        "福州市", "抓项目促提升", "县（市）区“抓项目促提升”主题竞赛考评方案",
        report={"style": "composite", "top": 3, "heading": "“抓项目促提升”主题竞赛"},
        groups={"县（市）区": COUNTIES},
        lines=[{"name": "抓项目促提升", "indicators": [
            {"code": "contest", "name": "竞赛得分", "method": "direct"}]}],
    )  # fmt: skip


def dept_plan() -> dict[str, Any]:
    lines = [
        {"name": line, "units": list(values), "indicators": [
            {"code": code, "name": name, "method": method, "params": params}]}
        for line, code, name, method, params, values in DEPT_LINES
    ]  # fmt: skip
    lines.append(
        {"name": "城乡品质再提升攻坚", "indicators": [
            {"code": "cx_pz", "name": "城乡品质提升任务", "method": "pass_fail"}]}
    )  # fmt: skip
    return _plan(
        "长乐区", "攻坚120天", "区直部门专项考评方案",
        composite="none",  # line ranks only: its bulletin is written line by line
        report={"style": "lines", "heading": "分部门看"},
        groups={"区直部门": DEPT_MEMBERS}, lines=lines,
    )  # fmt: skip


def business_plan() -> dict[str, Any]:
    return _plan(
        "长乐区", "攻坚120天", "营商环境再优化攻坚考评方案",
        report={"style": "lines", "heading": "分部门看"},
        groups={g: list(v) for g, v in BUSINESS_GROUPS.items()},
        lines=[{"name": "营商环境再优化攻坚", "indicators": [
            {"code": "yshj", "name": "营商环境评价得分", "method": "direct"}]}],
    )  # fmt: skip


def lead_plan() -> dict[str, Any]:
    return _plan(
        "长乐区", "攻坚120天", "牵头单位综合考评方案",
        composite="weighted",
        report={"style": "composite", "top": 2, "heading": "牵头单位综合考评"},
        bonus_cap=2, deduction_cap=3,
        groups={"牵头单位": list(LEAD_SCORES)},
        lines=[{"name": "牵头专项推进", "indicators": [
            {"code": "qt_cx", "name": "专项推进成效", "method": "direct"},
            {"code": "qt_by", "name": "通报表扬", "method": "bonus", "params": {"per": 1},
             "source": "events.praise"},
            {"code": "qt_yq", "name": "督办逾期（上级督办，办公室记录）", "method": "deduction",
             "params": {"per": 1}, "source": "events.overdue"},
            {"code": "qt_dbyq", "name": "督办单逾期", "method": "deduction", "params": {"per": 1},
             "source": "supervision.orders_overdue"},
            {"code": "qt_pp", "name": "区级通报批评", "method": "deduction", "params": {"per": 1},
             "source": "supervision.criticism_notices.district"},
        ]}],
    )  # fmt: skip


def town_plan() -> dict[str, Any]:
    return _plan(
        "长乐区", "攻坚120天", "乡镇（街道）攻坚120天考评方案",
        composite="sum",  # full marks 100: 40 + 40 + 20
        report={"style": "groups", "top": 2, "heading": "分乡镇（街道）看"},
        bonus_cap=3, deduction_cap=5,
        grades=[{"name": "优秀", "min": 90}, {"name": "良好", "min": 80},
                {"name": "合格", "min": 60}, {"name": "不合格", "min": None}],
        groups=TOWN_GROUPS,
        lines=[
            {"name": "重大项目建设提速攻坚", "indicators": [
                {"code": "xz_tz", "name": "年度投资完成率", "method": "completion", "weight": 0.4,
                 "params": {"cap": 1}},  # a composite out of 100 stays within 100
                {"code": "xz_jd", "name": "项目形象进度", "method": "direct", "weight": 0.4},
            ]},
            {"name": "征迁交地攻坚", "indicators": [
                {"code": "xz_zq", "name": "征迁交地完成率排名", "method": "rank_points",
                 "full_marks": 20, "params": {"step": 2, "floor": 10}},
            ]},
            {"name": "加减分与否决", "indicators": [
                {"code": "xz_by", "name": "通报表扬", "method": "bonus", "params": {"per": 1},
                 "source": "events.praise"},
                {"code": "xz_yq", "name": "督办单逾期", "method": "deduction",
                 "params": {"per": 0.5, "cap": 2}, "source": "supervision.orders_overdue"},
                {"code": "xz_wbyq", "name": "督办逾期（上级督办，办公室记录）",
                 "method": "deduction", "params": {"per": 0.5, "cap": 2},
                 "source": "events.overdue"},
                {"code": "xz_pp_s", "name": "市级通报批评", "method": "deduction",
                 "params": {"per": 2}, "source": "supervision.criticism_notices.city"},
                {"code": "xz_pp_q", "name": "区级通报批评", "method": "deduction",
                 "params": {"per": 1}, "source": "supervision.criticism_notices.district"},
                {"code": "xz_hd", "name": "红灯项目", "method": "deduction",
                 "params": {"per": 0.5, "campaigns": "all", "no_projects": "zero"},
                 "source": "ledger.red_projects"},  # the towns' own 百日攻坚 counted too
                {"code": "xz_yh", "name": "安全隐患逾期未整改", "method": "deduction",
                 "params": {"per": 0.5}, "source": "supervision.hazards_overdue"},
                {"code": "xz_sg", "name": "重大安全事故", "method": "veto",
                 "params": {"level": "fail"}, "source": "events.incident"},
            ]},
        ],
    )  # fmt: skip


def contest_plan() -> dict[str, Any]:
    return _plan(
        "长乐区", "抓项目促提升", "乡镇（街道）“抓项目促提升”主题竞赛考评方案",
        report={"style": "groups", "top": 1, "heading": "“抓项目促提升”主题竞赛"},
        groups=TOWN_GROUPS,
        lines=[{"name": "抓项目促提升", "indicators": [
            {"code": "js_kg", "name": "新开工项目数", "method": "rank_points", "full_marks": 50,
             "params": {"mode": "linear", "floor": 30}},
            {"code": "js_tz", "name": "竞赛项目投资完成率", "method": "completion",
             "weight": 0.5, "params": {"cap": 1}},
        ]}],
    )  # fmt: skip


# November: the same plans a month earlier. Made up from December's values — a little lower
# for most units, by a step that varies per unit (seeded by its name), so that some ranks move.
NOVEMBER, NOVEMBER_TITLE, NOVEMBER_PUBLISHED = "2026-11", "11月考评", dt.date(2026, 12, 5)
# December's rounds are published on the demo's day, pinned so that loading them outside the
# whole demo (the tests do) dates their bulletins the same way.
DECEMBER_PUBLISHED = clock.DEMO_DAY
# How an indicator's value looked a month earlier: a score a few points lower, a count or an
# amount done so far a bit smaller, a task possibly not finished yet.
EARLIER: dict[str, str] = {
    **{f"city_{i}": "score" for i in range(len(CITY_LINES))},
    "contest": "score", "zs_qy": "count", "zs_ld": "score", "td_sc": "amount", "zj_yz": "score",
    "kj_rc": "score", "cx_pz": "task", "yshj": "score", "qt_cx": "score", "xz_tz": "amount",
    "xz_jd": "score", "xz_zq": "score", "js_kg": "count", "js_tz": "amount",
}  # fmt: skip


# Towns whose November was slower than their December (a late push): their ranks rise.
SLOWER_NOVEMBER = {"湖南镇", "航城街道", "金峰镇", "罗联乡", "玉田镇"}


def _earlier(code: str, unit: str, value: Any) -> Decimal:
    rng = random.Random(f"{NOVEMBER}/{code}/{unit}")  # noqa: S311 - made-up demo figures
    december, kind, slower = Decimal(str(value)), EARLIER[code], unit in SLOWER_NOVEMBER
    if kind == "score":
        step = Decimal(rng.choice(["0", "0.5", "1", "1.5", "2", "2.5", "3"]))
        return december - step - (3 if slower else 0)
    if kind == "count":
        return max(december - rng.randint(0, 2) - (2 if slower else 0), Decimal(0))
    if kind == "amount":
        share = Decimal(rng.choice(["0.86", "0.88", "0.9", "0.92", "0.94"])) - (
            Decimal("0.1") if slower else 0
        )
        return (december * share).quantize(Decimal("0.01"))
    return Decimal(0) if rng.random() < 0.1 else december  # a task: one in ten not done yet


def _november(table: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        unit: {code: _earlier(code, unit, value) for code, value in values.items()}
        for unit, values in table.items()
    }


def _rounds(
    plan_dict: dict[str, Any],
    values: dict[str, dict[str, Any]],
    targets: tuple[str, dict[str, Any]] | None = None,
) -> list[Round]:
    """The plan (imported like an office's file), then its November and December rounds: values
    imported like an uploaded sheet, per-unit targets entered, computed and published."""
    plan = services.import_plan(
        actor=None, doc=read_yaml(yaml.safe_dump(plan_dict, allow_unicode=True, sort_keys=False))
    )
    with clock.pinned(NOVEMBER_PUBLISHED):
        november = _round(plan, NOVEMBER, NOVEMBER_TITLE, _november(values), targets)
    with clock.pinned(DECEMBER_PUBLISHED):
        december = _round(plan, PERIOD, TITLE, values, targets)
    return [november, december]


def _round(
    plan: Plan,
    period: str,
    title: str,
    values: dict[str, dict[str, Any]],
    targets: tuple[str, dict[str, Any]] | None,
) -> Round:
    round_ = services.create_round(actor=None, plan=plan, period=period, title=title)
    services.import_values(actor=None, round=round_, rows=_rows(values))
    if targets is not None:
        _targets(round_, *targets)
    services.compute_round(actor=None, round=round_)
    return services.publish_round(actor=None, round=round_)


def _rows(table: dict[str, dict[str, Any]]) -> list[services.ValueRow]:
    """{unit: {indicator code: value}} → the rows an uploaded sheet would give."""
    return [
        services.ValueRow("演示", r, "B", unit, code, str(value))
        for r, (unit, values) in enumerate(table.items(), start=2)
        for code, value in values.items()
    ]


def _targets(round_: Round, code: str, targets: dict[str, Any]) -> None:
    indicator = round_.plan.indicators.get(code=code)
    for unit_name, target in targets.items():
        value = round_.values.get(indicator=indicator, unit__name=unit_name).value
        services.enter_value(
            actor=None, round=round_, indicator=indicator,
            unit=Unit.objects.get(name=unit_name, plan_memberships__plan=round_.plan),
            value=value, target=target,
        )  # fmt: skip


def load_assessment(units: dict[str, Unit]) -> str:
    start, end = dt.date(2026, 9, 3), dt.date(2026, 12, 31)
    city, changle = units["福州市"], units["长乐区"]
    city_campaign = campaign_services.ensure_campaign(
        actor=None, owner=city, name="攻坚120天", start_date=start, end_date=end
    )
    for i, line in enumerate(CITY_LINES):
        campaign_services.ensure_line(
            actor=None, campaign=city_campaign, name=line, lead_unit=city, sort_order=i
        )
    campaign_services.ensure_campaign(
        actor=None, owner=city, name="抓项目促提升",
        start_date=dt.date(2026, 1, 1), end_date=end,
        description="主题竞赛",
    )  # fmt: skip
    campaign = campaign_services.ensure_campaign(
        actor=None, owner=changle, name="攻坚120天", start_date=start, end_date=end,
        description="当先锋争一流·攻坚120天",
    )  # fmt: skip
    for i, (line, lead) in enumerate(CHANGLE_LINES):
        campaign_services.ensure_line(
            actor=None, campaign=campaign, name=line, lead_unit=units[lead], sort_order=i
        )
    campaign_services.ensure_campaign(
        actor=None, owner=changle, name="抓项目促提升",
        start_date=dt.date(2026, 1, 1), end_date=end, description="主题竞赛",
    )  # fmt: skip
    for unit_name, kind, date, title, ref in EVENTS:
        services.record_event(
            actor=None, unit=units[unit_name], kind=kind,
            date=dt.date.fromisoformat(date), title=title, reference=ref,
        )  # fmt: skip

    rounds = [
        *_rounds(city_plan(), {
            u: {f"city_{i}": v for i, v in enumerate(scores)} for u, scores in CITY_SCORES.items()
        }),
        *_rounds(city_contest_plan(), {u: {"contest": v} for u, v in CITY_CONTEST.items()}),
    ]  # fmt: skip
    dept_values: dict[str, dict[str, Any]] = {u: {"cx_pz": 1} for u in DEPT_MEMBERS}
    for _line, code, _name, _method, _params, values in DEPT_LINES:
        for unit, value in values.items():
            dept_values[unit][code] = value
    rounds += _rounds(dept_plan(), dept_values)
    rounds += _rounds(business_plan(), {
        u: {"yshj": v} for group in BUSINESS_GROUPS.values() for u, v in group.items()
    })  # fmt: skip
    rounds += _rounds(lead_plan(), {u: {"qt_cx": v} for u, v in LEAD_SCORES.items()})
    rounds += _rounds(
        town_plan(),
        {u: {"xz_tz": v[0], "xz_jd": v[2], "xz_zq": v[3]} for u, v in TOWN_VALUES.items()},
        targets=("xz_tz", {u: v[1] for u, v in TOWN_VALUES.items()}),
    )
    rounds += _rounds(
        contest_plan(),
        {u: {"js_kg": v[0], "js_tz": v[1]} for u, v in CONTEST_VALUES.items()},
        targets=("js_tz", {u: v[2] for u, v in CONTEST_VALUES.items()}),
    )
    return f"{len(rounds)} 个考评期（{NOVEMBER}、{PERIOD}）已计算并发布"


# A roll-up of the towns' two months (year to date of the 120-day campaign), with its 红黑榜:
# computed from the published November and December rounds, like an office's quarter.
ROLLUP_PLAN = "乡镇（街道）攻坚120天阶段考评汇总"
ROLLUP_TITLE = "11—12月阶段汇总"


def town_rollup_plan() -> dict[str, Any]:
    return _plan(
        "长乐区", "攻坚120天", ROLLUP_PLAN,
        report={"style": "groups", "top": 2, "heading": "阶段汇总（11—12月）"},
        grades=[{"name": "优秀", "min": 90}, {"name": "良好", "min": 80},
                {"name": "合格", "min": 60}, {"name": "不合格", "min": None}],
        groups=TOWN_GROUPS,
        lines=[{"name": "阶段汇总", "indicators": [
            {"code": "hz_yd", "name": "11—12月月度考评平均分", "method": "direct",
             "full_marks": 150, "source": "rounds.score",
             "params": {"plan": "乡镇（街道）攻坚120天考评方案", "window": 2,
                        "aggregate": "mean"}},
        ]}],
        lists={"target": {"score": 90}, "red": {"top": 2}, "black": {"bottom": 1}},
    )  # fmt: skip


def load_rollups() -> str:
    """The towns' 11—12月 roll-up with its 红黑榜, computed and published (after
    `load_assessment`, whose rounds it reads)."""
    plan = services.import_plan(
        actor=None,
        doc=read_yaml(yaml.safe_dump(town_rollup_plan(), allow_unicode=True, sort_keys=False)),
    )
    round_ = services.create_round(actor=None, plan=plan, period=PERIOD, title=ROLLUP_TITLE)
    services.compute_round(actor=None, round=round_)
    with clock.pinned(DECEMBER_PUBLISHED):
        published = services.publish_round(actor=None, round=round_)
    listed = published.list_entries.count()
    return f"{ROLLUP_TITLE}已计算并发布，红黑榜 {listed} 个单位"
