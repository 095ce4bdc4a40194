from rest_framework import serializers

from ..choices import ImportMode
from ..models import Expert, InspectionItem, Inspector, RegulatedUnit


class RegulatedUnitSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    business_lines = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = RegulatedUnit
        fields = [
            "id", "credit_code", "name", "address", "region", "business_lines", "legal_rep", "contact_phone",
            "licence_no", "licence_valid_to", "tags", "risk_level", "risk_as_of", "risk_source", "complaint_count",
            "violation_count", "status", "status_changed_on", "last_inspected_on", "inspection_count", "updated_at",
            "lock_version",
        ]  # fmt: skip


class InspectorSerializer(serializers.ModelSerializer):
    organization = serializers.StringRelatedField()
    specialties = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Inspector
        fields = ["id", "name", "cert_no", "cert_valid_from", "cert_valid_to", "organization", "position",
                  "specialties", "tags", "active", "lock_version"]  # fmt: skip


class ExpertSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    specialties = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Expert
        fields = ["id", "kind", "name", "employer", "title", "qualification_no", "credit_code", "region",
                  "specialties", "valid_to", "active", "lock_version"]  # fmt: skip


class InspectionItemSerializer(serializers.ModelSerializer):
    business_line = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = InspectionItem
        fields = "__all__"


class UnitSyncRecordSerializer(serializers.Serializer):
    """One unit as an approval department sends it; values are checked by the Excel import's row form."""

    credit_code = serializers.CharField(help_text="统一社会信用代码（键）")
    name = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    region = serializers.CharField(required=False, allow_blank=True, help_text="6位区划代码")
    business_lines = serializers.ListField(child=serializers.CharField(), required=False, help_text="专业类别代码")
    legal_rep = serializers.CharField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True)
    licence_no = serializers.CharField(required=False, allow_blank=True)
    licence_valid_to = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    risk_level = serializers.CharField(required=False, allow_blank=True, help_text="A/B/C/D")
    risk_as_of = serializers.CharField(required=False, allow_blank=True)
    risk_source = serializers.CharField(required=False, allow_blank=True)
    complaint_count = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, allow_blank=True, help_text="经营状态（在营/停业/注销…）")
    note = serializers.CharField(required=False, allow_blank=True)


class UnitSyncSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.UPDATE,
                                   help_text="create：只新增；update：新增、修改、注销（审管联动）")  # fmt: skip
    source = serializers.CharField(required=False, default="接口同步", max_length=200)
    units = UnitSyncRecordSerializer(many=True, allow_empty=False, max_length=10000)


class UnitSyncResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    status = serializers.CharField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    closed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    changes = serializers.ListField(child=serializers.DictField())
