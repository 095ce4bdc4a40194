import django_tables2 as tables

from .models import Organization, User


class UserTable(tables.Table):
    username = tables.Column(verbose_name="用户名", linkify=("accounts:user_edit", {"pk": tables.A("pk")}))
    full_name = tables.Column(verbose_name="姓名")
    role = tables.Column(verbose_name="角色")
    organization = tables.Column(verbose_name="所属机构")
    is_active = tables.BooleanColumn(verbose_name="启用", yesno="是,否")
    last_login = tables.DateTimeColumn(verbose_name="最近登录", format="Y年n月j日 H:i")

    class Meta:
        model = User
        fields = ("username", "full_name", "role", "organization", "is_active", "last_login")
        attrs = {"class": "table table-sm table-hover"}


class OrganizationTable(tables.Table):
    name = tables.Column(verbose_name="机构名称")
    kind = tables.Column(verbose_name="类型")
    region = tables.Column(verbose_name="所属区划")
    parent = tables.Column(verbose_name="上级机构")

    class Meta:
        model = Organization
        fields = ("name", "kind", "region", "parent")
        attrs = {"class": "table table-sm table-hover"}
