from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shuangsuiji.cases"
    label = "cases"
    verbose_name = "后续处置"

    def ready(self) -> None:
        from . import menu, todos  # noqa: F401  (register menu entries and home-page to-dos)
