"""年度抽查工作计划 (AnnualPlan, versioned) and 抽查任务/实施方案 (Task with items, scope and per-stratum ratios).

A plan is drawn up as a draft, submitted, approved and published (PLAN_TRANSITIONS). Every
publication stores an immutable AnnualPlanVersion snapshot (plan + tasks); revising a published
plan requires a reason and starts version+1. Tasks belong to a plan; only tasks of a published plan
can be drawn (draws app). Writes go through services.py.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from shuangsuiji.core.concurrency import Versioned
from shuangsuiji.core.models import ScopedModel, TimeStampedModel

from .choices import (
    InspectionType,
    NonRandomReason,
    PlanStatus,
    RegionRule,
    StratifyBy,
    TaskKind,
    UpperLevel,
    WeightFormula,
    YearlyCapAction,
)

PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class AnnualPlan(ScopedModel, TimeStampedModel, Versioned):
    """年度抽查工作计划: one per organisation and year."""

    region_field = "region"

    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField("计划名称", max_length=200)
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name="编制单位", on_delete=models.PROTECT, related_name="annual_plans"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT)
    coverage_target = models.DecimalField(
        "抽查覆盖率目标（%）", max_digits=5, decimal_places=2, default=3, validators=PERCENT_VALIDATORS,
        help_text="预计抽取的检查对象数 ÷ 辖区检查对象数，一般不低于 3%",
    )  # fmt: skip
    description = models.TextField("计划说明", blank=True)
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    revision_reason = models.TextField("本次调整理由", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_opinion = models.TextField("审核意见", blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    first_published_at = models.DateTimeField("首次公布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "年度抽查工作计划"
        verbose_name_plural = "年度抽查工作计划"
        ordering = ["-year", "region__code", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="plan_one_per_org_year")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_public(self) -> bool:
        """A plan is public once any version has been published (the public record keeps it)."""
        return self.first_published_at is not None


class AnnualPlanVersion(models.Model):
    """A published version of a plan: immutable snapshot of the plan and its tasks (全程留痕)."""

    plan = models.ForeignKey(AnnualPlan, verbose_name="计划", on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    reason = models.TextField("调整理由", blank=True, help_text="第 1 版为空")
    snapshot = models.JSONField("计划内容")
    published_at = models.DateTimeField("公布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="公布人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "计划版本"
        verbose_name_plural = "计划版本"
        ordering = ["plan", "-version"]
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.plan} 第{self.version}版"


class Task(ScopedModel, TimeStampedModel, Versioned):
    """抽查任务/实施方案: items, the target scope, ratios per stratum, inspection window and team rules."""

    region_field = "plan__region"

    plan = models.ForeignKey(AnnualPlan, verbose_name="年度计划", on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField("任务编号", max_length=40, unique=True, editable=False)
    name = models.CharField("任务名称", max_length=200)
    kind = models.CharField("抽查类型", max_length=10, choices=TaskKind.choices, default=TaskKind.SINGLE)
    lead_organization = models.ForeignKey(
        "accounts.Organization", verbose_name="发起部门", on_delete=models.PROTECT, related_name="led_tasks"
    )
    # 检查类型 and where a task not drawn here comes from (issue #15 point 1)
    inspection_type = models.CharField(
        "检查类型", max_length=10, choices=InspectionType.choices, default=InspectionType.DAILY_RANDOM,
        db_index=True,
        help_text="日常监督随机抽查、重点/专项监督在本平台抽取；上级下达任务导入上级抽取的名单；"
        "非随机检查不计入随机抽查",
    )  # fmt: skip
    upper_level = models.CharField("下达级别", max_length=10, choices=UpperLevel.choices, blank=True)
    upper_authority = models.CharField("下达机关", max_length=100, blank=True)
    upper_task_no = models.CharField("上级任务编号", max_length=100, blank=True, db_index=True)
    check_reason = models.CharField("检查原因", max_length=10, choices=NonRandomReason.choices, blank=True)
    check_source = models.CharField(
        "来源编号/说明", max_length=200, blank=True, help_text="如投诉举报编号、转办交办文号、督办通知文号"
    )
    # Scope (抽查对象范围)
    scope_region = models.ForeignKey(
        "regions.Region", verbose_name="抽查区划", on_delete=models.PROTECT, related_name="+",
        help_text="检查对象所属区划（含下级）；默认与计划相同",
    )  # fmt: skip
    townships = models.ManyToManyField(
        "regions.Township", verbose_name="乡镇（街道）", blank=True, related_name="+",
        help_text="选择后只抽取这些乡镇（街道）的检查对象；不选表示抽查区划内全部",
    )  # fmt: skip
    business_lines = models.ManyToManyField(
        "directory.BusinessLine", verbose_name="专业类别", blank=True, related_name="+",
        help_text="不选表示全部专业",
    )  # fmt: skip
    tags = models.ManyToManyField(
        "directory.Tag", verbose_name="标签", blank=True, related_name="+", help_text="选择后只抽取带任一所选标签的对象"
    )
    risk_levels = models.JSONField("信用风险分类", default=list, blank=True, help_text="不选表示全部（含未分类）")
    exclude_inspected_days = models.PositiveIntegerField(
        "排除近期已检查（天）",
        null=True,
        blank=True,
        help_text="最近检查日期在该天数内的对象不参加抽取（留在号池中并注明原因）",
    )
    stratify_by = models.CharField("分层方式", max_length=12, choices=StratifyBy.choices, default=StratifyBy.RISK)
    # Targeting (加权抽取): complaints, violations and 重点单位 raise a unit's chance (fairdraw pivotal strata)
    weight_formula = models.CharField(
        "加权规则", max_length=12, choices=WeightFormula.choices, default=WeightFormula.EQUAL,
        help_text="加权后，投诉举报多、有违法记录或重点单位被抽中的机会按权重成比例提高；权重和每户被抽中的概率在抽取预览中显示并向社会公示",
    )  # fmt: skip
    violation_years = models.PositiveSmallIntegerField(
        "违法记录统计年数", default=3, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="近几年内有违法违规记录（行政处罚等）的单位按“有违法记录”计权重",
    )  # fmt: skip
    yearly_check_cap = models.PositiveSmallIntegerField(
        "每户每年检查次数上限", null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="涉企行政检查频次：本年度已被检查达到该次数的单位按下一项处理；留空表示不限",
    )  # fmt: skip
    yearly_cap_action = models.CharField(
        "达到检查次数上限的单位", max_length=10, choices=YearlyCapAction.choices, default=YearlyCapAction.EXCLUDE
    )
    # Ratios (抽查比例)
    default_rate = models.DecimalField(
        "抽查比例（%）", max_digits=7, decimal_places=4, validators=PERCENT_VALIDATORS,
        help_text="未单独设置比例的分层使用此比例",
    )  # fmt: skip
    default_min = models.PositiveIntegerField("每层最少抽取数", default=0)
    default_max = models.PositiveIntegerField("每层最多抽取数", null=True, blank=True)
    substitutes = models.PositiveSmallIntegerField(
        "每层候补数", default=3, validators=[MaxValueValidator(50)], help_text="对象注销、停业时按候补顺序依次递补"
    )
    # Window and team (检查时间与检查组)
    window_start = models.DateField("检查开始日期")
    window_end = models.DateField("检查结束日期")
    group_size = models.PositiveSmallIntegerField(
        "每组执法人员数", default=2, validators=[MinValueValidator(2), MaxValueValidator(10)], help_text="不少于 2 人"
    )
    require_specialist = models.BooleanField("每组至少 1 名本专业人员", default=True)
    region_rule = models.CharField("区划规则", max_length=10, choices=RegionRule.choices, default=RegionRule.ANY)
    max_load = models.PositiveSmallIntegerField("每人最多检查对象数", null=True, blank=True)
    roster_organizations = models.ManyToManyField(
        "accounts.Organization", verbose_name="执法人员来源机构", blank=True, related_name="+",
        help_text="不选表示本区划内全部在岗执法人员",
    )  # fmt: skip
    roster_tags = models.ManyToManyField(
        "directory.Tag", verbose_name="执法人员标签", blank=True, related_name="+",
        help_text="选择后只从带任一所选标签的执法人员中随机选派（如“食品安全”“放射专业”）",
    )  # fmt: skip
    withhold_targets = models.BooleanField(
        "检查开始前不公开抽取对象", default=True,
        help_text="勾选后，门户网站在检查开始日期之前只公示抽取承诺，不公示抽中对象名单和结果文件，以免被检查对象提前知悉",
    )  # fmt: skip
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["plan", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")), name="task_window")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        errors = {}
        if self.window_start and self.window_end and self.window_end < self.window_start:
            errors["window_end"] = "检查结束日期不能早于开始日期"
        if self.plan_id and self.window_start and self.window_start.year != self.plan.year:
            errors["window_start"] = f"检查时间应在计划年度（{self.plan.year}年）内"
        if (
            self.plan_id
            and self.scope_region_id
            and not self.scope_region.code.startswith(self.plan.region.scope_prefix)
        ):
            errors["scope_region"] = "抽查区划必须在计划所属区划范围内"
        if self.inspection_type == InspectionType.UPPER:
            if not self.upper_task_no.strip():
                errors["upper_task_no"] = "上级下达任务须填写上级任务编号"
            if not self.upper_level:
                errors["upper_level"] = "上级下达任务须选择下达级别（国家、省级或市级）"
        if self.inspection_type == InspectionType.NON_RANDOM and not self.check_reason:
            errors["check_reason"] = "非随机检查须选择检查原因（投诉举报、转办交办或上级督办）"
        if self.default_max is not None and self.default_max < self.default_min:
            errors["default_max"] = "最多抽取数不能小于最少抽取数"
        bad = [r for r in self.risk_levels or [] if r not in "ABCD" or len(r) != 1]
        if bad:
            errors["risk_levels"] = f"无效的信用风险分类：{bad}"
        if errors:
            raise ValidationError(errors)

    @property
    def is_drawn_here(self) -> bool:
        """Drawn on this platform (日常监督随机抽查, 重点/专项监督); 上级下达 and 非随机检查 are recorded, not drawn."""
        return self.inspection_type in (InspectionType.DAILY_RANDOM, InspectionType.KEY)

    @property
    def source_label(self) -> str:
        """任务来源 as shown on lists and the portal: 本级抽取, 省级下达（编号）, 投诉举报（编号）."""
        if self.inspection_type == InspectionType.UPPER:
            who = self.upper_authority or self.get_upper_level_display()
            return f"{who}下达（{self.upper_task_no}）"
        if self.inspection_type == InspectionType.NON_RANDOM:
            reason = self.get_check_reason_display()
            return f"{reason}（{self.check_source}）" if self.check_source else reason
        return "本级随机抽取"

    @property
    def public_source_label(self) -> str:
        """任务来源 on the portal: as `source_label`, but a non-random check names only its reason (a 投诉举报编号
        stays internal: it could point at the person who complained)."""
        if self.inspection_type == InspectionType.NON_RANDOM:
            return self.get_check_reason_display()
        return self.source_label

    @property
    def organizations(self) -> list:
        """Lead department first, then the other departments whose items are merged in (联合抽查)."""
        orgs = [self.lead_organization]
        for item in self.items.select_related("organization"):
            if item.organization not in orgs:
                orgs.append(item.organization)
        return orgs

    # Draws sit a floor above plans (docs/architecture.md), so plans never imports them: it reaches them through
    # the reverse relation `draws`, and "live" (committed, drawn or locked) is defined once, by `Draw.objects.live()`.
    def has_live_draw(self) -> bool:
        """A live draw exists: the task can be neither changed nor drawn again until it is cancelled."""
        return self.draws.live().exists()

    @classmethod
    def live_draws(cls):
        """All live draws (for subqueries such as "tasks without a live draw")."""
        return cls._meta.get_field("draws").related_model.objects.live()


class TaskItem(models.Model):
    """A check item of a task. Joint tasks merge items of several departments: one visit checks all of them."""

    task = models.ForeignKey(Task, verbose_name="抽查任务", on_delete=models.CASCADE, related_name="items")
    organization = models.ForeignKey("accounts.Organization", verbose_name="负责部门", on_delete=models.PROTECT)
    item = models.ForeignKey(
        "directory.InspectionItem", verbose_name="抽查事项", on_delete=models.PROTECT, null=True, blank=True,
        help_text="从抽查事项清单选择；其他部门的事项可直接填写名称",
    )  # fmt: skip
    item_name = models.CharField("事项名称", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "任务抽查事项"
        verbose_name_plural = "任务抽查事项"
        ordering = ["task", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.item.name if self.item_id else self.item_name

    def clean(self):
        if not self.item_id and not self.item_name:
            raise ValidationError("请选择抽查事项或填写事项名称")


class TaskStratumRule(models.Model):
    """A per-stratum ratio that overrides the task default (e.g. D 类 100%、A 类 5%)."""

    task = models.ForeignKey(Task, verbose_name="抽查任务", on_delete=models.CASCADE, related_name="stratum_rules")
    stratum = models.CharField("分层", max_length=60)
    rate = models.DecimalField("抽查比例（%）", max_digits=7, decimal_places=4, validators=PERCENT_VALIDATORS)
    min_n = models.PositiveIntegerField("最少抽取数", default=0)
    max_n = models.PositiveIntegerField("最多抽取数", null=True, blank=True)
    certainty = models.BooleanField("全部检查", default=False, help_text="该层全部可抽对象都列为检查对象")
    source = models.CharField("依据", max_length=100, blank=True)

    class Meta:
        verbose_name = "分层抽查比例"
        verbose_name_plural = "分层抽查比例"
        ordering = ["task", "stratum"]
        constraints = [models.UniqueConstraint(fields=["task", "stratum"], name="task_stratum_unique")]

    def __str__(self) -> str:
        return f"{self.stratum}: {self.rate}%"

    def clean(self):
        if self.max_n is not None and self.max_n < self.min_n:
            raise ValidationError({"max_n": "最多抽取数不能小于最少抽取数"})
