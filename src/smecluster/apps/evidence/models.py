"""The fields every stored file shares, whatever record it belongs to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """An uploaded file, stored outside the web root under a random name and served only through a view
    that checks who asks (``evidence.pipeline.serve``). ``uploaded_by`` is empty for files a member of the
    public attached to an objection."""

    original_name = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(_("类型"), max_length=128)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name
