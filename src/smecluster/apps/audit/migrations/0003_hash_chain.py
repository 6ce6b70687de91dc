"""Chains the audit log (``audit.chain``): two hash columns, and the events already written hashed in the
order they were inserted. ``at`` is now set when the event is built, so its hash can cover it."""

import django.utils.timezone
from django.db import migrations, models

from smecluster.apps.audit.chain import content_hash_of

PG_TRIGGER = "audit_event_append_only"


def hash_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:  # the append-only trigger (0002) would refuse these one-time updates
        schema_editor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {PG_TRIGGER}")
    previous = ""
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        event.previous_hash = previous
        event.content_hash = previous = content_hash_of(event)
        AuditEvent.objects.filter(pk=event.pk).update(
            previous_hash=event.previous_hash, content_hash=event.content_hash
        )
    if postgresql:
        schema_editor.execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {PG_TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="content_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="内容哈希"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="前一事件哈希"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="时间"
            ),
        ),
        migrations.RunPython(hash_existing, migrations.RunPython.noop),
    ]
