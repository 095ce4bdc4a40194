import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangsuiji.accounts import services
from shuangsuiji.accounts.roles import Role
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def test_user_create_is_audited_without_password(admin_user_gq, orgs):
    user = services.user_create(
        user=admin_user_gq, username="newbie", password="Str0ng#Pass", full_name="新人",
        role=Role.INSPECTOR, organization=orgs["gaoqing_agency"],
    )  # fmt: skip
    assert user.check_password("Str0ng#Pass")
    change = ObjectChange.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert change.action == "create" and change.user_name == "gq_admin"
    assert "password" not in change.postchange_data


def test_cannot_create_user_in_another_county(admin_user_gq, orgs):
    with pytest.raises(PermissionDenied):
        services.user_create(
            user=admin_user_gq, username="spy", password="Str0ng#Pass", full_name="x",
            role=Role.ADMIN, organization=orgs["yiyuan"],
        )  # fmt: skip


def test_user_update_records_before_and_after(admin_user_gq, inspector_gq):
    services.user_update(user=admin_user_gq, account=inspector_gq, role=Role.APPROVER)
    change = ObjectChange.objects.filter(object_type="accounts.user", action="update").get()
    assert change.prechange_data["role"] == "inspector" and change.postchange_data["role"] == "approver"


def test_admin_cannot_demote_self(admin_user_gq):
    with pytest.raises(ValidationError):
        services.user_update(user=admin_user_gq, account=admin_user_gq, role=Role.INSPECTOR)


def test_unknown_field_rejected(admin_user_gq, inspector_gq):
    with pytest.raises(ValidationError):
        services.user_update(user=admin_user_gq, account=inspector_gq, is_superuser=True)


def test_system_actor_is_recorded_as_system(orgs):
    user = services.user_create(
        user=SYSTEM, username="loader", password="Str0ng#Pass", full_name="演示", role=Role.INSPECTOR,
        organization=orgs["gaoqing_agency"],
    )  # fmt: skip
    change = ObjectChange.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert change.user_id is None and change.user_name == "系统"


def test_inactive_or_missing_user_is_refused(admin_user_gq, inspector_gq):
    admin_user_gq.is_active = False
    for user in (admin_user_gq, None):
        with pytest.raises(PermissionDenied):
            services.user_update(user=user, account=inspector_gq, full_name="改名")
    inspector_gq.refresh_from_db()
    assert inspector_gq.full_name != "改名"
