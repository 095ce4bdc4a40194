from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DisclosureConfig(AppConfig):
    name = "shuangsuiji.disclosure"
    label = "disclosure"
    verbose_name = "信息公示"

    def ready(self):
        from . import signals

        signals.connect()
        post_migrate.connect(_ensure_search_index, sender=self)


def _ensure_search_index(sender, using="default", **kwargs):
    from .search import ensure_sqlite_index

    ensure_sqlite_index(using)
