from django import forms

from .choices import DocKind


class NumberingRuleForm(forms.Form):
    kind = forms.ChoiceField(label="文书种类", choices=DocKind.choices)
    prefix = forms.CharField(label="文号前缀", max_length=30, required=False,
                             help_text="地区简称＋卫＋执法类别＋执法性质，如“高卫公改”")  # fmt: skip
    pattern = forms.CharField(label="编号格式", max_length=60, required=False,
                              help_text="可用 {前缀}、{年份}、{序号}；留空用默认格式")  # fmt: skip
    width = forms.IntegerField(label="序号位数", min_value=1, max_value=8, initial=3)
    title = forms.CharField(label="文书标题", max_length=40, required=False, help_text="留空用默认标题")
