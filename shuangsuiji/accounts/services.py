"""Writes for users and organisations. Every write is atomic and audited."""

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange

from .models import Organization, User
from .roles import Role


def _check_scope(actor, region) -> None:
    prefix = actor.scope_prefix if actor is not None else ""
    if prefix is None or not region.code.startswith(prefix):
        raise PermissionDenied("不能管理本辖区以外的机构或用户")


@transaction.atomic
def organization_create(*, actor, name: str, kind: str, region, parent=None, credit_code: str = "") -> Organization:
    if actor is not None:
        _check_scope(actor, region)
    org = Organization(name=name, kind=kind, region=region, parent=parent, credit_code=credit_code)
    org.full_clean()
    org.save()
    audit.log_change(org, ObjectChange.Action.CREATE, user=actor)
    return org


def _validate_password(password: str, user: User) -> None:
    """AUTH_PASSWORD_VALIDATORS (length, character classes, similarity, common list) for every entry point."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


@transaction.atomic
def user_create(
    *, actor, username: str, password: str, full_name: str, role: str, organization, phone: str = ""
) -> User:
    if actor is not None:
        _check_scope(actor, organization.region)
    if role not in Role.values:
        raise ValidationError({"role": "未知角色"})
    user = User(username=username, full_name=full_name, role=role, organization=organization, phone=phone)
    _validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.log_change(user, ObjectChange.Action.CREATE, user=actor, message="新建用户")
    return user


@transaction.atomic
def user_update(*, actor, user: User, **changes) -> User:
    allowed = {"full_name", "role", "organization", "phone", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    before = audit.snapshot(user)
    for name, value in changes.items():
        setattr(user, name, value)
    if actor is not None:
        _check_scope(actor, user.organization.region)
        if actor.pk == user.pk and ("role" in changes or changes.get("is_active") is False):
            raise ValidationError("不能修改自己的角色或停用自己")
    user.full_clean()
    user.save()
    audit.log_change(user, ObjectChange.Action.UPDATE, user=actor, before=before)
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str) -> None:
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.log_event(ObjectChange.Action.WORKFLOW, obj=user, user=actor, message="重置密码")
