"""The one authorisation check every service calls: role permission + region scope, failing closed.

    require(user, "plans.change_annualplan", plan)        # an object: its region via `region_field`
    require(user, "directory.add_regulatedunit", region)  # a Region
    require(user, "accounts.manage_user", "370322")       # a GB/T 2260 code
    require(user, "core.view_objectchange")                # permission only, no region

`user` must be a real, active user or the explicit `SYSTEM` actor (demo loader, migrations, management
commands), which the audit trail records as “系统”. `None` — a forgotten argument — is refused, never
treated as “the system”.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .querysets import user_scope_prefix

NO_PERMISSION = "您没有此操作的权限"
OUT_OF_SCOPE = "不能操作本辖区以外的数据"


class SystemActor:
    """The platform itself acting (demo data, migrations, scheduled commands): may do everything, and says so.

    It quacks like a superuser for `has_perm` and `restrict()`, but has no primary key: `audit` records its
    rows with no user id and the name “系统”.
    """

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    scope_prefix = ""
    username = "系统"
    full_name = "系统"
    region = None
    organization = None
    role = "system"

    def has_perm(self, perm: str, obj=None) -> bool:
        return True

    def has_perms(self, perms, obj=None) -> bool:
        return True

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.full_name

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self):
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(user) -> bool:
    return user is SYSTEM


def stored_user(user):
    """The value for a `*_by` foreign key: the user, or None for the SYSTEM actor (it has no row)."""
    return None if user is SYSTEM else user


def region_code_of(target) -> str | None:
    """The GB/T 2260 code that decides scope for `target` (None when the target names no region)."""
    if target is None:
        return None
    if isinstance(target, str):
        return target
    field = getattr(type(target), "region_field", None)
    if field:
        value = target
        for part in field.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return ""  # a region-owned row without a region (e.g. a national item): only national scope
        return value if isinstance(value, str) else getattr(value, "code", "")
    region = getattr(target, "region", None)
    if region is not None:
        return region if isinstance(region, str) else region.code
    code = getattr(target, "code", None)  # a Region itself
    if isinstance(code, str):
        return code
    raise TypeError(f"require(): cannot tell the region of {type(target).__name__}")


def in_scope(user, target) -> bool:
    """Whether `target` (object, Region or code) lies inside the user's region scope."""
    if user is SYSTEM:
        return True
    prefix = user_scope_prefix(user)
    if prefix is None:
        return False
    code = region_code_of(target)
    if code is None:
        return True
    return code.startswith(prefix) if prefix else True


def require(user, perm: str | None, obj_or_region=None, *, message: str = "", scope_message: str = "") -> None:
    """Raise PermissionDenied (Chinese) unless `user` holds `perm` and `obj_or_region` is in their scope.

    Fails closed: `None`, anonymous and inactive users are refused; so is a region-owned row without a
    region for anyone below national scope.
    """
    if user is SYSTEM:
        return
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        raise PermissionDenied(message or NO_PERMISSION)
    if perm and not user.has_perm(perm):
        raise PermissionDenied(message or NO_PERMISSION)
    if obj_or_region is not None and not in_scope(user, obj_or_region):
        raise PermissionDenied(scope_message or OUT_OF_SCOPE)


def require_model_perm(user, model, action: str, obj_or_region=None, **kwargs) -> None:
    """`require` with the permission spelled as `<app>.<action>_<model>`."""
    meta = model._meta
    require(user, f"{meta.app_label}.{action}_{meta.model_name}", obj_or_region, **kwargs)
