"""Every cached portal page becomes stale once: pages rendered before inspectors were shown only by pseudonym
(masked names and 执法证号 beside them, links to legacy rosters) must not be served from a shared cache (Redis)
after the upgrade. Changes the portal state token, as `disclosure.caching.changed()` does."""

import uuid

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    PortalState = apps.get_model("disclosure", "PortalState")
    manager = PortalState.objects.using(schema_editor.connection.alias)
    new, now = uuid.uuid4().hex, timezone.now()
    if not manager.filter(pk=1).update(token=new, changed_at=now):
        manager.update_or_create(pk=1, defaults={"token": new, "changed_at": now})


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0004_result_newest_window")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
