"""API endpoints of core: the audit trail (read-only). Regions and organisations live in their apps' `api/`."""

from rest_framework import serializers

from shuangsuiji.core.models import ObjectChange

from .viewsets import ScopedReadOnlyViewSet


class ObjectChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ObjectChange
        fields = [
            "id", "time", "user_name", "request_id", "action", "object_type", "object_id", "object_repr",
            "region_code", "message", "prechange_data", "postchange_data", "prev_hash", "hash",
        ]  # fmt: skip


class ObjectChangeViewSet(ScopedReadOnlyViewSet):
    """审计日志（只读，哈希链）"""

    queryset = ObjectChange.objects.all()
    serializer_class = ObjectChangeSerializer


def register(router):
    router.register("audit", ObjectChangeViewSet, basename="objectchange")
