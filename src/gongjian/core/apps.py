from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongjian.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from gongjian.core import audit, history, raw_guard, sessions

        audit.connect_auth_signals()
        history.build_history_managers_once()
        raw_guard.connect()
        sessions.connect()
