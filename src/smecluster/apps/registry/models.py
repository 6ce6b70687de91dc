"""A recognized cluster: what the published list shows, and what dynamic management (issue 5) follows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import Jurisdiction
from smecluster.apps.applications.models import Application
from smecluster.apps.programmes.models import Programme


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
    year = models.PositiveSmallIntegerField(_("认定年度"))
    recognized_on = models.DateField(_("认定日期"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.VALID)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("已认定集群")
        verbose_name_plural = _("已认定集群")
        ordering = ["-year", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"
