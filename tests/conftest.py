"""Shared fixtures: a small organisation with one user per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from hypothesis import HealthCheck, settings

from gongjian.campaigns.models import Campaign, Line
from gongjian.org.models import LeaderLink, Role, Unit, User
from tests.factories import PersonFactory, UnitFactory, UserFactory

# Property tests judge rules, not speed: on a shared, loaded machine Hypothesis's timing checks
# (a per-example deadline, "input generation too slow") fail runs for reasons that are not ours.
settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shared-machine")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Transactional tests empty the database with TRUNCATE after each test; the security log
    refuses that on PostgreSQL unless the database allows it, as only the test databases do."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            name = connection.settings_dict["NAME"]
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE \"{name}\" SET gongjian.allow_truncate = 'on'")
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                superuser = cursor.fetchone()[0]
            connection.close()  # the setting holds for sessions opened after it
            if superuser:
                _empty_with_delete()


def _empty_with_delete() -> None:
    """TRUNCATE makes new files for every table and index, a few hundred for ours: it took
    0.3 s on an idle server here and 40 s on a loaded one, after every transactional test.
    DELETE, with the foreign-key and audit triggers off for the transaction (a superuser's
    `session_replication_role`), empties the same few rows in milliseconds."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: list[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if not tables or reset_sequences:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET LOCAL session_replication_role = replica;",
            *(f"DELETE FROM {self.quote_name(table)};" for table in tables),  # noqa: S608 - our tables
        ]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def chinese_by_default() -> Iterator[None]:
    """Every test starts in the site's language: a request in English activates English for
    the thread, and without this a later test on the same worker would read English."""
    with translation.override(django_settings.LANGUAGE_CODE):
        yield


@dataclass
class OrgWorld:
    city: Unit
    changle: Unit
    gulou: Unit
    fagai: Unit
    caizheng: Unit
    gulou_caizheng: Unit
    hunan: Unit
    songxia: Unit
    hunan_village: Unit
    office: User
    city_office: User
    lead: User
    hunan_staff: User
    leader: User
    inspector: User
    viewer: User
    line: Line


@pytest.fixture
def org(db: None) -> OrgWorld:
    city = UnitFactory(name="福州市", kind="city")
    changle = UnitFactory(name="长乐区", kind="district", parent=city)
    gulou = UnitFactory(name="鼓楼区", kind="district", parent=city)
    fagai = UnitFactory(name="区发改局", parent=changle)
    caizheng = UnitFactory(name="区财政局", parent=changle)
    gulou_caizheng = UnitFactory(name="区财政局", parent=gulou)
    hunan = UnitFactory(name="湖南镇", kind="town", parent=changle)
    songxia = UnitFactory(name="松下镇", kind="town", parent=changle)
    hunan_village = UnitFactory(name="湖南村", kind="other", parent=hunan)
    leader_person = PersonFactory(name="林副区长", unit=fagai, is_leader=True)
    LeaderLink.objects.create(person=leader_person, unit=hunan)
    campaign = Campaign.objects.create(
        name="攻坚120天", owner=changle, start_date="2026-09-03", end_date="2026-12-31"
    )
    line = Line.objects.create(campaign=campaign, name="重大项目建设提速攻坚", lead_unit=fagai)
    line.covered_units.set([hunan, songxia])
    return OrgWorld(
        city=city,
        changle=changle,
        gulou=gulou,
        fagai=fagai,
        caizheng=caizheng,
        gulou_caizheng=gulou_caizheng,
        hunan=hunan,
        songxia=songxia,
        hunan_village=hunan_village,
        office=UserFactory(username="office", unit=changle, roles=[Role.OFFICE_ADMIN]),
        city_office=UserFactory(username="city_office", unit=city, roles=[Role.OFFICE_ADMIN]),
        lead=UserFactory(username="lead", unit=fagai, roles=[Role.LEAD_STAFF]),
        hunan_staff=UserFactory(username="hunan", unit=hunan, roles=[Role.UNIT_STAFF]),
        leader=UserFactory(
            username="leader", unit=caizheng, roles=[Role.LEADER], person=leader_person
        ),
        inspector=UserFactory(username="inspector", unit=changle, roles=[Role.INSPECTOR]),
        viewer=UserFactory(username="viewer", unit=hunan, roles=[Role.VIEWER]),
        line=line,
    )


@pytest.fixture(scope="module")
def demo_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """The whole demo (`gongjian demo`), committed for the module that asks for it."""
    from gongjian.demo.builder import build_demo
    from tests.worlds import built_once

    yield from built_once(django_db_blocker, build_demo, key="demo")


@pytest.fixture
def demo(demo_world: Any, db: None) -> Any:
    """The demo, for one test: its writes are rolled back after it."""
    return demo_world


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Each test goes to whichever worker is free, as with plain `-n`, except that a module
    named `test_demo_*` (one that reads the demo built once for it) goes to one worker whole:
    split over two, each would build the demo again."""
    from xdist.scheduler import LoadScopeScheduling

    class DemoModulesWhole(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module.rsplit("/", 1)[-1].startswith("test_demo_") else nodeid

    if config.getvalue("dist") != "load":
        return None
    return DemoModulesWhole(config, log)
