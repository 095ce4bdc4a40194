from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shuangsuiji.core"
    label = "core"
    verbose_name = "基础框架"

    def ready(self) -> None:
        from . import audit_jobs, checks, menu, todos  # noqa: F401  (register checks, jobs, menu entries, to-dos)
