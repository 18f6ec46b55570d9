"""Searched selects (责任单位, 责任领导, the sheet's people): a search box past PICKER_AFTER
choices, the options from the user's view by the rule the form validates against."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.projects import pickers
from gongjian.projects.models import TeamMember
from gongjian.projects.selectors import (
    leaders_in,
    ledger_filter_units,
    nameable_people,
    person_text,
    projects_for,
    sheet_units,
    sheet_units_of,
)
from tests.factories import PASSWORD, PersonFactory, UnitFactory


def label(person) -> str:
    return person_text(person.name, person.post, person.unit.name)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def unit_select(html: str) -> str:
    found = re.search(r'<select name="(?:p-)?unit"[^>]*>(.*?)</select>', html, re.S)
    assert found, "no 责任单位 select on the page"
    return found.group(1)


def options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)


def test_a_short_unit_list_stays_a_plain_select(client, org, ledger):
    login(client, org.office)
    html = client.get("/ledger/").content.decode()
    assert [label for _v, label in options(unit_select(html))] == ["全部", "湖南镇", "松下镇"]
    assert "picker-status" not in html


def test_past_the_limit_the_filter_is_a_search_box_and_the_chosen_unit_only(
    client, org, ledger, monkeypatch
):
    monkeypatch.setattr(pickers, "PICKER_AFTER", 1)
    login(client, org.office)
    html = client.get("/ledger/", {"unit": org.songxia.pk}).content.decode()
    assert options(unit_select(html)) == [("", "全部"), (str(org.songxia.pk), "松下镇")]
    search = re.search(r'<input type="search" name="q" form="picker-none"[^>]*>', html, re.S)
    assert search, "no search box"
    assert (
        'hx-get="/ledger/options/?purpose=ledger_units&amp;field=unit&amp;id=id_unit"'
        in search.group(0)
    )
    assert 'hx-target="#id_unit"' in search.group(0)
    assert "共 2 项" in search.group(0)
    # The filter still takes the unit the select sends.
    assert "SX-01" in html and "HN-01" not in html


def test_past_the_limit_the_project_sheet_offers_a_search_box_too(client, org, ledger, monkeypatch):
    monkeypatch.setattr(pickers, "PICKER_AFTER", 1)
    login(client, org.office)
    html = client.get("/ledger/new/").content.decode()
    assert options(unit_select(html)) == [("", "—")]
    assert 'hx-get="/ledger/options/?purpose=sheet_units&amp;field=unit&amp;id=id_unit"' in html
    html = client.get(f"/ledger/{ledger.hunan_project.pk}/edit/").content.decode()  # prefixed
    assert 'hx-get="/ledger/options/?purpose=sheet_units&amp;field=p-unit&amp;id=id_p-unit"' in html


def test_every_word_typed_must_be_in_the_name_or_the_unit_above(client, org):
    login(client, org.city_office)
    answer = client.get(
        "/ledger/options/", {"purpose": "sheet_units", "q": "财政"}
    ).content.decode()
    assert [label for _v, label in options(answer)] == [
        "—",
        "区财政局（长乐区）",
        "区财政局（鼓楼区）",
    ]
    answer = client.get(
        "/ledger/options/", {"purpose": "sheet_units", "q": "財政 鼓樓"}
    ).content.decode()
    assert options(answer) == [("", "—"), (str(org.gulou_caizheng.pk), "区财政局（鼓楼区）")]
    assert re.search(rf'<option value="{org.gulou_caizheng.pk}" selected>', answer)  # the one
    assert "共 1 个符合。" in answer
    assert 'id="id_unit-status"' in answer and 'hx-swap-oob="true"' in answer


def test_the_options_are_the_users_own_view_never_another_districts(client, org, ledger):
    login(client, org.office)  # 长乐区's office
    answer = client.get(
        "/ledger/options/", {"purpose": "sheet_units", "q": "区财政局"}
    ).content.decode()
    assert [label for _v, label in options(answer)] == ["—", "区财政局"]
    login(client, org.hunan_staff)
    sheet = client.get("/ledger/options/", {"purpose": "sheet_units", "q": ""}).content.decode()
    assert {label for _v, label in options(sheet)} == {"—", "湖南镇", "湖南村"}
    ledger_units = client.get(
        "/ledger/options/", {"purpose": "ledger_units", "q": "镇"}
    ).content.decode()
    assert [label for _v, label in options(ledger_units)] == ["全部", "湖南镇"]
    none = client.get("/ledger/options/", {"purpose": "ledger_units", "q": "松下"}).content.decode()
    assert options(none) == [("", "全部")]
    assert "没有符合的选项" in none


@pytest.mark.parametrize(
    "role", ["office", "city_office", "lead", "hunan_staff", "leader", "inspector", "viewer"]
)
@pytest.mark.parametrize("purpose", ["ledger_units", "sheet_units"])
def test_each_role_gets_exactly_the_units_its_form_accepts(client, org, ledger, role, purpose):
    user = getattr(org, role)
    login(client, user)
    answer = client.get("/ledger/options/", {"purpose": purpose, "q": ""})
    assert answer.status_code == 200
    rule = ledger_filter_units if purpose == "ledger_units" else sheet_units
    expected = set(rule(user).values_list("pk", flat=True))
    got = {int(v) for v, _label in options(answer.content.decode()) if v}
    assert got == expected


def test_only_the_first_thirty_are_listed_and_the_rest_counted(client, org, monkeypatch):
    for i in range(40):
        UnitFactory(name=f"测试单位{i:02d}", parent=org.changle)
    login(client, org.office)
    answer = client.get(
        "/ledger/options/", {"purpose": "sheet_units", "q": "测试"}
    ).content.decode()
    assert len(options(answer)) == 1 + pickers.PICK_SHOWN
    assert "共 40 个符合，显示前 30 个" in answer


def test_the_chosen_unit_stays_chosen_when_it_still_matches(client, org):
    login(client, org.office)
    answer = client.get(
        "/ledger/options/", {"purpose": "sheet_units", "q": "镇", "unit": org.songxia.pk}
    ).content.decode()
    assert len(options(answer)) == 3  # 湖南镇, 松下镇 and the blank
    prefixed = client.get(
        "/ledger/options/",
        {
            "purpose": "sheet_units",
            "q": "镇",
            "field": "p-unit",
            "id": "id_p-unit",
            "p-unit": org.hunan.pk,
        },
    ).content.decode()
    assert re.search(rf'<option value="{org.hunan.pk}" selected>', prefixed)
    assert 'id="id_p-unit-status"' in prefixed
    assert re.search(rf'<option value="{org.songxia.pk}" selected>', answer)
    assert '<option value="" selected>' not in answer


def test_an_unknown_purpose_or_field_is_a_chinese_404_and_a_long_search_is_cut(client, org):
    login(client, org.office)
    refused = (
        {"purpose": "salaries"},
        {"purpose": "sheet_units", "field": 'x"><b>'},
        {"purpose": "sheet_units", "id": "a b"},
    )
    for params in refused:
        answer = client.get("/ledger/options/", params)
        assert answer.status_code == 404
        assert "不存在" in answer.content.decode()
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/ledger/options/", {"purpose": "sheet_units", "q": "区" * 100_000})
    assert answer.status_code == 200
    assert all(len(q["sql"]) < 5_000 for q in queries.captured_queries)


def test_signed_out_the_options_ask_for_a_login(client, org):
    answer = client.get("/ledger/options/", {"purpose": "sheet_units"})
    assert answer.status_code == 302
    assert "/login" in answer["Location"]


def test_the_sheet_of_a_project_shows_its_own_unit_even_past_the_limit(
    client, org, ledger, monkeypatch
):
    monkeypatch.setattr(pickers, "PICKER_AFTER", 1)
    login(client, org.office)
    html = client.get(f"/ledger/{ledger.hunan_project.pk}/edit/").content.decode()
    assert options(unit_select(html)) == [("", "—"), (str(org.hunan.pk), "湖南镇")]
    assert re.search(rf'<option value="{org.hunan.pk}" selected>', unit_select(html))


ROLES = ["office", "city_office", "lead", "hunan_staff", "leader", "inspector", "viewer"]


def offered(client, **params) -> set[int]:
    answer = client.get("/ledger/options/", {"q": "", **params})
    assert answer.status_code == 200
    return {int(v) for v, _label in options(answer.content.decode()) if v}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_offered_exactly_the_people_its_sheet_and_filter_accept(
    client, org, ledger, monkeypatch, role
):
    monkeypatch.setattr(pickers, "PICK_SHOWN", 10_000)  # every option, to compare whole sets
    user = getattr(org, role)
    login(client, user)
    project = ledger.hunan_project
    in_view = projects_for(user).filter(pk=project.pk).exists()
    assert offered(client, purpose="sheet_people") == set(
        nameable_people(user).values_list("pk", flat=True)
    )
    assert offered(client, purpose="sheet_people", project=project.pk) == set(
        nameable_people(user, project if in_view else None).values_list("pk", flat=True)
    )
    assert offered(client, purpose="ledger_leaders") == set(
        leaders_in(projects_for(user)).values_list("pk", flat=True)
    )


def test_the_people_a_project_names_are_offered_only_to_who_sees_the_project(client, org, ledger):
    outsider = PersonFactory(name="鼓楼干部", unit=org.gulou_caizheng, is_leader=False)
    TeamMember.objects.create(project=ledger.songxia_project, person=outsider, duty="协调")
    login(client, org.office)  # 长乐区's office sees 松下镇's project
    assert outsider.pk in offered(client, purpose="sheet_people", project=ledger.songxia_project.pk)
    assert outsider.pk not in offered(client, purpose="sheet_people")
    login(client, org.hunan_staff)  # 湖南镇 does not
    assert outsider.pk not in offered(
        client, purpose="sheet_people", project=ledger.songxia_project.pk
    )
    for bad in ("abc", "9" * 30, "-1"):
        assert outsider.pk not in offered(client, purpose="sheet_people", project=bad)


def test_people_match_by_name_or_unit_and_are_labelled_with_their_unit(client, org, ledger):
    login(client, org.hunan_staff)
    answer = client.get(
        "/ledger/options/", {"purpose": "sheet_people", "q": "陈 湖南"}
    ).content.decode()
    assert options(answer) == [
        ("", "—"),
        (str(ledger.team_member.pk), label(ledger.team_member)),
    ]
    assert label(ledger.team_member).endswith(" · 湖南镇")


def test_past_the_limit_the_sheets_leader_team_and_milestone_people_are_searched(
    client, org, ledger, monkeypatch
):
    monkeypatch.setattr(pickers, "PICKER_AFTER", 1)
    login(client, org.office)
    project = ledger.hunan_project
    html = client.get(f"/ledger/{project.pk}/edit/").content.decode()
    leader = re.search(r'<select name="p-leader"[^>]*>(.*?)</select>', html, re.S)
    assert leader and options(leader.group(1)) == [
        ("", "—"),
        (str(ledger.town_leader.pk), label(ledger.town_leader)),
    ]
    for field in ("p-leader", "team-0-person", "ms-0-person"):
        assert f"field={field}&amp;id=id_{field}&amp;project={project.pk}" in html, field
    monkeypatch.setattr(pickers, "PICKER_AFTER", 0)  # the ledger's one leader
    filters = client.get("/ledger/").content.decode()
    assert "purpose=ledger_leaders&amp;field=leader" in filters


def test_the_sheet_labels_its_people_once_not_once_a_row(client, org, ledger, monkeypatch):
    # At a province (8,000 people, 16 rows) building and copying the list per row was most of
    # the sheet's time: one list, given to every row's field as it is (core.forms.SharedChoices).
    from gongjian.projects import selectors

    calls = []
    label = selectors.person_text
    monkeypatch.setattr(selectors, "person_text", lambda *cols: calls.append(cols) or label(*cols))
    login(client, org.office)
    project = ledger.hunan_project
    page = client.get(f"/ledger/{project.pk}/edit/")
    assert page.status_code == 200
    people = nameable_people(org.office, project).count()
    assert page.content.decode().count('name="team-') > 3  # several rows, one list
    assert sorted(calls) == sorted(set(calls)) and len(calls) == people


def test_a_search_that_misses_the_chosen_unit_keeps_it_first_and_chosen(client, org):
    login(client, org.office)

    def answer(q):
        return client.get(
            "/ledger/options/", {"purpose": "sheet_units", "q": q, "unit": org.fagai.pk}
        ).content.decode()

    towns = answer("镇")
    assert options(towns) == [
        ("", "—"),
        (str(org.fagai.pk), "区发改局"),
        (str(org.hunan.pk), "湖南镇"),
        (str(org.songxia.pk), "松下镇"),
    ]
    assert re.search(rf'<option value="{org.fagai.pk}" selected>', towns)
    assert "共 2 个符合。" in towns
    nothing = answer("不存在")
    assert options(nothing) == [("", "—"), (str(org.fagai.pk), "区发改局")]
    assert '<option value="" selected>' not in nothing


def test_a_search_never_keeps_a_value_the_user_may_not_choose(client, org):
    login(client, org.hunan_staff)
    answer = client.get(
        "/ledger/options/", {"purpose": "sheet_units", "q": "湖南", "unit": org.songxia.pk}
    ).content.decode()

    assert str(org.songxia.pk) not in {v for v, _label in options(answer)}


@pytest.mark.parametrize("role", ROLES)
def test_a_projects_sheet_picker_offers_its_units_by_the_sheets_own_rule(client, org, ledger, role):
    user = getattr(org, role)
    project = ledger.hunan_project
    login(client, user)
    seen = projects_for(user).filter(pk=project.pk).exists()

    got = offered(client, purpose="sheet_units", project=project.pk)

    expected = sheet_units_of(user, project if seen else None)
    assert got == set(expected.values_list("pk", flat=True))


def test_the_sheet_reads_a_chosen_person_once_and_only_if_offered(
    org, ledger, django_assert_num_queries
):
    from gongjian.projects.selectors import sheet_choices

    choices = sheet_choices(org.office, ledger.hunan_project)
    member = ledger.team_member
    assert choices.people[member.pk] == label(member)
    with django_assert_num_queries(1):
        assert choices.person(member.pk) == member
        assert choices.person(member.pk).unit.name == "湖南镇"  # read with its unit
    outsider = PersonFactory(unit=org.gulou)
    with django_assert_num_queries(0):
        assert choices.person(outsider.pk) is None  # not offered: never read
        assert choices.person(None) is None


def test_a_person_removed_after_the_sheet_was_drawn_is_refused_not_dropped(org, ledger):
    from gongjian.projects.forms import TeamMemberForm
    from gongjian.projects.ledger import not_nameable
    from gongjian.projects.selectors import sheet_choices

    gone = PersonFactory(unit=org.hunan)
    choices = sheet_choices(org.hunan_staff, ledger.hunan_project)
    pk = gone.pk
    assert pk in choices.people
    gone.delete()
    form = TeamMemberForm(data={"person": str(pk), "duty": "联络"}, choices=choices)
    assert not form.is_valid()
    assert form.errors["person"] == [not_nameable()]
