import uuid

from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("disclosure", "PortalState").objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"token": uuid.uuid4().hex}
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="PortalState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32, verbose_name="版本标识")),
                ("changed_at", models.DateTimeField(blank=True, null=True, verbose_name="最近变更时间")),
            ],
            options={"verbose_name": "公示门户状态", "verbose_name_plural": "公示门户状态"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
