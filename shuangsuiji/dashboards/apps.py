from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "shuangsuiji.dashboards"
    label = "dashboards"
    verbose_name = "统计监督"

    def ready(self) -> None:
        from . import jobs, menu  # noqa: F401  (register background jobs and menu entries)
