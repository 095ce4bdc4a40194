from django.apps import AppConfig


class PaperworkConfig(AppConfig):
    name = "shuangsuiji.paperwork"
    label = "paperwork"
    verbose_name = "执法文书"

    def ready(self) -> None:
        from . import menu  # noqa: F401  (register the menu entry)
