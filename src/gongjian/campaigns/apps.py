from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "gongjian.campaigns"
    verbose_name = _("攻坚行动")

    def ready(self) -> None:
        from gongjian.campaigns.models import units_covered_by_lead
        from gongjian.org.scope import register_led_units

        register_led_units(units_covered_by_lead)
