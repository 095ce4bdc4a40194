"""Home-page to-dos of 一单两库."""

from django.urls import reverse

from shuangsuiji.core.registry import Todo, register_todo

from .choices import ImportStatus
from .models import ImportBatch
from .selectors import expiring_certificates


@register_todo
def directory_todos(user):
    todos = []
    if user.has_perm("directory.view_inspector"):
        count = expiring_certificates(user, within_days=30).count()
        if count:
            url = reverse("directory:inspector_list") + "?active=true&cert_expiring=30"  # exactly the counted people
            todos.append(Todo("执法证30天内到期", count, url, "danger"))
    if user.has_perm("directory.import_regulatedunit"):
        pending = ImportBatch.objects.filter(created_by=user, status=ImportStatus.READY).count()
        if pending:
            todos.append(Todo("导入批次待确认", pending, reverse("directory:import_list") + "?status=ready", "warning"))
    return todos
