import datetime as dt

from django import forms

from .models import CalendarYear


class DateInput(forms.DateInput):
    input_type = "date"


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
