"""Browser tests: pytest-playwright driving Debian's /usr/bin/chromium (never a downloaded browser).

`make test` and `.ci/run` install chromium first when they can (scripts/ensure-browser); without it these
tests are not collected and the run ends with one line that says so.

They run on the machine's real clock (the root conftest exempts the `e2e` marker from the frozen clock):
the browser keeps its own clock, and session/CSRF cookies would expire in its eyes if the server lived in
another year. They are written to pass on any date.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SKIPPED = "浏览器测试已跳过：未找到 /usr/bin/chromium（root + Debian 下 scripts/ensure-browser 会用 apt-get 安装）"

if not CHROMIUM.exists():
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter):
    if not CHROMIUM.exists():
        terminalreporter.write_line(SKIPPED, yellow=True)


@pytest.fixture(scope="session")
def playwright(playwright):
    """Playwright's sync API marks its event loop as running in the test thread for as long as Playwright
    lives, which Django's async-safety check would take for async code. The check is relaxed for exactly that
    lifetime; the root conftest runs browser tests last, so no other test runs inside it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }  # fmt: skip


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def screenshot_dir():
    path = Path(os.environ.get("E2E_SCREENSHOTS", "test-results"))
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def staff_world(regions, orgs, approver_gq, inspector_gq, make_user):
    """高青 with a published plan, a locked draw (drawn on 2026-03-01, explicit) and one result open for entry by
    gq_inspector and a second officer, with a 检查表 of the task's item: what the page-level browser tests (phone
    layout, accessibility) walk."""
    import datetime as dt

    from django.utils import timezone

    from shuangsuiji.inspections import services
    from shuangsuiji.inspections.models import ChecklistQuestion, ChecklistTemplate
    from shuangsuiji.inspections.testing import link_users, locked_draw
    from shuangsuiji.plans import testing

    from . import CERTS_VALID_TO

    region = regions["370322"]
    units = testing.make_units(region, 20)
    testing.make_inspectors(orgs["gaoqing_agency"], 4, valid_to=CERTS_VALID_TO)
    item = testing.make_item(region)
    plan, task = testing.published_plan_with_task(
        author=inspector_gq, approver=approver_gq, organization=orgs["gaoqing"], item=item
    )
    checklist = ChecklistTemplate.objects.create(name="公共场所卫生检查表", region=region, item=item)
    questions = [
        ("卫生许可证在有效期内并悬挂于醒目位置", "check", True),
        ("从业人员持有效健康合格证明上岗", "check", False),
        ("公共用品用具清洗消毒保洁符合要求", "check", False),
        ("现场发现的其他情况", "text", False),
    ]
    for order, (text, kind, key) in enumerate(questions):
        ChecklistQuestion.objects.create(template=checklist, order=order, text=text, kind=kind, key_point=key,
                                         basis="《公共场所卫生管理条例》")  # fmt: skip
    draw = locked_draw(task, approver_gq, now=timezone.make_aware(dt.datetime(2026, 3, 1, 10, 0)))
    result = sorted(services.results_open_for_draw(draw=draw, user=approver_gq), key=lambda r: r.pk)[0]
    link_users(result.target, inspector_gq, make_user("gq_inspector2", org="gaoqing_agency"))
    return {"unit": units[0], "item": item, "plan": plan, "task": task, "draw": draw, "result": result}
