"""Bulk history: the same "created" rows as django-simple-history's, copied in SQL."""

import datetime as dt
from decimal import Decimal

from simple_history.utils import bulk_create_with_history as library_bulk_create

from gongjian.core.history import _ManagerBuiltOnce, bulk_create_with_history
from gongjian.projects.models import Milestone, Project

SKIP = {"id", "code", "history_id", "history_date", "project_id", "updated_at"}  # when made


def projects(org, prefix, n):
    return [
        Project(
            code=f"{prefix}-{i}",
            name=f"项目{i}",
            level="city",
            unit=org.hunan if i % 2 else org.songxia,
            campaign=org.line.campaign,
            line=org.line if i % 3 else None,
            total_investment_wan=Decimal("1200.50"),
            planned_start=dt.date(2026, 1, 1 + i),
            description="" if i % 2 else "建设内容",
        )
        for i in range(n)
    ]


def history_rows(model, ids):
    rows = model.history.filter(id__in=ids).order_by("history_id").values()
    return [{k: v for k, v in r.items() if k not in SKIP} for r in rows]


def test_bulk_history_rows_match_the_librarys(org):
    theirs = library_bulk_create(
        projects(org, "L", 7), Project, batch_size=3, default_user=org.office,
        default_change_reason="Excel 导入：新建项目",
    )  # fmt: skip
    ours = bulk_create_with_history(
        projects(org, "O", 7), Project, user=org.office, reason="Excel 导入：新建项目", batch_size=3
    )
    assert [p.pk for p in ours] == sorted(p.pk for p in ours)
    assert history_rows(Project, [p.pk for p in ours]) == history_rows(
        Project, [p.pk for p in theirs]
    )
    got = Project.history.filter(id__in=[p.pk for p in ours]).order_by("history_id")
    assert [h.id for h in got] == [p.pk for p in ours]
    assert {(h.history_type, h.history_user, h.history_change_reason) for h in got} == {
        ("+", org.office, "Excel 导入：新建项目")
    }


def test_bulk_history_without_a_user_and_of_child_rows(org):
    project = bulk_create_with_history(projects(org, "M", 1), Project, user=None, reason="导入")[0]
    made = bulk_create_with_history(
        [
            Milestone(project=project, seq=s, name=f"节点{s}", planned_date=dt.date(2026, 6, s))
            for s in (1, 2)
        ],
        Milestone,
        user=None,
        reason="新增节点",
    )
    rows = list(Milestone.history.order_by("history_id").values_list("id", "seq", "history_user"))
    assert rows == [(made[0].pk, 1, None), (made[1].pk, 2, None)]
    assert project.history.get().history_user is None


def test_bulk_history_of_nothing_writes_nothing(org):
    assert bulk_create_with_history([], Project, user=org.office, reason="导入") == []
    assert Project.history.count() == 0


def test_a_history_manager_is_built_once_and_still_reads_its_own_rows(org):
    first, second = projects(org, "HM", 2)
    for p in (first, second):
        p.save()
    first.name = "改名"
    first.save()

    assert isinstance(vars(Project)["history"], _ManagerBuiltOnce)
    assert type(first.history) is type(second.history)
    assert (first.history.count(), second.history.count(), Project.history.count()) == (2, 1, 3)
    assert first.history.first().name == "改名"
