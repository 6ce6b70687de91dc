"""Screening, the indicator system, experts, assignments and scores, and the frozen shortlist."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from smecluster.apps.applications.models import Application
from smecluster.apps.programmes.models import YearlyCall


class Screening(models.Model):
    """The owner's check of a recommended application under the programme's rule set (形式审查/资格审核)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="screening")
    verdict = models.JSONField(_("规则集评估结果"), help_text=_("Verdict.as_json(), with the working"))
    outcome = models.CharField(_("评估结论"), max_length=16)
    flagged = models.BooleanField(_("有量化或排除条件未满足"), default=False)
    goes_on = models.BooleanField(_("进入专家评审"))
    reason = models.TextField(_("理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")


class IndicatorSystem(models.Model):
    """细化指标体系 for one call, versioned: a new version replaces the old until scoring starts."""

    call = models.ForeignKey(YearlyCall, on_delete=models.PROTECT, related_name="indicator_systems")
    version = models.PositiveSmallIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=128)
    is_default = models.BooleanField(_("系统默认（待各地调整）"), default=False)
    note = models.TextField(_("说明"), blank=True, help_text=_("权重的来源，或本版本修改了什么"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指标体系")
        verbose_name_plural = _("指标体系")
        ordering = ["call", "-version"]
        constraints = [models.UniqueConstraint(fields=["call", "version"], name="one_indicator_version")]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"


class Indicator(models.Model):
    system = models.ForeignKey(IndicatorSystem, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("编号"), max_length=16)
    dimension = models.CharField(_("维度"), max_length=64)
    name = models.CharField(_("指标"), max_length=128)
    max_points = models.DecimalField(
        _("满分（分）"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    guidance = models.TextField(_("评分要点"), blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["system", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="one_indicator_code")]


class ExpertProfile(models.Model):
    """An expert of the pool: fields of expertise; the home jurisdiction is the user's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    fields = models.CharField(
        _("专业领域"), max_length=256, help_text=_("以顿号或逗号分隔，如 智能家电、装备制造")
    )
    organization = models.CharField(_("工作单位"), max_length=128, blank=True)
    active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("专家库")


class DeclaredRelation(models.Model):
    """A relation an expert declared to a county's clusters (employment, shareholding, kinship...)."""

    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_relations"
    )
    county = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=256)
    declared_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申明的利益关系")
        verbose_name_plural = _("申明的利益关系")


class Assignment(models.Model):
    """An expert assigned to score an application. Before scoring the expert declares no conflict."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)
    due_on = models.DateField(_("评分截止"))
    no_conflict_declared_at = models.DateTimeField(_("声明无利益冲突时间"), null=True, blank=True)
    conflict_declared = models.BooleanField(_("声明存在利益冲突"), default=False)
    conflict_note = models.CharField(_("利益冲突说明"), max_length=256, blank=True)
    submitted_at = models.DateTimeField(_("提交评分时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("最近提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="one_assignment")]


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("评语"))

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "indicator"], name="one_score"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="score_not_negative"),
        ]


class Shortlist(models.Model):
    """The confirmed ranking of a call, frozen: ``content_hash`` is SHA-256 of ``content``'s canonical JSON,
    shown on the public notice so any later change is detectable.

    Confirmed, then published for public notice, then decided when the call's recognition is decided
    (``selection.workflow.SHORTLIST``)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已确认")
        PUBLISHED = "published", _("已公示")
        DECIDED = "decided", _("已作出认定决定")

    call = models.OneToOneField(YearlyCall, on_delete=models.PROTECT, related_name="shortlist")
    content = models.JSONField(_("排名与得分"))
    content_hash = models.CharField(_("内容哈希（SHA-256）"), max_length=64)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.CONFIRMED)

    class Meta:
        verbose_name = _("拟认定名单")
        verbose_name_plural = _("拟认定名单")
