import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from shuangsuiji.core.formats import local_date

from .models import InspectionResult

BADGES = {"pending": "secondary", "draft": "info", "submitted": "warning", "published": "success"}


class ResultTable(tables.Table):
    unit = tables.Column(
        verbose_name="检查对象",
        accessor="target__unit_name",
        linkify=("inspections:result_detail", {"pk": tables.A("pk")}),
    )
    unit_code = tables.Column(verbose_name="统一社会信用代码", accessor="target__unit_code")
    task = tables.Column(verbose_name="抽查任务", accessor="draw__task__name")
    inspection_type = tables.Column(verbose_name="检查类型", accessor="draw__task__inspection_type")
    status = tables.Column(verbose_name="状态")
    check_due = tables.Column(verbose_name="检查截止日期", accessor="draw__task__window_end", orderable=False)
    category = tables.Column(verbose_name="抽查结果")
    checked_on = tables.DateColumn(verbose_name="检查日期", format="Y年n月j日")
    publish_due = tables.Column(verbose_name="应公示日期", empty_values=())
    published_at = tables.DateTimeColumn(verbose_name="公示时间", format="Y年n月j日 H:i")

    class Meta:
        model = InspectionResult
        fields = (
            "unit", "unit_code", "task", "inspection_type", "status", "check_due", "category", "checked_on",
            "publish_due", "published_at",
        )  # fmt: skip
        attrs = {"class": "table table-sm table-hover"}

    def render_status(self, record, value):
        return format_html('<span class="badge text-bg-{}">{}</span>', BADGES.get(record.status, "secondary"), value)

    def render_check_due(self, record, value):
        text = local_date(value)
        if record.status in ("pending", "draft") and not record.checked_on and value < timezone.localdate():
            return format_html('{} <span class="badge text-bg-danger">逾期未检查</span>', text)
        return text

    def render_inspection_type(self, record, value):
        task = record.draw.task
        if task.is_drawn_here:
            return task.get_inspection_type_display()
        return format_html(
            '{}<div class="small text-muted">{}</div>', task.get_inspection_type_display(), task.source_label
        )

    def render_category(self, record, value):
        return value or "—"

    def render_publish_due(self, record):
        return record.deadline_text or "—"
