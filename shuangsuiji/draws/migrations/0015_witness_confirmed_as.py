"""The role of the account that confirmed a locked draw record, kept with the confirmation: whether a 纪检 login
confirmed is judged by the role it had then, not by its role today. Earlier confirmations by their own login take
the account's present role (the best record there is)."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def backfill(apps, schema_editor):
    DrawWitness = apps.get_model("draws", "DrawWitness")
    User = apps.get_model("accounts", "User")
    role = Subquery(User.objects.filter(pk=OuterRef("confirmed_by_id")).values("role")[:1])
    DrawWitness.objects.filter(confirmed_at__isnull=False, on_paper=False, confirmed_by=F("user")).update(
        confirmed_as=role
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_alter_user_role"),
        ("draws", "0014_draw_origin"),
    ]

    operations = [
        migrations.AddField(
            model_name="drawwitness",
            name="confirmed_as",
            field=models.CharField(blank=True, max_length=20, verbose_name="确认时的账号角色"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
