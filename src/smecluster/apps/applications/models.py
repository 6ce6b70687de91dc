"""The application: every field of the cluster profile, the evidence the criteria call for, the 3-year plan
with quantified targets, evidence files, and a snapshot of every submitted version."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from smecluster.apps.accounts.models import DevelopmentZone, Jurisdiction
from smecluster.apps.evidence.models import StoredFile
from smecluster.apps.programmes.models import PoolEntry, YearlyCall
from smecluster.profile import INCIDENT_LEVELS, IncidentKind

_NON_NEGATIVE = [MinValueValidator(Decimal(0))]
_PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _amount(
    label: StrOrPromise, *, null: bool = False, blank: bool = False
) -> models.DecimalField[Decimal | int | str | None, Decimal]:
    return models.DecimalField(
        label, max_digits=14, decimal_places=4, validators=_NON_NEGATIVE, null=null, blank=blank
    )


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待受理")
    RETURNED = "returned", _("已退回修改")
    ACCEPTED = "accepted", _("已受理，待初审")
    REVIEWED = "reviewed", _("已初审，待推荐")
    RECOMMENDED = "recommended", _("已推荐，待认定机关审核")
    NOT_RECOMMENDED = "not_recommended", _("未推荐")
    SCREENED = "screened", _("已通过审核，待专家评审")
    SCREENED_OUT = "screened_out", _("审核未通过")
    SHORTLISTED = "shortlisted", _("拟认定，公示中")
    NOT_SHORTLISTED = "not_shortlisted", _("未入选拟认定名单")
    RECOGNIZED = "recognized", _("已认定")
    REJECTED = "rejected", _("未予认定")


EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
"""States in which the county (or the operator) may change the application's content and evidence."""


class Section(models.TextChoices):
    """The tabs of the form; evidence files belong to one of them."""

    BASICS = "basics", _("基本情况")
    FIGURES = "figures", _("近三年数据")
    QUALITY = "quality", _("优质企业")
    SUPPLY_CHAIN = "supply_chain", _("产业链协作")
    INNOVATION = "innovation", _("协同创新")
    DIGITAL = "digital", _("数字化转型")
    GREEN = "green", _("绿色发展")
    OPENNESS = "openness", _("开放合作")
    GOVERNANCE = "governance", _("治理与服务")
    SAFETY = "safety", _("安全与信用")
    PLAN = "plan", _("三年发展规划")
    SPOT_CHECK = "spot_check", _("实地抽查（市级）")


COUNTY_SECTIONS = [section for section in Section if section != Section.SPOT_CHECK]

# The profile's incident kinds (design/cluster-profile.md) as the revocation clauses name them.
INCIDENT_KIND_LABELS = {
    IncidentKind.SAFETY_ACCIDENT: _("安全事故"),
    IncidentKind.QUALITY_ACCIDENT: _("质量事故"),
    IncidentKind.ENVIRONMENT_ACCIDENT: _("环境事故"),
    IncidentKind.CYBER_SECURITY_EVENT: _("网络安全事件"),
    IncidentKind.DATA_SECURITY_EVENT: _("数据安全事件"),
    IncidentKind.TAX_EVASION: _("偷税漏税"),
    IncidentKind.VIOLATION: _("违法违规行为"),
    IncidentKind.SERIOUS_DISHONESTY: _("严重失信行为"),
    IncidentKind.OTHER_MAJOR: _("其他重大问题"),
}


