"""检查结果: one InspectionResult per active drawn target, its checklist answers, signatures,
attachments and corrections (更正).

* A result starts as PENDING (未检查) — never a default of "未发现问题" (research-platforms (c)).
* The assigned inspectors enter it (DRAFT); each signs with their own login (ResultSignature); the
  second signature submits it (SUBMITTED); an approver publishes it (PUBLISHED).
* A published result is immutable; a correction (ResultCorrection) keeps the previous version.
* `unit_name` / `unit_code` are copied at publication so the public search is indexable.
Writes go through services.py.
"""

from pathlib import PurePath

from django.conf import settings
from django.db import models

from shuangsuiji.core.concurrency import Versioned
from shuangsuiji.core.formats import local_date, local_datetime
from shuangsuiji.core.models import ScopedModel, TimeStampedModel

from .choices import (
    AnswerValue,
    Disposal,
    QuestionKind,
    ResultCategory,
    ResultStatus,
)


class ChecklistTemplate(ScopedModel, TimeStampedModel, Versioned):
    """检查表: base questions (item empty = 通用检查表) or questions for one 抽查事项.

    A template applies to results whose region code starts with the template's region code
    (a 淄博市 template applies to both counties). An item's template follows the item's lineage
    (`InspectionItem.lineage()`: every version and every lower-level claim of the same 事项), so a new
    version or a county's claimed copy keeps its 检查表.
    """

    region_field = "region"

    name = models.CharField("检查表名称", max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name="适用区划", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        "directory.InspectionItem", verbose_name="抽查事项", on_delete=models.PROTECT, null=True, blank=True,
        related_name="checklists", help_text="留空表示通用检查表（所有任务都使用）",
    )  # fmt: skip
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "检查表"
        verbose_name_plural = "检查表"
        ordering = ["region__code", "item_id", "name"]

    def __str__(self) -> str:
        return self.name


