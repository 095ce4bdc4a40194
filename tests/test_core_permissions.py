import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from shuangsuiji.accounts.roles import Role
from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM, in_scope, require

pytestmark = pytest.mark.django_db


def test_none_anonymous_and_inactive_are_refused(regions, make_user):
    inactive = make_user("gone", Role.ADMIN, is_active=False)
    for user in (None, AnonymousUser(), inactive):
        with pytest.raises(PermissionDenied, match="权限"):
            require(user, "directory.view_regulatedunit", regions["370322"])


def test_permission_then_region_scope(regions, make_user):
    inspector = make_user("insp", Role.INSPECTOR, org="gaoqing_agency")
    admin = make_user("adm", Role.ADMIN)
    with pytest.raises(PermissionDenied, match="权限"):
        require(inspector, "accounts.add_user", regions["370322"])
    require(admin, "directory.change_regulatedunit", regions["370322"])
    require(admin, "directory.change_regulatedunit", "370322")
    with pytest.raises(PermissionDenied, match="辖区"):
        require(admin, "directory.change_regulatedunit", regions["370323"])
    with pytest.raises(PermissionDenied, match="辖区"):
        require(admin, "directory.change_regulatedunit", "")  # a national row: only national scope


def test_city_user_sees_its_counties_and_objects_resolve_their_region(regions, make_user, orgs):
    city = make_user("city", Role.APPROVER, org="city")
    assert in_scope(city, regions["370322"]) and in_scope(city, regions["370323"])
    assert not in_scope(city, "370100")
    assert in_scope(city, orgs["gaoqing"])  # an Organization via its region
    assert not in_scope(make_user("yy", Role.ADMIN, org="yiyuan"), orgs["gaoqing"])


def test_system_actor_may_act_and_is_recorded_as_system(regions):
    require(SYSTEM, "anything.at_all", regions["370322"])
    row = audit.log_event(ObjectChange.Action.WORKFLOW, message="演示数据", user=SYSTEM)
    assert row.user_id is None and row.user_name == "系统"
