import django_tables2 as tables

from .models import AnnualPlan, Task


class PlanTable(tables.Table):
    year = tables.Column(verbose_name="年度")
    title = tables.Column(verbose_name="计划名称", linkify=("plans:plan_detail", {"pk": tables.A("pk")}))
    organization = tables.Column(verbose_name="编制单位")
    status = tables.Column(verbose_name="状态")
    version = tables.Column(verbose_name="版本")
    task_count = tables.Column(verbose_name="任务数", orderable=False)
    published_at = tables.DateTimeColumn(verbose_name="公布时间", format="Y年n月j日 H:i")

    class Meta:
        model = AnnualPlan
        fields = ("year", "title", "organization", "status", "version", "task_count", "published_at")
        attrs = {"class": "table table-sm table-hover"}


class TaskTable(tables.Table):
    code = tables.Column(verbose_name="任务编号", linkify=("plans:task_detail", {"pk": tables.A("pk")}))
    name = tables.Column(verbose_name="任务名称")
    plan = tables.Column(verbose_name="年度计划")
    inspection_type = tables.Column(verbose_name="检查类型")
    source = tables.Column(verbose_name="任务来源", accessor="source_label", orderable=False)
    kind = tables.Column(verbose_name="抽查类型")
    lead_organization = tables.Column(verbose_name="发起部门")
    default_rate = tables.Column(verbose_name="抽查比例（%）")
    window_start = tables.DateColumn(verbose_name="检查开始", format="Y年n月j日")
    window_end = tables.DateColumn(verbose_name="检查结束", format="Y年n月j日")

    class Meta:
        model = Task
        fields = (
            "code",
            "name",
            "plan",
            "inspection_type",
            "source",
            "kind",
            "lead_organization",
            "default_rate",
            "window_start",
            "window_end",
        )
        attrs = {"class": "table table-sm table-hover"}
