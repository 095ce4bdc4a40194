"""一单两库: 抽查事项清单 (InspectionItem), 检查对象名录库 (RegulatedUnit), 执法检查人员名录库 (Inspector, Expert).

Units, inspectors and items belong to a region and subclass ScopedModel, so every read through
`.restrict(user, action)` is limited to the user's GB/T 2260 prefix. Writes go through services.py.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from shuangsuiji.core.concurrency import Versioned
from shuangsuiji.core.formats import local_date
from shuangsuiji.core.models import ScopedModel, TimeStampedModel
from shuangsuiji.core.validators import validate_credit_code
from shuangsuiji.imports.batch import ImportBatchBase

from .choices import (
    CLOSED_STATUSES,
    ConflictRelation,
    ExpertKind,
    ImportKind,
    ImportMode,
    ItemCategory,
    ItemLevel,
    ItemStatus,
    RiskLevel,
    UnitStatus,
)


class BusinessLine(models.Model):
    """专业类别: the 13 卫生健康 business lines (seeded by migration 0002; codes are stable)."""

    code = models.CharField("代码", max_length=10, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    short_name = models.CharField("简称", max_length=20, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "专业类别"
        verbose_name_plural = "专业类别"
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """标签字库: free classification tags for units, inspectors and experts (重点单位, 学校周边...)."""

    name = models.CharField("标签", max_length=30, unique=True)

    class Meta:
        verbose_name = "标签"
        verbose_name_plural = "标签"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RegulatedUnit(ScopedModel, TimeStampedModel, Versioned):
    """检查对象: one regulated unit, identified by its 统一社会信用代码 (deduplicated nationally)."""

    region_field = "region"

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code])
    name = models.CharField("单位名称", max_length=200, db_index=True)
    address = models.CharField("地址", max_length=300, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="units"
    )
    township = models.ForeignKey(
        "regions.Township", verbose_name="乡镇（街道）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="units",
    )  # fmt: skip
    business_lines = models.ManyToManyField(BusinessLine, verbose_name="专业类别", related_name="units")
    legal_rep = models.CharField("法定代表人/负责人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    licence_no = models.CharField("卫生许可证号", max_length=100, blank=True)
    licence_valid_to = models.DateField("许可证有效期至", null=True, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="units")
    risk_level = models.CharField("信用风险分类", max_length=1, choices=RiskLevel.choices, blank=True)
    risk_as_of = models.DateField("风险分类日期", null=True, blank=True)
    risk_source = models.CharField("风险分类来源", max_length=100, blank=True)
    complaint_count = models.PositiveIntegerField("投诉举报次数", default=0)
    violation_count = models.PositiveIntegerField("违法违规次数", default=0)
    status = models.CharField("经营状态", max_length=10, choices=UnitStatus.choices, default=UnitStatus.ACTIVE)
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    last_inspected_on = models.DateField("最近检查日期", null=True, blank=True)
    inspection_count = models.PositiveIntegerField("累计检查次数", default=0)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象名录库"
        ordering = ["region_id", "name"]  # local columns, served by unit_region_name_idx (no join)
        indexes = [
            models.Index(fields=["region", "status", "risk_level"], name="unit_stratum_idx"),
            models.Index(fields=["region", "name"], name="unit_region_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def check_invariants(self):
        """Checked by the directory services before every save (not `Model.clean`, so the column-wise import,
        whose rows carry no township, keeps its fast path)."""
        if self.township_id and self.region_id and self.township.county_id != self.region_id:
            raise ValidationError({"township": f"乡镇（街道）“{self.township.name}”不属于{self.region.name}"})

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


class RiskRating(ScopedModel):
    """信用风险分类记录: history of a unit's A–D class; the current one is copied onto the unit."""

    region_field = "unit__region"

    unit = models.ForeignKey(RegulatedUnit, verbose_name="检查对象", on_delete=models.CASCADE, related_name="ratings")
    level = models.CharField("信用风险分类", max_length=1, choices=RiskLevel.choices)
    as_of = models.DateField("分类日期")
    source = models.CharField("来源", max_length=100, blank=True)
    previous_level = models.CharField(
        "原分类", max_length=1, choices=RiskLevel.choices, blank=True, help_text="录入时检查对象的当前分类"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("录入时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "信用风险分类记录"
        verbose_name_plural = "信用风险分类记录"
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.level}（{self.as_of}）"


class Violation(ScopedModel):
    """违法违规记录 of a unit (行政处罚等)."""

    region_field = "unit__region"

    unit = models.ForeignKey(
        RegulatedUnit, verbose_name="检查对象", on_delete=models.CASCADE, related_name="violations"
    )
    occurred_on = models.DateField("日期")
    description = models.CharField("违法违规情况", max_length=300)
    document_no = models.CharField("处罚决定书文号", max_length=100, blank=True)

    class Meta:
        verbose_name = "违法违规记录"
        verbose_name_plural = "违法违规记录"
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{local_date(self.occurred_on)} {self.description}"


class InspectionHistory(ScopedModel):
    """历史检查记录: past inspections (imported or carried over; issue #6 adds live results)."""

    region_field = "unit__region"

    unit = models.ForeignKey(
        RegulatedUnit, verbose_name="检查对象", on_delete=models.CASCADE, related_name="inspections"
    )
    inspected_on = models.DateField("检查日期")
    item_name = models.CharField("检查事项", max_length=200)
    result = models.CharField("检查结果", max_length=100)
    source = models.CharField("任务来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "历史检查记录"
        verbose_name_plural = "历史检查记录"
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{local_date(self.inspected_on)} {self.item_name} {self.result}"


class Inspector(ScopedModel, TimeStampedModel, Versioned):
    """执法检查人员: an officer with an enforcement certificate, tagged by specialty (BR-10)."""

    region_field = "organization__region"

    name = models.CharField("姓名", max_length=50)
    assist_only = models.BooleanField(
        "无执法证（协助检查）", default=False,
        help_text="从事日常监管但未取得行政执法证的人员：列入名录库、可协助检查，不作为持证执法人员参加随机选派",
    )  # fmt: skip
    cert_no = models.CharField("执法证号", max_length=50, blank=True)
    cert_valid_from = models.DateField("执法证有效期起", null=True, blank=True)
    cert_valid_to = models.DateField("执法证有效期至", null=True, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name="所属机构", on_delete=models.PROTECT, related_name="inspectors"
    )
    position = models.CharField("职务", max_length=50, blank=True)
    specialties = models.ManyToManyField(BusinessLine, verbose_name="专业类别", blank=True, related_name="inspectors")
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="inspectors")
    phone = models.CharField("联系电话", max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="系统账号", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="inspector",
    )  # fmt: skip
    active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员名录库"
        ordering = ["organization_id", "name"]  # local columns, served by inspector_org_name_idx (no join)
        indexes = [models.Index(fields=["organization", "name"], name="inspector_org_name_idx")]
        constraints = [
            # staff without a certificate (协助检查) have no number; every number given is unique
            models.UniqueConstraint(
                fields=["cert_no"], condition=~Q(cert_no=""), name="inspector_cert_no_unique",
                violation_error_message="执法证号已被名录库中的另一名执法人员使用",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.name}（{self.cert_no or '无执法证'}）"

    def check_invariants(self):
        """Checked by the directory services before every save (the import requires both fields anyway)."""
        if not self.assist_only:
            errors = {}
            if not (self.cert_no or "").strip():
                errors["cert_no"] = "请填写执法证号（未取得执法证的人员请勾选“无执法证（协助检查）”）"
            if self.cert_valid_to is None:
                errors["cert_valid_to"] = "请填写执法证有效期至"
            if errors:
                raise ValidationError(errors)

    def cert_valid_on(self, day: dt.date) -> bool:
        if self.assist_only or self.cert_valid_to is None:
            return False
        return (self.cert_valid_from is None or self.cert_valid_from <= day) and day <= self.cert_valid_to

    def on_leave(self, day: dt.date) -> bool:
        return self.leaves.filter(start__lte=day, end__gte=day).exists()


class LeavePeriod(ScopedModel):
    """不可选派期间 (请假、培训、借调…): the inspector is excluded from assignment in [start, end]."""

    region_field = "inspector__organization__region"

    inspector = models.ForeignKey(Inspector, verbose_name="执法人员", on_delete=models.CASCADE, related_name="leaves")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=100)

    class Meta:
        verbose_name = "不可选派期间"
        verbose_name_plural = "不可选派期间"
        ordering = ["-start"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="leave_end_after_start")]

    def __str__(self) -> str:
        return f"{self.inspector.name} {self.start}—{self.end} {self.reason}"