class Application(models.Model):
    call = models.ForeignKey(
        YearlyCall, verbose_name=_("年度申报"), on_delete=models.PROTECT, related_name="applications"
    )
    county = models.ForeignKey(
        Jurisdiction, verbose_name=_("申报县"), on_delete=models.PROTECT, related_name="applications"
    )
    number = models.CharField(_("申报编号"), max_length=24, unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # basics (cluster profile)
    pool_entry = models.ForeignKey(
        PoolEntry,
        verbose_name=_("培育库中的集群"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    name = models.CharField(_("集群名称"), max_length=128)
    other_counties = models.JSONField(
        _("跨县的其他县级区划"), default=list, blank=True, help_text=_("跨县集群时填写其他县级区划代码")
    )
    # The towns and streets (乡级) the cluster sits in, [{"code": 9-digit 统计用区划代码, "name": ...}]: an
    # application of a 不设区的地级市 (东莞, 中山, 儋州, 嘉峪关) must name them (the profile's ``places``).
    places = models.JSONField(
        _("所在镇（街道）"), default=list, blank=True, help_text=_("统计用区划代码（九位）及名称")
    )
    development_zone = models.ForeignKey(
        DevelopmentZone,
        verbose_name=_("所在开发区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    leading_industry = models.CharField(_("主导产业"), max_length=64)
    leading_industry_code = models.CharField(_("主导产业代码（GB/T 4754）"), max_length=5, blank=True)
    area_km2 = _amount(_("占地面积（平方公里）"), null=True, blank=True)
    energy_intensive = models.BooleanField(_("属于高耗能行业"), default=False)
    water_intensive = models.BooleanField(_("属于高用水行业"), default=False)
    energy_efficiency_better_than_benchmark = models.BooleanField(
        _("能效优于行业基准值"), null=True, blank=True
    )
    water_efficiency_better_than_benchmark = models.BooleanField(
        _("水效优于行业基准值"), null=True, blank=True
    )
    operating_agency = models.CharField(_("运营管理机构"), max_length=128, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    # quality firms (counts of distinct firms)
    champion = models.PositiveIntegerField(_("制造业单项冠军企业（家）"), null=True, blank=True)
    little_giant = models.PositiveIntegerField(_("专精特新“小巨人”企业（家）"), null=True, blank=True)
    specialized = models.PositiveIntegerField(_("专精特新中小企业（家）"), null=True, blank=True)
    innovative = models.PositiveIntegerField(_("创新型中小企业（家）"), null=True, blank=True)
    high_tech = models.PositiveIntegerField(_("高新技术企业（家）"), null=True, blank=True)
    # For each set of titles a rule set counts together by firm: the firms holding any of them, each once
    # ([{"titles": [...], "firms": n}], the profile's quality_firms.holding_any).
    quality_holders = models.JSONField(_("持有其中任一称号的企业（家）"), default=list, blank=True)
    # what the qualitative criteria call for
    supply_chain = models.TextField(_("产业链供应链协作"), blank=True)
    innovation = models.TextField(_("创新平台、产学研合作与标准制修订"), blank=True)
    digital = models.TextField(_("数字化转型"), blank=True)
    green = models.TextField(_("绿色低碳发展"), blank=True)
    openness = models.TextField(_("开放合作"), blank=True)
    governance = models.TextField(_("运营管理机构与公共服务"), blank=True)
    plan_summary = models.TextField(_("未来三年发展规划概要"), blank=True)
    # bookkeeping
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The operator accounts that run this cluster: the whole of an operator's reach over applications
    # (``permissions.application_reach``). Set by the county (``services.application_operator_add``).
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("集群运营管理机构账号"),
        blank=True,
        related_name="operated_applications",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["call", "status"]), models.Index(fields=["county", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", args=[self.pk])

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def counties(self) -> list[str]:
        return [self.county_id, *self.other_counties]


class ApplicationYear(models.Model):
    """The figures of one complete year; amounts in 亿元, shares in per cent."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    output = _amount(_("集群总产值（亿元）"))
    sme_output = _amount(_("中小企业产值（亿元）"), null=True, blank=True)
    leading_output = _amount(_("主导产业产值（亿元）"), null=True, blank=True)
    sme_rnd = _amount(_("中小企业研发经费（亿元）"), null=True, blank=True)
    invention_patents = models.PositiveIntegerField(_("有效发明专利（件）"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("从业人员（人）"), null=True, blank=True)
    iip_penetration = models.DecimalField(
        _("工业互联网平台应用普及率（%）"),
        max_digits=7,
        decimal_places=4,
        validators=_PERCENT,
        null=True,
        blank=True,
    )
    co2_intensity = _amount(_("二氧化碳排放强度（各年同一单位）"), null=True, blank=True)
    non_fossil_share = models.DecimalField(
        _("非化石能源消费比重（%）"),
        max_digits=7,
        decimal_places=4,
        validators=_PERCENT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("年度数据")
        verbose_name_plural = _("年度数据")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["application", "year"], name="one_row_per_year")]


class Incident(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="incidents")
    date = models.DateField(_("发生日期"))
    kind = models.CharField(
        _("类别"),
        max_length=24,
        choices=[(kind.value, label) for kind, label in INCIDENT_KIND_LABELS.items()],
    )
    level = models.CharField(
        _("等级"), max_length=8, choices=[(level, level) for level in INCIDENT_LEVELS], blank=True
    )
    note = models.CharField(_("说明"), max_length=256, blank=True)

    class Meta:
        verbose_name = _("事故或失信事件")
        verbose_name_plural = _("事故或失信事件")
        ordering = ["date"]


class DeclaredPlanTarget(models.Model):
    """A quantified target of the 3-year development plan: what re-review will hold the cluster to."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("指标"), max_length=64)
    unit = models.CharField(_("单位"), max_length=16)
    baseline = models.DecimalField(_("基线值"), max_digits=16, decimal_places=4)
    target_value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4)
    target_year = models.PositiveSmallIntegerField(_("目标年份"))

    class Meta:
        verbose_name = _("规划目标")
        verbose_name_plural = _("规划目标")
        ordering = ["target_year", "indicator"]


class EvidenceFile(StoredFile):
    """An application's evidence, filed under a section of the form."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    section = models.CharField(_("所属部分"), max_length=16, choices=Section.choices)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["section", "uploaded_at"]


class ApplicationVersion(models.Model):
    """The application as submitted, frozen: a reviewer compares versions to see what changed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    snapshot = models.JSONField(_("内容"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    # The declaring department's 承诺书 signed with this submission (GD 15(一), SX 14); empty only on
    # versions submitted before the platform asked for it.
    pledge_text = models.TextField(_("承诺书"), blank=True)
    pledge_signer_name = models.CharField(_("承诺人姓名"), max_length=64, blank=True)
    pledge_signer_position = models.CharField(_("承诺人职务"), max_length=64, blank=True)
    pledged_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提交版本")
        verbose_name_plural = _("提交版本")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="one_version_number")]
