"""Home-page to-dos: draws waiting for the announced public values, or for witnesses + lock."""

from django.urls import reverse

from shuangsuiji.core.registry import Todo, register_todo

from .selectors import draws_awaiting_lock, draws_awaiting_values


@register_todo
def draw_todos(user):
    if not user.has_perm("draws.draw_draw"):
        return []
    todos = []
    count = draws_awaiting_values(user).count()
    if count:
        todos.append(Todo("抽取待录入公开随机值", count, reverse("draws:draw_list") + "?status=committed", "danger"))
    count = draws_awaiting_lock(user).count()
    if count:
        todos.append(Todo("抽取结果待锁定公示", count, reverse("draws:draw_list") + "?status=drawn"))
    return todos
