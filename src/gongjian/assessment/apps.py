from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "gongjian.assessment"
    verbose_name = _("考评")

    def ready(self) -> None:
        from gongjian.assessment import providers, rollups

        providers.register_builtin()
        rollups.register_provider()
