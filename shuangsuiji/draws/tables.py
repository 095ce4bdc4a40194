import django_tables2 as tables

from .models import Draw

# Detail links must leave the list page: #results is hx-boost + hx-select="#results" (core/list_page.html),
# which would otherwise swap the detail page into the results box and show nothing.
NO_BOOST = {"a": {"hx-boost": "false"}}


class DrawTable(tables.Table):
    code = tables.Column(verbose_name="抽取编号", linkify=("draws:draw_detail", {"pk": tables.A("pk")}), attrs=NO_BOOST)
    task = tables.Column(verbose_name="抽查任务", accessor="task__name")
    status = tables.Column(verbose_name="状态")
    published_at = tables.DateTimeColumn(verbose_name="承诺公布时间", format="Y-m-d H:i:s")
    unit_eligible = tables.Column(verbose_name="可抽取对象")
    drawn_at = tables.DateTimeColumn(verbose_name="抽取时间", format="Y-m-d H:i:s")
    locked_at = tables.DateTimeColumn(verbose_name="锁定公示时间", format="Y-m-d H:i:s")

    class Meta:
        model = Draw
        fields = ("code", "task", "status", "published_at", "unit_eligible", "drawn_at", "locked_at")
        attrs = {"class": "table table-sm table-hover"}
