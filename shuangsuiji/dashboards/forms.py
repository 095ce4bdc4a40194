"""Forms of the statistics pages."""

from __future__ import annotations

from django import forms


class ReportSignersForm(forms.Form):
    """填报人 and 审核人 printed in the head of a report (read from the query string of its download)."""

    reporter = forms.CharField(label="填报人", max_length=30, required=False,
                               error_messages={"max_length": "填报人不能超过 %(limit_value)d 个字"})  # fmt: skip
    reviewer = forms.CharField(label="审核人", max_length=30, required=False,
                               error_messages={"max_length": "审核人不能超过 %(limit_value)d 个字"})  # fmt: skip

    def signers(self, user) -> tuple[str, str]:
        """(填报人, 审核人): 填报人 defaults to the user producing the report; 审核人 may stay blank (a line to
        sign on paper)."""
        default = getattr(user, "full_name", "") or getattr(user, "username", "")
        return self.cleaned_data["reporter"] or default, self.cleaned_data["reviewer"]

    def error_text(self) -> str:
        return "；".join(e for errors in self.errors.values() for e in errors)
