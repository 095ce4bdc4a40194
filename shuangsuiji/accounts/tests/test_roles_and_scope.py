import pytest

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.roles import Role, role_allows
from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.regions.models import Region


@pytest.mark.parametrize(
    ("role", "perm", "allowed"),
    [
        (Role.ADMIN, "accounts.add_user", True),
        (Role.ADMIN, "core.manage_holidayoverride", True),
        (Role.ADMIN, "core.change_objectchange", False),  # audit log is read-only for everyone
        (Role.APPROVER, "accounts.add_user", False),
        (Role.APPROVER, "plans.approve_annualplan", True),
        (Role.APPROVER, "draws.draw_task", True),
        (Role.INSPECTOR, "draws.draw_task", False),
        (Role.INSPECTOR, "inspections.enter_result", True),
        (Role.INSPECTOR, "core.view_objectchange", False),
        (Role.INSPECTOR, "regions.view_region", True),
        (Role.INSPECTOR, "regions.add_region", False),
        (Role.OVERSIGHT, "core.view_objectchange", True),
        (Role.OVERSIGHT, "directory.view_regulatedunit", True),
        (Role.OVERSIGHT, "directory.change_regulatedunit", False),
        (Role.OVERSIGHT, "plans.approve_annualplan", False),
        ("nonsense", "directory.view_regulatedunit", False),
    ],
)
def test_role_permission_matrix(role, perm, allowed):
    assert role_allows(role, perm) is allowed


@pytest.mark.django_db
def test_inactive_user_has_no_permission(make_user):
    user = make_user("gone", Role.ADMIN, is_active=False)
    assert not user.has_perm("accounts.view_user")


@pytest.mark.django_db
def test_county_user_never_sees_another_county(admin_user_gq, admin_yy, city_approver, orgs):
    gq_names = set(Organization.objects.restrict(admin_user_gq).values_list("name", flat=True))
    assert gq_names == {"高青县卫生健康局", "高青县卫生监督所"}
    assert set(Organization.objects.restrict(admin_yy).values_list("name", flat=True)) == {"沂源县卫生健康局"}
    city = set(Organization.objects.restrict(city_approver).values_list("name", flat=True))
    assert city == {"淄博市卫生健康委员会", "高青县卫生健康局", "高青县卫生监督所", "沂源县卫生健康局"}
    assert set(User.objects.restrict(admin_user_gq).values_list("username", flat=True)) == {"gq_admin"}


@pytest.mark.django_db
def test_restrict_requires_the_action_permission(inspector_gq, oversight_gq):
    assert not User.objects.restrict(inspector_gq).exists()  # inspectors do not see user accounts
    assert Region.objects.restrict(inspector_gq).filter(code="370322").exists()
    assert not Region.objects.restrict(inspector_gq).filter(code="370323").exists()
    assert not Organization.objects.restrict(oversight_gq, "change").exists()


@pytest.mark.django_db
def test_user_without_organisation_sees_nothing(regions):
    lonely = User.objects.create_user("lonely", password="x", role=Role.ADMIN)
    assert not Region.objects.restrict(lonely).exists()


@pytest.mark.django_db
def test_audit_rows_are_scoped_by_region(admin_user_gq, admin_yy, orgs):
    audit.log_change(orgs["gaoqing"], ObjectChange.Action.UPDATE, message="高青")
    audit.log_change(orgs["yiyuan"], ObjectChange.Action.UPDATE, message="沂源")
    orgs_changes = ObjectChange.objects.filter(object_type="accounts.organization")
    assert list(orgs_changes.restrict(admin_user_gq).values_list("message", flat=True)) == ["高青"]
    assert list(orgs_changes.restrict(admin_yy).values_list("message", flat=True)) == ["沂源"]
