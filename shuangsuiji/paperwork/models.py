"""执法文书 numbering: each office's own 文号 rule, a per-(office, kind, year) counter, and the issued documents.

A number is taken once, under a row lock on the counter, and kept by the document it was issued for: printing
the same document again reprints the same number, and a number is never given to another document
(unique constraints on (office, kind, year, serial) and on (office, number)).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shuangsuiji.core.models import ScopedModel, TimeStampedModel

from .choices import DEFAULT_PATTERNS, DocKind


class NumberingRule(ScopedModel, TimeStampedModel):
    """An office's 文号 rule for one kind of document (configurable parts, official-formats §1.2)."""

    region_field = "organization__region"

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name="发文机关", on_delete=models.PROTECT, related_name="numbering_rules"
    )
    kind = models.CharField("文书种类", max_length=10, choices=DocKind.choices)
    prefix = models.CharField(
        "文号前缀", max_length=30, blank=True, help_text="地区简称＋卫＋执法类别＋执法性质，如“高卫公改”"
    )
    pattern = models.CharField(
        "编号格式", max_length=60, blank=True,
        help_text="可用 {前缀}、{年份}、{序号}，如“{前缀}〔{年份}〕{序号}号”",
    )  # fmt: skip
    width = models.PositiveSmallIntegerField("序号位数", default=3)
    title = models.CharField(
        "文书标题", max_length=40, blank=True, help_text="留空用默认标题，如省级文书名称不同时填写"
    )

    class Meta:
        verbose_name = "文号规则"
        verbose_name_plural = "文号规则"
        ordering = ["organization_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"], name="numbering_rule_unique",
                violation_error_message="该机关的此类文书已有文号规则",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.organization} {self.get_kind_display()}"

    def effective_pattern(self) -> str:
        return self.pattern or DEFAULT_PATTERNS[self.kind]


class DocumentCounter(models.Model):
    """The last serial issued per (office, kind, year); taken with SELECT … FOR UPDATE."""

    organization = models.ForeignKey("accounts.Organization", verbose_name="发文机关", on_delete=models.PROTECT,
                                     related_name="+")  # fmt: skip
    kind = models.CharField("文书种类", max_length=10, choices=DocKind.choices)
    year = models.PositiveSmallIntegerField("年份")
    last = models.PositiveIntegerField("已用最大序号", default=0)

    class Meta:
        verbose_name = "文号计数器"
        verbose_name_plural = "文号计数器"
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "year"], name="document_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.year}: {self.last}"


class IssuedDocument(ScopedModel):
    """One issued document and its number (never reused)."""

    region_field = "organization__region"

    organization = models.ForeignKey("accounts.Organization", verbose_name="发文机关", on_delete=models.PROTECT,
                                     related_name="issued_documents")  # fmt: skip
    kind = models.CharField("文书种类", max_length=10, choices=DocKind.choices)
    year = models.PositiveSmallIntegerField("年份")
    serial = models.PositiveIntegerField("序号")
    number = models.CharField("文号/编号", max_length=80)
    title = models.CharField("文书标题", max_length=40)
    result = models.ForeignKey("inspections.InspectionResult", verbose_name="检查结果", on_delete=models.PROTECT,
                               related_name="documents")  # fmt: skip
    case = models.ForeignKey("cases.FollowUpCase", verbose_name="后续处置", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="documents")  # fmt: skip
    issued_at = models.DateTimeField("发文时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发文人", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")  # fmt: skip

    class Meta:
        verbose_name = "执法文书"
        verbose_name_plural = "执法文书"
        ordering = ["organization_id", "kind", "year", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "year", "serial"], name="issued_document_serial",
                                    violation_error_message="该序号已使用，文号不得重复"),
            models.UniqueConstraint(fields=["organization", "number"], name="issued_document_number",
                                    violation_error_message="该文号已使用，文号不得重复"),
            models.UniqueConstraint(fields=["kind", "result"], condition=Q(case__isnull=True),
                                    name="issued_document_one_per_result"),
            models.UniqueConstraint(fields=["kind", "case"], condition=Q(case__isnull=False),
                                    name="issued_document_one_per_case"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.title} {self.number}"

    def print_summary(self) -> dict | None:
        """For the documents page (prints prefetched): how often printed, the latest print, and whether the
        content changed between prints."""
        prints = sorted(self.prints.all(), key=lambda p: (p.printed_at, p.pk))
        if not prints:
            return None
        return {"count": len(prints), "latest": prints[-1],
                "changed": len({p.content_sha256 for p in prints}) > 1}  # fmt: skip


class OutboundDelivery(models.Model):
    """One record pushed (or to be pushed) to the provincial platform; the idempotency key makes a retry safe."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "发送失败（待重试）"

    result = models.ForeignKey("inspections.InspectionResult", verbose_name="检查结果", on_delete=models.PROTECT,
                               related_name="deliveries")  # fmt: skip
    version = models.PositiveIntegerField("结果版本")
    channel = models.CharField("通道", max_length=20)
    key = models.CharField("幂等键", max_length=64, unique=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "上报记录"
        verbose_name_plural = "上报记录"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.result_id} v{self.version} {self.get_status_display()}"


def print_path(instance, filename: str) -> str:
    return f"paperwork/prints/{instance.file_sha256[:2]}/{instance.file_sha256}.{instance.fmt}"


class DocumentPrint(models.Model):
    """印发存档: every time a numbered document is printed, the file handed out is kept with its SHA-256 and the
    hash of its content, so the office can always show what a unit received under a 文号 — and the documents
    page shows when a reprint differs from the earlier print (the result was corrected meanwhile)."""

    document = models.ForeignKey(IssuedDocument, verbose_name="执法文书", on_delete=models.PROTECT,
                                 related_name="prints")  # fmt: skip
    fmt = models.CharField("格式", max_length=5, choices=[("pdf", "PDF"), ("docx", "Word")])
    content_sha256 = models.CharField("文书内容 SHA-256", max_length=64)
    file = models.FileField("存档文件", upload_to=print_path, max_length=300)
    file_sha256 = models.CharField("文件 SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("字节数")
    in_batch = models.BooleanField("批量生成", default=False)
    printed_at = models.DateTimeField("打印时间")
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="打印人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")  # fmt: skip

    class Meta:
        verbose_name = "文书印发存档"
        verbose_name_plural = "文书印发存档"
        ordering = ["document", "printed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.document} {self.printed_at:%Y-%m-%d %H:%M}"
