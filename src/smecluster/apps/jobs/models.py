"""Long work done by the job worker instead of inside a request: what was asked, by whom, how far it is,
and the file it produced.

The queue itself is django-tasks' database backend (``django_tasks_db``: a table, no broker; ADR 17); a
:class:`Job` is the platform's record of one piece of work, which the page polls and the person opens.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("任务类型"), max_length=32)
    params = models.JSONField(_("参数"), default=dict)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("语言"), max_length=16, blank=True, help_text=_("提交人使用的界面语言"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=200, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    result_name = models.CharField(_("文件名"), max_length=255, blank=True)
    result_type = models.CharField(_("文件类型"), max_length=128, blank=True)
    result_link = models.CharField(
        _("结果页面"), max_length=255, blank=True, help_text=_("任务写入的记录所在的页面，例如导入的名册")
    )
    details = models.JSONField(
        _("明细"), default=dict, blank=True, help_text=_("任务未完成时列出的问题，例如名册中有错误的行")
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
