"""Deployment-wide settings kept in the database, so the admin can change them."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteSetting(models.Model):
    key = models.CharField(_("键"), max_length=64, unique=True)
    value = models.CharField(_("值"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("系统设置")
        verbose_name_plural = _("系统设置")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # A request that changes today (the admin) reads the new one for the rest of it.
        from gongjian.core import clock

        clock.forget()


FIXED_TODAY = "fixed_today"

# The audit log lives in its own module (one topic a module); imported here so Django sees it.
from gongjian.core.audit import SecurityEvent  # noqa: E402, F401

# The office's calendar entries beside chinesecalendar's: its own table, for one topic a module.
from gongjian.core.working_days import WorkingDayOverride  # noqa: E402, F401
