"""后续处置: follow-up of a problem found in a check (research-regulatory §1.9, §2.2).

* 责令整改 (rectify): deadline, then 复查 (recheck_on + recheck_result).
* 立案处罚 (penalty): case number, decision, amount, decision date → publication due within
  7 working days (`publish_due`), published_at once published.
* 移送 / 抄告 (transfer / notify): receiving organisation and date.
Writes go through services.py; outcomes feed the unit's history and credit inputs.
"""

from django.conf import settings
from django.db import models

from shuangsuiji.core.concurrency import Versioned
from shuangsuiji.core.formats import local_date
from shuangsuiji.core.models import ScopedModel, TimeStampedModel

from .choices import CaseKind, CaseStatus, ReceiverKind, RecheckResult


class FollowUpCase(ScopedModel, TimeStampedModel, Versioned):
    region_field = "region"

    result = models.ForeignKey(
        "inspections.InspectionResult", verbose_name="检查结果", on_delete=models.PROTECT, related_name="cases"
    )
    unit = models.ForeignKey(
        "directory.RegulatedUnit", verbose_name="检查对象", on_delete=models.PROTECT, related_name="followup_cases"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("处置方式", max_length=10, choices=CaseKind.choices)
    status = models.CharField("状态", max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True)
    description = models.TextField("处置内容", blank=True, help_text="如卫生监督意见书的整改要求")
    document_no = models.CharField("文书编号", max_length=100, blank=True, help_text="如卫生监督意见书编号")
    # 责令整改 + 复查
    deadline = models.DateField("整改期限", null=True, blank=True)
    recheck_on = models.DateField("复查日期", null=True, blank=True)
    recheck_result = models.CharField("复查结果", max_length=14, choices=RecheckResult.choices, blank=True)
    recheck_note = models.TextField("复查情况", blank=True)
    # 立案处罚
    case_no = models.CharField("案件编号", max_length=100, blank=True)
    decision = models.TextField("处罚决定", blank=True, help_text="处罚决定书文号及主要内容")
    penalty_amount = models.DecimalField("罚款金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    publish_due = models.DateField("应公示日期", null=True, blank=True)
    publish_due_error = models.CharField("期限计算问题", max_length=300, blank=True)
    published_at = models.DateTimeField("处罚信息公示时间", null=True, blank=True)
    publicity_until = models.DateField("公示截止日期", null=True, blank=True, help_text="公示期满后撤下，撤下记录留存")
    withdrawn_at = models.DateTimeField("撤下公示时间", null=True, blank=True)
    # 移送 / 抄告
    receiver = models.CharField("接收单位", max_length=200, blank=True)
    receiver_kind = models.CharField("接收单位类别", max_length=10, choices=ReceiverKind.choices, blank=True)
    sent_on = models.DateField("移送/抄告日期", null=True, blank=True)
    receipt_on = models.DateField("回执日期", null=True, blank=True, help_text="接收单位签收移送材料的日期")
    feedback_due = models.DateField("反馈期限", null=True, blank=True)
    feedback_on = models.DateField("反馈日期", null=True, blank=True)
    feedback_note = models.TextField("反馈情况", blank=True)
    closed_on = models.DateField("完结日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "后续处置"
        verbose_name_plural = "后续处置"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "status", "deadline"], name="case_kind_status_deadline"),
            models.Index(fields=["kind", "publish_due"], name="case_kind_publish_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.unit.name}"

    @property
    def deadline_text(self) -> str:
        if self.publish_due_error:
            return f"期限无法计算：{self.publish_due_error}"
        return local_date(self.publish_due) if self.publish_due else ""


class RiskProposal(ScopedModel, TimeStampedModel):
    """A penalty proposes a worse credit-risk class for the unit; a reviewer accepts or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        ACCEPTED = "accepted", "已采纳"
        REJECTED = "rejected", "未采纳"

    region_field = "region"

    case = models.OneToOneField(FollowUpCase, verbose_name="立案处罚", on_delete=models.PROTECT,
                                related_name="risk_proposal")  # fmt: skip
    unit = models.ForeignKey("directory.RegulatedUnit", verbose_name="检查对象", on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    current_level = models.CharField("原分类", max_length=1, blank=True)
    proposed_level = models.CharField("建议分类", max_length=1)
    reason = models.CharField("理由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")  # fmt: skip
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "信用风险分类调整建议"
        verbose_name_plural = "信用风险分类调整建议"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.current_level or '未分类'}→{self.proposed_level}"


class ResultObjection(ScopedModel, TimeStampedModel):
    """异议: a unit objects to a published result on the portal; staff answer it, through a 更正 if it holds."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        CORRECTED = "corrected", "已更正"
        REJECTED = "rejected", "不予更正"

    region_field = "region"

    result = models.ForeignKey("inspections.InspectionResult", verbose_name="检查结果", on_delete=models.PROTECT,
                               related_name="objections")  # fmt: skip
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=30)
    reason = models.TextField("异议内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    answer = models.TextField("处理意见", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")  # fmt: skip
    answered_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "结果异议"
        verbose_name_plural = "结果异议"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.result_id} {self.get_status_display()}"
