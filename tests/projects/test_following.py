"""The campaign a user follows: the one of his or her own level by default, the choice kept."""

import datetime as dt

import pytest

from gongjian.campaigns.models import Campaign
from gongjian.core.errors import NotFound
from gongjian.projects.following import campaigns_for, choose_campaign, default_campaign
from gongjian.projects.models import CampaignChoice
from tests.projects.factories import ProjectFactory


@pytest.fixture
def campaigns(org):
    """The org fixture's district 攻坚120天, the city's own and another district's."""
    district = Campaign.objects.get(name="攻坚120天", owner=org.changle)
    city = Campaign.objects.create(
        name="攻坚120天",
        owner=org.city,
        start_date=dt.date(2026, 9, 3),
        end_date=dt.date(2026, 12, 31),
    )
    gulou = Campaign.objects.create(
        name="百日攻坚",
        owner=org.gulou,
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 12, 31),
    )
    return {"district": district, "city": city, "gulou": gulou}


def followed(user):
    return default_campaign(user, list(campaigns_for(user)))


def test_each_office_follows_the_campaign_of_its_own_level(org, campaigns):
    assert followed(org.city_office) == campaigns["city"]
    assert followed(org.office) == campaigns["district"]
    # a town without a campaign of its own follows its district's, where its projects are
    ProjectFactory(unit=org.hunan, campaign=campaigns["district"])
    ProjectFactory(unit=org.hunan, campaign=campaigns["city"])
    assert followed(org.hunan_staff) == campaigns["district"]


def test_a_chosen_campaign_is_remembered_for_the_user_only(org, campaigns):
    choose_campaign(actor=org.city_office, campaign_id=campaigns["gulou"].pk)
    assert followed(org.city_office) == campaigns["gulou"]
    assert followed(org.office) == campaigns["district"]
    choice = CampaignChoice.objects.get(user=org.city_office)
    assert choice.history.latest().history_user_id == org.city_office.pk


def test_a_campaign_out_of_view_cannot_be_chosen_and_nothing_is_kept(org, campaigns):
    with pytest.raises(NotFound):
        choose_campaign(actor=org.office, campaign_id=campaigns["gulou"].pk)
    assert not CampaignChoice.objects.exists()


def test_the_picker_remembers_and_the_battle_map_opens_on_it_next_time(client, org, campaigns):
    client.force_login(org.city_office)
    assert client.get("/dashboard/").context["campaign"] == campaigns["city"]
    response = client.post(
        "/dashboard/campaign/", {"campaign": campaigns["district"].pk, "on": "2026-12-31"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/?campaign={campaigns['district'].pk}&on=2026-12-31"
    assert client.get("/dashboard/").context["campaign"] == campaigns["district"]
    # a campaign not in view is the 404 page, and the choice stays
    client.force_login(org.office)
    refused = client.post("/dashboard/campaign/", {"campaign": campaigns["gulou"].pk})
    assert refused.status_code == 404
    assert client.get(f"/dashboard/?campaign={campaigns['gulou'].pk}").status_code == 404
    assert not CampaignChoice.objects.filter(user=org.office).exists()
