import django_tables2 as tables

from .models import FollowUpCase


class CaseTable(tables.Table):
    unit = tables.Column(
        verbose_name="检查对象",
        accessor="unit__name",
        linkify=("cases:case_detail", {"pk": tables.A("pk")}),
    )
    kind = tables.Column(verbose_name="处置方式")
    status = tables.Column(verbose_name="状态")
    deadline = tables.DateColumn(verbose_name="整改期限", format="Y年n月j日")
    case_no = tables.Column(verbose_name="案件编号")
    publish_due = tables.Column(verbose_name="处罚应公示日期", empty_values=())
    receiver = tables.Column(verbose_name="接收单位")
    created_at = tables.DateTimeColumn(verbose_name="登记时间", format="Y年n月j日")

    class Meta:
        model = FollowUpCase
        fields = ("unit", "kind", "status", "deadline", "case_no", "publish_due", "receiver", "created_at")
        attrs = {"class": "table table-sm table-hover"}

    def render_publish_due(self, record):
        return record.deadline_text or "—"
