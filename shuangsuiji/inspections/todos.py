"""Home-page to-dos: results to enter, publication deadlines (20 working days), overdue re-checks."""

from django.urls import reverse

from shuangsuiji.core.registry import Todo, register_todo

from . import selectors, services


@register_todo
def result_todos(user):
    if not user.has_perm("inspections.view_inspectionresult"):
        return []
    url = reverse("inspections:result_list")
    if user.has_perm("inspections.enter_inspectionresult"):
        services.ensure_results(user=user)  # lazy hook: a locked draw's targets become 未检查 results
    todos = []
    if user.has_perm("inspections.enter_inspectionresult"):
        count = selectors.results_to_enter(user).count()
        if count:
            todos.append(Todo("检查结果待录入（已到检查时间）", count, url + "?todo=enter", "info"))
        count = selectors.results_to_sign(user).count()
        if count:
            todos.append(Todo("检查结果待我签名", count, url + "?todo=sign", "warning"))
    count = selectors.results_unchecked_overdue(user).count()
    if count:
        todos.append(Todo("超过任务检查结束日期仍未检查", count, url + "?todo=unchecked", "danger"))
    count = selectors.results_due_soon(user).count()
    if count:
        todos.append(Todo("检查结果 3 个工作日内到期待公示", count, url + "?todo=due", "warning"))
    count = selectors.results_overdue(user).count()
    if count:
        todos.append(Todo("检查结果逾期未公示", count, url + "?todo=overdue", "danger"))
    count = selectors.results_without_deadline(user).count()
    if count:
        todos.append(Todo("检查结果公示期限无法计算（节假日未维护）", count, url + "?todo=nodue", "danger"))
    if user.has_perm("inspections.publish_inspectionresult"):
        count = selectors.results_to_publish(user).count()
        if count:
            todos.append(Todo("检查结果已提交待公示", count, reverse("inspections:publish_queue"), "warning"))
    return todos
