"""Forms. The UI forms and the per-row import forms share fields and clean methods: a row form is
the UI ModelForm with its relation fields swapped for text lookups (行政区划 by code or name,
专业类别/标签 as lists), so a value the UI rejects is rejected by import in the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.core.validators import MaxLengthValidator, MinLengthValidator, ProhibitNullCharactersValidator

from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.concurrency import VersionedFormMixin
from shuangsuiji.core.validators import is_valid_credit_code, normalize_credit_code, validate_credit_code
from shuangsuiji.imports.columns import RowRule, apply_row_rules
from shuangsuiji.regions.models import Region, Township

from .choices import ConflictRelation, ExpertKind, ImportMode, ItemCategory, RiskLevel, UnitStatus
from .models import (
    BusinessLine,
    ConflictDeclaration,
    Expert,
    InspectionItem,
    Inspector,
    LeavePeriod,
    RegulatedUnit,
    RiskRating,
    Tag,
)

REQUIRED = {"required": "不能为空（必填）"}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"]
SPLIT_RE = re.compile(r"[、,，;；|\n]+")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def split_values(text: str) -> list[str]:
    return [part.strip() for part in SPLIT_RE.split(text or "") if part.strip()]


def date_field(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=DATE_FORMATS, widget=DATE_WIDGET,
        error_messages={**REQUIRED, "invalid": "日期格式错误，应为 YYYY-MM-DD（如 2026-03-01）"},
    )  # fmt: skip


def _passes_any_code(validator) -> bool:
    """A form field validator every 18-character code without NUL passes (a CharField's defaults)."""
    if type(validator) is ProhibitNullCharactersValidator:
        return True
    limit = validator.limit_value if type(validator) in (MaxLengthValidator, MinLengthValidator) else None
    if type(limit) is not int:
        return False
    return limit >= 18 if type(validator) is MaxLengthValidator else limit <= 18


class CreditCodeField(forms.CharField):
    """统一社会信用代码: normalised (upper case, no spaces) and checked (GB 32100 check character)."""

    covers_validators = (validate_credit_code,)  # the model field's validator: column-wise import runs it once

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "统一社会信用代码")
        kwargs.setdefault("error_messages", REQUIRED)
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_credit_code(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value:
            validate_credit_code(value)

    def column_test(self):
        """A test true only for texts clean() returns as they are (a normalised, valid code), for the column-wise
        import's fast path (anything else takes the full path); None when this field has validators a valid code
        might fail (beyond the default ones) or is a subclass (whose steps may differ)."""
        if type(self) is not CreditCodeField or not all(map(_passes_any_code, self.validators)):
            return None
        return is_valid_credit_code


# --- lookups shared by row forms -------------------------------------------------------------


def tag_names(text: str) -> list[str]:
    """Tags typed in one import cell (separated by 、，; etc.), checked against the tag length limit."""
    names = split_values(text)
    too_long = [name for name in names if len(name) > Tag._meta.get_field("name").max_length]
    if too_long:
        raise forms.ValidationError(f"标签过长（最多30字）：{'、'.join(too_long)}")
    return sorted(set(names))


@dataclass
class LookupContext:
    """Natural-key lookups for one import, loaded once (not per row)."""

    user: object
    regions: dict[str, Region] = field(default_factory=dict)
    lines: dict[str, BusinessLine] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(default_factory=dict)
    towns: dict[int, dict[str, Township]] = field(default_factory=dict)  # county id -> code/name -> town (lazy)

    @classmethod
    def for_user(cls, user) -> LookupContext:
        ctx = cls(user=user)
        names: dict[str, list[Region]] = {}
        for region in Region.objects.filter(valid=True):
            ctx.regions[region.code] = region
            names.setdefault(region.name, []).append(region)
        for name, found in names.items():
            if len(found) == 1:  # ambiguous names (市辖区…) only by code
                ctx.regions[name] = found[0]
        for line in BusinessLine.objects.filter(active=True):
            for key in {line.code, line.name, line.short_name, line.name.split("（")[0]}:
                if key:
                    ctx.lines[key.lower()] = line
        for org in (
            Organization.objects.in_scope(user).filter(active=True) if user is not None else Organization.objects.all()
        ):
            ctx.organizations[org.name] = org
        return ctx

    def regions_by_pk(self) -> dict[int, Region]:
        return {region.pk: region for region in self.regions.values()}

    @property
    def prefix(self) -> str:
        if self.user is None:
            return ""
        prefix = self.user.scope_prefix
        return "\x00" if prefix is None else prefix  # None: nothing is in scope

    def region(self, text: str) -> Region:
        key = text.strip()
        first = key.split()[0] if key.split() else key
        region = self.regions.get(key) or self.regions.get(first)
        if region is None:
            raise forms.ValidationError(f"未知的行政区划：{text}（请填写本辖区县级行政区划的6位代码或名称）")
        if not region.code.startswith(self.prefix):
            raise forms.ValidationError(f"无权导入本辖区以外的数据：{text}")  # echo the input only
        return region

    def townships_of(self, county: Region) -> dict[str, Township]:
        """The county's valid 乡镇（街道）by 9-digit code and by name (a name two towns share: code only), read once
        per county an import names."""
        found = self.towns.get(county.pk)
        if found is None:
            found = self.towns[county.pk] = {}
            names: dict[str, list[Township]] = {}
            for town in Township.objects.filter(county=county, valid=True):
                found[town.code] = town
                names.setdefault(town.name, []).append(town)
            found.update({name: towns[0] for name, towns in names.items() if len(towns) == 1})
        return found

    def township(self, county: Region, text: str) -> Township | None:
        return self.townships_of(county).get(text.strip()) if text else None

    def township_error(self, county: Region, text: str) -> str:
        """The 乡镇（街道）column's check against the row's 行政区划 (a row rule)."""
        if not text or self.township(county, text) is not None:
            return ""
        return f"“{text}”不是{county.name}的乡镇（街道）（请填写本县乡镇（街道）的名称或9位代码）"

    def business_lines(self, text: str) -> list[int]:
        ids, unknown = [], []
        for part in split_values(text):
            line = self.lines.get(part.lower())
            if line is None:
                unknown.append(part)
            elif line.pk not in ids:
                ids.append(line.pk)
        if unknown:
            options = "、".join(BusinessLine.objects.values_list("short_name", flat=True))
            raise forms.ValidationError(f"未知的专业类别：{'、'.join(unknown)}（可选：{options}）")
        return ids

    def business_line(self, text: str) -> BusinessLine:
        """Exactly one business line (抽查事项 belong to one 专业类别)."""
        ids = self.business_lines(text)
        if len(ids) != 1:
            raise forms.ValidationError(f"只能填写一个专业类别（当前为 {len(ids)} 个）")
        return next(line for line in self.lines.values() if line.pk == ids[0])


def choice_value(text: str, choices, label: str) -> str:
    """Accept a choice's value or its Chinese label (or the label's first word)."""
    key = text.strip()
    for value, display in choices:
        if key.lower() == str(value).lower() or key == display or key == display.split()[-1]:
            return value
    options = "、".join(display for _, display in choices)
    raise forms.ValidationError(f"无效的{label}：{text}（可选：{options}）")


def risk_date_missing(level, as_of) -> str:
    return "填写了信用风险分类时，风险分类日期不能为空" if level and not as_of else ""


def cert_dates_reversed(start, end) -> str:
    return "执法证有效期至不能早于有效期起" if start and end and end < start else ""


class RowFormMixin:
    """Row forms: FKs come from the lookup table (no query per row); uniqueness is checked per file."""

    lookup_fields: frozenset = frozenset()

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | self.lookup_fields

    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass

    def rebind(self, data: dict):
        """Validate another row with this form instance: building a form deep-copies every field, which
        costs more than validating it, so an import binds one instance row after row."""
        self.data, self.is_bound, self._errors = data, True, None
        self.instance = self._meta.model()
        self.__dict__.pop("cleaned_data", None)
        return self


# --- regulated units --------------------------------------------------------------------------


class UnitForm(forms.ModelForm):
    credit_code = CreditCodeField()

    class Meta:
        model = RegulatedUnit
        fields = [
            "credit_code", "name", "address", "region", "township", "business_lines", "legal_rep", "contact_phone",
            "licence_no", "licence_valid_to", "tags", "complaint_count", "status", "note",
        ]  # fmt: skip
        widgets = {
            "business_lines": forms.CheckboxSelectMultiple,
            "tags": forms.CheckboxSelectMultiple,
            "licence_valid_to": DATE_WIDGET,
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {name: REQUIRED for name in ("name", "region", "business_lines")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        region = self.fields.get("region")
        if isinstance(region, forms.ModelChoiceField):
            region.queryset = Region.objects.restrict(user, "view").filter(valid=True)
        township = self.fields.get("township")
        if isinstance(township, forms.ModelChoiceField):
            township.queryset = Township.objects.restrict(user, "view").filter(valid=True).select_related("county")
            township.label_from_instance = lambda t: f"{t.county.name}{t.name}（{t.code}）"
            township.help_text = "须属于所选的所属区划"


class UnitRowForm(RowFormMixin, UnitForm):
    """One row of a unit import. Relation columns are text; uniqueness is checked for the whole file."""

    lookup_fields = frozenset({"region"})

    region = forms.CharField(label="行政区划", error_messages=REQUIRED)
    business_lines = forms.CharField(label="专业类别", error_messages=REQUIRED)
    tags = forms.CharField(label="标签", required=False)
    status = forms.CharField(label="经营状态", required=False)
    complaint_count = forms.IntegerField(
        label="投诉举报次数", required=False, min_value=0,
        error_messages={"invalid": "应为不小于0的整数", "min_value": "应为不小于0的整数"},
    )  # fmt: skip
    licence_valid_to = date_field("许可证有效期至")
    risk_level = forms.CharField(label="信用风险分类", required=False)
    risk_as_of = date_field("风险分类日期")
    risk_source = forms.CharField(label="风险分类来源", required=False, max_length=100)
    # 乡镇（街道）: text here (name or 9-digit code), checked against the row's 行政区划 by a row rule; the importer
    # turns it into the town's id. Not a model field of the row form (the relation is resolved per county).
    township = forms.CharField(label="乡镇（街道）", required=False, max_length=50)

    class Meta(UnitForm.Meta):
        fields = [name for name in UnitForm.Meta.fields if name != "township"]

    def __init__(self, *args, ctx: LookupContext, **kwargs):
        super().__init__(*args, user=ctx.user, **kwargs)
        self.ctx = ctx
        self.row_rules = (*type(self).row_rules, RowRule(("region", "township"), "township", ctx.township_error))

    def clean_region(self):
        return self.ctx.region(self.cleaned_data["region"])

    def clean_business_lines(self):
        return self.ctx.business_lines(self.cleaned_data["business_lines"])

    def clean_tags(self):
        return tag_names(self.cleaned_data["tags"])

    def clean_status(self):
        text = self.cleaned_data["status"]
        return choice_value(text, UnitStatus.choices, "经营状态") if text else UnitStatus.ACTIVE

    def clean_complaint_count(self):
        value = self.cleaned_data["complaint_count"]
        return 0 if value is None else value

    def clean_risk_level(self):
        text = self.cleaned_data["risk_level"]
        return choice_value(text, RiskLevel.choices, "信用风险分类") if text else ""

    row_rules = (RowRule(("risk_level", "risk_as_of"), "risk_as_of", risk_date_missing),)

    def clean(self):
        data = super().clean()
        apply_row_rules(self, self.row_rules)
        return data


class UnitEditForm(VersionedFormMixin, UnitForm):
    """The 新增/编辑 page: UnitForm plus the hidden `lock_version` it was loaded at (row imports use UnitRowForm)."""


class RiskRatingForm(forms.ModelForm):
    as_of = date_field("分类日期", required=True)

    class Meta:
        model = RiskRating
        fields = ["level", "as_of", "source"]


# --- inspectors and experts --------------------------------------------------------------------


class InspectorForm(forms.ModelForm):
    cert_valid_from = date_field("执法证有效期起")
    cert_valid_to = date_field("执法证有效期至", required=False)

    class Meta:
        model = Inspector
        fields = [
            "name", "assist_only", "cert_no", "cert_valid_from", "cert_valid_to", "organization", "position",
            "specialties", "tags", "phone", "active",
        ]  # fmt: skip
        widgets = {"specialties": forms.CheckboxSelectMultiple, "tags": forms.CheckboxSelectMultiple}
        error_messages = {name: REQUIRED for name in ("name", "cert_no", "organization")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        org = self.fields.get("organization")
        if isinstance(org, forms.ModelChoiceField):
            org.queryset = Organization.objects.restrict(user, "view").filter(active=True)

    def clean_cert_no(self):
        return (self.cleaned_data["cert_no"] or "").strip().upper()

    row_rules = (RowRule(("cert_valid_from", "cert_valid_to"), "cert_valid_to", cert_dates_reversed),)

    def clean(self):
        data = super().clean()
        apply_row_rules(self, self.row_rules)
        # The page's rule (the import pops assist_only and requires both fields, so the column engine that runs
        # only `row_rules` loses nothing): a certified officer needs the number and its validity.
        if not data.get("assist_only"):
            for name, label in (("cert_no", "执法证号"), ("cert_valid_to", "执法证有效期至")):
                if name in self.fields and not data.get(name) and name not in self.errors:
                    self.add_error(name, f"请填写{label}（未取得执法证的人员请勾选“无执法证（协助检查）”）")
        return data


class InspectorEditForm(VersionedFormMixin, InspectorForm):
    """The 新增/编辑 page with the hidden `lock_version`."""


class InspectorRowForm(RowFormMixin, InspectorForm):
    lookup_fields = frozenset({"organization"})
    organization = forms.CharField(label="所属机构", error_messages=REQUIRED)
    specialties = forms.CharField(label="专业类别", required=False)
    tags = forms.CharField(label="标签", required=False)
    active = forms.CharField(label="在岗状态", required=False)

    def __init__(self, *args, ctx: LookupContext, **kwargs):
        super().__init__(*args, user=ctx.user, **kwargs)
        self.ctx = ctx
        self.fields.pop("assist_only", None)  # the import keys on 执法证号: certified officers only
        for name in ("cert_no", "cert_valid_to"):
            self.fields[name].required = True

    def clean_organization(self):
        name = self.cleaned_data["organization"].strip()
        org = self.ctx.organizations.get(name)
        if org is None:
            raise forms.ValidationError(f"未知的机构或不在本辖区：{name}（请填写系统中的机构全称）")
        return org

    def clean_specialties(self):
        return self.ctx.business_lines(self.cleaned_data["specialties"])

    def clean_tags(self):
        return sorted(set(split_values(self.cleaned_data["tags"])))

    def clean_active(self):
        text = self.cleaned_data["active"].strip()
        if text in {"", "在岗", "是", "1", "Y", "y"}:
            return True
        if text in {"离岗", "否", "0", "N", "n", "停用"}:
            return False
        raise forms.ValidationError(f"无效的在岗状态：{text}（可选：在岗、离岗）")


class LeavePeriodForm(forms.ModelForm):
    start = date_field("开始日期", required=True)
    end = date_field("结束日期", required=True)

    class Meta:
        model = LeavePeriod
        fields = ["start", "end", "reason"]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期")
        return data


class ConflictDeclarationForm(forms.ModelForm):
    unit_code = CreditCodeField(label="回避单位统一社会信用代码")
    relation = forms.ChoiceField(label="关系", choices=ConflictRelation.choices)
    start = date_field("起始日期", required=True)
    end = date_field("终止日期")

    class Meta:
        model = ConflictDeclaration
        fields = ["unit_code", "relation", "start", "end", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_unit_code(self):
        code = self.cleaned_data["unit_code"]
        unit = RegulatedUnit.objects.restrict(self.user, "view").filter(credit_code=code).first()
        if unit is None:
            raise forms.ValidationError("名录库中没有该统一社会信用代码的单位（或不在本辖区）")
        self.instance.unit = unit
        return code

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "终止日期不能早于起始日期")
        return data


class ExpertForm(forms.ModelForm):
    credit_code = CreditCodeField(required=False, help_text="第三方机构填写")
    valid_to = date_field("入库有效期至")

    class Meta:
        model = Expert
        fields = [
            "kind", "name", "employer", "title", "qualification_no", "credit_code", "region", "specialties",
            "tags", "phone", "valid_to", "active",
        ]  # fmt: skip
        widgets = {"specialties": forms.CheckboxSelectMultiple, "tags": forms.CheckboxSelectMultiple}
        error_messages = {name: REQUIRED for name in ("name", "region")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.fields.get("region")
        if isinstance(region, forms.ModelChoiceField):
            region.queryset = Region.objects.restrict(user, "view").filter(valid=True)


class ExpertEditForm(VersionedFormMixin, ExpertForm):
    """The 新增/编辑 page with the hidden `lock_version`."""


def _flag(text: str, *, yes: set[str], no: set[str], label: str, options: str) -> bool:
    text = text.strip()
    if text in yes or text.lower() in {"", "1", "y", "yes", "true"}:
        return True
    if text in no or text.lower() in {"0", "n", "no", "false"}:
        return False
    raise forms.ValidationError(f"无效的{label}：{text}（可选：{options}）")


class ExpertRowForm(RowFormMixin, ExpertForm):
    """One row of an expert import: 所属区划 by code or name, 专业类别/标签 as lists, 类型 by label."""

    lookup_fields = frozenset({"region"})

    kind = forms.CharField(label="类型", required=False)
    name = forms.CharField(label="姓名/机构名称", max_length=200, error_messages=REQUIRED)
    region = forms.CharField(label="所属区划", error_messages=REQUIRED)
    specialties = forms.CharField(label="专业类别", required=False)
    tags = forms.CharField(label="标签", required=False)
    active = forms.CharField(label="有效", required=False)

    def __init__(self, *args, ctx: LookupContext, **kwargs):
        super().__init__(*args, user=ctx.user, **kwargs)
        self.ctx = ctx

    def clean_kind(self):
        text = self.cleaned_data["kind"].strip()
        if not text:
            return ExpertKind.EXPERT
        if text in {"机构", "第三方", "检测机构", "技术服务机构"}:
            return ExpertKind.AGENCY
        return choice_value(text, ExpertKind.choices, "类型")

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_qualification_no(self):
        return self.cleaned_data["qualification_no"].strip()

    def clean_region(self):
        return self.ctx.region(self.cleaned_data["region"])

    def clean_specialties(self):
        return self.ctx.business_lines(self.cleaned_data["specialties"])

    def clean_tags(self):
        return tag_names(self.cleaned_data["tags"])

    def clean_active(self):
        return _flag(self.cleaned_data["active"], yes={"有效", "是", "在库"}, no={"无效", "否", "停用", "出库"},
                     label="有效状态", options="有效、无效")  # fmt: skip


# --- inspection items ---------------------------------------------------------------------------


class InspectionItemForm(forms.ModelForm):
    class Meta:
        model = InspectionItem
        fields = [
            "code", "business_line", "name", "target", "unit_lines", "category", "legal_basis", "responsible_body",
            "content", "method", "default_ratio", "frequency", "region",
        ]  # fmt: skip
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 3}) for name in ("legal_basis", "content")},
            "unit_lines": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit_lines" in self.fields:
            self.fields["unit_lines"].queryset = BusinessLine.objects.filter(active=True)
        if "region" in self.fields:  # the import row form has none: items go to the importer's region
            self.fields["region"].queryset = Region.objects.restrict(user, "view").filter(valid=True)
            self.fields["region"].required = not user.is_superuser  # only superusers keep national items
        if self.instance.pk:  # code and region are the identity of a version chain
            for name in ("code", "region"):
                if name in self.fields:
                    self.fields[name].disabled = True


class InspectionItemEditForm(VersionedFormMixin, InspectionItemForm):
    """The 新增/编辑 page with the hidden `lock_version`."""


class PercentField(forms.DecimalField):
    """A percentage: "5", "5%", "12.5％" all mean 5 / 12.5 percent."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().rstrip("%％").strip()
        return super().to_python(value)


RATIO_ERROR = "应为0到100之间的数字（百分比，如 5 表示 5％，最多两位小数）"
ITEM_DEFAULTS = {
    "method": InspectionItem._meta.get_field("method").default,
    "frequency": InspectionItem._meta.get_field("frequency").default,
}


class ItemRowForm(RowFormMixin, InspectionItemForm):
    """One row of an item import (事项编码 is the key within the importer's region; rows become drafts)."""

    lookup_fields = frozenset({"business_line"})

    business_line = forms.CharField(label="专业类别", error_messages=REQUIRED)
    category = forms.CharField(label="事项类别", required=False)
    default_ratio = PercentField(
        label="默认抽查比例（%）", min_value=0, max_value=100, max_digits=5, decimal_places=2,
        error_messages={
            **REQUIRED, **dict.fromkeys(
                ("invalid", "min_value", "max_value", "max_digits", "max_decimal_places", "max_whole_digits"),
                RATIO_ERROR,
            ),
        },
    )  # fmt: skip
    method = forms.CharField(label="抽查方式", required=False, max_length=200)
    frequency = forms.CharField(label="抽查频次", required=False, max_length=50)

    class Meta(InspectionItemForm.Meta):
        fields = [name for name in InspectionItemForm.Meta.fields if name not in ("region", "unit_lines")]
        error_messages = {
            name: REQUIRED for name in ("code", "name", "target", "legal_basis", "responsible_body", "content")
        }

    def __init__(self, *args, ctx: LookupContext, **kwargs):
        super().__init__(*args, user=ctx.user, **kwargs)
        self.ctx = ctx

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if any(ch.isspace() for ch in code):
            raise forms.ValidationError(f"事项编码不能包含空格：{code}")
        return code

    def clean_business_line(self):
        return self.ctx.business_line(self.cleaned_data["business_line"])

    def clean_category(self):
        text = self.cleaned_data["category"].strip()
        if not text:
            return ItemCategory.GENERAL
        for value, label in ItemCategory.choices:
            if text.lower() == value or text == label or (len(text) >= 2 and label.startswith(text)):
                return value
        raise forms.ValidationError(f"无效的事项类别：{text}（可选：一般、重点）")

    def clean_method(self):
        return self.cleaned_data["method"].strip() or ITEM_DEFAULTS["method"]

    def clean_frequency(self):
        return self.cleaned_data["frequency"].strip() or ITEM_DEFAULTS["frequency"]


# --- import ----------------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="导入文件", help_text="支持 .xlsx、.xls、.ods、.csv（UTF-8 或 GBK），第1行为表头，最多20万行、20MB",
        error_messages={"required": "请选择要导入的文件", "empty": "文件为空"},
    )  # fmt: skip
    mode = forms.ChoiceField(
        label="导入方式", choices=ImportMode.choices, initial=ImportMode.CREATE, widget=forms.RadioSelect,
        help_text="新增导入：统一社会信用代码已存在则报错；更新导入（审管联动）：已存在的更新、注销/停业的关闭、新代码新增，空白单元格表示不修改",
    )  # fmt: skip


class BusinessLineForm(forms.ModelForm):
    class Meta:
        model = BusinessLine
        fields = ["code", "name", "short_name", "order", "active"]
        help_texts = {
            "code": "2–10 位小写拉丁字母、数字或下划线，以字母开头；创建后不能修改",
            "active": "停用后不再出现在新任务和新事项的选项中，已有数据不受影响",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
