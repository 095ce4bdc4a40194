"""Enumerations of follow-up cases (后续处置, research-regulatory §1.9, §2.2)."""

from django.db import models


class CaseKind(models.TextChoices):
    RECTIFY = "rectify", "责令整改"
    PENALTY = "penalty", "立案处罚"
    TRANSFER = "transfer", "移送"
    NOTIFY = "notify", "抄告"


class CaseStatus(models.TextChoices):
    OPEN = "open", "未完结"
    CLOSED = "closed", "已完结"


class RecheckResult(models.TextChoices):
    RECTIFIED = "rectified", "已整改到位"
    NOT_RECTIFIED = "not_rectified", "逾期未整改"
    PARTLY = "partly", "部分整改"


class ReceiverKind(models.TextChoices):
    DEPARTMENT = "department", "其他行政部门"
    JUDICIARY = "judiciary", "司法机关"
    CASE_UNIT = "case_unit", "本系统办案机构"
