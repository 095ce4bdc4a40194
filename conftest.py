"""Shared fixtures: two counties of one city, one user per role, so scope can be tested.

高青县 370322 and 沂源县 370323 are inside 淄博市 370300 (山东省 370000).
"""

import pytest

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.roles import Role
from shuangsuiji.regions.services import regions_load_csv

PASSWORD = "Test@2026!x"


@pytest.fixture
def regions(db):
    from shuangsuiji.regions.models import Region

    regions_load_csv()
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


@pytest.fixture
def province_admin(make_user):
    """系统管理员 of a province-level organisation: the only role (besides superusers) that edits the calendar."""
    return make_user("sd_admin", Role.ADMIN, org="province")
