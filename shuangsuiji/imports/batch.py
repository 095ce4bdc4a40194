"""The import batch (导入批次), as an abstract model: one uploaded file (or one API sync), validated (dry run),
then committed all-or-nothing or cancelled, with its errors, warnings, change report and evidence file.

The concrete model is `directory.ImportBatch` (table `directory_importbatch`), which adds the register choices
for `kind` and `target_model`. It stays in `directory` on purpose: moving a model between apps renames its
content type, its permissions (`directory.view_importbatch` is granted by roles) and the model label that
audit rows already carry in the hash chain, for no gain; this base keeps the fields in one place instead.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shuangsuiji.core.models import ScopedModel, TimeStampedModel

from .choices import ImportMode, ImportStatus


class ImportBatchBase(ScopedModel, TimeStampedModel):
    region_field = "region_code"

    kind = models.CharField("导入类型", max_length=10)  # the concrete model sets the registers' choices
    mode = models.CharField("导入方式", max_length=10, choices=ImportMode.choices)
    status = models.CharField("状态", max_length=10, choices=ImportStatus.choices)
    region_code = models.CharField("所属区划", max_length=12, blank=True, db_index=True)
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField("文件SHA-256", max_length=64)
    file_size = models.PositiveBigIntegerField("文件大小（字节）")
    stored_file = models.CharField("保存路径", max_length=300, blank=True)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    count_create = models.PositiveIntegerField("新增", default=0)
    count_update = models.PositiveIntegerField("更新", default=0)
    count_close = models.PositiveIntegerField("注销/停业", default=0)
    count_unchanged = models.PositiveIntegerField("无变化", default=0)
    count_error = models.PositiveIntegerField("错误", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)  # [[row, column, message], ...]
    warnings = models.JSONField("提示", default=list, blank=True)
    report = models.JSONField("变更报告", default=list, blank=True)
    payload = models.JSONField("校验通过的数据", default=dict, blank=True)  # {"fields": [...], "rows": [[...]]}
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, null=True, blank=True
    )
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        abstract = True
        verbose_name = "导入批次"
        verbose_name_plural = "导入记录"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}导入 #{self.pk} {self.file_name}"
