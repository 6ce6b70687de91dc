"""Records of the city's review steps. Each is written by a service that also moves the application."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smecluster.apps.applications.models import Application, EvidenceFile


class InitialReview(models.Model):
    """初审: a finding per criterion of the programme's rule set, and a conclusion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="initial_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    findings = models.JSONField(
        _("逐条意见"), help_text=_("[{criterion_id, status: pass|fail|review, note}]")
    )
    conclusion = models.TextField(_("初审结论"))
    version_number = models.PositiveSmallIntegerField(_("审核的提交版本"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("初审记录")
        verbose_name_plural = _("初审记录")
        ordering = ["at"]


class SpotCheck(models.Model):
    """实地抽查: who went where and when, what they found; photos and files are spot_check evidence."""

    class Conclusion(models.TextChoices):
        CONFIRMED = "confirmed", _("与申报材料相符")
        DISCREPANCIES = "discrepancies", _("存在不符，需整改或说明")
        FAILED = "failed", _("严重不符")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="spot_checks")
    checked_on = models.DateField(_("抽查日期"))
    inspectors = models.CharField(_("检查人员"), max_length=256)
    findings = models.TextField(_("发现的情况"))
    conclusion = models.CharField(_("结论"), max_length=16, choices=Conclusion.choices)
    files = models.ManyToManyField(
        EvidenceFile, verbose_name=_("照片和文件"), blank=True, related_name="spot_checks"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("实地抽查记录")
        verbose_name_plural = _("实地抽查记录")
        ordering = ["checked_on"]


class Recommendation(models.Model):
    """推荐 or 不予推荐, with the reason; the quota is checked when it is written."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="recommendation")
    recommended = models.BooleanField(_("推荐"))
    reason = models.TextField(_("理由"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推荐意见")
        verbose_name_plural = _("推荐意见")
