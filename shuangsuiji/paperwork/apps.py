from django.apps import AppConfig


class PaperworkConfig(AppConfig):
    name = "shuangsuiji.paperwork"
    label = "paperwork"
    verbose_name = "执法文书"

    def ready(self) -> None:
        from . import jobs, menu  # noqa: F401  (register the job kind and the menu entry)
