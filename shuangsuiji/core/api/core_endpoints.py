"""API endpoints of the framework apps: audit trail (read-only), regions, organisations."""

from rest_framework import serializers

from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.regions.models import Region

from .viewsets import ScopedReadOnlyViewSet


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "valid"]


class OrganizationSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "region", "parent", "active"]


class ObjectChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ObjectChange
        fields = [
            "id", "time", "user_name", "request_id", "action", "object_type", "object_id", "object_repr",
            "region_code", "message", "prechange_data", "postchange_data", "prev_hash", "hash",
        ]  # fmt: skip


class RegionViewSet(ScopedReadOnlyViewSet):
    """行政区划"""

    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    lookup_field = "code"


class OrganizationViewSet(ScopedReadOnlyViewSet):
    """机构"""

    queryset = Organization.objects.select_related("region")
    serializer_class = OrganizationSerializer


class ObjectChangeViewSet(ScopedReadOnlyViewSet):
    """审计日志（只读，哈希链）"""

    queryset = ObjectChange.objects.all()
    serializer_class = ObjectChangeSerializer


def register(router):
    router.register("regions", RegionViewSet, basename="region")
    router.register("organizations", OrganizationViewSet, basename="organization")
    router.register("audit", ObjectChangeViewSet, basename="objectchange")
