from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shuangsuiji.accounts"
    label = "accounts"
    verbose_name = "用户与机构"

    def ready(self) -> None:
        from . import menu, signals  # noqa: F401
