"""Load the GB/T 2260 divisions of the project's reference table (reference/data/divisions.csv)."""

from django.db import migrations


def load(apps, schema_editor):
    from smecluster.apps.accounts.divisions import ensure_divisions

    ensure_divisions(apps.get_model("accounts", "Jurisdiction"))


def unload(apps, schema_editor):
    apps.get_model("accounts", "Jurisdiction").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
