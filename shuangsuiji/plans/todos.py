"""Home-page to-dos: plans awaiting approval/publication, tasks ready to draw."""

from django.urls import reverse

from shuangsuiji.core.registry import Todo, register_todo

from .choices import PlanStatus
from .selectors import plans_awaiting, tasks_ready_to_draw


@register_todo
def plan_todos(user):
    todos = []
    if user.has_perm("plans.approve_annualplan"):
        count = plans_awaiting(user, PlanStatus.SUBMITTED).count()
        if count:
            todos.append(Todo("年度计划待审核", count, reverse("plans:plan_list") + "?status=submitted"))
    if user.has_perm("plans.publish_annualplan"):
        count = plans_awaiting(user, PlanStatus.APPROVED).count()
        if count:
            todos.append(Todo("年度计划待公布", count, reverse("plans:plan_list") + "?status=approved"))
    if user.has_perm("draws.draw_draw"):
        count = tasks_ready_to_draw(user).count()
        if count:
            todos.append(Todo("抽查任务待抽取", count, reverse("plans:task_ready"), "info"))
    return todos
