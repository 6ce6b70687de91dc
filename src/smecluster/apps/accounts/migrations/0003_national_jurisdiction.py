"""The national level (全国, code 100000 as GB/T 2260 tables print it), the home of the ministry's users."""

from django.db import migrations, models


def add(apps, schema_editor):
    apps.get_model("accounts", "Jurisdiction").objects.get_or_create(
        code="100000", defaults={"name": "全国", "level": "national"}
    )


def remove(apps, schema_editor):
    apps.get_model("accounts", "Jurisdiction").objects.filter(code="100000").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_load_divisions")]
    operations = [
        migrations.AlterField(
            model_name="jurisdiction",
            name="level",
            field=models.CharField(
                choices=[("national", "国家级"), ("province", "省级"), ("city", "市级"), ("county", "县级")],
                max_length=8,
                verbose_name="级别",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("province_admin", "省级管理员"),
                    ("city_officer", "市级主管部门"),
                    ("county_officer", "县级主管部门"),
                    ("operator", "集群运营管理机构"),
                    ("expert", "评审专家"),
                    ("ministry_admin", "工业和信息化部"),
                ],
                max_length=16,
                verbose_name="角色",
            ),
        ),
        migrations.RunPython(add, remove),
    ]
