"""Enumerations of inspection results (research-regulatory §2.1, §2.2, BR-33) and the result workflow."""

from django.db import models


class ResultStatus(models.TextChoices):
    PENDING = "pending", "未检查"
    DRAFT = "draft", "录入中"
    SUBMITTED = "submitted", "已提交"
    PUBLISHED = "published", "已公示"


class ResultCategory(models.TextChoices):
    """抽查检查结果 as used by 国家企业信用信息公示系统 (§2.1(a)); the codes are that system's own."""

    NO_PROBLEM = "1", "未发现问题"
    PROBLEM_PENDING = "A", "发现问题待后续处理"
    CORRECTED = "E", "发现问题已责令改正"
    NO_ACTIVITY = "F", "未发现开展本次抽查涉及的经营活动"
    CLOSED = "7", "已关闭停业或正在组织清算"
    UNCOOPERATIVE = "8", "不配合检查情节严重"
    DEREGISTERED = "9", "注销"
    REVOKED_LICENCE = "10", "被吊销"
    REVOKED_REGISTRATION = "11", "被撤销"
    MOVED_OUT = "12", "迁出"


PROBLEM_CATEGORIES = frozenset({ResultCategory.PROBLEM_PENDING, ResultCategory.CORRECTED, ResultCategory.UNCOOPERATIVE})


class ProblemReason(models.TextChoices):
    """Sub-reasons of 'A 发现问题待后续处理' (multi-select, §2.1(a)); H is this platform's health extension."""

    HEALTH = "H", "违反卫生健康管理相关规定"
    MARKET = "2", "违反工商（市场监管）行政管理相关规定"
    NOT_DISCLOSED = "B", "未按规定公示应当公示的信息"
    FALSE_DISCLOSURE = "C", "公示信息隐瞒真实情况、弄虚作假"
    UNREACHABLE = "6", "通过登记的住所（经营场所）无法联系"
    OTHER_MARKET = "D", "违反其他工商行政管理规定行为"
    FOOD_DRUG = "3", "违反食品药品管理相关规定"
    QUALITY = "4", "违反质量技术监督相关规定"
    OTHER_DEPT = "5", "违反其他部门相关规定"
    POLICE = "G", "违反公安部门相关规定"


class Disposal(models.TextChoices):
    """卫生健康系统内部处置 (§2.1(c) proposal, §2.2)."""

    NONE = "none", "无需处置"
    OPINION = "opinion", "下达卫生监督意见书（责令整改）"
    CASE = "case", "立案查处"
    TRANSFER = "transfer", "移送"
    NOTIFY = "notify", "抄告"


class CheckMethod(models.TextChoices):
    """核查方式 (BR-33)."""

    ONSITE = "onsite", "实地检查"
    DOCUMENT = "document", "书面检查"
    TESTING = "testing", "检验检测"
    ONLINE = "online", "网络监测"
    EXPERT = "expert", "委托专业机构辅助"


class AnswerValue(models.TextChoices):
    YES = "yes", "符合"
    NO = "no", "不符合"
    NA = "na", "不适用"


class QuestionKind(models.TextChoices):
    CHECK = "check", "符合/不符合"
    TEXT = "text", "文字记录"


# Statuses in which the assigned inspectors may still edit the content.
EDITABLE_STATUSES = frozenset({ResultStatus.PENDING, ResultStatus.DRAFT})
# action -> (sources, target)
RESULT_TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "save": (EDITABLE_STATUSES, ResultStatus.DRAFT),
    "submit": (frozenset({ResultStatus.DRAFT}), ResultStatus.SUBMITTED),  # by the 2nd signature
    "return": (frozenset({ResultStatus.SUBMITTED}), ResultStatus.DRAFT),
    "publish": (frozenset({ResultStatus.SUBMITTED}), ResultStatus.PUBLISHED),
}
