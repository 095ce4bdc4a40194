from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shuangsuiji.core"
    label = "core"
    verbose_name = "基础框架"

    def ready(self) -> None:
        from django.db.models import fields

        from . import audit_jobs, checks, menu, todos  # noqa: F401  (register checks, jobs, menu entries, to-dos)

        # Django 6.1's blank choice "- Select an option -" has no Chinese translation yet; Django documents
        # overriding it here (django/db/models/fields/__init__.py: BLANK_CHOICE_LABEL).
        fields.BLANK_CHOICE_LABEL = "请选择"
