import django_tables2 as tables

from .models import Region


class RegionTable(tables.Table):
    code = tables.Column(verbose_name="区划代码")
    name = tables.Column(verbose_name="名称")
    level = tables.Column(verbose_name="级别")
    parent = tables.Column(verbose_name="上级区划")

    class Meta:
        model = Region
        fields = ("code", "name", "level", "parent")
        attrs = {"class": "table table-sm table-hover"}
