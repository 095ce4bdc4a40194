from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "shuangsuiji.draws"
    label = "draws"
    verbose_name = "随机抽取"

    def ready(self) -> None:
        from . import jobs, menu, todos  # noqa: F401  (register background jobs, menu entries and home-page to-dos)