SAME_CONFLICT = "该执法人员已有相同的回避申报（单位、关系和期间均相同）"


class ConflictDeclaration(ScopedModel):
    """回避申报: the inspector must not be assigned to `unit` while the declaration is in force."""

    region_field = "inspector__organization__region"

    inspector = models.ForeignKey(
        Inspector, verbose_name="执法人员", on_delete=models.CASCADE, related_name="conflicts"
    )
    unit = models.ForeignKey(RegulatedUnit, verbose_name="回避单位", on_delete=models.CASCADE, related_name="conflicts")
    relation = models.CharField("关系", max_length=20, choices=ConflictRelation.choices)
    start = models.DateField("起始日期")
    end = models.DateField("终止日期", null=True, blank=True, help_text="留空表示长期有效")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "回避申报"
        verbose_name_plural = "回避申报"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="conflict_end_after_start"
            ),
            # no identical declarations (NULL `end` = long-term needs its own constraint: NULLs are distinct)
            models.UniqueConstraint(
                fields=["inspector", "unit", "relation", "start", "end"], condition=Q(end__isnull=False),
                name="conflict_unique_dated", violation_error_message=SAME_CONFLICT,
            ),
            models.UniqueConstraint(
                fields=["inspector", "unit", "relation", "start"], condition=Q(end__isnull=True),
                name="conflict_unique_open", violation_error_message=SAME_CONFLICT,
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.inspector.name} 回避 {self.unit}"

    def in_force(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Expert(ScopedModel, TimeStampedModel, Versioned):
    """专家库: experts and third-party/testing agencies who may join a check on top of the officers (BR-10, BR-12)."""

    region_field = "region"

    kind = models.CharField("类型", max_length=10, choices=ExpertKind.choices, default=ExpertKind.EXPERT)
    name = models.CharField("姓名/机构名称", max_length=200)
    employer = models.CharField("工作单位", max_length=200, blank=True)
    title = models.CharField("职称/资质", max_length=100, blank=True)
    qualification_no = models.CharField("资质证书编号", max_length=100, blank=True)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code], help_text="第三方机构填写"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT)
    specialties = models.ManyToManyField(BusinessLine, verbose_name="专业类别", blank=True, related_name="experts")
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="experts")
    phone = models.CharField("联系电话", max_length=30, blank=True)
    valid_to = models.DateField("入库有效期至", null=True, blank=True)
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "专家/第三方机构"
        verbose_name_plural = "专家库"
        ordering = ["region_id", "kind", "name"]  # local columns, served by expert_region_kind_name_idx
        indexes = [models.Index(fields=["region", "kind", "name"], name="expert_region_kind_name_idx")]
        constraints = [
            # the importer identifies experts by these (qualification numbers case-insensitively)
            models.UniqueConstraint(
                Upper("qualification_no"), condition=~Q(qualification_no=""), name="expert_qualification_unique",
                violation_error_message="资质证书编号已被专家库中的另一条记录使用",
            ),
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="expert_credit_code_unique",
                violation_error_message="统一社会信用代码已被专家库中的另一条记录使用",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class InspectionItem(ScopedModel, TimeStampedModel, Versioned):
    """抽查事项: one entry of the 随机抽查事项清单 (BR-5, BR-6), versioned.

    A published version is immutable: edits create version+1 (`previous_version`), and publishing it
    marks the older one superseded. A lower level 认领 (claims) a published upper-level item by
    copying it into its own region (`claimed_from`). National items have no region.
    """

    region_field = "region"

    code = models.CharField("事项编码", max_length=30)
    business_line = models.ForeignKey(
        BusinessLine, verbose_name="专业类别", on_delete=models.PROTECT, related_name="items"
    )
    name = models.CharField("抽查事项", max_length=200)
    target = models.CharField("检查对象", max_length=200)
    unit_lines = models.ManyToManyField(
        BusinessLine, verbose_name="适用对象专业类别", blank=True, related_name="applicable_items",
        help_text="该事项适用于哪些专业类别的检查对象；不选表示与本事项的专业类别相同",
    )  # fmt: skip
    legal_basis = models.TextField("抽查依据")
    responsible_body = models.CharField("抽查主体", max_length=200)
    content = models.TextField("抽查内容")
    method = models.CharField("抽查方式", max_length=200, default="双随机抽查，现场检查")
    default_ratio = models.DecimalField(
        "默认抽查比例（%）", max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    frequency = models.CharField("抽查频次", max_length=50, default="每年1次")
    category = models.CharField("事项类别", max_length=10, choices=ItemCategory.choices, default=ItemCategory.GENERAL)
    level = models.CharField("事项层级", max_length=10, choices=ItemLevel.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, null=True, blank=True,
        related_name="inspection_items",
    )  # fmt: skip
    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField("状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    claimed_from = models.ForeignKey(
        "self", verbose_name="认领自", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    previous_version = models.OneToOneField(
        "self", verbose_name="上一版本", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )

    class Meta:
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项清单"
        ordering = ["business_line__order", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code", "version"], name="item_unique_version"),
            # national items have no region, and NULLs are distinct: they need their own constraint
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(region__isnull=True),
                name="item_national_unique_version",
                violation_error_message="国家级抽查事项中已有相同事项编码和版本号的记录",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}（第{self.version}版）"

    @property
    def is_editable(self) -> bool:
        return self.status == ItemStatus.DRAFT

    def unit_line_ids(self) -> set[int]:
        """The business lines of the units this item applies to (its own line when none are chosen)."""
        chosen = {line.pk for line in self.unit_lines.all()}
        return chosen or {self.business_line_id}

    def lineage_root(self) -> "InspectionItem":
        """The item this one descends from by claims (认领): the top of the `claimed_from` chain."""
        node, seen = self, set()
        while node.claimed_from_id and node.pk not in seen:
            seen.add(node.pk)
            node = node.claimed_from
        return node

    def lineage(self):
        """Every version and every lower-level claim of the same 事项 (same code at or below the root's region).

        Versions keep the code and the region; a claim keeps the code in a lower region. Rows that refer to an
        item (检查表) resolve through this, never through one row's id.
        """
        root = self.lineage_root()
        qs = InspectionItem.objects.filter(code=root.code)
        if root.region_id is not None:
            qs = qs.filter(region__code__startswith=root.region.scope_prefix)
        return qs


class ImportBatch(ImportBatchBase):
    """导入批次 of the registers (fields: `imports.batch.ImportBatchBase`; the table stays `directory_importbatch`)."""

    kind = models.CharField("导入类型", max_length=10, choices=ImportKind.choices)

    class Meta(ImportBatchBase.Meta):
        pass

    @property
    def target_model(self):
        return {
            ImportKind.UNIT: RegulatedUnit, ImportKind.INSPECTOR: Inspector,
            ImportKind.ITEM: InspectionItem, ImportKind.EXPERT: Expert,
        }[self.kind]  # fmt: skip


__all__ = [
    "BusinessLine", "ConflictDeclaration", "Expert", "ImportBatch", "ImportMode", "InspectionHistory",
    "InspectionItem", "Inspector", "LeavePeriod", "RegulatedUnit", "RiskRating", "Tag", "Violation",
]  # fmt: skip
