"""Which campaign a user follows (battle map, workbench): the campaigns in view, the one of the
user's own level by default (the city office Fuzhou's, a district office its district's), and
the choice the user made, kept per user."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongjian.campaigns.models import Campaign
from gongjian.core import clock
from gongjian.core.errors import NotFound
from gongjian.core.history import record
from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import CampaignChoice, Project


def campaigns_for(user: Any) -> QuerySet[Campaign]:
    """Campaigns a user can see, follow and file projects under: owned by the user's unit or a
    unit above it (the district's and the city's campaigns, before any project of the user's
    is in them), owned within scope, or with projects in scope. Another district's campaign
    is none of these."""
    scope = scope_for(user)
    in_scope_projects = scope.filter(Project.objects.all(), Action.VIEW).values("campaign_id")
    owned = scope.q(Action.VIEW, via="owner")
    unit = getattr(user, "unit", None)
    above = Q(owner_id__in=unit.ancestor_ids()) if unit is not None else Q(pk__in=[])
    return Campaign.objects.filter(owned | above | Q(pk__in=in_scope_projects)).order_by(
        "-start_date", "pk"
    )


def visible_campaign_ids(user: Any) -> set[int] | None:
    """The ids of `campaigns_for(user)`, or None for system work (no user: the demo loader)."""
    if user is None:
        return None
    return set(campaigns_for(user).values_list("pk", flat=True))


def campaign_refusal(campaign: Campaign) -> str:
    return _("攻坚行动“%(name)s”不存在，或不在您的查看范围内。") % {"name": campaign.name}


def default_campaign(user: Any, campaigns: list[Campaign]) -> Campaign | None:
    """Of `campaigns` (those the user can follow): the one chosen last, else the latest one
    owned by the user's own unit, else by the nearest unit above it, else the first."""
    if not campaigns:
        return None
    by_pk = {c.pk: c for c in campaigns}
    chosen = CampaignChoice.objects.filter(user_id=user.pk).values_list("campaign_id", flat=True)
    for pk in chosen:
        if pk in by_pk:
            return by_pk[pk]
    unit = getattr(user, "unit", None)
    if unit is not None:
        for unit_id in reversed(unit.ancestor_ids()):  # own unit first, then upwards
            owned = [c for c in campaigns if c.owner_id == unit_id]
            if owned:
                return owned[0]
    return campaigns[0]


@transaction.atomic
def choose_campaign(*, actor: Any, campaign_id: int) -> Campaign:
    """Remember the campaign `actor` follows; one out of view reads as absent."""
    campaign = campaigns_for(actor).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(_("攻坚行动不存在，或不在您的查看范围内。"))
    choice = CampaignChoice.objects.select_for_update().filter(user_id=actor.pk).first()
    if choice is None:
        choice = CampaignChoice(user_id=actor.pk, campaign=campaign)
    elif choice.campaign_id == campaign.pk:
        return campaign
    choice.campaign = campaign
    choice.chosen_at = clock.now()
    record(choice, actor=actor, reason=_("选择关注的攻坚行动"))
    choice.save()
    return campaign
