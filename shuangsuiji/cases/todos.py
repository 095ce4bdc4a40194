"""Home-page to-dos: overdue 责令整改 re-checks and penalty publication (7 working days)."""

from django.urls import reverse

from shuangsuiji.core.registry import Todo, register_todo

from . import selectors


@register_todo
def case_todos(user):
    if not user.has_perm("cases.view_followupcase"):
        return []
    url = reverse("cases:case_list")
    todos = []
    count = selectors.overdue_rechecks(user).count()
    if count:
        todos.append(Todo("责令整改逾期未复查", count, url + "?todo=recheck", "danger"))
    count = selectors.penalties_overdue(user).count()
    if count:
        todos.append(Todo("处罚信息逾期未公示（7个工作日）", count, url + "?todo=penalty_overdue", "danger"))
    else:
        count = selectors.penalties_to_publish(user).count()
        if count:
            todos.append(Todo("处罚信息待公示", count, url + "?todo=penalty", "warning"))
    count = selectors.objections(user, open_only=True).count()
    if count:
        todos.append(Todo("结果异议待处理", count, reverse("cases:objection_list"), "danger"))
    if user.has_perm("cases.approve_followupcase"):
        count = selectors.risk_proposals_pending(user).count()
        if count:
            todos.append(Todo("信用风险分类调整建议待审核", count, url + "?todo=risk", "warning"))
    count = selectors.transfers_feedback_overdue(user).count()
    if count:
        todos.append(Todo("移送/抄告逾期未反馈", count, url + "?todo=feedback_overdue", "danger"))
    return todos
