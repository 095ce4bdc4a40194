"""中医药服务 (蓟州 2022 附件10) joins the business lines of databases created before it was in BUSINESS_LINES.

Fixed values (not the list module), so the migration means the same thing whatever the list says later.
"""

from django.db import migrations


def add(apps, schema_editor):
    BusinessLine = apps.get_model("directory", "BusinessLine")
    lines = BusinessLine.objects
    if not (lines.filter(code="zyy").exists() or lines.filter(name="中医药服务").exists()):
        order = (BusinessLine.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        BusinessLine.objects.create(code="zyy", name="中医药服务", short_name="中医药", order=order)


class Migration(migrations.Migration):
    dependencies = [("directory", "0007_inspector_assist_only")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
