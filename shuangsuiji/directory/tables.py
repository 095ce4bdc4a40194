import django_tables2 as tables
from django.utils.html import format_html

from .models import Expert, ImportBatch, InspectionItem, Inspector, RegulatedUnit

ATTRS = {"class": "table table-sm table-hover align-middle"}
RISK_CLASS = {"A": "success", "B": "info", "C": "warning", "D": "danger"}


class UnitTable(tables.Table):
    credit_code = tables.Column(
        verbose_name="统一社会信用代码", linkify=("directory:unit_detail", {"pk": tables.A("pk")})
    )
    name = tables.Column(verbose_name="单位名称", linkify=("directory:unit_detail", {"pk": tables.A("pk")}))
    region = tables.Column(verbose_name="所属区划", order_by="region__code")
    risk_level = tables.Column(verbose_name="信用风险")
    complaint_count = tables.Column(verbose_name="投诉")
    status = tables.Column(verbose_name="经营状态")
    last_inspected_on = tables.DateColumn(verbose_name="最近检查", format="Y年n月j日")

    class Meta:
        model = RegulatedUnit
        fields = ("credit_code", "name", "region", "risk_level", "complaint_count", "status", "last_inspected_on")
        attrs = ATTRS

    def render_risk_level(self, value, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            RISK_CLASS.get(record.risk_level, "secondary"),
            record.risk_level,
        )

    def render_status(self, value, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', "success" if record.is_open else "secondary", value
        )


class InspectorTable(tables.Table):
    name = tables.Column(verbose_name="姓名", linkify=("directory:inspector_detail", {"pk": tables.A("pk")}))
    cert_no = tables.Column(verbose_name="执法证号", empty_values=())
    cert_valid_to = tables.DateColumn(verbose_name="有效期至", format="Y年n月j日")
    organization = tables.Column(verbose_name="所属机构", order_by="organization__name")
    position = tables.Column(verbose_name="职务")
    active = tables.BooleanColumn(verbose_name="在岗", yesno="是,否")

    class Meta:
        model = Inspector
        fields = ("name", "cert_no", "cert_valid_to", "organization", "position", "active")
        attrs = ATTRS

    def render_cert_no(self, record, value):
        return "无执法证（协助检查）" if record.assist_only else (value or "—")


class ExpertTable(tables.Table):
    name = tables.Column(verbose_name="姓名/机构名称", linkify=("directory:expert_edit", {"pk": tables.A("pk")}))
    kind = tables.Column(verbose_name="类型")
    employer = tables.Column(verbose_name="工作单位")
    title = tables.Column(verbose_name="职称/资质")
    region = tables.Column(verbose_name="所属区划")
    valid_to = tables.DateColumn(verbose_name="有效期至", format="Y年n月j日")
    active = tables.BooleanColumn(verbose_name="有效", yesno="是,否")

    class Meta:
        model = Expert
        fields = ("name", "kind", "employer", "title", "region", "valid_to", "active")
        attrs = ATTRS


class ItemTable(tables.Table):
    code = tables.Column(verbose_name="事项编码", linkify=("directory:item_detail", {"pk": tables.A("pk")}))
    name = tables.Column(verbose_name="抽查事项", linkify=("directory:item_detail", {"pk": tables.A("pk")}))
    business_line = tables.Column(verbose_name="专业类别", order_by="business_line__order")
    category = tables.Column(verbose_name="事项类别")
    default_ratio = tables.Column(verbose_name="默认比例（%）")
    level = tables.Column(verbose_name="层级")
    region = tables.Column(verbose_name="所属区划", default="全国")
    version = tables.Column(verbose_name="版本")
    status = tables.Column(verbose_name="状态")

    class Meta:
        model = InspectionItem
        fields = ("code", "name", "business_line", "category", "default_ratio", "level", "region", "version", "status")
        attrs = ATTRS


class ImportBatchTable(tables.Table):
    id = tables.Column(verbose_name="批次", linkify=("directory:import_detail", {"pk": tables.A("pk")}))
    created_at = tables.DateTimeColumn(verbose_name="上传时间", format="Y年n月j日 H:i")
    kind = tables.Column(verbose_name="类型")
    mode = tables.Column(verbose_name="方式")
    file_name = tables.Column(verbose_name="文件名")
    rows_total = tables.Column(verbose_name="行数")
    count_create = tables.Column(verbose_name="新增")
    count_update = tables.Column(verbose_name="更新")
    count_close = tables.Column(verbose_name="注销/停业")
    count_error = tables.Column(verbose_name="错误行")
    status = tables.Column(verbose_name="状态")
    created_by = tables.Column(verbose_name="导入人")

    class Meta:
        model = ImportBatch
        fields = ("id", "created_at", "kind", "mode", "file_name", "rows_total", "count_create", "count_update",
                  "count_close", "count_error", "status", "created_by")  # fmt: skip
        attrs = ATTRS
