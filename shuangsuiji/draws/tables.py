import django_tables2 as tables

from .models import Draw


class DrawTable(tables.Table):
    code = tables.Column(verbose_name="抽取编号", linkify=("draws:draw_detail", {"pk": tables.A("pk")}))
    task = tables.Column(verbose_name="抽查任务", accessor="task__name")
    status = tables.Column(verbose_name="状态")
    published_at = tables.DateTimeColumn(verbose_name="承诺公布时间", format="Y年n月j日 H:i:s")
    unit_eligible = tables.Column(verbose_name="可抽取对象")
    drawn_at = tables.DateTimeColumn(verbose_name="抽取时间", format="Y年n月j日 H:i:s")
    locked_at = tables.DateTimeColumn(verbose_name="锁定公示时间", format="Y年n月j日 H:i:s")

    class Meta:
        model = Draw
        fields = ("code", "task", "status", "published_at", "unit_eligible", "drawn_at", "locked_at")
        attrs = {"class": "table table-sm table-hover"}
