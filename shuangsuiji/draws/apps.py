from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "shuangsuiji.draws"
    label = "draws"
    verbose_name = "随机抽取"

    def ready(self) -> None:
        from shuangsuiji.core.registry import register_chain_check

        from . import checks, jobs, menu, selectors, todos  # noqa: F401  (register checks, jobs, menu entries, to-dos)

        register_chain_check(selectors.log_check)  # `manage.py audit_verify` prints the commitment log's head
