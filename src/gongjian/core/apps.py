from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongjian.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from gongjian.core import audit, raw_guard, sessions

        audit.connect_auth_signals()
        raw_guard.connect()
        sessions.connect()
