from rest_framework import serializers

from shuangsuiji.core.api.serializers import ChoiceLabelField

from ..models import InspectionResult


class InspectionResultSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_credit_code = serializers.CharField(source="unit.credit_code", read_only=True)
    unit_display_name = serializers.CharField(source="unit.name", read_only=True)
    draw_code = serializers.CharField(source="draw.code", read_only=True)
    category_label = ChoiceLabelField("category")

    class Meta:
        model = InspectionResult
        fields = [
            "id", "target", "unit", "unit_credit_code", "unit_display_name", "region", "draw", "draw_code",
            "status", "category", "category_label", "problem_reasons", "methods", "checked_on", "findings",
            "is_problem", "disposal", "publish_due", "published_at", "version", "corrected_at",
            "disposal_note", "lock_version",
        ]  # fmt: skip
