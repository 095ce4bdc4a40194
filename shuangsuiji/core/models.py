"""Framework models: the hash-chained audit trail and the editable working-day calendar."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .formats import local_date, local_datetime
from .querysets import RestrictedQuerySet

GENESIS_HASH = "0" * 64


class ScopedModel(models.Model):
    """Base for domain models whose rows belong to a region.

    `region_field` names the path to a Region (e.g. "region" or "organization__region");
    `RestrictedQuerySet.restrict()` filters by the user's region code prefix through it.
    """

    region_field: str | None = None

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class ObjectChange(models.Model):
    """审计日志: one append-only, hash-chained row per create/update/delete or workflow action.

    `hash = SHA-256(prev_hash ‖ canonical JSON of this row's content)`; see core/audit.py.
    Rows are never updated or deleted by the application; a database trigger refuses updates
    (and deletes on PostgreSQL), and `manage.py audit_verify` detects any tampering that bypasses it.
    """

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        WORKFLOW = "workflow", "流程操作"
        LOGIN = "login", "登录"
        LOGOUT = "logout", "退出"
        LOGIN_FAILED = "login_failed", "登录失败"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"

    region_field = "region_code"

    time = models.DateTimeField("时间", default=timezone.now, db_index=True)
    user_id = models.BigIntegerField("用户ID", null=True, blank=True)
    user_name = models.CharField("用户", max_length=150, blank=True)
    request_id = models.CharField("请求ID", max_length=36, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    region_code = models.CharField("所属区划", max_length=12, blank=True)
    message = models.TextField("说明", blank=True)
    prechange_data = models.JSONField("修改前", null=True, blank=True)
    postchange_data = models.JSONField("修改后", null=True, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("本条哈希", max_length=64)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        default_permissions = ("view",)
        # Only the indexes the reads use: every one is paid on each of an import's 100,000 audit rows. A history
        # page asks (object_type, object_id); region scope is a prefix match (`region_code LIKE '3703%'`, so the
        # pattern operator class on PostgreSQL, which serves equality too); the 请求ID filter is equality; chain
        # reads go by id. The hash has no index (migration 0007): nothing looks a row up by it, a unique index could
        # not stop a fork anyway (two rows on one prev_hash differ in content, so in hash), and its random keys made
        # it the costliest index of all. (A field's db_index adds a second, LIKE-only copy on PostgreSQL; 0006
        # drops those.)
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["region_code"], name="audit_region_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["request_id"], name="audit_request_idx"),
        ]

    def __str__(self) -> str:
        when = local_datetime(self.time, seconds=True)
        return f"{when} {self.user_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("审计日志只能追加，不能删除")

    @property
    def object_type_label(self) -> str:
        from .selectors import object_type_label

        return object_type_label(self.object_type)


class HolidayOverride(models.Model):
    """节假日/调休维护: a date whose working status differs from the default rule.

    Takes precedence over the chinesecalendar package. For a year the package does not cover,
    an admin enters the State Council schedule here and then marks the year as maintained
    (`CalendarYear`); until then deadlines in that year raise a clear error.
    """

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选=调休上班日；不勾选=放假日")
    name = models.CharField("名称", max_length=50, blank=True, help_text="如：春节、国庆节调休上班")
    note = models.CharField("备注", max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        day = local_date(self.date) if isinstance(self.date, dt.date) else self.date
        return f"{day} {'上班' if self.is_workday else '放假'} {self.name}"


class CalendarYear(models.Model):
    """已维护年度: a year whose holiday schedule an admin has entered in full in HolidayOverride."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("依据", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT, null=True, blank=True
    )
    confirmed_at = models.DateTimeField("确认时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "已维护年度"
        verbose_name_plural = "已维护年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarProposal(ScopedModel):
    """节假日调整建议: the calendar is national data, so a county or city administrator proposes a change (with its
    reason and source) and a province-level administrator accepts it (which applies it) or rejects it."""

    class Kind(models.TextChoices):
        SET_DAY = "set_day", "新增/修改一天"
        DELETE_DAY = "delete_day", "删除一天的调整"
        CONFIRM_YEAR = "confirm_year", "确认年度已维护"

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        ACCEPTED = "accepted", "已采纳"
        REJECTED = "rejected", "未采纳"

    region_field = "region_code"

    kind = models.CharField("建议类型", max_length=20, choices=Kind.choices)
    date = models.DateField("日期", null=True, blank=True)
    is_workday = models.BooleanField("调休上班日", default=False)
    name = models.CharField("名称", max_length=50, blank=True)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    source = models.CharField("依据", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    reason = models.CharField("理由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    region_code = models.CharField("提出单位区划", max_length=12, blank=True, db_index=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    proposed_at = models.DateTimeField("提出时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "节假日调整建议"
        verbose_name_plural = "节假日调整建议"
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        day = local_date(self.date) if isinstance(self.date, dt.date) else f"{self.date}"
        target = f"{self.year}年" if self.kind == self.Kind.CONFIRM_YEAR else day
        return f"{self.get_kind_display()}：{target}"

    @property
    def summary(self) -> str:
        if self.kind == self.Kind.SET_DAY:
            label = f"（{self.name}）" if self.name else ""
            return f"{local_date(self.date)} 设为{'上班' if self.is_workday else '放假'}{label}"
        if self.kind == self.Kind.DELETE_DAY:
            return f"删除 {local_date(self.date)} 的调整"
        return f"确认 {self.year} 年节假日安排已维护"


class BackgroundJob(ScopedModel):
    """后台任务: one piece of background work a user started (import, export, pool freeze, verification ...).

    The work itself runs in a task worker (`manage.py db_worker`, django.tasks with the database backend);
    this row is what the user sees on “我的任务”: progress, outcome, the result link or file, the error in
    Chinese. Each run of the job is one django.tasks result (`task_result_id`, the latest); `attempt` counts
    runs, and only the latest run may record an outcome (see core/jobs.py).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    region_field = "region_code"

    id = models.UUIDField("任务编号", primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("任务类型", max_length=60, db_index=True)
    title = models.CharField("任务名称", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    owner_name = models.CharField("发起人姓名", max_length=150, blank=True)
    region_code = models.CharField("所属区划", max_length=12, blank=True, db_index=True)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    phase = models.CharField("当前步骤", max_length=100, blank=True)
    done = models.PositiveBigIntegerField("已处理", default=0)
    total = models.PositiveBigIntegerField("总数", default=0)
    unit = models.CharField("计数单位", max_length=10, default="行")
    result = models.JSONField("结果", default=dict, blank=True)
    result_url = models.CharField("结果链接", max_length=300, blank=True)
    file_name = models.CharField("结果文件名", max_length=255, blank=True)
    stored_file = models.CharField("结果文件", max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField("文件大小", default=0)
    file_sha256 = models.CharField("文件SHA-256", max_length=64, blank=True)
    error = models.TextField("错误信息", blank=True)
    attempt = models.PositiveIntegerField("运行次数", default=0)
    task_result_id = models.CharField("任务队列记录", max_length=64, blank=True)
    worker = models.CharField("执行进程", max_length=200, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        default_permissions = ("view", "manage")
        indexes = [models.Index(fields=["owner", "-created_at"], name="core_job_owner_created_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:job_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
