from django.db import migrations

from shuangsuiji.directory.business_lines import BUSINESS_LINES


def seed(apps, schema_editor):
    BusinessLine = apps.get_model("directory", "BusinessLine")
    for order, (code, name, short_name) in enumerate(BUSINESS_LINES, start=1):
        BusinessLine.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short_name, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
