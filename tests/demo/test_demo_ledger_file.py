"""The demo's offices and a town re-import their own unmodified ledger export: nothing changes,
nothing is refused (the district's and the city's campaigns are both called 攻坚120天)."""

from gongjian.org.models import User
from gongjian.projects.ledger_file import export_ledger, import_ledger_xlsx
from gongjian.projects.models import Milestone, Project, TeamMember
from gongjian.projects.selectors import projects_for


def state():
    return (
        list(Project.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        sorted(TeamMember.objects.values_list("project_id", "person_id", "duty")),
        Project.history.count(),
        Milestone.history.count(),
    )


def test_office_town_and_city_office_reimport_their_own_export_unchanged(demo):
    for username in ("changle_office", "hunan_staff", "fuzhou_office"):
        user = User.objects.get(username=username)
        mine = projects_for(user)
        data = export_ledger(mine, actor=user)
        before = state()
        summary = import_ledger_xlsx(actor=user, data=data)
        assert state() == before, username
        assert (summary.created, summary.updated, summary.unchanged) == (0, 0, mine.count())
        assert (summary.milestones_created, summary.milestones_updated) == (0, 0)
        assert mine.count() > 0, username
