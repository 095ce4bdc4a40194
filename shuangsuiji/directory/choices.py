"""Enumerations of 一单两库 (research-regulatory §2.3–2.5)."""

from django.db import models

from shuangsuiji.imports.choices import ImportMode, ImportStatus  # noqa: F401  (re-exported: batch fields, forms)


class UnitStatus(models.TextChoices):
    ACTIVE = "active", "在营"
    SUSPENDED = "suspended", "停业"
    CLOSED = "closed", "注销"
    REVOKED = "revoked", "吊销"
    MOVED = "moved", "迁出"


# Statuses that take a unit out of the draw pool (审管联动 "closes" it).
CLOSED_STATUSES = frozenset({UnitStatus.SUSPENDED, UnitStatus.CLOSED, UnitStatus.REVOKED, UnitStatus.MOVED})


class RiskLevel(models.TextChoices):
    A = "A", "A 信用风险低"
    B = "B", "B 信用风险一般"
    C = "C", "C 信用风险较高"
    D = "D", "D 信用风险高"


class ItemCategory(models.TextChoices):
    GENERAL = "general", "一般检查事项"
    KEY = "key", "重点检查事项"


class ItemLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被新版本替代"


class ExpertKind(models.TextChoices):
    EXPERT = "expert", "专家"
    AGENCY = "agency", "第三方机构"


class ConflictRelation(models.TextChoices):
    RELATIVE = "relative", "近亲属在该单位任职或持股"
    FORMER_EMPLOYEE = "former_employee", "曾在该单位任职"
    INTEREST = "interest", "存在经济利益关系"
    PRIOR_CASE = "prior_case", "曾办理该单位案件存在利害关系"
    OTHER = "other", "其他可能影响公正的关系"


class ImportKind(models.TextChoices):
    UNIT = "unit", "检查对象"
    INSPECTOR = "inspector", "执法检查人员"
    ITEM = "item", "抽查事项"
    EXPERT = "expert", "专家/第三方机构"
