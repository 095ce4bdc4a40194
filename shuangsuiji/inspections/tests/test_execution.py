"""Execution tracking (issue #15 point 5): due date = the task's 检查结束日期, overdue unchecked targets on the
home page, the list and the KPIs, 完成率 per task and inspector, the check date bound to the task window, the
target's status following its result, to-dos only for work that is due, and 待我签名."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.inspections import selectors, services
from shuangsuiji.plans.models import Task

pytestmark = pytest.mark.django_db

DATA = {"category": "1", "checked_on": dt.date(2026, 3, 2), "methods": ["onsite"], "findings": ""}


def test_check_date_outside_window_is_refused_with_the_window(team, locked):
    window = {"window_start": dt.date(2026, 3, 5), "window_end": dt.date(2026, 5, 31)}
    Task.objects.filter(pk=locked["task"].pk).update(**window)
    with pytest.raises(ValidationError, match="不在任务的检查时间内（2026年3月5日至2026年5月31日）"):
        services.result_save(user=team["first"], result=team["result"], data=DATA)
    with pytest.raises(ValidationError, match="2026年6月1日 不在任务的检查时间内"):
        services.result_save(
            user=team["first"], result=team["result"], data={**DATA, "checked_on": dt.date(2026, 6, 1)}
        )
    later = {**DATA, "checked_on": dt.date(2026, 3, 5)}
    saved = services.result_save(user=team["first"], result=team["result"], data=later)
    assert saved.checked_on == dt.date(2026, 3, 5)


def test_target_status_follows_result(team, approver_gq):
    target = team["result"].target
    assert target.progress_label == "待检查"
    services.result_save(user=team["first"], result=team["result"], data=DATA)
    target.refresh_from_db()
    assert target.progress_label == "检查中（录入中）"
    services.result_sign(user=team["first"], result=team["result"])
    services.result_sign(user=team["second"], result=team["result"])
    services.result_publish(user=approver_gq, results=[team["result"]])
    target = type(target).objects.get(pk=target.pk)
    assert target.progress_label == "已检查（已公示）"


def test_overdue_unchecked_todos_list_progress_and_kpis(client, team, locked, approver_gq, regions):
    Task.objects.filter(pk=locked["task"].pk).update(window_end=dt.date(2026, 6, 10))  # ended before today
    services.result_save(user=team["first"], result=team["result"], data=DATA)
    services.result_sign(user=team["first"], result=team["result"])
    services.result_sign(user=team["second"], result=team["result"])
    today = timezone.localdate()
    overdue = selectors.results_unchecked_overdue(approver_gq, today=today)
    assert overdue.count() == 7 and team["result"] not in overdue  # 8 drawn, 1 checked
    assert not selectors.results_unchecked_overdue(approver_gq, today=dt.date(2026, 6, 10)).exists()

    rows = selectors.progress_by_task(approver_gq, year=2026, today=today)
    assert [(r["drawn"], r["checked"], r["overdue"], r["completion"]) for r in rows] == [(8, 1, 7, 12.5)]
    by_inspector = {r["name"]: r for r in selectors.progress_by_inspector(approver_gq, year=2026, today=today)}
    first = team["result"].target.assignments.get(inspector__user=team["first"]).inspector_name
    assert by_inspector[first]["checked"] >= 1 and by_inspector[first]["drawn"] >= 1

    login(client, approver_gq)
    home = client.get(reverse("core:home")).content.decode()
    assert "超过任务检查结束日期仍未检查" in home
    page = client.get(reverse("inspections:result_list"), {"todo": "unchecked"}).content.decode()
    assert page.count("逾期未检查</span>") == 7
    page = client.get(reverse("inspections:progress")).content.decode()
    assert "12.5%" in page and locked["task"].code in page


def test_todos_only_due_work_and_waiting_for_my_signature(client, team, locked):
    first, second = team["first"], team["second"]
    mine = selectors.results_to_enter(first).count()
    assert mine >= 1
    # a task whose 检查时间 has not begun (next year's work) is not a to-do yet
    Task.objects.filter(pk=locked["task"].pk).update(window_start=dt.date(2026, 7, 1))
    assert selectors.results_to_enter(first).count() == 0
    assert selectors.results_to_enter(first, today=dt.date(2026, 7, 1)).count() == mine
    Task.objects.filter(pk=locked["task"].pk).update(window_start=dt.date(2026, 3, 1))

    services.result_save(user=first, result=team["result"], data=DATA)
    assert list(selectors.results_to_sign(first)) == list(selectors.results_to_sign(second)) == [team["result"]]
    services.result_sign(user=first, result=team["result"])
    assert not selectors.results_to_sign(first).exists()
    login(client, second)
    assert "检查结果待我签名" in client.get(reverse("core:home")).content.decode()
    page = client.get(reverse("inspections:result_list"), {"todo": "sign"}).content.decode()
    assert team["result"].target.unit_name in page
