"""What a platform administrator loaded: a year's holiday arrangement or a rule set, with its file's hash.

The data itself lives where the domain core reads it (``$SMECLUSTER_DATA_DIR/holidays/<year>.csv``,
``$SMECLUSTER_DATA_DIR/rulesets/<id>.yaml``), so the CLI and every web worker see it at once; this row is
the record of who loaded which bytes when, and the target of the audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class YearlyDataLoad(models.Model):
    class Kind(models.TextChoices):
        HOLIDAYS = "holidays", _("节假日安排")
        RULE_SET = "rule_set", _("规则集")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("年度或规则集"), max_length=64, help_text=_("节假日安排的年度，或规则集的标识"))
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    summary = models.JSONField(_("摘要"), default=dict)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度数据载入记录")
        verbose_name_plural = _("年度数据载入记录")
        ordering = ["-loaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
