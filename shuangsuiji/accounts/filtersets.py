import django_filters
from django.db.models import Q

from .models import Organization, User
from .roles import Role


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="用户名/姓名", method="search")
    role = django_filters.ChoiceFilter(label="角色", choices=Role.choices)
    is_active = django_filters.BooleanFilter(label="启用")

    class Meta:
        model = User
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))


class OrganizationFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(label="机构名称", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label="类型", choices=Organization.Kind.choices)

    class Meta:
        model = Organization
        fields = []
