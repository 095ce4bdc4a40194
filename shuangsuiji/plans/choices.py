"""Enumerations and workflow transition maps of 年度抽查工作计划 and 抽查任务 (research-regulatory §1.4, §2.4)."""

from dataclasses import dataclass

from django.db import models


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已审核待公布"
    PUBLISHED = "published", "已公布"


@dataclass(frozen=True)
class Transition:
    label: str  # button text
    sources: frozenset
    target: str
    perm_action: str  # "<app>.<action>_annualplan"
    needs_text: str = ""  # "" | "reason" (修订理由) | "opinion" (退回意见)
    confirm: str = ""  # the question asked before the button acts (every step changes who can do what next)


# The only ways a plan's status changes (no django-fsm; services check this map).
PLAN_TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        "提交审核",
        frozenset({PlanStatus.DRAFT}),
        PlanStatus.SUBMITTED,
        "change",
        confirm="提交后计划和任务不能再修改，直到审核人退回。确定提交审核？",
    ),
    "return": Transition(
        "退回修改",
        frozenset({PlanStatus.SUBMITTED, PlanStatus.APPROVED}),
        PlanStatus.DRAFT,
        "approve",
        "opinion",
        confirm="确定退回修改？",
    ),
    "approve": Transition(
        "审核通过", frozenset({PlanStatus.SUBMITTED}), PlanStatus.APPROVED, "approve", confirm="确定审核通过？"
    ),
    "publish": Transition(
        "公布计划",
        frozenset({PlanStatus.APPROVED}),
        PlanStatus.PUBLISHED,
        "publish",
        confirm="公布后计划向社会公开，修改只能通过“调整计划”另出新版。确定公布？",
    ),
    "revise": Transition(
        "调整计划",
        frozenset({PlanStatus.PUBLISHED}),
        PlanStatus.DRAFT,
        "publish",
        "reason",
        confirm="调整后计划回到草稿，须重新审核、公布，已公布的版本保留。确定调整？",
    ),
}


class TaskKind(models.TextChoices):
    SINGLE = "single", "本部门抽查"
    JOINT = "joint", "跨部门联合抽查"


class InspectionType(models.TextChoices):
    """检查类型 (issue #15 point 1), beside `TaskKind` (one department or joint)."""

    DAILY_RANDOM = "daily", "日常监督随机抽查"
    KEY = "key", "重点/专项监督"
    UPPER = "upper", "上级下达"
    NON_RANDOM = "nonrandom", "非随机检查"


# Drawn on this platform (a published commitment and a verifiable draw).
DRAWN_HERE = (InspectionType.DAILY_RANDOM, InspectionType.KEY)
# Random checks (the upper level drew the units of an 上级下达 task); 非随机检查 never counts as random.
RANDOM_TYPES = (InspectionType.DAILY_RANDOM, InspectionType.KEY, InspectionType.UPPER)


class UpperLevel(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"


class NonRandomReason(models.TextChoices):
    COMPLAINT = "complaint", "投诉举报"
    REFERRAL = "referral", "转办交办"
    SUPERVISED = "supervised", "上级督办"


class StratifyBy(models.TextChoices):
    NONE = "none", "不分层（整体抽取）"
    RISK = "risk", "按信用风险分类分层"
    LINE = "line", "按专业类别分层"
    LINE_RISK = "line_risk", "按专业类别×信用风险分类分层"
    REGION = "region", "按所属区划分层"


class RegionRule(models.TextChoices):
    ANY = "any", "不限"
    SAME = "same", "本区划人员检查本区划对象"
    DIFFERENT = "different", "跨区交叉检查"


class RatioSource(models.TextChoices):
    GAOQING = "gaoqing", "高青县工作指引比例表（按单位总数）"
    RISK = "risk", "按信用风险分类比例（A≤5%、B 5–20%、C 21–60%、D 61–100%）"


UNRATED = "U"  # stratum code part for units without a credit-risk class
ALL_STRATUM = "ALL"


# --- Targeting the draw (issue #15 point 2): weighted (pivotal) selection -----------------------------------

KEY_UNIT_TAG = "重点单位"  # the unit tag that marks a 重点单位 (directory Tag name)


class WeightFormula(models.TextChoices):
    """The named weight formulas a task may choose; their weights are the data in WEIGHT_FORMULAS."""

    EQUAL = "equal", "等概率（每户被抽中的机会相同）"
    FLAGGED_2 = "flag2", "一般单位 1；有投诉举报或违法记录 2"
    FLAGGED_2_KEY_3 = "flag2key3", "一般单位 1；有投诉举报或违法记录 2；重点单位 3"
    FLAGGED_3_KEY_3 = "flag3key3", "一般单位 1；有投诉举报或违法记录 3；重点单位 3"


@dataclass(frozen=True)
class Weights:
    """Weights of the three kinds of unit (a unit of several kinds takes the highest); None = not used."""

    general: int
    flagged: int | None = None  # 有投诉举报（投诉举报次数 > 0）或近 N 年有违法记录
    key: int | None = None  # 带“重点单位”标签

    @property
    def weighted(self) -> bool:
        return any(w not in (None, self.general) for w in (self.flagged, self.key))


WEIGHT_FORMULAS: dict[str, Weights] = {
    WeightFormula.EQUAL: Weights(general=1),
    WeightFormula.FLAGGED_2: Weights(general=1, flagged=2),
    WeightFormula.FLAGGED_2_KEY_3: Weights(general=1, flagged=2, key=3),
    WeightFormula.FLAGGED_3_KEY_3: Weights(general=1, flagged=3, key=3),
}


class YearlyCapAction(models.TextChoices):
    EXCLUDE = "exclude", "不参加本次抽取（号池中注明原因）"
    WARN = "warn", "仍参加抽取，仅提示"
