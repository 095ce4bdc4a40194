from rest_framework import permissions

METHOD_ACTIONS = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change",
                  "PATCH": "change", "DELETE": "delete"}  # fmt: skip


class RolePermission(permissions.BasePermission):
    """The role must grant `<app>.<action>_<model>`; a viewset may map its custom actions in `action_perms`."""

    message = "您没有此操作的权限"

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if not method_supported(request, view):  # let the view answer 405, not 403
            return True
        action = required_action(request, view)
        model = view.queryset.model if getattr(view, "queryset", None) is not None else getattr(view, "model", None)
        if model is None:  # API root and other non-model views: any authenticated client
            return True
        meta = model._meta
        return user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}")


def required_action(request, view) -> str:
    custom = getattr(view, "action_perms", {}).get(getattr(view, "action", None))
    return custom or METHOD_ACTIONS.get(request.method, "change")


def method_supported(request, view) -> bool:
    """Whether the endpoint has a handler for the request's method (viewsets route methods to actions)."""
    if request.method == "OPTIONS":
        return True
    action_map = getattr(view, "action_map", None)
    if action_map is not None:
        return request.method.lower() in action_map
    return request.method.lower() in getattr(view, "http_method_names", ()) and hasattr(view, request.method.lower())
