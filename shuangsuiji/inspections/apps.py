from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "shuangsuiji.inspections"
    label = "inspections"
    verbose_name = "检查结果"

    def ready(self) -> None:
        from . import jobs, menu, todos  # noqa: F401  (register background jobs, menu entries and home-page to-dos)
