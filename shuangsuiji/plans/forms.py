from django import forms

from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.concurrency import VersionedFormMixin
from shuangsuiji.core.forms import DateInput
from shuangsuiji.directory.choices import RiskLevel
from shuangsuiji.directory.models import BusinessLine, InspectionItem, Tag
from shuangsuiji.regions.models import Region, Township

from .choices import DRAWN_HERE
from .models import AnnualPlan, Task, TaskStratumRule
from .selectors import items_for_region


def scoped_orgs(user):
    return Organization.objects.in_scope(user).filter(active=True)


class PlanForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = AnnualPlan
        fields = ["year", "title", "organization", "coverage_target", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = scoped_orgs(user)
        if self.instance.pk:  # year and organisation are fixed once created
            del self.fields["year"]
            del self.fields["organization"]


LEVEL_LABEL = {"province": "省级", "city": "市级", "county": "县级"}


def item_label(item) -> str:
    level = LEVEL_LABEL.get(item.region.level, "") if item.region_id else "国家级"
    return f"{item.code} {item.name}（{item.business_line.short_name or item.business_line.name}，{level}）"


class ItemCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that carry each item's applicable business lines (`data-lines`), so the task form can hide
    items outside the 专业 chosen above (static/js/task_form.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        item = getattr(value, "instance", None)
        if item is not None:
            lines = [line.pk for line in item.unit_lines.all()] or [item.business_line_id]
            option["attrs"]["data-lines"] = " ".join(str(pk) for pk in lines)
        return option


class TaskForm(VersionedFormMixin, forms.ModelForm):
    risk_levels = forms.MultipleChoiceField(
        label="信用风险分类", choices=RiskLevel.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="不选表示全部（含未分类）",
    )  # fmt: skip
    items = forms.ModelMultipleChoiceField(
        label="抽查事项", queryset=InspectionItem.objects.none(), required=False, widget=ItemCheckboxes,
        help_text="按上面选择的专业类别列出适用的事项（同一事项只列一次，优先本级认领的版本）；"
                  "其他部门的事项可在任务保存后添加",
    )  # fmt: skip

    class Meta:
        model = Task
        fields = [
            "name", "inspection_type", "kind", "lead_organization", "scope_region", "townships", "business_lines",
            "tags", "risk_levels", "exclude_inspected_days", "stratify_by", "weight_formula", "violation_years",
            "yearly_check_cap", "yearly_cap_action", "default_rate", "default_min", "default_max", "substitutes",
            "window_start", "window_end", "group_size", "require_specialist", "region_rule", "max_load",
            "roster_organizations", "roster_tags", "withhold_targets", "note",
        ]  # fmt: skip
        widgets = {
            "business_lines": forms.CheckboxSelectMultiple,
            "tags": forms.CheckboxSelectMultiple,
            "roster_organizations": forms.CheckboxSelectMultiple,
            "roster_tags": forms.CheckboxSelectMultiple,
            "townships": forms.SelectMultiple(attrs={"size": 6}),
            "window_start": DateInput,
            "window_end": DateInput,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        orgs = scoped_orgs(user)
        self.fields["inspection_type"].choices = [(t.value, t.label) for t in DRAWN_HERE]
        self.fields["inspection_type"].required = False
        self.fields[
            "inspection_type"
        ].help_text = "重点/专项监督可单独设置抽查比例；上级下达任务请用“导入上级任务”，非随机检查请用“登记非随机检查”"
        self.fields["lead_organization"].queryset = orgs
        self.fields["roster_organizations"].queryset = orgs
        self.fields["scope_region"].queryset = Region.objects.filter(code__startswith=plan.region.scope_prefix)
        self.fields["scope_region"].required = False
        self.fields["business_lines"].queryset = BusinessLine.objects.filter(active=True)
        self.fields["tags"].queryset = Tag.objects.all()
        self.fields["townships"].queryset = Township.objects.filter(
            county__code__startswith=plan.region.scope_prefix, valid=True
        ).select_related("county")
        self.fields["townships"].label_from_instance = lambda t: f"{t.county.name}{t.name}"
        self.fields["roster_tags"].queryset = Tag.objects.filter(inspectors__isnull=False).distinct()
        if not self.instance.pk:
            self.initial.setdefault("scope_region", plan.region.pk)
            self.initial.setdefault("lead_organization", plan.organization_id)
            self.fields["items"].queryset = items_for_region(plan.region)
            self.fields["items"].label_from_instance = item_label
        else:  # items of a saved task are added and removed on its page
            del self.fields["items"]
        for name in ("weight_formula", "violation_years", "yearly_cap_action"):
            self.fields[name].required = False

    # The form in steps (fieldsets; one long form without JS): (key, heading, fields). A field no step names
    # lands in the last one.
    STEPS = (
        ("basic", "基本信息", ("name", "inspection_type", "kind", "lead_organization", "window_start", "window_end",
                              "withhold_targets", "note")),
        ("scope", "抽查范围", ("scope_region", "townships", "business_lines", "tags", "risk_levels",
                              "exclude_inspected_days", "yearly_check_cap", "yearly_cap_action")),
        ("items", "事项与比例", ("items", "stratify_by", "weight_formula", "violation_years", "default_rate",
                                "default_min", "default_max", "substitutes")),
        ("staff", "检查人员", ("group_size", "require_specialist", "region_rule", "max_load", "roster_organizations",
                              "roster_tags")),
    )  # fmt: skip
    PICKERS = ("tags", "roster_tags", "roster_organizations")  # checkbox lists with type-to-filter and chips

    def steps(self) -> list[dict]:
        """The steps with their bound fields and whether any of them has an error (that step opens first)."""
        placed = {name for _, _, names in self.STEPS for name in names}
        rest = [name for name in self.fields if name not in placed and not self[name].is_hidden]
        out = []
        for number, (key, heading, names) in enumerate(self.STEPS, start=1):
            names = [name for name in names if name in self.fields]
            if number == len(self.STEPS):
                names += rest
            fields = [self[name] for name in names]
            out.append({
                "key": key, "heading": heading, "number": number, "fields": fields,
                "errors": any(field.errors for field in fields),
            })  # fmt: skip
        for before, after in zip(out, out[1:], strict=False):
            before["next"], after["previous"] = after, before
        return out

    def clean_inspection_type(self):
        return self.cleaned_data.get("inspection_type") or DRAWN_HERE[0]

    def clean_scope_region(self):
        return self.cleaned_data.get("scope_region") or self.plan.region

    # Targeting fields left out of a post (API clients, older pages) keep the model's defaults.
    def clean_weight_formula(self):
        return self.cleaned_data.get("weight_formula") or Task._meta.get_field("weight_formula").default

    def clean_violation_years(self):
        value = self.cleaned_data.get("violation_years")
        return Task._meta.get_field("violation_years").default if value is None else value

    def clean_yearly_cap_action(self):
        return self.cleaned_data.get("yearly_cap_action") or Task._meta.get_field("yearly_cap_action").default

    def _post_clean(self):
        self.instance.plan = self.plan
        super()._post_clean()


class TaskItemForm(forms.Form):
    organization = forms.ModelChoiceField(label="负责部门", queryset=Organization.objects.none())
    item = forms.ModelChoiceField(label="抽查事项", queryset=InspectionItem.objects.none(), required=False)
    item_name = forms.CharField(label="或填写事项名称", max_length=200, required=False,
                                help_text="联合抽查中其他部门的事项可直接填写")  # fmt: skip

    def __init__(self, *args, user, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = scoped_orgs(user)
        self.fields["organization"].initial = task.lead_organization_id
        lines = list(task.business_lines.values_list("pk", flat=True))
        held = task.items.exclude(item=None).values_list("item__code", flat=True)
        self.fields["item"].queryset = items_for_region(task.plan.region, lines).exclude(code__in=list(held))
        self.fields["item"].label_from_instance = item_label

    def clean(self):
        data = super().clean()
        if not data.get("item") and not (data.get("item_name") or "").strip():
            raise forms.ValidationError("请选择抽查事项或填写事项名称")
        return data


class StratumRuleForm(forms.ModelForm):
    class Meta:
        model = TaskStratumRule
        fields = ["stratum", "rate", "min_n", "max_n", "certainty"]
        widgets = {"stratum": forms.HiddenInput}


class TransitionForm(forms.Form):
    text = forms.CharField(label="理由/意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
