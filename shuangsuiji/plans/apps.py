from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "shuangsuiji.plans"
    label = "plans"
    verbose_name = "年度计划与抽查任务"

    def ready(self) -> None:
        from . import menu, todos  # noqa: F401  (register menu entries and home-page to-dos)
