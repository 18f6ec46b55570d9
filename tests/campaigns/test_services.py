"""Campaign writes: idempotent by (owner, name), office only, thresholds validated."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.campaigns import services
from gongjian.campaigns.models import Campaign, Line
from gongjian.core.errors import PermissionDenied, ValidationFailed

D = dt.date


def test_ensure_campaign_is_idempotent_by_owner_and_name(org):
    first = services.ensure_campaign(
        actor=org.office,
        owner=org.hunan,
        name="百日攻坚",
        start_date=D(2026, 9, 23),
        end_date=D(2026, 12, 31),
    )
    again = services.ensure_campaign(
        actor=org.office,
        owner=org.hunan,
        name="百日攻坚",
        start_date=D(2026, 1, 1),
        end_date=D(2026, 2, 1),
    )
    assert again.pk == first.pk
    assert again.start_date == D(2026, 9, 23)
    assert Campaign.objects.filter(name="百日攻坚").count() == 1


def test_ensure_line_adds_covered_units_without_duplicating(org):
    campaign = org.line.campaign
    line = services.ensure_line(
        actor=org.office,
        campaign=campaign,
        name="重大项目建设提速攻坚",
        lead_unit=org.fagai,
        covered_units=[org.caizheng],
    )
    assert line.pk == org.line.pk
    assert set(line.covered_units.values_list("name", flat=True)) == {
        "湖南镇",
        "松下镇",
        "区财政局",
    }
    assert Line.objects.filter(campaign=campaign).count() == 1


def test_unit_staff_cannot_create_a_campaign(org):
    with pytest.raises(PermissionDenied):
        services.ensure_campaign(
            actor=org.hunan_staff,
            owner=org.changle,
            name="X",
            start_date=D(2026, 1, 1),
            end_date=D(2026, 2, 1),
        )
    assert not Campaign.objects.filter(name="X").exists()


def test_campaign_ending_before_it_starts_is_refused(org):
    with pytest.raises(ValidationFailed):
        services.ensure_campaign(
            actor=org.office,
            owner=org.changle,
            name="Y",
            start_date=D(2026, 2, 1),
            end_date=D(2026, 1, 1),
        )
    assert not Campaign.objects.filter(name="Y").exists()


def test_thresholds_change_and_yellow_above_red_is_refused(org):
    campaign = org.line.campaign
    services.set_thresholds(
        actor=org.office,
        campaign=campaign,
        yellow_gap=Decimal(5),
        red_gap=Decimal(20),
        not_started_red_months=2,
        milestone_red_days=15,
    )
    campaign.refresh_from_db()
    assert (campaign.warn_yellow_gap, campaign.warn_red_gap) == (Decimal(5), Decimal(20))
    with pytest.raises(ValidationFailed):
        services.set_thresholds(
            actor=org.office,
            campaign=campaign,
            yellow_gap=Decimal(25),
            red_gap=Decimal(20),
            not_started_red_months=2,
            milestone_red_days=15,
        )
    campaign.refresh_from_db()
    assert campaign.warn_yellow_gap == Decimal(5)
