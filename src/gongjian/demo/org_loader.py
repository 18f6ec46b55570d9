"""Loads the demo organisation through the org services."""

from __future__ import annotations

from gongjian.demo import org_data as data
from gongjian.org import services
from gongjian.org.models import Person, Unit


def load_org() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    city = services.create_unit(
        actor=None, name=data.CITY, kind="city", parent=None, aliases=data.CITY_ALIASES
    )
    units[city.name] = city
    for i, (name, kind, aliases) in enumerate(data.COUNTY_LEVEL):
        units[name] = services.create_unit(
            actor=None, name=name, kind=kind, parent=city, aliases=aliases, sort_order=i
        )
    district = units[data.DISTRICT]
    for i, (name, kind, aliases) in enumerate(data.DEPARTMENTS):
        parent = units["区委组织部"] if name == "区委组织部(人才办)" else district
        units[name] = services.create_unit(
            actor=None, name=name, kind=kind, parent=parent, aliases=aliases, sort_order=100 + i
        )
    for i, (name, kind, aliases) in enumerate(data.TOWNS):
        units[name] = services.create_unit(
            actor=None, name=name, kind=kind, parent=district, aliases=aliases, sort_order=200 + i
        )
    people: dict[str, Person] = {}
    for name, unit_name, post, is_leader, linked in data.PEOPLE:
        people[name] = services.create_person(
            actor=None,
            name=name,
            unit=units[unit_name],
            post=post,
            is_leader=is_leader,
            linked_units=[units[u] for u in linked],
        )
    for username, display, unit_name, roles, person, _purpose in data.USERS:
        services.create_user(
            actor=None,
            username=username,
            password=data.DEMO_PASSWORD,
            unit=units[unit_name],
            roles=roles,
            display_name=display,
            person=people.get(person) if person else None,
            password_policy_exempt=True,  # its password is printed: settings.GONGJIAN_PASSWORD_EXEMPTIONS
        )
    return units
