import django_tables2 as tables

from .models import HolidayOverride, ObjectChange
from .selectors import object_type_label


class ObjectChangeTable(tables.Table):
    id = tables.Column(verbose_name="序号", linkify=("core:audit_detail", {"pk": tables.A("pk")}))
    time = tables.DateTimeColumn(verbose_name="时间", format="Y年n月j日 H:i:s")
    user_name = tables.Column(verbose_name="用户")
    action = tables.Column(verbose_name="操作")
    object_type = tables.Column(verbose_name="对象类型")
    object_repr = tables.Column(verbose_name="对象")
    message = tables.Column(verbose_name="说明")

    class Meta:
        model = ObjectChange
        fields = ("id", "time", "user_name", "action", "object_type", "object_repr", "message")
        attrs = {"class": "table table-sm table-hover"}
        order_by = "-id"

    def render_object_type(self, value):
        return object_type_label(value)


class HolidayTable(tables.Table):
    date = tables.DateColumn(verbose_name="日期", format="Y年n月j日")
    is_workday = tables.BooleanColumn(verbose_name="调休上班", yesno="是,否")
    name = tables.Column(verbose_name="名称")
    note = tables.Column(verbose_name="备注")
    actions = tables.TemplateColumn(
        template_name="core/_holiday_actions.html", verbose_name="操作", orderable=False, empty_values=()
    )

    class Meta:
        model = HolidayOverride
        fields = ("date", "is_workday", "name", "note")
        attrs = {"class": "table table-sm table-hover"}
