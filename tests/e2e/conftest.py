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
