"""The single choke point for data scope (数据权限).

`Model.objects.restrict(user, action)` returns only rows the user may act on:
the role must grant `<app>.<action>_<model>` and the row's region code must start with the
user's scope prefix (province "44", city "4401", county "440106").
"""

from django.db import models


def user_scope_prefix(user) -> str | None:
    """'' = everything (superuser), None = nothing, else a GB/T 2260 code prefix."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    return user.scope_prefix


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        meta = self.model._meta
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if not user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}"):
            return self.none()
        return self.in_scope(user)

    def in_scope(self, user):
        prefix = user_scope_prefix(user)
        if prefix is None:
            return self.none()
        field = getattr(self.model, "region_field", None)
        if not prefix or not field:
            return self
        lookup = field if field.endswith("code") else f"{field}__code"
        return self.filter(**{f"{lookup}__startswith": prefix})
