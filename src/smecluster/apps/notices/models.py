"""A public notice of a frozen shortlist, and the objections anyone may file while it runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smecluster.apps.applications.models import Application
from smecluster.apps.evidence.models import StoredFile
from smecluster.apps.selection.models import Shortlist


class Notice(models.Model):
    """A public notice of a shortlist: published, then closed once the call's recognition is decided
    (``notices.workflow.NOTICE``)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        CLOSED = "closed", _("已结束（已作出认定决定）")

    shortlist = models.OneToOneField(Shortlist, on_delete=models.PROTECT, related_name="notice")
    title = models.CharField(_("标题"), max_length=200)
    starts_on = models.DateField(_("公示开始"))
    working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"))
    ends_on = models.DateField(_("公示截止"), help_text=_("由工作日历计算"))
    contact = models.CharField(_("受理异议的联系方式"), max_length=256)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PUBLISHED)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The public page of the notice: what the shortlisted counties and everyone else read."""
        return reverse("notices:public_detail", args=[self.pk])


class Objection(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        INVESTIGATING = "investigating", _("核查中")
        RESOLVED = "resolved", _("已办结")
        INADMISSIBLE = "inadmissible", _("不予受理")

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
    # Where it came from (behind the trusted proxy): the hourly limit counts these rows, so every worker
    # shares it.
    client_address = models.CharField(_("提交地址"), max_length=64, blank=True, db_index=True)
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

    def get_absolute_url(self) -> str:
        return reverse("notices:objection", args=[self.pk])


# An objection needs no further step once resolved or found inadmissible (不予受理); only these stop
# blocking recognition.
OBJECTION_FINISHED = (Objection.Status.RESOLVED, Objection.Status.INADMISSIBLE)

# "经公示无异议的" (SX 16, Guizhou Q6): an objection resolved as upheld (成立) takes its application off the
# call's list; it cannot be recognized in this call.
UPHELD = models.Q(status=Objection.Status.RESOLVED, upheld=True)


class ObjectionFile(StoredFile):
    """A file of an objection, served only to the notice's owner: the objector's evidence (``uploaded_by``
    empty: the objector has no account), or the evidence of the owner's finding (成立 or 不成立)."""

    class Kind(models.TextChoices):
        OBJECTOR = "objector", _("异议人提交的证明材料")
        FINDING = "finding", _("核查认定的证据")

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("材料类别"), max_length=16, choices=Kind.choices, default=Kind.OBJECTOR)


class ObjectionLookupMiss(models.Model):
    """A look-up of an objection's outcome that matched nothing (a wrong receipt number or a wrong second
    factor): the hourly limit counts these rows per client address, so every worker shares it, and they
    are never shown."""

    client_address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("异议查询失败记录")
        verbose_name_plural = _("异议查询失败记录")
