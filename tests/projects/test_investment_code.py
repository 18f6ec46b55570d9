"""The ledger's missing fields: the national investment project code (its form checked), the
project's 联络人 with phone, on every write path (service, sheet, Excel, API) and searchable;
and the reporting cadence (month or 旬) that decides what is due."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.core.errors import ImportRejected, ValidationFailed
from gongjian.projects import ledger as ledger_service
from gongjian.projects import reporting
from gongjian.projects.investment_code import check_code, check_phone
from gongjian.projects.ledger_file import export_ledger, import_ledger_xlsx
from gongjian.projects.models import Project
from gongjian.projects.selectors import LedgerFilter, filtered
from tests.factories import PASSWORD
from tests.projects.factories import ReportFactory
from tests.projects.test_ledger_file import edit, values

CODE = "2020-350182-48-01-123456"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (CODE, CODE),
        ("  20203501824801123456 ", CODE),  # 20 bare digits are grouped
        ("2020－350182－48－01－123456", CODE),  # full-width dashes
        ("2104-330000-04-01-654321", "2104-330000-04-01-654321"),  # YYMM since GB/T 40058-2021
        ("", ""),
    ],
)
def test_an_investment_code_is_stored_in_its_one_form(raw, stored):
    assert check_code(raw) == stored


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2020-350182-48-01-12345", "应为 24 位"),
        ("2020-350182-4801-123456", "应为 24 位"),
        ("ABCD-350182-48-01-123456", "应为 24 位"),
        ("3099-350182-48-01-123456", "前 4 位应为年份或年月"),
        ("2020-990182-48-01-123456", "行政区划代码"),
    ],
)
def test_a_malformed_investment_code_is_refused_saying_which_part(raw, message):
    with pytest.raises(ValidationFailed, match=message) as caught:
        check_code(raw)
    assert caught.value.details["field"] == "investment_code"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("138 0000 1234", "13800001234"),
        ("0591-12345678", "0591-12345678"),
        ("+86 13800001234", "13800001234"),
    ],
)
def test_a_contact_phone_is_a_mobile_or_a_landline(raw, stored):
    assert check_phone(raw) == stored


def test_a_bad_phone_is_refused():
    with pytest.raises(ValidationFailed, match="联络人电话"):
        check_phone("12345")


def test_the_ledger_keeps_code_and_contact_and_refuses_a_bad_code_changing_nothing(org, ledger):
    p = ledger.hunan_project
    ledger_service.update_project(
        actor=org.hunan_staff,
        project_id=p.pk,
        expected_version=p.version,
        changes={
            "investment_code": "20203501824801123456",
            "contact_name": "陈干部",
            "contact_phone": "0591 12345678",
        },
    )
    p.refresh_from_db()
    assert (p.investment_code, p.contact_name, p.contact_phone) == (
        CODE,
        "陈干部",
        "059112345678",
    )
    with pytest.raises(ValidationFailed, match="投资项目代码"):
        ledger_service.update_project(
            actor=org.hunan_staff,
            project_id=p.pk,
            expected_version=p.version,
            changes={"investment_code": "2020-35"},
        )
    p.refresh_from_db()
    assert p.investment_code == CODE


def test_the_ledger_search_finds_a_project_by_its_investment_code(org, ledger):
    Project.objects.filter(pk=ledger.hunan_project.pk).update(investment_code=CODE)
    found = filtered(org.office, LedgerFilter(q="350182-48"))
    assert list(found) == [ledger.hunan_project]


def test_excel_exports_and_imports_the_code_and_contact_and_names_a_bad_code_cell(org, ledger):
    Project.objects.filter(pk=ledger.hunan_project.pk).update(
        investment_code=CODE, contact_name="陈干部", contact_phone="13800001234"
    )
    data = export_ledger(Project.objects.all())
    header, first = values(data)["项目台账"][:2]
    column = header.index("投资项目代码")
    assert first[column : column + 3] == (CODE, "陈干部", "13800001234")
    letter = chr(ord("A") + column)
    changed = edit(data, {("项目台账", f"{letter}2"): "2020-350182-48-01-654321"})
    import_ledger_xlsx(actor=org.office, data=changed)
    assert Project.objects.get(pk=ledger.hunan_project.pk).investment_code.endswith("654321")
    fresh = export_ledger(Project.objects.all())
    bad = edit(fresh, {("项目台账", f"{letter}2"): "2020-350182"})
    with pytest.raises(ImportRejected) as caught:
        import_ledger_xlsx(actor=org.office, data=bad)
    [error] = caught.value.errors
    assert (error.column, error.row) == (letter, 2) and "投资项目代码" in error.message
    assert Project.objects.get(pk=ledger.hunan_project.pk).investment_code.endswith("654321")


def test_the_api_shows_and_takes_the_code_and_contact(client, org, ledger):
    assert client.login(username=org.hunan_staff.username, password=PASSWORD)
    p = ledger.hunan_project
    response = client.patch(
        f"/api/ledger/projects/{p.pk}",
        {"version": p.version, "investment_code": CODE, "contact_phone": "13800001234"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["investment_code"], response.json()["contact_phone"]) == (
        CODE,
        "13800001234",
    )
    refused = client.patch(
        f"/api/ledger/projects/{p.pk}",
        {"version": response.json()["version"], "investment_code": "X"},
        content_type="application/json",
    )
    assert refused.status_code == 422  # ValidationFailed, as every refused field
    assert "投资项目代码" in refused.json()["message"]


# ---- the cadence -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "start", "end", "label"),
    [
        (dt.date(2026, 2, 10), dt.date(2026, 2, 1), dt.date(2026, 2, 10), "2026年2月上旬"),
        (dt.date(2026, 2, 11), dt.date(2026, 2, 11), dt.date(2026, 2, 20), "2026年2月中旬"),
        (dt.date(2026, 2, 28), dt.date(2026, 2, 21), dt.date(2026, 2, 28), "2026年2月下旬"),
        (dt.date(2026, 7, 31), dt.date(2026, 7, 21), dt.date(2026, 7, 31), "2026年7月下旬"),
    ],
)
def test_a_dekad_is_the_tenth_of_a_month_with_the_last_running_to_its_end(on, start, end, label):
    period = reporting.reporting_period(on, "dekad")
    assert (period.start, period.end, period.label) == (start, end, label)
    assert reporting.previous_period(period).end == start - dt.timedelta(days=1)


def test_a_campaign_reporting_by_dekad_owes_a_report_each_dekad(org, ledger):
    campaign = org.line.campaign
    on = dt.date(2026, 12, 15)
    ReportFactory(project=ledger.hunan_project, period_end=dt.date(2026, 12, 5))
    monthly = reporting.reports_due(org.hunan_staff, on)
    assert ledger.hunan_project not in monthly.due  # reported in December
    campaign.report_cadence = "dekad"
    campaign.save()
    dekad = reporting.reports_due(org.hunan_staff, on)
    assert list(dekad.due) == [ledger.hunan_project]  # nothing since 12-11
    assert list(dekad.overdue) == []  # the 上旬 was reported
    assert dekad.period.label == "2026年12月中旬"
    later = reporting.reports_due(org.hunan_staff, dt.date(2026, 12, 22))
    assert list(later.overdue) == [ledger.hunan_project]  # 中旬 went without one
