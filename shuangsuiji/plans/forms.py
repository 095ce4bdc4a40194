from django import forms
from django.db.models import Q

from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.forms import DateInput
from shuangsuiji.directory.choices import RiskLevel
from shuangsuiji.directory.models import BusinessLine, InspectionItem, Tag
from shuangsuiji.regions.models import Region

from .models import AnnualPlan, Task, TaskStratumRule


def scoped_orgs(user):
    return Organization.objects.in_scope(user).filter(active=True)


class PlanForm(forms.ModelForm):
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


class TaskForm(forms.ModelForm):
    risk_levels = forms.MultipleChoiceField(
        label="信用风险分类", choices=RiskLevel.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="不选表示全部（含未分类）",
    )  # fmt: skip

    class Meta:
        model = Task
        fields = [
            "name", "kind", "lead_organization", "scope_region", "business_lines", "tags", "risk_levels",
            "exclude_inspected_days", "stratify_by", "default_rate", "default_min", "default_max", "substitutes",
            "window_start", "window_end", "group_size", "require_specialist", "region_rule", "max_load",
            "roster_organizations", "withhold_targets", "note",
        ]  # fmt: skip
        widgets = {
            "business_lines": forms.CheckboxSelectMultiple,
            "tags": forms.CheckboxSelectMultiple,
            "roster_organizations": forms.CheckboxSelectMultiple,
            "window_start": DateInput,
            "window_end": DateInput,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        orgs = scoped_orgs(user)
        self.fields["lead_organization"].queryset = orgs
        self.fields["roster_organizations"].queryset = orgs
        self.fields["scope_region"].queryset = Region.objects.filter(code__startswith=plan.region.scope_prefix)
        self.fields["scope_region"].required = False
        self.fields["business_lines"].queryset = BusinessLine.objects.filter(active=True)
        self.fields["tags"].queryset = Tag.objects.all()
        if not self.instance.pk:
            self.initial.setdefault("scope_region", plan.region.pk)
            self.initial.setdefault("lead_organization", plan.organization_id)

    def clean_scope_region(self):
        return self.cleaned_data.get("scope_region") or self.plan.region

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
        prefix = task.plan.region.scope_prefix
        region_codes = [prefix[:n] for n in (2, 4, 6) if len(prefix) >= n]
        self.fields["item"].queryset = InspectionItem.objects.filter(
            Q(region__isnull=True)
            | Q(region__code__startswith=prefix)
            | Q(region__code__in=[c.ljust(6, "0") for c in region_codes]),
            status="published",
        ).select_related("business_line")

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
