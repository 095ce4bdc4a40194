from django import forms

from shuangsuiji.core.concurrency import ConflictRow, VersionedFormMixin

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
        return dict(self.cleaned_data)


class ResultEditForm(VersionedFormMixin, ResultForm):
    """录入 with the hidden `lock_version` the page was loaded at."""

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


def parse_answers(post, answers) -> dict:
    out = {}
    for answer in answers:
        value = post.get(f"answer-{answer.pk}-value", "")
        out[answer.pk] = (value if value in AnswerValue.values else "", post.get(f"answer-{answer.pk}-note", "")[:2000])
    return out


class ChecklistForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(label="检查表名称", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    item = forms.ModelChoiceField(label="抽查事项", queryset=None, required=False, widget=forms.Select(attrs=SELECT),
                                  help_text="留空表示通用检查表")  # fmt: skip
    active = forms.BooleanField(label="启用", required=False, initial=True)
    questions = forms.CharField(
        label="检查内容（每行一项；以“*”开头的行为文字记录项）",
        widget=forms.Textarea(attrs={"rows": 10, "class": "form-control"}),
    )

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items

    @staticmethod
    def questions_text(template) -> str:
        """The questions as the textarea shows them (one per line; “*” marks a text item)."""
        return "\n".join(("*" if q.kind == "text" else "") + q.text for q in template.questions.all())

    def current_values(self, current) -> dict:
        return {"name": current.name, "item": current.item, "active": current.active,
                "questions": self.questions_text(current)}  # fmt: skip

    def question_rows(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data["questions"].splitlines():
            line = line.strip()
            if not line:
                continue
            if line.startswith("*"):
                rows.append({"text": line[1:].strip()[:300], "kind": "text", "required": False})
            else:
                rows.append({"text": line[:300], "kind": "check", "required": True})
        return rows
