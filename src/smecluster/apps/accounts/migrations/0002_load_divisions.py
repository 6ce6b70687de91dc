"""Load the GB/T 2260 divisions of the project's reference table (reference/data/divisions.csv)."""

from django.db import migrations


def load(apps, schema_editor):
    from smecluster.reference.divisions import divisions

    Jurisdiction = apps.get_model("accounts", "Jurisdiction")
    # Sorted by code, a parent always comes before its children.
    Jurisdiction.objects.bulk_create(
        [
            Jurisdiction(code=d.code, name=d.name, level=d.level, parent_id=d.parent or None)
            for d in sorted(divisions(), key=lambda d: d.code)
        ],
        batch_size=1000,
    )


def unload(apps, schema_editor):
    apps.get_model("accounts", "Jurisdiction").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
