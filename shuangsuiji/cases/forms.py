from django import forms

from shuangsuiji.core.concurrency import VersionedFormMixin

from .choices import CaseKind, ReceiverKind, RecheckResult

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}


class CaseOpenForm(forms.Form):
    kind = forms.ChoiceField(
        label="处置方式", choices=CaseKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    description = forms.CharField(label="处置内容", required=False, widget=forms.Textarea(attrs={"rows": 2, **TEXT}))
    document_no = forms.CharField(
        label="文书编号",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs=TEXT),
        help_text="如卫生监督意见书编号",
    )
    deadline = forms.DateField(label="整改期限（责令整改）", required=False, widget=DATE)
    case_no = forms.CharField(
        label="案件编号（立案处罚）", required=False, max_length=100, widget=forms.TextInput(attrs=TEXT)
    )
    receiver = forms.CharField(
        label="接收单位（移送/抄告）", required=False, max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    receiver_kind = forms.ChoiceField(
        label="接收单位类别",
        choices=[("", "—"), *ReceiverKind.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    sent_on = forms.DateField(label="移送/抄告日期", required=False, widget=DATE)

    def data_for_kind(self) -> dict:
        d = self.cleaned_data
        common = {"description": d["description"], "document_no": d["document_no"]}
        kind = d["kind"]
        if kind == CaseKind.RECTIFY:
            return {**common, "deadline": d["deadline"]}
        if kind == CaseKind.PENALTY:
            return {**common, "case_no": d["case_no"]}
        return {**common, "receiver": d["receiver"], "receiver_kind": d["receiver_kind"], "sent_on": d["sent_on"]}


class RecheckForm(VersionedFormMixin, forms.Form):
    recheck_on = forms.DateField(label="复查日期", widget=DATE)
    recheck_result = forms.ChoiceField(
        label="复查结果", choices=RecheckResult.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(label="复查情况", required=False, widget=forms.Textarea(attrs={"rows": 2, **TEXT}))

    def current_values(self, current) -> dict:
        return {"recheck_on": current.recheck_on, "recheck_result": current.recheck_result,
                "note": current.recheck_note}  # fmt: skip


class DecisionForm(VersionedFormMixin, forms.Form):
    decision = forms.CharField(
        label="处罚决定", widget=forms.Textarea(attrs={"rows": 2, **TEXT}), help_text="处罚决定书文号及主要内容"
    )
    penalty_amount = forms.DecimalField(
        label="罚款金额（元）",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs=TEXT),
    )
    decided_on = forms.DateField(label="决定日期", widget=DATE)


class CloseForm(VersionedFormMixin, forms.Form):
    closed_on = forms.DateField(label="完结日期", widget=DATE)
    note = forms.CharField(label="完结说明", required=False, widget=forms.TextInput(attrs=TEXT))

    def current_values(self, current) -> dict:
        return {"closed_on": current.closed_on, "note": ""}

class ReceiptForm(forms.Form):
    receipt_on = forms.DateField(label="回执日期", widget=DATE)
    feedback_due = forms.DateField(label="反馈期限", widget=DATE)


class FeedbackForm(forms.Form):
    feedback_on = forms.DateField(label="反馈日期", widget=DATE)
    note = forms.CharField(label="反馈情况", widget=forms.Textarea(attrs={"rows": 2}))


class RiskReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("accept", "采纳"), ("reject", "不予采纳")])
    note = forms.CharField(label="审核意见", required=False, widget=forms.TextInput(attrs=TEXT))


class ObjectionAnswerForm(forms.Form):
    status = forms.ChoiceField(label="处理结果", choices=[("corrected", "已更正"), ("rejected", "不予更正")])
    answer = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(forms.Form):
    """The portal's 异议 form."""

    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    contact_name = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(label="联系电话", max_length=30)
    reason = forms.CharField(label="异议内容及理由", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
