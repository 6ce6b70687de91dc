"""On SQLite too, the database refuses to change or delete an audit row (PostgreSQL's trigger is 0002)."""

from django.db import migrations

from smecluster.apps.audit import sqlite_append_only


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_append_only.CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_append_only.DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain")]
    operations = [migrations.RunPython(create, drop)]
