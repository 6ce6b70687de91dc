"""A recognized cluster: what the published list shows, and what dynamic management (issue 5) follows:
its development-plan targets, its annual reports (年度培育情况信息表) and its re-review (复核) at expiry.

Statuses change only through ``workflow.engine.take`` on the machines of ``registry.workflow``; the daily
tick (``registry.services.duties``) opens, reminds, flags and expires. The named sets of states live here,
beside the states, so that permissions and the machines' guards can use them without importing each other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import Jurisdiction
from smecluster.apps.applications.models import Application
from smecluster.apps.evidence.models import StoredFile
from smecluster.apps.programmes.models import Programme
from smecluster.reference.sectors import sector_or_unrecognised


class RecognizedCluster(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        EXPIRED = "expired", _("已到期")
        REVOKED = "revoked", _("已撤销")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="recognition")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="recognized_clusters")
    number = models.CharField(_("认定编号"), max_length=32, unique=True)
    name = models.CharField(_("集群名称"), max_length=128)
    county = models.ForeignKey(
        Jurisdiction, verbose_name=_("所在县"), on_delete=models.PROTECT, related_name="+"
    )
    leading_industry = models.CharField(_("主导产业"), max_length=64)
    # GB/T 4754-2017, as the application gave it (``C3854``): reports count clusters by the sector it maps
    # to (``reference.sectors``), not by each cluster's own product name.
    leading_industry_code = models.CharField(_("主导产业代码（GB/T 4754）"), max_length=5, blank=True)
    year = models.PositiveSmallIntegerField(_("认定年度"))
    recognized_on = models.DateField(_("认定日期"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.VALID)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The operator accounts that run this cluster, carried over from the application at recognition: the
    # whole of an operator's reach over the cluster and its records (``registry.reach.cluster_reach``).
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("集群运营管理机构账号"),
        blank=True,
        related_name="operated_clusters",
    )

    class Meta:
        verbose_name = _("已认定集群")
        verbose_name_plural = _("已认定集群")
        ordering = ["-year", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("registry:cluster", args=[self.pk])

    @property
    def sector(self) -> str:
        """The industry sector the cluster counts under in reports (电子、轻工、机械 …)."""
        return sector_or_unrecognised(self.leading_industry_code)

    @property
    def validity_words(self) -> str:
        """The validity as a decision words it: whole calendar years ("2023年至2025年") when it spans them,
        else the two days."""
        if (self.valid_from.month, self.valid_from.day, self.valid_until.month, self.valid_until.day) == (
            1, 1, 12, 31,
        ):  # fmt: skip
            return gettext("%(first)s年至%(last)s年") % {
                "first": self.valid_from.year,
                "last": self.valid_until.year,
            }
        return gettext("%(start)s至%(end)s") % {
            "start": f"{self.valid_from.year}年{self.valid_from.month}月{self.valid_from.day}日",
            "end": f"{self.valid_until.year}年{self.valid_until.month}月{self.valid_until.day}日",
        }


class ClusterPlanTarget(models.Model):
    """One quantified target of the cluster's three-year development plan (三年发展规划目标).

    ``metric`` is a key of ``registry.metrics.METRICS``: the value achieved in a year is computed from that
    year's annual figures, so progress and re-review read the same number. Locked once the first annual
    report is received (``registry.services.plan_targets.targets_locked``)."""

    cluster = models.ForeignKey(RecognizedCluster, on_delete=models.CASCADE, related_name="plan_targets")
    metric = models.CharField(_("指标"), max_length=32)
    baseline_year = models.PositiveSmallIntegerField(_("基准年"))
    baseline_value = models.DecimalField(_("基准值"), max_digits=16, decimal_places=4)
    target_value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4)
    target_year = models.PositiveSmallIntegerField(_("目标年"))
    note = models.CharField(_("说明"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("发展规划目标")
        verbose_name_plural = _("发展规划目标")
        ordering = ["cluster", "pk"]
        constraints = [models.UniqueConstraint(fields=["cluster", "metric"], name="one_target_per_metric")]

    def __str__(self) -> str:
        return f"{self.cluster.number} {self.metric}"


class AnnualReport(models.Model):
    """The annual information form of one cluster for one complete calendar year (``year``).

    ``figures`` holds an :class:`smecluster.annual_figures.AnnualFigures` document (``as_document()``:
    JSON numbers, aliases, absent figures left out) once the form's figures are saved; the monitoring
    report reads it from received reports. ``forwarded_at`` is the filing moment: the recommending office
    (the city) forwarding it to the owner (the province).

    Case 3 "未按要求报送…" is charged to the cluster by its own submission time only: ``late`` is set at the
    cluster's (county's or operator's) first submission when that is after 23:59:59 Beijing time on
    ``due_on``. The city's forwarding time is recorded separately, and ``forwarded_late`` is the city's
    lateness, shown as the city's, never the cluster's (issue 13, finding 9).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("填报中")
        SUBMITTED = "submitted", _("已提交，待市级审核")
        RETURNED = "returned", _("已退回修改")
        FORWARDED = "forwarded", _("已报送，待省级接收")
        RECEIVED = "received", _("已接收")

    cluster = models.ForeignKey(RecognizedCluster, on_delete=models.PROTECT, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("报告年度"))
    due_on = models.DateField(_("报送截止日"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    figures = models.JSONField(_("年度数据"), null=True, blank=True)
    work_done = models.TextField(_("年度工作开展情况"), blank=True)
    experience = models.TextField(_("主要经验做法"), blank=True)
    problems = models.TextField(_("存在的问题"), blank=True)
    measures = models.TextField(_("下一步措施"), blank=True)
    target_notes = models.JSONField(_("规划目标进展说明"), default=dict, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    opened_on = models.DateField(_("开启填报日期"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    late = models.BooleanField(_("集群逾期提交"), default=False)
    forwarded_late = models.BooleanField(_("市级逾期报送"), default=False)
    overdue_flagged_on = models.DateField(_("标记逾期日期"), null=True, blank=True)
    reminders_sent = models.JSONField(_("已发送的提醒（截止前天数）"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("年度培育情况信息表")
        verbose_name_plural = _("年度培育情况信息表")
        ordering = ["-year", "cluster__number"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year"], name="one_report_per_cluster_year")
        ]

    def __str__(self) -> str:
        return f"{self.cluster.number} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("registry:report_detail", args=[self.pk])


REPORT_EDITABLE = frozenset({AnnualReport.Status.DRAFT, AnnualReport.Status.RETURNED})
REPORT_FILED = frozenset({AnnualReport.Status.FORWARDED, AnnualReport.Status.RECEIVED})
"""States of a report that has been filed with the owner: the forwarding is the filing moment."""


class AnnualReportEvidence(StoredFile):
    """A file attached to an annual report; stored like an application's evidence, served only by a view."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="evidence")

    class Meta:
        verbose_name = _("年报佐证材料")
        verbose_name_plural = _("年报佐证材料")
        ordering = ["uploaded_at"]


class ReReview(models.Model):
    """The re-review (复核) of one validity period: opened before ``period_valid_until``, filed by the
    county with an updated profile, recommended by the city, decided by the province.

    ``profile`` is the :class:`smecluster.profile.ClusterProfile` document as filed (JSON); on a pass the
    cluster's ``valid_until`` moves from ``previous_valid_until`` to ``new_valid_until``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待填报")
        SUBMITTED = "submitted", _("已提交，待市级审核")
        RETURNED = "returned", _("已退回修改")
        RECOMMENDED = "recommended", _("已推荐，待省级决定")
        DECIDED = "decided", _("已决定")

    class Outcome(models.TextChoices):
        PASSED = "passed", _("复核通过")
        FAILED = "failed", _("复核未通过")

    cluster = models.ForeignKey(RecognizedCluster, on_delete=models.PROTECT, related_name="re_reviews")
    period_valid_until = models.DateField(_("所复核的有效期止"))
    opened_on = models.DateField(_("开启日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    statement = models.TextField(_("复核申请说明"), blank=True)
    profile = models.JSONField(_("更新后的集群数据"), null=True, blank=True)
    city_opinion = models.TextField(_("市级推荐意见"), blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    recommended_at = models.DateTimeField(_("推荐时间"), null=True, blank=True)
    outcome = models.CharField(_("复核结论"), max_length=8, choices=Outcome.choices, null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("决定理由"), blank=True)
    previous_valid_until = models.DateField(_("原有效期止"), null=True, blank=True)
    new_valid_until = models.DateField(_("延续后的有效期止"), null=True, blank=True)
    reminders_sent = models.JSONField(_("已发送的提醒（到期前天数）"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("复核")
        verbose_name_plural = _("复核")
        ordering = ["-period_valid_until", "cluster__number"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "period_valid_until"], name="one_re_review_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.cluster.number} {self.period_valid_until}"

    def get_absolute_url(self) -> str:
        return reverse("registry:re_review_detail", args=[self.pk])


RE_REVIEW_EDITABLE = frozenset({ReReview.Status.DRAFT, ReReview.Status.RETURNED})
RE_REVIEW_IN_PROGRESS = frozenset(
    {ReReview.Status.SUBMITTED, ReReview.Status.RETURNED, ReReview.Status.RECOMMENDED}
)
"""A re-review the county has filed and that is not decided yet: the cluster does not expire meanwhile."""


class ReReviewEvidence(StoredFile):
    """A file attached to a re-review (the development plan's results, certificates, the county's opinion);
    stored like an application's evidence, served only by a view."""

    re_review = models.ForeignKey(ReReview, on_delete=models.CASCADE, related_name="evidence")

    class Meta:
        verbose_name = _("复核佐证材料")
        verbose_name_plural = _("复核佐证材料")
        ordering = ["uploaded_at"]


class ClusterAssessment(models.Model):
    """The owner's yearly assessment (考核) of one recognized cluster for one complete calendar year.

    GD 5 / SX 5: the province "开展认定、监督和考核工作"; GD 17 / SX 18: it "组织开展监督和考核，编制集群发展
    评估报告". The grade is the owner's, proposed from the programme's ``assessment_criteria`` applied to the
    year's annual report and the plan targets' progress; ``basis`` keeps what was seen when it was recorded
    (the criteria, the report's state, each target's progress), so the assessment reads the same later,
    at re-review (GD 16 / SX 17 "考核集群三年发展规划目标完成情况") included."""

    cluster = models.ForeignKey(RecognizedCluster, on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("考核年度"))
    report = models.ForeignKey(
        AnnualReport, verbose_name=_("据以考核的年度报告"), null=True, blank=True, on_delete=models.PROTECT
    )
    proposed_grade = models.CharField(_("按考核标准的建议等次"), max_length=16)
    grade = models.CharField(_("考核等次"), max_length=16)
    findings = models.TextField(_("考核意见"))
    basis = models.JSONField(_("考核依据"), default=dict)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(_("考核时间"))

    class Meta:
        verbose_name = _("集群年度考核")
        verbose_name_plural = _("集群年度考核")
        ordering = ["-year", "cluster__number"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year"], name="one_assessment_per_cluster_year")
        ]

    def __str__(self) -> str:
        return f"{self.cluster.number} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("registry:assessment", args=[self.cluster_id, self.year])


class RecognitionNotice(models.Model):
    """The recognition notice of a call as issued: its 文号 and 成文日期, entered by the owner when the notice
    is issued (a number is assigned by the issuer's own document registry, not by the platform). Until
    entered the notice prints as a draft."""

    call = models.OneToOneField(
        "programmes.YearlyCall",
        verbose_name=_("年度申报"),
        on_delete=models.PROTECT,
        related_name="recognition_notice",
    )
    number = models.CharField(_("文号"), max_length=64)
    dated = models.DateField(_("成文日期"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("登记时间"), auto_now=True)

    class Meta:
        verbose_name = _("认定名单通知")
        verbose_name_plural = _("认定名单通知")

    def __str__(self) -> str:
        return self.number