class ChecklistQuestion(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name="检查表", on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    text = models.CharField("检查内容", max_length=300)
    kind = models.CharField("类型", max_length=8, choices=QuestionKind.choices, default=QuestionKind.CHECK)
    basis = models.CharField("依据", max_length=300, blank=True, help_text="法律、法规、规章或标准的条款")
    key_point = models.BooleanField("重点", default=False, help_text="重点检查内容")
    required = models.BooleanField("必答", default=True)

    class Meta:
        verbose_name = "检查内容"
        verbose_name_plural = "检查内容"
        ordering = ["template", "order", "id"]

    def __str__(self) -> str:
        return self.text


class InspectionResult(ScopedModel, TimeStampedModel, Versioned):
    """抽查检查结果 of one drawn target."""

    region_field = "region"

    target = models.OneToOneField(
        "draws.DrawTarget", verbose_name="抽取对象", on_delete=models.PROTECT, related_name="result"
    )
    unit = models.ForeignKey(
        "directory.RegulatedUnit", verbose_name="检查对象", on_delete=models.PROTECT, related_name="results"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    draw = models.ForeignKey("draws.Draw", verbose_name="抽取", on_delete=models.PROTECT, related_name="results")
    status = models.CharField(
        "状态", max_length=10, choices=ResultStatus.choices, default=ResultStatus.PENDING, db_index=True
    )
    category = models.CharField("抽查结果", max_length=2, choices=ResultCategory.choices, blank=True)
    problem_reasons = models.JSONField(
        "问题类别", default=list, blank=True, help_text="“发现问题待后续处理”的具体情形，可多选"
    )
    methods = models.JSONField("核查方式", default=list, blank=True)
    checked_on = models.DateField("检查日期", null=True, blank=True)
    findings = models.TextField("发现问题情况", blank=True)
    is_problem = models.BooleanField("发现问题", default=False)
    disposal = models.CharField("处置情况", max_length=10, choices=Disposal.choices, blank=True)
    disposal_note = models.TextField("处置说明", blank=True)
    publish_due = models.DateField("应公示日期", null=True, blank=True)
    publish_due_error = models.CharField(
        "期限计算问题", max_length=300, blank=True, help_text="工作日历未覆盖时记录原因，维护后重新计算"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    entered_at = models.DateTimeField("录入时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="公示人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    # Denormalised at publication (public search on 1M rows).
    unit_name = models.CharField("单位名称", max_length=200, blank=True, db_index=True)
    unit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    version = models.PositiveIntegerField("版本", default=1, help_text="每次更正 +1")
    corrected_at = models.DateTimeField("最近更正时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        ordering = ["-checked_on", "-id"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="result_status_published"),
            models.Index(fields=["status", "publish_due"], name="result_status_due"),
            models.Index(fields=["region", "status"], name="result_region_status"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name or self.target.unit_name} 检查结果"

    @property
    def display_name(self) -> str:
        return self.unit_name or self.target.unit_name

    @property
    def display_code(self) -> str:
        return self.unit_code or self.target.unit_code

    @property
    def is_published(self) -> bool:
        return self.status == ResultStatus.PUBLISHED

    @property
    def deadline_text(self) -> str:
        if self.publish_due_error:
            return f"期限无法计算：{self.publish_due_error}"
        return local_date(self.publish_due) if self.publish_due else ""


class ChecklistAnswer(models.Model):
    """One answered question; texts are copied so later template edits never rewrite a record."""

    result = models.ForeignKey(
        InspectionResult, verbose_name="检查结果", on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        ChecklistQuestion, verbose_name="检查内容", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    section = models.CharField("所属检查表/事项", max_length=200)
    text = models.CharField("检查内容", max_length=300)
    kind = models.CharField("类型", max_length=8, choices=QuestionKind.choices, default=QuestionKind.CHECK)
    basis = models.CharField("依据", max_length=300, blank=True)
    key_point = models.BooleanField("重点", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)
    value = models.CharField("检查情况", max_length=4, choices=AnswerValue.choices, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "检查表答复"
        verbose_name_plural = "检查表答复"
        ordering = ["result", "order", "id"]

    def __str__(self) -> str:
        return f"{self.text}: {self.get_value_display() or self.note}"


class ResultSignature(models.Model):
    """执法人员签名确认: an assigned inspector confirms the content with their own login, or (纸质签名) a 内勤
    records the officer's signature on the paper 现场检查记录 with its scan; `user` is the login that recorded it."""

    class Method(models.TextChoices):
        ONLINE = "online", "本人网上签名"
        PAPER = "paper", "纸质签名（内勤录入扫描件）"

    result = models.ForeignKey(
        InspectionResult, verbose_name="检查结果", on_delete=models.CASCADE, related_name="signatures"
    )
    inspector = models.ForeignKey(
        "directory.Inspector", verbose_name="执法人员", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登录账号", on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField("签名时间")
    content_hash = models.CharField("签名内容 SHA-256", max_length=64)
    method = models.CharField("签名方式", max_length=10, choices=Method.choices, default=Method.ONLINE)
    signed_on = models.DateField("纸质签名日期", null=True, blank=True)
    scan = models.ForeignKey(
        "ResultAttachment", verbose_name="签名扫描件", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "签名确认"
        verbose_name_plural = "签名确认"
        ordering = ["result", "signed_at"]
        constraints = [models.UniqueConstraint(fields=["result", "inspector"], name="signature_once_per_inspector")]

    def __str__(self) -> str:
        return f"{self.inspector.name} {local_datetime(self.signed_at)}"


def attachment_path(instance, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    return f"inspections/{instance.result_id}/{instance.sha256[:16]}{suffix}"


class ResultAttachment(models.Model):
    """附件 (检查笔录、照片、意见书…), stored under MEDIA_ROOT, downloaded only through a permission check."""

    result = models.ForeignKey(
        InspectionResult, verbose_name="检查结果", on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("字节数")
    sha256 = models.CharField("SHA-256", max_length=64)
    description = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查附件"
        verbose_name_plural = "检查附件"
        ordering = ["result", "id"]

    def __str__(self) -> str:
        return self.original_name


class ResultCorrection(models.Model):
    """更正: a reasoned change of a published result; `before` keeps the previous version in full."""

    result = models.ForeignKey(
        InspectionResult, verbose_name="检查结果", on_delete=models.PROTECT, related_name="corrections"
    )
    version = models.PositiveIntegerField("更正后版本")
    reason = models.TextField("更正理由")
    before = models.JSONField("更正前内容")
    after = models.JSONField("更正后内容")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="更正人", on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField("更正时间")

    class Meta:
        verbose_name = "结果更正"
        verbose_name_plural = "结果更正"
        ordering = ["result", "version"]
        constraints = [models.UniqueConstraint(fields=["result", "version"], name="correction_version_unique")]

    def __str__(self) -> str:
        return f"{self.result} 第{self.version}版更正"
