"""A public notice of a frozen shortlist, and the objections anyone may file while it runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smecluster.apps.applications.models import Application
from smecluster.apps.selection.models import Shortlist


class Notice(models.Model):
    shortlist = models.OneToOneField(Shortlist, on_delete=models.PROTECT, related_name="notice")
    title = models.CharField(_("标题"), max_length=200)
    starts_on = models.DateField(_("公示开始"))
    working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"))
    ends_on = models.DateField(_("公示截止"), help_text=_("由工作日历计算"))
    contact = models.CharField(_("受理异议的联系方式"), max_length=256)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.title


class Objection(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        INVESTIGATING = "investigating", _("核查中")
        RESOLVED = "resolved", _("已办结")

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    reference = models.CharField(_("受理编号"), max_length=32, unique=True)
    application = models.ForeignKey(
        Application, verbose_name=_("异议对象"), on_delete=models.PROTECT, related_name="objections"
    )
    real_name = models.CharField(_("姓名"), max_length=64)
    phone = models.CharField(_("联系电话"), max_length=32)
    email = models.EmailField(_("电子邮箱"), blank=True)
    organization = models.CharField(_("工作单位"), max_length=128)
    content = models.TextField(_("异议内容"))
    filed_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    investigation = models.TextField(_("核查情况"), blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    upheld = models.BooleanField(_("异议成立"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["filed_at"]


class ObjectionFile(models.Model):
    """Evidence attached to an objection; stored like application evidence, served only to officers."""

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="files")
    original_name = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=128)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
