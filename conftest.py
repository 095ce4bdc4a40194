"""Shared fixtures: two counties of one city, one user per role, so scope can be tested.

高青县 370322 and 沂源县 370323 are inside 淄博市 370300 (山东省 370000).

Time: every test runs on a frozen clock (`FROZEN_AT`), so no test depends on the day it runs. A test that needs
time to move uses the `time_machine` fixture (`time_machine.move_to(...)`), which travels from the frozen instant.
Browser tests (marker `e2e`) are the exception: the browser runs on the machine's clock and must agree with
the server (session and CSRF cookie expiry), so they run on the real clock and are written for any date.
"""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.roles import Role
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.regions.services import regions_load_csv

PASSWORD = "Test@2026!x"

# A Monday inside a year that the holiday package (chinesecalendar) covers.
FROZEN_AT = dt.datetime(2026, 6, 15, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen_clock(request):
    """The one clock of the test suite: frozen at FROZEN_AT (browser tests excepted, see above)."""
    if request.node.get_closest_marker("e2e"):
        yield None
        return
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests last, whatever the collection order: Playwright marks its event loop as running in the
    test thread for as long as it lives (see tests/e2e/conftest.py), so no other test may run after it starts."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)  # stable: keeps the order otherwise


@pytest.fixture
def regions(db):
    from shuangsuiji.regions.models import Region

    regions_load_csv(user=SYSTEM)
    return {r.code: r for r in Region.objects.all()}


@pytest.fixture
def orgs(regions):
    def org(name, code, kind=Organization.Kind.BUREAU):
        return Organization.objects.create(name=name, kind=kind, region=regions[code])

    return {
        "province": org("山东省卫生健康委员会", "370000"),
        "city": org("淄博市卫生健康委员会", "370300"),
        "gaoqing": org("高青县卫生健康局", "370322"),
        "gaoqing_agency": org("高青县卫生监督所", "370322", Organization.Kind.AGENCY),
        "yiyuan": org("沂源县卫生健康局", "370323"),
    }


@pytest.fixture
def make_user(orgs):
    def make(username, role=Role.INSPECTOR, org="gaoqing", **extra):
        user = User(username=username, full_name=username, role=role, organization=orgs[org], **extra)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def admin_user_gq(make_user):
    return make_user("gq_admin", Role.ADMIN)


@pytest.fixture
def approver_gq(make_user):
    return make_user("gq_approver", Role.APPROVER)


@pytest.fixture
def inspector_gq(make_user):
    return make_user("gq_inspector", Role.INSPECTOR, org="gaoqing_agency")


@pytest.fixture
def oversight_gq(make_user):
    return make_user("gq_oversight", Role.OVERSIGHT)


@pytest.fixture
def admin_yy(make_user):
    return make_user("yy_admin", Role.ADMIN, org="yiyuan")


@pytest.fixture
def city_approver(make_user):
    return make_user("zb_approver", Role.APPROVER, org="city")


@pytest.fixture(scope="session", autouse=True)
def _flush_past_audit_truncate_guard():
    """PostgreSQL refuses TRUNCATE of the audit log (core migration 0003); transactional tests end with a
    flush (TRUNCATE of every table), which the test superuser runs with triggers off for that statement."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with self.connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            original(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture
def media_root(settings, tmp_path):
    """A per-test MEDIA_ROOT (default file storage), so stored files never leak between tests."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def province_admin(make_user):
    """系统管理员 of a province-level organisation: the only role (besides superusers) that edits the calendar."""
    return make_user("sd_admin", Role.ADMIN, org="province")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: on the frozen clock, builders make byte-identical draws, so a result
    cached by one test (e.g. the public verification, keyed by manifest hash) would otherwise answer another."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=False):
        cache.clear()
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()
