"""Home-page to-dos: draws waiting for the announced public values, or for witnesses + lock; a witness's next step."""

from django.urls import reverse

from shuangsuiji.core.registry import Todo, register_todo

from .selectors import draws_awaiting_lock, draws_awaiting_values, witness_duties


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


@register_todo
def witness_todos(user):
    """A witness (any login invited to a draw, e.g. 纪检) is led to their next step: commit, reveal, confirm."""
    duties = witness_duties(user)
    if not duties:
        return []
    return [Todo("监督人待办：交承诺哈希、揭示随机数或确认抽取记录", len(duties),
                 reverse("draws:witness_page", args=[duties[0].pk]), "danger")]  # fmt: skip
