from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "gongjian.projects"
    verbose_name = _("项目台账")

    def ready(self) -> None:
        from gongjian.core.files import register_owner
        from gongjian.projects.attachments import may_see_file
        from gongjian.projects.providers import register_providers
        from gongjian.projects.streaks import register_streaks

        register_providers()
        register_streaks()
        register_owner(may_see_file)
