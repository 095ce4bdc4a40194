from rest_framework import serializers

from ..models import AnnualPlan, AnnualPlanVersion, Task, TaskItem, TaskStratumRule


class AnnualPlanVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualPlanVersion
        fields = ["version", "reason", "published_at", "snapshot"]


class AnnualPlanSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organization = serializers.StringRelatedField()
    versions = AnnualPlanVersionSerializer(many=True, read_only=True)

    class Meta:
        model = AnnualPlan
        fields = [
            "id", "year", "title", "organization", "region", "coverage_target", "status", "version",
            "revision_reason", "published_at", "first_published_at", "versions", "lock_version",
        ]  # fmt: skip


class TaskItemSerializer(serializers.ModelSerializer):
    organization = serializers.StringRelatedField()
    item_code = serializers.CharField(source="item.code", default="", read_only=True)

    class Meta:
        model = TaskItem
        fields = ["organization", "item", "item_code", "item_name"]


class TaskStratumRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskStratumRule
        fields = ["stratum", "rate", "min_n", "max_n", "certainty", "source"]


class TaskSerializer(serializers.ModelSerializer):
    scope_region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    business_lines = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    items = TaskItemSerializer(many=True, read_only=True)
    stratum_rules = TaskStratumRuleSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id", "code", "name", "plan", "kind", "scope_region", "business_lines", "risk_levels",
            "exclude_inspected_days", "stratify_by", "weight_formula", "violation_years", "yearly_check_cap",
            "yearly_cap_action", "default_rate", "default_min", "default_max", "substitutes",
            "window_start", "window_end", "group_size", "require_specialist", "region_rule", "max_load",
            "items", "stratum_rules", "lock_version",
        ]  # fmt: skip
