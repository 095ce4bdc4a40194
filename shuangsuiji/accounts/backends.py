"""Authorization backend: permissions come from the user's role (see roles.py)."""

from django.contrib.auth.backends import ModelBackend

from .roles import role_allows


class RoleBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        if user_obj.is_superuser:
            return True
        return role_allows(getattr(user_obj, "role", ""), perm)

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_active and user_obj.is_superuser
