"""Jurisdictions (GB/T 2260) and users. A user's role and jurisdiction decide everything they may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class Jurisdiction(models.Model):
    """A division of GB/T 2260, loaded from the project's reference table (``load_divisions``), or a
    recommending office GB/T 2260 has no division for (660000 新疆生产建设兵团, reference/offices.py)."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "level"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    def contains(self, other: Jurisdiction) -> bool:
        """A province contains its cities and counties; a city its counties; everyone contains itself."""
        if self.level == Level.NATIONAL:
            return True
        node: Jurisdiction | None = other
        while node is not None:
            if node.code == self.code:
                return True
            node = node.parent
        return False

    def full_name(self) -> str:
        names = []
        node: Jurisdiction | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


def enclosing_codes(code: str) -> set[str]:
    """The GB/T 2260 codes of the divisions that contain ``code``, itself included: its province, its city
    and itself (a code's first two digits name the province, the first four the city)."""
    return {code[:2] + "0000", code[:4] + "00", code}


def division_prefix(code: str) -> str:
    """The code prefix every division inside ``code`` shares: two digits for a province, four for a city,
    the whole code for a county."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


class DevelopmentZone(models.Model):
    """A development zone (经济技术开发区, 高新技术产业开发区, ...). Zones are not divisions of GB/T 2260 and
    have no code: a cluster in 贵阳高新区 is declared by a county the zone spans and names the zone."""

    class ZoneLevel(models.TextChoices):
        NATIONAL = "国家级", _("国家级")
        PROVINCIAL = "省级", _("省级")

    name = models.CharField(_("开发区名称"), max_length=128, unique=True)
    level = models.CharField(_("开发区级别"), max_length=8, choices=ZoneLevel.choices)
    counties = models.ManyToManyField(
        Jurisdiction, verbose_name=_("所跨县级区划"), related_name="development_zones"
    )

    class Meta:
        verbose_name = _("开发区")
        verbose_name_plural = _("开发区")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("省级管理员")
    CITY_OFFICER = "city_officer", _("市级主管部门")
    COUNTY_OFFICER = "county_officer", _("县级主管部门")
    OPERATOR = "operator", _("集群运营管理机构")
    EXPERT = "expert", _("评审专家")
    MINISTRY_ADMIN = "ministry_admin", _("工业和信息化部")


# The role that acts for each level of a programme's review chain (Programme.review_chain).
LEVEL_ROLE = {
    "county": "county_officer",
    "city": "city_officer",
    "province": "province_admin",
    "national": "ministry_admin",
}

# The level of jurisdiction each role is bound to: an officer acts for exactly one office.
ROLE_LEVEL = {
    Role.MINISTRY_ADMIN: Level.NATIONAL,
    Role.PROVINCE_ADMIN: Level.PROVINCE,
    Role.CITY_OFFICER: Level.CITY,
    Role.COUNTY_OFFICER: Level.COUNTY,
    Role.OPERATOR: Level.COUNTY,
    Role.EXPERT: None,  # experts are bound to their home jurisdiction at any level
}


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="users"
    )
    organization = models.CharField(_("单位"), max_length=128, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)

    REQUIRED_FIELDS = ["email", "role", "jurisdiction"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def get_full_name(self) -> str:
        # Chinese names put the family name first, without a space: 何嘉欣, not 嘉欣 何.
        return f"{self.last_name}{self.first_name}".strip()

    def __str__(self) -> str:
        return (
            f"{self.get_full_name() or self.username}（{self.get_role_display()}，{self.jurisdiction.name}）"
        )


class SingleSignOnIdentity(models.Model):
    """Who a user is at the unified identity service (统一身份认证): the ID token's issuer and subject
    (``iss`` + ``sub``), which the provider keeps for the person's lifetime. Accounts are found by this, never
    by an e-mail address or a name, which change hands. Written by ``accounts.single_sign_on`` only."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="single_sign_on_identities"
    )
    issuer = models.CharField(_("身份认证服务"), max_length=255)
    subject = models.CharField(_("身份标识"), max_length=255)
    linked_at = models.DateTimeField(_("关联时间"))
    last_sign_in_at = models.DateTimeField(_("最近登录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("统一身份认证标识")
        verbose_name_plural = _("统一身份认证标识")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="single_sign_on_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject}@{self.issuer}"
