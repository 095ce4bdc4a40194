from rest_framework import serializers

from shuangsuiji.core.api.serializers import ChoiceLabelField

from ..models import FollowUpCase


class FollowUpCaseSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_credit_code = serializers.CharField(source="unit.credit_code", read_only=True)
    kind_label = ChoiceLabelField("kind")

    class Meta:
        model = FollowUpCase
        fields = [
            "id", "result", "unit", "unit_credit_code", "region", "kind", "kind_label", "status", "description",
            "document_no", "deadline", "recheck_on", "recheck_result", "case_no", "decision", "penalty_amount",
            "decided_on", "publish_due", "published_at", "receiver", "receiver_kind", "sent_on", "closed_on",
            "lock_version",
        ]  # fmt: skip
