"""The four registers' row schemas for `shuangsuiji.imports`: columns (中文表头 ↔ field), row form, natural key,
how an existing record reads and compares. The machinery (header matching, row validation, plan, preview,
commit) is `shuangsuiji.imports`; the writers are in services.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models.functions import Upper

from shuangsuiji.core.validators import credit_code_warnings, normalize_credit_code
from shuangsuiji.imports.bulk import ids_by_key
from shuangsuiji.imports.columns import Rows
from shuangsuiji.imports.schema import CHUNK, Column, Importer, Validation
from shuangsuiji.imports.schema import iso as _iso
from shuangsuiji.imports.spreadsheets import Table
from shuangsuiji.regions.models import Township

from .choices import CLOSED_STATUSES, ExpertKind, ImportKind, ItemCategory, ItemStatus, RiskLevel, UnitStatus
from .forms import ExpertRowForm, InspectorRowForm, ItemRowForm, LookupContext, UnitRowForm
from .models import BusinessLine, Expert, ImportBatch, InspectionItem, Inspector, RegulatedUnit

UNIT_COLUMNS = (
    Column("统一社会信用代码", "credit_code", True, ("社会信用代码", "信用代码", "统一代码"), "18位", width=22),
    Column("单位名称", "name", True, ("名称", "企业名称", "检查对象名称", "单位全称"), width=30),
    Column("地址", "address", aliases=("注册地址", "经营地址", "经营场所"), width=30),
    Column("行政区划", "region", True, ("所属区划", "区划代码", "区划", "所属县区"), "区划代码或县区名称，如 370322"),
    Column("专业类别", "business_lines", True, ("业务类别", "监管类别", "专业"), "多个用“、”分隔", width=22),
    Column("法定代表人/负责人", "legal_rep", aliases=("法定代表人", "负责人", "法人")),
    Column("联系电话", "contact_phone", aliases=("电话", "联系方式")),
    Column("卫生许可证号", "licence_no", aliases=("许可证号", "许可证编号"), width=22),
    Column("许可证有效期至", "licence_valid_to", aliases=("许可证有效期",), note="日期，如 2027-12-31"),
    Column("标签", "tags", aliases=("分类标签",), note="可填多个，用“、”分隔"),
    Column("信用风险分类", "risk_level", aliases=("风险等级", "信用风险等级"), choices=tuple(RiskLevel.values)),
    Column("风险分类日期", "risk_as_of", aliases=("分类日期",), note="填写风险分类时必填"),
    Column("风险分类来源", "risk_source", aliases=("分类来源",), note="如 市场监管部门企业信用风险分类"),
    Column("投诉举报次数", "complaint_count", aliases=("投诉次数",), note="不小于0的整数"),
    Column("经营状态", "status", aliases=("状态", "登记状态"), note="空白为在营", choices=tuple(UnitStatus.labels)),
    Column("备注", "note"),
    Column("乡镇（街道）", "township", aliases=("乡镇", "街道", "乡镇街道", "所属乡镇"),
           note="可不填；本县乡镇（街道）名称或9位代码，如 青城镇", width=16),
    Column("违法违规次数", "violation_count", importable=False),
    Column("最近检查日期", "last_inspected_on", importable=False),
    Column("累计检查次数", "inspection_count", importable=False),
)  # fmt: skip

INSPECTOR_COLUMNS = (
    Column("姓名", "name", True),
    Column("执法证号", "cert_no", True, ("执法证件号", "证件号", "执法证编号"), width=22),
    Column("执法证有效期起", "cert_valid_from", aliases=("有效期起",)),
    Column("执法证有效期至", "cert_valid_to", True, ("有效期至",)),
    Column("所属机构", "organization", True, ("机构", "所在单位", "所属科室"), "系统中的机构全称", width=30),
    Column("职务", "position"),
    Column("专业类别", "specialties", aliases=("业务专长", "执法领域"), note="可填多个，用“、”分隔", width=22),
    Column("标签", "tags"),
    Column("联系电话", "phone", aliases=("电话",)),
    Column("在岗状态", "active", aliases=("状态",), note="在岗/离岗，空白为在岗", choices=("在岗", "离岗")),
)  # fmt: skip

ITEM_COLUMNS = (
    Column("事项编码", "code", True, ("编码", "抽查事项编码"), "本辖区内唯一；草稿可用“更新导入”修改", width=18),
    Column("专业类别", "business_line", True, ("业务类别", "监管类别", "专业"), "一个，如 公共场所", width=18),
    Column("抽查事项", "name", True, ("事项名称", "抽查事项名称"), width=30),
    Column("检查对象", "target", True, ("抽查对象",), width=24),
    Column("事项类别", "category", aliases=("类别",), note="空白为一般检查事项", choices=("一般", "重点")),
    Column("默认抽查比例（%）", "default_ratio", True, ("默认抽查比例", "抽查比例", "抽查比例（%）"),
           "0–100 的百分数，如 5 表示 5%"),
    Column("抽查频次", "frequency", aliases=("频次",), note="空白为 每年1次"),
    Column("抽查依据", "legal_basis", True, ("法律依据", "依据"), width=40),
    Column("抽查内容", "content", True, ("检查内容",), width=40),
    Column("抽查方式", "method", aliases=("检查方式",), note="空白为 双随机抽查，现场检查", width=22),
    Column("抽查主体", "responsible_body", True, ("实施主体", "检查主体"), width=24),
    Column("事项层级", "level", importable=False),
    Column("所属区划", "region", importable=False),
    Column("版本", "version", importable=False),
    Column("状态", "status", importable=False),
    Column("认领自", "claimed_from", importable=False),
)  # fmt: skip

EXPERT_COLUMNS = (
    Column("类型", "kind", aliases=("专家类型",), note="空白为专家", choices=tuple(ExpertKind.labels)),
    Column("姓名/机构名称", "name", True, ("姓名", "机构名称", "名称", "专家姓名"), width=24),
    Column("工作单位", "employer", aliases=("单位",), note="无资质证书编号的专家以“姓名+工作单位”识别", width=28),
    Column("职称/资质", "title", aliases=("职称", "资质")),
    Column("资质证书编号", "qualification_no", aliases=("证书编号", "资质证书号"), note="填写后以此识别", width=22),
    Column("统一社会信用代码", "credit_code", False, ("信用代码", "社会信用代码"), "第三方机构填写，18位", width=22),
    Column("所属区划", "region", True, ("行政区划", "区划代码", "区划"), "区划代码或县区名称，如 370322"),
    Column("专业类别", "specialties", aliases=("业务专长", "专业"), note="可填多个，用“、”分隔", width=22),
    Column("标签", "tags", note="可填多个，用“、”分隔"),
    Column("联系电话", "phone", aliases=("电话",)),
    Column("入库有效期至", "valid_to", aliases=("有效期至",), note="日期，如 2028-12-31"),
    Column("有效", "active", aliases=("有效状态", "状态"), note="有效/无效，空白为有效", choices=("有效", "无效")),
)  # fmt: skip


class _Memo:
    """f(value) remembered per distinct value (dates repeat in a column)."""

    def __init__(self, function):
        self.function, self.seen = function, {}

    def __call__(self, value):
        try:
            return self.seen[value]
        except KeyError:
            result = self.seen[value] = self.function(value)
            return result


class _Shared:
    """sorted(ids) once per list object: the column engine hands the same cleaned list to every row with the same
    cell text, so rows share one sorted list instead of one each."""

    def __init__(self):
        self.seen: dict[int, tuple[list, list]] = {}

    def sorted(self, ids: list) -> list:
        found = self.seen.get(id(ids))
        if found is None or found[0] is not ids:
            found = self.seen[id(ids)] = (ids, sorted(ids))
        return found[1]


class RegisterImporter(Importer):
    """What the four registers share: lookups by code/name for the row forms, and their batch model."""

    batch_model = ImportBatch

    def lookup_context(self, user):
        return LookupContext.for_user(user)


class UnitImporter(RegisterImporter):
    kind = ImportKind.UNIT
    columns = UNIT_COLUMNS
    key_field = "credit_code"
    form_class = UnitRowForm
    model = RegulatedUnit
    compare_fields = (
        "name", "address", "region_id", "line_ids", "legal_rep", "contact_phone", "licence_no",
        "licence_valid_to", "tag_names", "risk_level", "risk_as_of", "risk_source", "complaint_count", "status", "note",
        "township_id",
    )  # fmt: skip
    # payload name -> header column it came from
    present_alias = {
        "region_id": "region", "line_ids": "business_lines", "tag_names": "tags", "township_id": "township",
    }  # fmt: skip

    def __init__(self, *, user, mode):
        super().__init__(user=user, mode=mode)
        self.headers.update({k: self.headers[v] for k, v in self.present_alias.items()})
        self.line_names = dict(BusinessLine.objects.values_list("pk", "short_name"))
        self.line_codes = dict(BusinessLine.objects.values_list("pk", "code"))
        self.region_names = {r.pk: f"{r.code} {r.name}" for r in self.ctx.regions.values()}
        self.town_names: dict[int, str] = {}

    def norm_key(self, text: str) -> str:
        return normalize_credit_code(text)

    def load_existing(self, keys) -> dict[str, RegulatedUnit]:
        if not RegulatedUnit.objects.exists():  # an empty register (a first import): no key lookup at all
            return {}
        keys, found = list(ids_by_key(RegulatedUnit, "credit_code", keys)), {}  # only keys that are registered
        for start in range(0, len(keys), CHUNK):
            for unit in RegulatedUnit.objects.filter(credit_code__in=keys[start : start + CHUNK]).select_related(
                "region"
            ):
                unit.line_ids, unit.tag_ids, unit.tag_names = [], [], []
                found[unit.credit_code] = unit
        by_id = {unit.pk: unit for unit in found.values()}
        ids = list(by_id)
        lines_through = RegulatedUnit.business_lines.through
        tags_through = RegulatedUnit.tags.through
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for unit_id, line_id in lines_through.objects.filter(regulatedunit_id__in=chunk).values_list(
                "regulatedunit_id", "businessline_id"
            ):
                by_id[unit_id].line_ids.append(line_id)
            for unit_id, tag_id, tag in tags_through.objects.filter(regulatedunit_id__in=chunk).values_list(
                "regulatedunit_id", "tag_id", "tag__name"
            ):
                by_id[unit_id].tag_ids.append(tag_id)
                by_id[unit_id].tag_names.append(tag)
        return found

    def existing_values(self, unit) -> dict[str, str]:
        return {
            "credit_code": unit.credit_code, "name": unit.name, "address": unit.address,
            # not the unit's township: a row that moves the unit to another county without naming a township
            # there is valid, and the writer drops the old one
            "region": unit.region.code, "township": "",
            "business_lines": "、".join(self.line_codes[pk] for pk in unit.line_ids),
            "legal_rep": unit.legal_rep, "contact_phone": unit.contact_phone, "licence_no": unit.licence_no,
            "licence_valid_to": _iso(unit.licence_valid_to), "tags": "、".join(unit.tag_names),
            "risk_level": unit.risk_level, "risk_as_of": _iso(unit.risk_as_of), "risk_source": unit.risk_source,
            "complaint_count": str(unit.complaint_count), "status": unit.status, "note": unit.note,
        }  # fmt: skip

    def payload(self, row: int, data: dict, present: list[str]) -> dict:
        inverse = {v: k for k, v in self.present_alias.items()}
        return {
            "row": row, "credit_code": data["credit_code"], "name": data["name"], "address": data["address"],
            "region_id": data["region"].pk, "township_id": self.township_id(data["region"], data["township"]),
            "line_ids": sorted(data["business_lines"]), "legal_rep": data["legal_rep"],
            "contact_phone": data["contact_phone"], "licence_no": data["licence_no"],
            "licence_valid_to": _iso(data["licence_valid_to"]), "tag_names": data["tags"],
            "risk_level": data["risk_level"], "risk_as_of": _iso(data["risk_as_of"]),
            "risk_source": data["risk_source"], "complaint_count": data["complaint_count"],
            "status": data["status"], "note": data["note"],
            "present": [inverse.get(name, name) for name in present],
        }  # fmt: skip

    def payload_columns(self, rows, cleaned, present, names) -> Rows:
        """`payload()` for all rows at once, column by column."""
        iso, shared = _Memo(_iso), _Shared()
        columns = {
            "row": rows, "credit_code": cleaned["credit_code"], "name": cleaned["name"],
            "address": cleaned["address"], "region_id": [region.pk for region in cleaned["region"]],
            "township_id": [
                self.township_id(region, text) if text else None
                for region, text in zip(cleaned["region"], cleaned["township"], strict=True)
            ],
            "line_ids": [shared.sorted(ids) for ids in cleaned["business_lines"]],
            "legal_rep": cleaned["legal_rep"], "contact_phone": cleaned["contact_phone"],
            "licence_no": cleaned["licence_no"], "licence_valid_to": [iso(d) for d in cleaned["licence_valid_to"]],
            "tag_names": cleaned["tags"], "risk_level": cleaned["risk_level"],
            "risk_as_of": [iso(d) for d in cleaned["risk_as_of"]], "risk_source": cleaned["risk_source"],
            "complaint_count": cleaned["complaint_count"], "status": cleaned["status"], "note": cleaned["note"],
            "present": present,
        }  # fmt: skip
        inverse = {v: k for k, v in self.present_alias.items()}
        return Rows(columns, [inverse.get(name, name) for name in names])

    def township_id(self, county, text: str) -> int | None:
        """The id of the row's 乡镇（街道）(checked by the row form's rule; "" → None)."""
        town = self.ctx.township(county, text) if text else None
        return town.pk if town is not None else None

    def column_warnings(self, cleaned, count, limit):
        found, total, none = [], 0, ()  # rows without a warning share one empty tuple (100,000 lists cost GC passes)
        for code in cleaned["credit_code"]:
            if total >= limit:
                break
            warnings = credit_code_warnings(code, valid=True)  # cleaned: normalised and validated
            found.append(warnings or none)
            total += len(warnings)
        return found

    def current(self, unit) -> dict:
        return {
            "name": unit.name, "address": unit.address, "region_id": unit.region_id, "line_ids": sorted(unit.line_ids),
            "legal_rep": unit.legal_rep, "contact_phone": unit.contact_phone, "licence_no": unit.licence_no,
            "licence_valid_to": _iso(unit.licence_valid_to), "tag_names": sorted(unit.tag_names),
            "risk_level": unit.risk_level, "risk_as_of": _iso(unit.risk_as_of), "risk_source": unit.risk_source,
            "complaint_count": unit.complaint_count, "status": unit.status, "note": unit.note,
            "township_id": unit.township_id,
        }  # fmt: skip

    def display(self, name: str, value) -> str:
        if name == "region_id":
            return self.region_names.get(value, str(value))
        if name == "township_id":
            if value is None:
                return ""
            if value not in self.town_names:
                town = Township.objects.filter(pk=value).values_list("name", "code").first()
                self.town_names[value] = f"{town[0]}（{town[1]}）" if town else str(value)
            return self.town_names[value]
        if name == "line_ids":
            return "、".join(self.line_names.get(pk, str(pk)) for pk in value)
        if name == "tag_names":
            return "、".join(value)
        if name == "status":
            return UnitStatus(value).label if value else ""
        return super().display(name, value)

    def action_for(self, before: dict, row: dict, changes: list) -> str:
        if row["status"] in CLOSED_STATUSES and before["status"] not in CLOSED_STATUSES:
            return "close"
        return super().action_for(before, row, changes)

    def row_warnings(self, data: dict) -> list[str]:
        return credit_code_warnings(data["credit_code"])


class InspectorImporter(RegisterImporter):
    kind = ImportKind.INSPECTOR
    columns = INSPECTOR_COLUMNS
    key_field = "cert_no"
    form_class = InspectorRowForm
    model = Inspector
    compare_fields = (
        "name", "cert_valid_from", "cert_valid_to", "organization_id", "position", "line_ids", "tag_names",
        "phone", "active",
    )  # fmt: skip
    present_alias = {"organization_id": "organization", "line_ids": "specialties", "tag_names": "tags"}

    def __init__(self, *, user, mode):
        super().__init__(user=user, mode=mode)
        self.headers.update({k: self.headers[v] for k, v in self.present_alias.items()})
        self.line_names = dict(BusinessLine.objects.values_list("pk", "short_name"))
        self.org_names = {org.pk: org.name for org in self.ctx.organizations.values()}

    def load_existing(self, keys) -> dict[str, Inspector]:
        if not Inspector.objects.exists():  # an empty register (a first import): no key lookup at all
            return {}
        keys, found = list(ids_by_key(Inspector, "cert_no", keys)), {}  # only keys that are registered
        for start in range(0, len(keys), CHUNK):
            qs = Inspector.objects.filter(cert_no__in=keys[start : start + CHUNK]).select_related(
                "organization__region"
            )
            for inspector in qs.prefetch_related("specialties", "tags"):
                inspector.line_ids = sorted(line.pk for line in inspector.specialties.all())
                inspector.tag_names = sorted(tag.name for tag in inspector.tags.all())
                found[inspector.cert_no] = inspector
        return found

    def existing_values(self, obj) -> dict[str, str]:
        lines = {line.pk: line.code for line in BusinessLine.objects.all()}
        return {
            "name": obj.name, "cert_no": obj.cert_no, "cert_valid_from": _iso(obj.cert_valid_from),
            "cert_valid_to": _iso(obj.cert_valid_to), "organization": obj.organization.name,
            "position": obj.position, "specialties": "、".join(lines[pk] for pk in obj.line_ids),
            "tags": "、".join(obj.tag_names), "phone": obj.phone, "active": "在岗" if obj.active else "离岗",
        }  # fmt: skip

    def payload(self, row: int, data: dict, present: list[str]) -> dict:
        inverse = {v: k for k, v in self.present_alias.items()}
        return {
            "row": row, "name": data["name"], "cert_no": data["cert_no"],
            "cert_valid_from": _iso(data["cert_valid_from"]), "cert_valid_to": _iso(data["cert_valid_to"]),
            "organization_id": data["organization"].pk, "position": data["position"],
            "line_ids": sorted(data["specialties"]), "tag_names": data["tags"], "phone": data["phone"],
            "active": data["active"], "present": [inverse.get(name, name) for name in present],
        }  # fmt: skip

    def payload_columns(self, rows, cleaned, present, names) -> Rows:
        """`payload()` for all rows at once, column by column."""
        iso, shared = _Memo(_iso), _Shared()
        columns = {
            "row": rows, "name": cleaned["name"], "cert_no": cleaned["cert_no"],
            "cert_valid_from": [iso(d) for d in cleaned["cert_valid_from"]],
            "cert_valid_to": [iso(d) for d in cleaned["cert_valid_to"]],
            "organization_id": [org.pk for org in cleaned["organization"]], "position": cleaned["position"],
            "line_ids": [shared.sorted(ids) for ids in cleaned["specialties"]], "tag_names": cleaned["tags"],
            "phone": cleaned["phone"], "active": cleaned["active"], "present": present,
        }  # fmt: skip
        inverse = {v: k for k, v in self.present_alias.items()}
        return Rows(columns, [inverse.get(name, name) for name in names])

    def current(self, obj) -> dict:
        return {
            "name": obj.name, "cert_valid_from": _iso(obj.cert_valid_from), "cert_valid_to": _iso(obj.cert_valid_to),
            "organization_id": obj.organization_id, "position": obj.position, "line_ids": obj.line_ids,
            "tag_names": obj.tag_names, "phone": obj.phone, "active": obj.active,
        }  # fmt: skip

    def display(self, name: str, value) -> str:
        if name == "organization_id":
            return self.org_names.get(value, str(value))
        if name == "line_ids":
            return "、".join(self.line_names.get(pk, str(pk)) for pk in value)
        if name == "tag_names":
            return "、".join(value)
        if name == "active":
            return "在岗" if value else "离岗"
        return super().display(name, value)


def _ratio(value) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


class ItemImporter(RegisterImporter):
    """抽查事项清单. Key: 事项编码 within the importer's own region (national for a superuser without one).

    New codes become version-1 drafts; in update mode a code whose latest version is a draft updates
    that draft; a published version is immutable and refused (create a new version in the UI instead).
    """

    kind = ImportKind.ITEM
    columns = ITEM_COLUMNS
    key_field = "code"
    form_class = ItemRowForm
    model = InspectionItem
    compare_fields = (
        "name", "target", "business_line_id", "category", "default_ratio", "frequency", "legal_basis", "content",
        "method", "responsible_body",
    )  # fmt: skip
    present_alias = {"business_line_id": "business_line"}

    def __init__(self, *, user, mode):
        super().__init__(user=user, mode=mode)
        self.headers.update({k: self.headers[v] for k, v in self.present_alias.items()})
        self.region = getattr(user, "region", None)
        if user is not None and self.region is None and not user.is_superuser:
            raise PermissionDenied("您的账号没有所属机构，不能导入抽查事项")
        self.lines = {line.pk: line for line in BusinessLine.objects.all()}

    def norm_key(self, text: str) -> str:
        return text.strip()  # item codes are compared exactly, as item_create does

    def load_existing(self, keys) -> dict[str, InspectionItem]:
        """The latest version of each code in the importer's region."""
        keys, found = list(keys), {}
        base = (
            InspectionItem.objects.filter(region=self.region)
            if self.region
            else InspectionItem.objects.filter(region__isnull=True)
        )
        for start in range(0, len(keys), CHUNK):
            for item in base.filter(code__in=keys[start : start + CHUNK]).select_related("region").order_by("version"):
                found[item.code] = item
        return found

    def refuse_existing(self, obj) -> str:
        return "" if obj.status == ItemStatus.DRAFT else "已发布的事项不能修改，请新建版本"

    def existing_values(self, obj) -> dict[str, str]:
        return {
            "code": obj.code, "business_line": self.lines[obj.business_line_id].code, "name": obj.name,
            "target": obj.target, "category": obj.category, "default_ratio": _ratio(obj.default_ratio),
            "frequency": obj.frequency, "legal_basis": obj.legal_basis, "content": obj.content, "method": obj.method,
            "responsible_body": obj.responsible_body,
        }  # fmt: skip

    def payload(self, row: int, data: dict, present: list[str]) -> dict:
        inverse = {v: k for k, v in self.present_alias.items()}
        return {
            "row": row, "code": data["code"], "name": data["name"], "target": data["target"],
            "business_line_id": data["business_line"].pk, "category": data["category"],
            "default_ratio": _ratio(data["default_ratio"]), "frequency": data["frequency"],
            "legal_basis": data["legal_basis"], "content": data["content"], "method": data["method"],
            "responsible_body": data["responsible_body"], "present": [inverse.get(name, name) for name in present],
        }  # fmt: skip

    def current(self, obj) -> dict:
        return {
            "name": obj.name, "target": obj.target, "business_line_id": obj.business_line_id,
            "category": obj.category, "default_ratio": _ratio(obj.default_ratio), "frequency": obj.frequency,
            "legal_basis": obj.legal_basis, "content": obj.content, "method": obj.method,
            "responsible_body": obj.responsible_body,
        }  # fmt: skip

    def display(self, name: str, value) -> str:
        if name == "business_line_id":
            line = self.lines.get(value)
            return line.short_name or line.name if line else str(value)
        if name == "category":
            return ItemCategory(value).label if value else ""
        return super().display(name, value)


