"""The analyst's texts of a yearly evaluation report, kept per programme, scope and year.

The figures are never stored: they are computed from the annual reports each time, so a report received
late updates the report. Only the prose the analyst wrote is kept, block by block
(``smecluster.documents.evaluation_report.Block``); a block left empty prints the draft written from
the figures.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import Jurisdiction
from smecluster.apps.programmes.models import Programme


class ReportDraft(models.Model):
    # A report covers one programme's clusters (the national report the national programme's, a province's
    # its own programme's), narrowed to ``scope`` within it.
    programme = models.ForeignKey(
        Programme, verbose_name=_("认定项目"), on_delete=models.PROTECT, related_name="+"
    )
    scope = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("报告范围"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("全国、省或市"),
    )
    year = models.PositiveSmallIntegerField(_("评估年度"))
    texts = models.JSONField(_("分析文字"), default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("评估报告文稿")
        verbose_name_plural = _("评估报告文稿")
        ordering = ["-year", "programme", "scope"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "scope", "year"], name="one_draft_per_programme_scope_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} {self.scope.name} {self.year}"
