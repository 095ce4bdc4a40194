from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "shuangsuiji.directory"
    label = "directory"
    verbose_name = "一单两库"

    def ready(self) -> None:
        from . import jobs, menu, todos  # noqa: F401  (register background jobs, menu entries and home-page to-dos)
