"""The organisation: units in a tree with aliases, cadres, leader links, users and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongjian.org.names import name_key


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    COUNTY = "county", _("县")
    COUNTY_CITY = "county_city", _("县级市")
    DEPARTMENT = "department", _("部门")
    TOWN = "town", _("镇")
    STREET = "street", _("街道")
    TOWNSHIP = "township", _("乡")
    ZONE = "zone", _("功能区")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


LEVEL_KINDS = {
    UnitKind.PROVINCE,
    UnitKind.CITY,
    UnitKind.DISTRICT,
    UnitKind.COUNTY,
    UnitKind.COUNTY_CITY,
}
GRASSROOTS_KINDS = {UnitKind.TOWN, UnitKind.STREET, UnitKind.TOWNSHIP}


class Unit(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path "/1/7/42/" so a subtree is one indexed prefix match, at any depth.
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(_("层级"), editable=False, default=0)
    name_key = models.CharField(_("名称键"), max_length=100, editable=False, db_index=True)
    sort_order = models.IntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent=None), name="unit_unique_root_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        parent_path = self.parent.path if self.parent else "/"
        path = f"{parent_path}{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            self.depth = path.count("/") - 2
            Unit.objects.filter(pk=self.pk).update(path=path, depth=self.depth)
            if old:
                self._move_descendants(old, path)

    def _move_descendants(self, old: str, new: str) -> None:
        for child in Unit.objects.filter(path__startswith=old).exclude(pk=self.pk):
            child.path = new + child.path[len(old) :]
            child.depth = child.path.count("/") - 2
            Unit.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)

    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)


class UnitAlias(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="aliases"
    )
    alias = models.CharField(_("别名"), max_length=100)
    name_key = models.CharField(_("名称键"), max_length=100, editable=False, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        constraints = [
            models.UniqueConstraint(fields=["unit", "alias"], name="alias_unique_per_unit"),
        ]

    def __str__(self) -> str:
        return self.alias

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_key = name_key(self.alias)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def path_ids(path: str) -> list[int]:
    """The ids a unit's materialised path names, from the top down to the unit itself."""
    return [int(p) for p in path.strip("/").split("/") if p]


def person_name(name: str, post: str) -> str:
    """A person as every list writes one: 王书记（镇党委书记）."""
    return f"{name}（{post}）" if post else name


class Person(models.Model):
    """A cadre (干部); a leader has links to the units (and later projects) he or she answers for."""

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="people"
    )
    post = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_leader = models.BooleanField(_("领导干部"), default=False)
    linked_units = models.ManyToManyField(
        Unit,
        verbose_name=_("挂钩单位"),
        through="LeaderLink",
        related_name="linked_leaders",
        blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return person_name(self.name, self.post)


class LeaderLink(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("领导"), on_delete=models.CASCADE)
    unit = models.ForeignKey(Unit, verbose_name=_("挂钩单位"), on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("挂钩关系")
        verbose_name_plural = _("挂钩关系")
        constraints = [
            models.UniqueConstraint(fields=["person", "unit"], name="leader_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.unit}"


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("攻坚办管理员")
    LEAD_STAFF = "lead_staff", _("牵头单位人员")
    UNIT_STAFF = "unit_staff", _("责任单位人员")
    LEADER = "leader", _("挂钩领导")
    INSPECTOR = "inspector", _("督查组人员")
    VIEWER = "viewer", _("只读用户")


class User(AbstractUser):
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    person = models.OneToOneField(
        Person,
        verbose_name=_("对应干部"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    display_name = models.CharField(_("显示名称"), max_length=50, blank=True)
    # The number the office's identity service knows the person by (工号); single sign-on may
    # match accounts on it instead of the username (org.sso). Blank: none.
    employee_number = models.CharField(_("工号"), max_length=50, blank=True, default="")
    # The interface language the user chose in the header (blank: the site's, Chinese).
    language = models.CharField(_("界面语言"), max_length=10, blank=True, default="")
    # None: the password was set by someone else (a new account) and must be changed at login.
    password_changed_at = models.DateTimeField(
        _("密码修改时间"), null=True, blank=True, default=timezone.now
    )
    # Only code sets this (the demo and benchmark accounts, whose password is printed on purpose);
    # it counts only while settings.GONGJIAN_PASSWORD_EXEMPTIONS is on.
    password_policy_exempt = models.BooleanField(_("免于密码策略"), default=False, editable=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login", "password_changed_at"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["employee_number"],
                condition=~models.Q(employee_number=""),
                name="user_unique_employee_number",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("role", flat=True))
            self._role_cache = cached
        return cached


class RoleGrant(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_grant_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="role_grant_valid_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for integrations; only its SHA-256 is stored. It acts exactly as its user."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("用途"), max_length=100)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    # Valid through this day (Asia/Shanghai); None: until revoked.
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    # After a request of this token that wrote, its reads stay on the primary until then (the
    # read replica's read-your-writes for a client without a session: core.replica).
    reads_primary_until = models.DateTimeField(
        _("读主库截止"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"