AGENCY_WORDS = frozenset({"agency", "第三方机构", "机构", "第三方", "检测机构", "技术服务机构"})
EXPERT_WORDS = frozenset({"expert", "专家"})


class ExpertImporter(RegisterImporter):
    """专家库. Key: 资质证书编号 if given, else the 统一社会信用代码 (agencies; any row with a code not typed
    专家), else 姓名+工作单位. Certificate numbers and credit codes identify a record nationally (one in
    another county is refused like a unit); 姓名+工作单位 is only matched inside the importer's scope."""

    kind = ImportKind.EXPERT
    columns = EXPERT_COLUMNS
    key_field = "key"  # payload only: built by row_key from up to three columns
    update_required = ()  # any key column identifies the record
    form_class = ExpertRowForm
    model = Expert
    compare_fields = (
        "kind", "name", "employer", "title", "qualification_no", "credit_code", "region_id", "line_ids",
        "tag_names", "phone", "valid_to", "active",
    )  # fmt: skip
    present_alias = {"region_id": "region", "line_ids": "specialties", "tag_names": "tags"}
    PREFIX_Q, PREFIX_C, PREFIX_N = "资质证书编号：", "统一社会信用代码：", "姓名："

    def __init__(self, *, user, mode):
        super().__init__(user=user, mode=mode)
        self.headers.update({k: self.headers[v] for k, v in self.present_alias.items()})
        self.headers["key"] = self.headers["name"]
        self.lines = {line.pk: line for line in BusinessLine.objects.all()}
        self.region_names = {r.pk: f"{r.code} {r.name}" for r in self.ctx.regions.values()}

    def _key_source(self, raw: dict) -> tuple[str, str]:
        qualification = raw.get("qualification_no", "").strip().upper()
        if qualification:
            return "qualification_no", self.PREFIX_Q + qualification
        code = normalize_credit_code(raw.get("credit_code", ""))
        if code and raw.get("kind", "").strip().lower() not in EXPERT_WORDS:
            return "credit_code", self.PREFIX_C + code
        name = raw.get("name", "").strip()
        if name:
            return "name", f"{self.PREFIX_N}{name}／工作单位：{raw.get('employer', '').strip() or '（空）'}"
        return "name", ""

    def row_key(self, raw: dict) -> str:
        return self._key_source(raw)[1]

    def key_header(self, raw: dict) -> str:
        return self.headers[self._key_source(raw)[0]]

    def load_existing(self, keys) -> dict[str, Expert]:
        by_kind: dict[str, list[str]] = {self.PREFIX_Q: [], self.PREFIX_C: [], self.PREFIX_N: []}
        for key in keys:
            prefix = next(p for p in by_kind if key.startswith(p))
            by_kind[prefix].append(key)
        base = Expert.objects.select_related("region").prefetch_related("specialties", "tags")
        found: dict[str, Expert] = {}
        queries = (
            (self.PREFIX_Q, lambda chunk: base.annotate(q=Upper("qualification_no")).filter(q__in=chunk),
             lambda e: self.PREFIX_Q + e.qualification_no.strip().upper()),
            (self.PREFIX_C, lambda chunk: base.filter(credit_code__in=chunk), lambda e: self.PREFIX_C + e.credit_code),
            (self.PREFIX_N, lambda chunk: base.in_scope(self.user).filter(
                name__in=chunk), lambda e: self.row_key({"name": e.name, "employer": e.employer})),
        )  # fmt: skip
        for prefix, query, key_of in queries:
            wanted = set(by_kind[prefix])
            values = [k.removeprefix(prefix).split("／工作单位：")[0] for k in wanted]
            for start in range(0, len(values), CHUNK):
                for expert in query(values[start : start + CHUNK]):
                    key = key_of(expert)
                    if key in wanted:
                        expert.line_ids = sorted(line.pk for line in expert.specialties.all())
                        expert.tag_names = sorted(tag.name for tag in expert.tags.all())
                        found[key] = expert
        return found

    UNIQUE_FIELDS = (("qualification_no", "资质证书编号"), ("credit_code", "统一社会信用代码"))

    def validate(self, table: Table) -> Validation:
        """Also refuse rows whose 资质证书编号 / 统一社会信用代码 belong to another expert, in the database or
        earlier in the file (the unique constraints would reject them at commit)."""
        result = super().validate(table)
        if not result.payload:
            return result
        own = self.load_existing({row["key"] for row in result.payload})
        values = {name: set() for name, _ in self.UNIQUE_FIELDS}
        for row in result.payload:
            for name, _ in self.UNIQUE_FIELDS:
                if row[name].strip():
                    values[name].add(row[name].strip().upper())
        holders: dict[tuple[str, str], int] = {}
        for name, _ in self.UNIQUE_FIELDS:
            wanted = sorted(values[name])
            for start in range(0, len(wanted), CHUNK):
                qs = Expert.objects.annotate(v=Upper(name)).filter(v__in=wanted[start : start + CHUNK])
                holders.update(((name, v), pk) for v, pk in qs.values_list("v", "pk"))
        seen: dict[tuple[str, str], int] = {}
        kept = []
        for row in result.payload:
            mine = own.get(row["key"])
            problems = []
            for name, label in self.UNIQUE_FIELDS:
                value = row[name].strip().upper()
                if not value:
                    continue
                holder = holders.get((name, value))
                if holder is not None and (mine is None or holder != mine.pk):
                    problems.append([row["row"], self.headers[name], f"{label}“{value}”已被专家库中的另一条记录使用"])
                elif (name, value) in seen:
                    first = seen[name, value]
                    problems.append([row["row"], self.headers[name], f"与第{first}行的{label}重复：{value}"])
                else:
                    seen[name, value] = row["row"]
            if problems:
                result.errors.extend(problems)
            else:
                kept.append(row)
        result.payload = kept
        result.errors.sort(key=lambda error: error[0])
        return result

    def row_warnings(self, data: dict) -> list[str]:
        return credit_code_warnings(data["credit_code"]) if data["credit_code"] else []

    def existing_values(self, obj) -> dict[str, str]:
        return {
            "kind": obj.kind, "name": obj.name, "employer": obj.employer, "title": obj.title,
            "qualification_no": obj.qualification_no, "credit_code": obj.credit_code, "region": obj.region.code,
            "specialties": "、".join(self.lines[pk].code for pk in obj.line_ids), "tags": "、".join(obj.tag_names),
            "phone": obj.phone, "valid_to": _iso(obj.valid_to), "active": "有效" if obj.active else "无效",
        }  # fmt: skip

    def payload(self, row: int, data: dict, present: list[str]) -> dict:
        inverse = {v: k for k, v in self.present_alias.items()}
        return {
            "row": row, "kind": data["kind"], "name": data["name"], "employer": data["employer"],
            "title": data["title"], "qualification_no": data["qualification_no"], "credit_code": data["credit_code"],
            "region_id": data["region"].pk, "line_ids": sorted(data["specialties"]), "tag_names": data["tags"],
            "phone": data["phone"], "valid_to": _iso(data["valid_to"]), "active": data["active"],
            "present": [inverse.get(name, name) for name in present],
        }  # fmt: skip

    def current(self, obj) -> dict:
        return {
            "kind": obj.kind, "name": obj.name, "employer": obj.employer, "title": obj.title,
            "qualification_no": obj.qualification_no, "credit_code": obj.credit_code, "region_id": obj.region_id,
            "line_ids": obj.line_ids, "tag_names": obj.tag_names, "phone": obj.phone, "valid_to": _iso(obj.valid_to),
            "active": obj.active,
        }  # fmt: skip

    def display(self, name: str, value) -> str:
        if name == "region_id":
            return self.region_names.get(value, str(value))
        if name == "line_ids":
            return "、".join(self.lines[pk].short_name or self.lines[pk].name for pk in value if pk in self.lines)
        if name == "tag_names":
            return "、".join(value)
        if name == "kind":
            return ExpertKind(value).label if value else ""
        if name == "active":
            return "有效" if value else "无效"
        return super().display(name, value)


IMPORTERS = {
    ImportKind.UNIT: UnitImporter, ImportKind.INSPECTOR: InspectorImporter,
    ImportKind.ITEM: ItemImporter, ImportKind.EXPERT: ExpertImporter,
}  # fmt: skip
COLUMNS = {
    ImportKind.UNIT: UNIT_COLUMNS, ImportKind.INSPECTOR: INSPECTOR_COLUMNS,
    ImportKind.ITEM: ITEM_COLUMNS, ImportKind.EXPERT: EXPERT_COLUMNS,
}  # fmt: skip
