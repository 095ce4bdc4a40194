"""Base classes for `/api/v1/`: the same role permissions and region scope as the UI."""

from rest_framework import viewsets

from .permissions import RolePermission, required_action
from .serializers import attach_slug_lists


class ScopedViewSetMixin:
    """Every queryset goes through `Model.objects.restrict(user, action)`."""

    model = None
    permission_classes = [RolePermission]
    action_perms: dict[str, str] = {}
    # many-to-many relations shown as lists of slugs (`SlugListField`): read for a whole page in one query each
    slug_lists: dict[str, str] = {}

    def get_queryset(self):
        base = super().get_queryset() if getattr(self, "queryset", None) is not None else self.model.objects.all()
        return base.restrict(self.request.user, required_action(self.request, self))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self.slug_lists:
            attach_slug_lists(page, self.slug_lists)
        return page


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
