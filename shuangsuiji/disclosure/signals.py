"""What changes the portal: any saved or deleted row of a model the public pages read.

The receivers change `PortalState.token` (`caching.changed`) inside the writing transaction, so the
cached pages of the old state are never served again once it commits, and a rolled-back write changes
nothing. Writes that skip model signals (`QuerySet.update()`, `bulk_create`) must call
`disclosure.caching.changed()` themselves if they change what the portal shows; the services that
publish or withdraw (result_publish/result_correct, item_publish, plan publication, the draw steps,
case_publish_penalty) all save their rows. A draft result being entered does not touch the portal:
an InspectionResult only counts once it is published.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

# app label -> model names the portal reads ("*" = every model of the app)
WATCHED = {
    "directory": ("InspectionItem", "BusinessLine"),
    "plans": "*",
    "draws": "*",
    "inspections": ("InspectionResult",),
    "cases": "*",
    "regions": "*",
}
SKIPPED = {"draws.DrawPoolEntry"}  # the self-check index: written once with the draw's own rows
PUBLISHED = "published"


def watched_models():
    for label, names in WATCHED.items():
        if not apps.is_installed(f"shuangsuiji.{label}"):
            continue
        models = apps.get_app_config(label).get_models()
        for model in models:
            if (names == "*" or model.__name__ in names) and model._meta.label not in SKIPPED:
                yield model


def _saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata (backup restore) writes the state as it was
        return
    if sender._meta.label == "inspections.InspectionResult" and getattr(instance, "status", None) != PUBLISHED:
        return
    from .caching import changed

    changed(using=kwargs.get("using") or "default")


def _deleted(sender, instance, **kwargs):
    from .caching import changed

    changed(using=kwargs.get("using") or "default")


def _m2m(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        from .caching import changed

        changed(using=kwargs.get("using") or "default")


def connect() -> None:
    for model in watched_models():
        uid = f"disclosure:{model._meta.label}"
        post_save.connect(_saved, sender=model, dispatch_uid=uid + ":save", weak=False)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid + ":delete", weak=False)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(_m2m, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}",
                                weak=False)  # fmt: skip
