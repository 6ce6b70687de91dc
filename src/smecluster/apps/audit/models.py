"""The audit event. Rows are only ever added: saving an existing row or deleting one raises, and the database
refuses an update or a delete too (a trigger, on PostgreSQL and SQLite). Each row carries its place in the
hash chain (``audit.chain``), which ``audit_record`` computes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk writes would bypass the row guards below; refuse them too (PostgreSQL also has a trigger)."""

    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit events are append-only")


class AuditEvent(models.Model):
    # Set when the object is built, not on insert, so its hash can cover it.
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT
    )
    role = models.CharField(_("角色"), max_length=16, blank=True)
    jurisdiction = models.CharField(_("辖区"), max_length=6, blank=True)
    action = models.CharField(_("操作"), max_length=48, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=48)
    target_id = models.CharField(_("对象"), max_length=32)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True, db_index=True)
    content_hash = models.CharField(_("内容哈希"), max_length=64, blank=True, editable=False)
    previous_hash = models.CharField(_("前一事件哈希"), max_length=64, blank=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        if not self.content_hash:
            raise RuntimeError("audit events are written by audit_record, which chains them")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit events are append-only")
