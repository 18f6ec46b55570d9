# Run by scripts/upgrade-check.sh through the previous release's own `gongjian shell -c`: what a
# district does between installing a release and upgrading it. Through that release's services
# (its permission checks, history and events), the first user each one accepts: a progress
# report, a step of a supervision order (签收) and a draft assessment round.
import datetime as dt
import re
from decimal import Decimal

from django.contrib.auth import get_user_model

from gongjian.assessment import services as assessment
from gongjian.assessment.models import Plan, Round
from gongjian.core import clock
from gongjian.projects import services as projects
from gongjian.projects.models import Project
from gongjian.supervision import services as supervision
from gongjian.supervision.models import SupervisionOrder

users = list(get_user_model().objects.filter(is_active=True).order_by("pk"))


def first(what, calls):
    for call in calls:
        try:
            return call()
        except Exception:  # noqa: S112 - a refusal changes nothing; try the next user or object
            continue
    raise SystemExit(f"upgrade-check: no user could add {what}")


def report_calls():
    for project in Project.objects.order_by("pk")[:50]:
        for user in users:
            yield lambda p=project, u=user: projects.submit_report(
                actor=u,
                project=p,
                period_end=clock.today(),
                percent_done=Decimal("42.0"),
                problems="升级检查：上一版本填报",
            )


def step_calls():
    for order in SupervisionOrder.objects.filter(state="issued").order_by("pk"):
        for user in users:
            yield lambda o=order, u=user: supervision.acknowledge(actor=u, order=o, note="升级检查")


def next_period(plan):
    periods = sorted(Round.objects.filter(plan=plan).values_list("period", flat=True))
    last = periods[-1] if periods else clock.today().strftime("%Y-%m")
    match = re.fullmatch(r"(\d{4})-(\d{2})", last)
    if not match:
        return f"{last}-升级检查"
    year, month = int(match[1]), int(match[2])
    day = dt.date(year + month // 12, month % 12 + 1, 1)
    return day.strftime("%Y-%m")


def round_calls():
    for plan in Plan.objects.order_by("pk"):
        for user in users:
            yield lambda p=plan, u=user: assessment.create_round(
                actor=u, plan=p, period=next_period(p), title="升级检查草稿"
            )


report = first("a report", report_calls())
order = first("an order step", step_calls())
draft = first("a draft round", round_calls())
print(f"added report {report.pk}, acknowledged order {order.pk}, draft round {draft.pk}")
