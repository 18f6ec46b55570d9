from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "gongjian.assessment"
    verbose_name = _("考评")

    def ready(self) -> None:
        from gongjian.assessment import providers, rollups
        from gongjian.assessment.archive import published_rounds_digest
        from gongjian.core.backup import register_digest

        providers.register_builtin()
        rollups.register_provider()
        register_digest("published_rounds", published_rounds_digest)
