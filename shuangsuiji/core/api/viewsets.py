"""Base classes for `/api/v1/`: the same role permissions and region scope as the UI."""

from rest_framework import viewsets

from .permissions import RolePermission, required_action


class ScopedViewSetMixin:
    """Every queryset goes through `Model.objects.restrict(user, action)`."""

    model = None
    permission_classes = [RolePermission]
    action_perms: dict[str, str] = {}

    def get_queryset(self):
        base = super().get_queryset() if getattr(self, "queryset", None) is not None else self.model.objects.all()
        return base.restrict(self.request.user, required_action(self.request, self))


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
