import datetime as dt

from django import forms

from .models import CalendarProposal, CalendarYear


class DateInput(forms.DateInput):
    """<input type="date">: browsers accept only ISO dates (2026-11-28) as its value, while the zh-hans locale
    would render 2026/11/28 — which the browser drops, so initial and saved dates vanished from edit forms."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


class HolidayOverrideForm(forms.Form):
    """Set one date's working status; an existing entry for the date is replaced."""

    date = forms.DateField(label="日期", widget=DateInput())
    is_workday = forms.BooleanField(label="调休上班日", required=False, help_text="勾选=上班；不勾选=放假")
    name = forms.CharField(label="名称", max_length=50, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "source"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= dt.date.today().year + 5:
            raise forms.ValidationError("年度超出可维护范围")
        return year


class CalendarProposalForm(forms.ModelForm):
    """节假日调整建议 of a county or city administrator (the province administrator decides)."""

    class Meta:
        model = CalendarProposal
        fields = ["kind", "date", "is_workday", "name", "year", "source", "reason"]
        widgets = {"date": DateInput()}
        help_texts = {"is_workday": "勾选=调休上班；不勾选=放假", "year": "仅“确认年度已维护”填写"}

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not 2000 <= year <= dt.date.today().year + 5:
            raise forms.ValidationError("年度超出可维护范围")
        return year


class ProposalDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("accept", "采纳"), ("reject", "不采纳")])
    note = forms.CharField(label="审核意见", max_length=300, required=False)
