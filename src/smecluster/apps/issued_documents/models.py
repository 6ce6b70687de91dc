"""An official document once issued: rendered by the job worker, stored with its SHA-256, served as stored.

Rows are technical records of the worker's output (no workflow): one per document version (``key``, see
``refs.DocumentRef``); ``rendered_at`` is set when the file is in place, ``error`` when rendering failed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IssuedDocument(models.Model):
    key = models.CharField(_("文件标识"), max_length=200, unique=True)
    kind = models.CharField(_("文件类型"), max_length=32)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    variant = models.CharField(_("版式"), max_length=32, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    requested_at = models.DateTimeField(_("请求生成时间"), default=timezone.now)
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)

    class Meta:
        verbose_name = _("已出具的正式文件")
        verbose_name_plural = _("已出具的正式文件")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return self.key

    @property
    def rendered(self) -> bool:
        return self.rendered_at is not None
