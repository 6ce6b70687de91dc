"""Analyst texts are kept per (programme, scope, year): each existing draft goes to the programme its scope's
report covers now — the national programme for 全国, the province's own for a province or one of its
cities — else to the programme with the most recognized clusters in the scope (the report it was written
on counted them). A draft no programme covers has no report to belong to and is removed."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q


def _county_filter(scope):
    if scope.level == "national":
        return Q()
    if scope.level == "province":
        return Q(county__code__startswith=scope.code[:2])
    return Q(county__parent=scope.code)


def _programme_for(apps, scope):
    Programme = apps.get_model("programmes", "Programme")
    RecognizedCluster = apps.get_model("registry", "RecognizedCluster")
    if scope.level == "national":
        found = Programme.objects.filter(owner__isnull=True).order_by("pk").first()
    else:
        found = Programme.objects.filter(owner=scope.code[:2] + "0000", owner_level="province").order_by("pk").first()
    if found is not None:
        return found
    most = (
        RecognizedCluster.objects.filter(_county_filter(scope))
        .values("programme")
        .annotate(clusters=Count("pk"))
        .order_by("-clusters", "programme")
        .first()
    )
    return Programme.objects.get(pk=most["programme"]) if most else None


def assign_programmes(apps, schema_editor):
    ReportDraft = apps.get_model("monitoring", "ReportDraft")
    for draft in ReportDraft.objects.select_related("scope"):
        programme = _programme_for(apps, draft.scope)
        if programme is None:
            draft.delete()
            continue
        draft.programme = programme
        draft.save(update_fields=["programme"])


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
        ("programmes", "0011_programme_owner_may_be_a_city"),
        ("registry", "0009_cluster_leading_industry_code"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="reportdraft", name="one_draft_per_scope_year"),
        migrations.AddField(
            model_name="reportdraft",
            name="programme",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.programme",
                verbose_name="认定项目",
            ),
        ),
        migrations.RunPython(assign_programmes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reportdraft",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.programme",
                verbose_name="认定项目",
            ),
        ),
        migrations.AlterModelOptions(
            name="reportdraft",
            options={
                "ordering": ["-year", "programme", "scope"],
                "verbose_name": "评估报告文稿",
                "verbose_name_plural": "评估报告文稿",
            },
        ),
        migrations.AddConstraint(
            model_name="reportdraft",
            constraint=models.UniqueConstraint(
                fields=("programme", "scope", "year"), name="one_draft_per_programme_scope_year"
            ),
        ),
    ]
