"""Writes for users and organisations. Every write is atomic and audited."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import require

from .models import Organization, User
from .roles import Role

OUT_OF_SCOPE = "不能管理本辖区以外的机构或用户"


@transaction.atomic
def organization_create(*, user, name: str, kind: str, region, parent=None, credit_code: str = "") -> Organization:
    require(user, "accounts.add_organization", region, scope_message=OUT_OF_SCOPE)
    org = Organization(name=name, kind=kind, region=region, parent=parent, credit_code=credit_code)
    org.full_clean()
    org.save()
    audit.log_change(org, ObjectChange.Action.CREATE, user=user)
    return org


def _validate_password(password: str, user: User) -> None:
    """AUTH_PASSWORD_VALIDATORS (length, character classes, similarity, common list) for every entry point."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


@transaction.atomic
def user_create(
    *, user, username: str, password: str, full_name: str, role: str, organization, phone: str = ""
) -> User:
    require(user, "accounts.add_user", organization.region, scope_message=OUT_OF_SCOPE)
    if role not in Role.values:
        raise ValidationError({"role": "未知角色"})
    account = User(username=username, full_name=full_name, role=role, organization=organization, phone=phone)
    _validate_password(password, account)
    account.set_password(password)
    account.full_clean()
    account.save()
    audit.log_change(account, ObjectChange.Action.CREATE, user=user, message="新建用户")
    return account


@transaction.atomic
def user_update(*, user, account: User, **changes) -> User:
    """Change another account (`account`); `user` is who does it."""
    require(user, "accounts.change_user", account.organization.region, scope_message=OUT_OF_SCOPE)
    allowed = {"full_name", "role", "organization", "phone", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    before = audit.snapshot(account)
    for name, value in changes.items():
        setattr(account, name, value)
    require(user, None, account.organization.region, scope_message=OUT_OF_SCOPE)  # the new organisation too
    if user.pk is not None and user.pk == account.pk and ("role" in changes or changes.get("is_active") is False):
        raise ValidationError("不能修改自己的角色或停用自己")
    account.full_clean()
    account.save()
    audit.log_change(account, ObjectChange.Action.UPDATE, user=user, before=before)
    return account


@transaction.atomic
def user_set_password(*, user, account: User, password: str) -> None:
    require(user, "accounts.change_user", account.organization.region, scope_message=OUT_OF_SCOPE)
    _validate_password(password, account)
    account.set_password(password)
    account.save(update_fields=["password"])
    audit.log_event(ObjectChange.Action.WORKFLOW, obj=account, user=user, message="重置密码")
