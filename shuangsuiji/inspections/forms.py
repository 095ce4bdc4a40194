from django import forms

from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.concurrency import ConflictRow, VersionedFormMixin
from shuangsuiji.directory.models import InspectionItem, Inspector, RegulatedUnit
from shuangsuiji.plans.choices import NonRandomReason, UpperLevel
from shuangsuiji.plans.models import AnnualPlan
from shuangsuiji.plans.selectors import items_for_region

from .choices import AnswerValue, CheckMethod, Disposal, ProblemReason, ResultCategory

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
SELECT = {"class": "form-select"}


class ResultForm(forms.Form):
    """录入/更正: the result fields (checklist answers are posted as answer-<id>-value / -note)."""

    checked_on = forms.DateField(label="检查日期", required=False, widget=DATE)
    methods = forms.MultipleChoiceField(
        label="核查方式", choices=CheckMethod.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    category = forms.ChoiceField(
        label="抽查结果", choices=[("", "— 请选择（未选择时为“未检查”）—"), *ResultCategory.choices], required=False,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    problem_reasons = forms.MultipleChoiceField(
        label="问题类别（发现问题待后续处理时必选，可多选）", choices=ProblemReason.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    findings = forms.CharField(
        label="发现问题情况", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    disposal = forms.ChoiceField(
        label="处置情况", choices=[("", "—"), *Disposal.choices], required=False, widget=forms.Select(attrs=SELECT)
    )
    disposal_note = forms.CharField(
        label="处置说明", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )

    def content(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "files"}

    def mark_invalid(self) -> None:
        """Bootstrap's red frame on every field with an error (the template prints the message beside it)."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
                widget.attrs["aria-invalid"] = "true"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


class ResultEntryForm(ResultForm):
    """The entry form: the result fields plus files uploaded with them (stored as attachments before the save,
    so a mistake elsewhere never loses an upload)."""

    files = MultipleFileField(
        label="附件（可多选）", required=False,
        help_text="随结果一并上传现场照片、检查笔录等：PDF、JPG、PNG、DOCX、XLSX、MP4，单个文件不超过 20 MB",
    )  # fmt: skip


class ResultEditForm(VersionedFormMixin, ResultEntryForm):
    """录入 (with its files) and the hidden `lock_version` the page was loaded at."""

    def answer_conflict_rows(self, current_answers, posted: dict) -> list[ConflictRow]:
        """Checklist answers whose stored value/note differ from what the user posted (answer id → (value, note))."""
        labels = dict(AnswerValue.choices)
        rows = []
        for answer in current_answers:
            if answer.pk not in posted:
                continue
            value, note = posted[answer.pk]
            theirs = "；".join(filter(None, [labels.get(answer.value, ""), answer.note])) or "（空）"
            yours = "；".join(filter(None, [labels.get(value, ""), note])) or "（空）"
            if theirs != yours:
                rows.append(ConflictRow(f"检查表第{answer.order}项：{answer.text}", theirs, yours))
        return rows


class CorrectionForm(VersionedFormMixin, ResultForm):
    reason = forms.CharField(label="更正理由", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def content(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("reason")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))
    description = forms.CharField(
        label="说明", max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class PaperSignatureForm(forms.Form):
    """纸质签名: which officer of the group signed the paper record, on which day, and the scanned page."""

    inspector = forms.ModelChoiceField(label="签名的执法人员", queryset=None, widget=forms.Select(attrs=SELECT),
                                       empty_label="— 请选择 —")  # fmt: skip
    signed_on = forms.DateField(label="纸质记录上的签名日期", widget=DATE)
    scan = forms.FileField(
        label="签名页扫描件或照片（PDF、JPG、PNG）",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png,image/*"}),
    )

    def __init__(self, *args, inspectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors
        self.fields["inspector"].label_from_instance = lambda i: f"{i.name}（{i.cert_no}）"


def parse_answers(post, answers) -> dict:
    out = {}
    for answer in answers:
        value = post.get(f"answer-{answer.pk}-value", "")
        out[answer.pk] = (value if value in AnswerValue.values else "", post.get(f"answer-{answer.pk}-note", "")[:2000])
    return out


class ChecklistForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(label="检查表名称", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    item = forms.ModelChoiceField(
        label="抽查事项", queryset=None, required=False, widget=forms.Select(attrs=SELECT),
        help_text="留空表示通用检查表。按事项设置的检查表随事项的新版本和下级认领的事项一并适用",
    )  # fmt: skip
    active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: f"{i.code} {i.name}（第{i.version}版）"


class QuestionForm(forms.Form):
    """One line of a 检查表: 检查内容, 依据, 重点 and whether it is a yes/no item or a free-text record."""

    text = forms.CharField(
        label="检查内容", max_length=300, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    basis = forms.CharField(
        label="依据", max_length=300, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    key_point = forms.BooleanField(label="重点", required=False)
    kind = forms.ChoiceField(
        label="类型", choices=[("check", "检查项（符合/不符合）"), ("text", "文字记录")], initial="check",
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    required = forms.BooleanField(label="必答", required=False, initial=True)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and (data.get("basis") or "").strip():
            self.add_error("text", "已填写依据，请填写检查内容")
        return data


QuestionFormSet = forms.formset_factory(QuestionForm, extra=3, max_num=200, validate_max=True)


def question_rows(formset) -> list[dict]:
    """The filled-in lines of a question formset, in order (empty lines are dropped)."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        text = (data.get("text") or "").strip()
        if not text:
            continue
        kind = data.get("kind") or "check"
        rows.append({
            "text": text, "basis": (data.get("basis") or "").strip(), "key_point": bool(data.get("key_point")),
            "kind": kind, "required": bool(data.get("required")) and kind == "check",
        })  # fmt: skip
    return rows


# --- 上级下达任务 and 非随机检查 (issue #15 point 1) ---------------------------------------------------------


def _scoped_choices(form, user):
    """Plans, organisations, officers and items the user may use (region scope, fail closed)."""
    plans = AnnualPlan.objects.restrict(user, "view").select_related("region").order_by("-year", "region__code")
    form.fields["plan"].queryset = plans
    form.fields["plan"].label_from_instance = lambda p: f"{p.year}年 {p.title}"
    if plans:
        form.fields["plan"].initial = plans[0].pk
    form.fields["lead_organization"].queryset = Organization.objects.in_scope(user).filter(active=True)
    if user.organization_id:
        form.fields["lead_organization"].initial = user.organization_id
    officers = Inspector.objects.restrict(user, "view").filter(active=True).select_related("organization")
    form.fields["inspectors"].queryset = officers.order_by("organization__name", "name")
    form.fields["inspectors"].label_from_instance = lambda i: (
        f"{i.name}（{i.cert_no or '无执法证'}，{i.organization.name}）"
    )
    region = getattr(user, "region", None)
    form.fields["items"].queryset = items_for_region(region) if region else form.fields["items"].queryset.none()
    form.fields["items"].label_from_instance = lambda i: f"{i.code} {i.name}"


class TaskSourceForm(forms.Form):
    plan = forms.ModelChoiceField(label="年度计划", queryset=None, widget=forms.Select(attrs=SELECT),
                                  help_text="任务登记在该年度计划下（不进入计划公布版本，也不在本级抽取）")  # fmt: skip
    lead_organization = forms.ModelChoiceField(label="实施机构", queryset=None, widget=forms.Select(attrs=SELECT))
    window_start = forms.DateField(label="检查开始日期", widget=DATE)
    window_end = forms.DateField(label="检查结束日期", widget=DATE)
    items = forms.ModelMultipleChoiceField(
        label="抽查事项", queryset=None, required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}),
        help_text="检查时使用这些事项的检查表；可不选",
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = InspectionItem.objects.none()
        _scoped_choices(self, user)

    def clean(self):
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", "检查结束日期不能早于开始日期")
        return data


class UpperTaskImportForm(TaskSourceForm):
    name = forms.CharField(label="任务名称", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    upper_level = forms.ChoiceField(label="下达级别", choices=UpperLevel.choices, widget=forms.Select(attrs=SELECT))
    upper_authority = forms.CharField(label="下达机关", max_length=100, required=False,
                                      widget=forms.TextInput(attrs={"class": "form-control"}),
                                      help_text="如 国家卫生健康委、山东省卫生健康委员会")  # fmt: skip
    upper_task_no = forms.CharField(label="上级任务编号", max_length=100,
                                    widget=forms.TextInput(attrs={"class": "form-control"}),
                                    help_text="上级文件文号或抽查任务编号")  # fmt: skip
    file = forms.FileField(label="检查对象名单", help_text="上级抽取的检查对象名单（Excel 或 CSV），请使用导入模板")
    inspectors = forms.ModelMultipleChoiceField(
        label="默认检查组", queryset=None, required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        help_text="名单中未填写执法证号的对象由这些执法人员检查（至少 2 名持执法证人员）",
    )  # fmt: skip
    field_order = ["plan", "name", "upper_level", "upper_authority", "upper_task_no", "lead_organization",
                   "window_start", "window_end", "items", "file", "inspectors"]  # fmt: skip

    def task_data(self) -> dict:
        keys = ("name", "upper_level", "upper_authority", "upper_task_no", "lead_organization", "window_start",
                "window_end")  # fmt: skip
        return {k: self.cleaned_data[k] for k in keys}


class NonRandomCheckForm(TaskSourceForm):
    check_reason = forms.ChoiceField(
        label="检查原因", choices=NonRandomReason.choices, widget=forms.Select(attrs=SELECT)
    )
    check_source = forms.CharField(label="来源编号/说明", max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"class": "form-control"}),
                                   help_text="如投诉举报编号、转办交办文号、督办通知文号")  # fmt: skip
    unit = forms.CharField(label="检查对象", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}),
                           help_text="填写统一社会信用代码或名录库中的单位全称")  # fmt: skip
    inspectors = forms.ModelMultipleChoiceField(
        label="检查人员", queryset=None, widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        help_text="至少 2 名持执法证的执法人员",
    )  # fmt: skip
    note = forms.CharField(
        label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    confirm_covered = forms.BooleanField(
        label="已知该单位本年度已纳入随机抽查，确需检查", required=False,
        help_text="工作指引：已纳入随机抽查的单位，除投诉举报外，原则上不再开展日常监督检查",
    )  # fmt: skip
    field_order = ["plan", "check_reason", "check_source", "unit", "lead_organization", "inspectors",
                   "window_start", "window_end", "items", "note", "confirm_covered"]  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.user = user

    def clean_unit(self):
        text = self.cleaned_data["unit"].strip()
        units = RegulatedUnit.objects.restrict(self.user, "view").select_related("region")
        found = list(units.filter(credit_code=text.upper())[:1]) or list(units.filter(name=text)[:2])
        if not found:
            raise forms.ValidationError(f"“{text}”在本辖区检查对象名录库中不存在，请填写统一社会信用代码或单位全称")
        if len(found) > 1:
            raise forms.ValidationError(f"名录库中有多个名为“{text}”的单位，请填写统一社会信用代码")
        return found[0]
