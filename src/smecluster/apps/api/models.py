"""Access tokens of the API (``Authorization: Bearer …``): one account's, named, scoped, expiring,
revocable. Only the SHA-256 of the secret is kept: the secret is shown once, when it is created."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Resource(models.TextChoices):
    """What a token may reach, each read or write (``Scope``): the same records the account reaches on
    the pages, never more."""

    APPLICATIONS = "applications", _("申报的集群画像")
    ANNUAL_REPORTS = "annual_reports", _("年度报告的年度数据")
    ROSTERS = "rosters", _("企业名单")
    MONITORING = "monitoring", _("监测评估数据")
    RULE_SETS = "rule_sets", _("以规则集文件核验（试用修订的规则）")


class Access(models.TextChoices):
    READ = "read", _("读取")
    WRITE = "write", _("写入")


# Which accesses each resource has: rosters and monitoring figures are read-only through the API.
RESOURCE_ACCESS: dict[str, tuple[str, ...]] = {
    Resource.APPLICATIONS: (Access.READ, Access.WRITE),
    Resource.ANNUAL_REPORTS: (Access.READ, Access.WRITE),
    Resource.ROSTERS: (Access.READ,),
    Resource.MONITORING: (Access.READ,),
    # POST /api/v1/check with a rule-set document instead of an id: a province trying its revised rules.
    Resource.RULE_SETS: (Access.READ,),
}
SCOPES: tuple[str, ...] = tuple(
    f"{resource}:{access}" for resource, accesses in RESOURCE_ACCESS.items() for access in accesses
)


class ApiToken(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=64)
    # The secret's first characters, shown in the list so that its owner tells tokens apart.
    prefix = models.CharField(_("令牌开头"), max_length=16)
    # SHA-256 of the whole secret: the secret has 256 random bits, so a fast hash is enough (no password
    # stretching is needed for a value nobody chose), and the look-up is one indexed equality.
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("权限范围"), default=list)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    last_used_from = models.GenericIPAddressField(_("最近使用地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CollectionReceipt(models.Model):
    """What the ministry's platform received of a province's annual figures, and when (issue 17,
    "Ministry collection"): a package pulled from the province's API (``smecluster collect``) or uploaded
    on the collection page, kept as received, with its SHA-256."""

    province = models.ForeignKey(
        "accounts.Jurisdiction", verbose_name=_("省份"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("数据年度"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("由命令拉取时为空"),
    )
    source = models.CharField(_("来源"), max_length=500)
    sha256 = models.CharField(_("数据包 SHA-256"), max_length=64)
    clusters = models.PositiveIntegerField(_("集群数"))
    package = models.JSONField(_("数据包"))

    class Meta:
        verbose_name = _("省级年度数据接收记录")
        verbose_name_plural = _("省级年度数据接收记录")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.province_id} {self.year}"
