from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "gongjian.supervision"
    verbose_name = _("督查督办")

    def ready(self) -> None:
        from gongjian.core.files import register_owner
        from gongjian.supervision.offence_orders import register_offence_orders
        from gongjian.supervision.orders import may_see_evidence
        from gongjian.supervision.providers import register_providers

        register_providers()
        register_offence_orders()
        register_owner(may_see_evidence)
        from gongjian.projects.panels import register_panel
        from gongjian.supervision.visits import project_panel

        register_panel(project_panel)
