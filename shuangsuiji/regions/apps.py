from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "shuangsuiji.regions"
    label = "regions"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from . import menu  # noqa: F401
