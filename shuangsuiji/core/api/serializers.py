"""Shapes shared by every endpoint of `/api/v1/` (documented in the schema)."""

from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="出错的字段（嵌套时如 units[2].credit_code；整体错误为空）", allow_blank=True)
    message = serializers.CharField(help_text="错误原因（中文）")
    record = serializers.IntegerField(required=False, help_text="批量同步时出错记录的序号（从 1 起）")


class ErrorSerializer(serializers.Serializer):
    """The one error body of the API (core/api/exceptions.py)."""

    detail = serializers.CharField(help_text="一句话说明（中文）")
    code = serializers.CharField(help_text="机器可读的错误类别，如 invalid、not_found、permission_denied、throttled")
    errors = ErrorItemSerializer(many=True, help_text="逐字段的错误；与字段无关时为空")
