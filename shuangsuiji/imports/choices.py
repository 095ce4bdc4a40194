"""Enumerations every import shares (the register-specific `ImportKind` lives with the registers)."""

from django.db import models


class ImportMode(models.TextChoices):
    CREATE = "create", "新增导入"
    UPDATE = "update", "更新导入（审管联动）"


class ImportStatus(models.TextChoices):
    INVALID = "invalid", "校验未通过"
    READY = "ready", "待确认"
    COMMITTED = "committed", "已导入"
    CANCELLED = "cancelled", "已取消"
