from rest_framework import serializers

from shuangsuiji.core.api.serializers import SlugListField

from ..choices import ImportMode, UnitStatus
from ..models import Expert, InspectionItem, Inspector, RegulatedUnit


class RegulatedUnitSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    township = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="乡镇（街道）9位代码；未设置时为 null"
    )
    business_lines = SlugListField("business_lines", "code")
    tags = SlugListField("tags", "name")

    class Meta:
        model = RegulatedUnit
        fields = [
            "id", "credit_code", "name", "address", "region", "township", "business_lines", "legal_rep",
            "contact_phone", "licence_no", "licence_valid_to", "tags", "risk_level", "risk_as_of", "risk_source",
            "complaint_count", "violation_count", "status", "status_changed_on", "last_inspected_on",
            "inspection_count", "updated_at", "lock_version",
        ]  # fmt: skip


class InspectorSerializer(serializers.ModelSerializer):
    organization = serializers.StringRelatedField()
    specialties = SlugListField("specialties", "code")
    tags = SlugListField("tags", "name")

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


CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"  # GB 32100-2015 character set


def _text(max_length: int, help_text: str = "", **kw):
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, help_text=help_text, **kw)


class UnitSyncRecordSerializer(serializers.Serializer):
    """One unit as an approval department sends it. The schema states every rule JSON Schema can express; the
    Excel import's row checks then apply the rest (the credit code's check character, that the region lies in the
    caller's jurisdiction and is a county-level code, that business-line codes exist) and name the record."""

    credit_code = serializers.RegexField(
        CREDIT_CODE, max_length=18, min_length=18,
        help_text="统一社会信用代码（键，18位大写，末位校验码按 GB 32100-2015 计算）",
    )  # fmt: skip
    name = _text(200, "单位名称（新增时必填）")
    address = _text(300, "地址")
    region = serializers.RegexField(r"^[0-9]{6}$", required=False, allow_blank=True,
                                    help_text="6位县级区划代码（须在调用方管辖范围内；新增时必填）")  # fmt: skip
    township = _text(50, "乡镇（街道）：该县乡镇（街道）的9位代码或名称（可不填；不填时不改动）")
    business_lines = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2,20}$", help_text="专业类别代码，如 ggcs"), required=False,
        max_length=20, help_text="专业类别代码（见 /api/v1/ 的专业类别），如 ggcs（公共场所卫生）",
    )  # fmt: skip
    legal_rep = _text(50, "法定代表人/负责人")
    contact_phone = _text(30, "联系电话")
    licence_no = _text(100, "卫生许可证号")
    licence_valid_to = serializers.DateField(required=False, allow_null=True, help_text="许可证有效期至（YYYY-MM-DD）")
    tags = serializers.ListField(child=serializers.CharField(max_length=30), required=False, max_length=50,
                                 help_text="标签名称")  # fmt: skip
    risk_level = serializers.ChoiceField(choices=["", "A", "B", "C", "D"], required=False, help_text="信用风险分类")
    risk_as_of = serializers.DateField(required=False, allow_null=True, help_text="风险分类日期（YYYY-MM-DD）")
    risk_source = _text(100, "风险分类来源")
    complaint_count = serializers.IntegerField(required=False, min_value=0, max_value=100000, help_text="投诉举报次数")
    status = serializers.ChoiceField(
        choices=["", *UnitStatus.labels, *UnitStatus.values],
        required=False,
        help_text="经营状态（中文或代码）；空白为在营",
    )
    note = _text(500, "备注")


class UnitSyncSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.UPDATE,
                                   help_text="create：只新增；update：新增、修改、注销（审管联动）")  # fmt: skip
    source = serializers.CharField(required=False, default="接口同步", max_length=200)
    units = UnitSyncRecordSerializer(many=True, allow_empty=False, min_length=1, max_length=10000,
                                     help_text="1–10000 条记录；全部通过才写入")  # fmt: skip


class UnitSyncResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    status = serializers.CharField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    closed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    changes = serializers.ListField(child=serializers.DictField())
