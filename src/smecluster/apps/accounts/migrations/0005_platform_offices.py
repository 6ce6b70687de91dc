"""Insert the recommending offices GB/T 2260 has no division for (reference/data/offices.csv): 660000
新疆生产建设兵团, the platform's own code (reference/data/offices.source.txt)."""

from django.db import migrations


def load(apps, schema_editor):
    from smecluster.apps.accounts.divisions import ensure_divisions

    ensure_divisions(apps.get_model("accounts", "Jurisdiction"))


def unload(apps, schema_editor):
    from smecluster.reference.offices import offices

    apps.get_model("accounts", "Jurisdiction").objects.filter(code__in=list(offices())).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_development_zone")]
    operations = [migrations.RunPython(load, unload)]
