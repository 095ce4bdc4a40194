"""随机抽取: a Draw of one task, from the published commitment to the locked, public result.

* Draw — one attempt of a task (task, attempt). At most one non-cancelled draw per task
  (partial unique constraint) and the service locks the task row, so concurrent clicks
  cannot produce two draws.
* DrawFile — the canonical bytes (pool snapshot, roster, commitment, manifest), byte-exact, in Django
  file storage (content-addressed, written once, SHA-256 checked on every read; see files.py).
* DrawPoolEntry — one row per pool unit (stratum, exclusion reason), written when the draw runs, so the
  public self-check finds a unit through an index instead of reading the pool file.
* PublicSource — each announced public random source (lottery issue, drand round, witness
  commitment) and, later, its value.
* DrawTarget / InspectorAssignment — the result: selected units and substitutes in fairdraw's
  order, and each unit's inspector group.
* TargetChange — a recorded, reasoned substitution or cancellation after the draw (public).
* DrawWitness — 监督人 of a task's draw: invited before T0, commits / reveals a secret and confirms the
  locked record with their own login, or recorded by the clerk from paper (no account).
"""

import re
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q

from shuangsuiji.core.models import ScopedModel, TimeStampedModel
from shuangsuiji.core.querysets import RestrictedQuerySet

from . import files
from .choices import (
    HASH_EXPLANATIONS,
    HASH_NAMES,
    LIVE_STATUSES,
    PUBLIC_CHANGE_REASON,
    DrawOrigin,
    ExpertMode,
    FileKind,
    HashSuite,
    InspectorChangeReason,
    InspectorChangeStatus,
    SourceKind,
    TargetChangeKind,
    TargetRole,
    TargetStatus,
    WitnessRole,
)
from .choices import DrawStatus as Status


class DrawQuerySet(RestrictedQuerySet):
    def live(self):
        """Committed, drawn or locked (not cancelled): the one definition of a live draw. A task with a live draw
        can be neither changed nor drawn again; plans asks through the reverse relation (`task.draws.live()`)."""
        return self.filter(status__in=LIVE_STATUSES)


class Draw(ScopedModel, TimeStampedModel):
    """一次随机抽取 (draw attempt) of an 抽查任务."""

    objects = DrawQuerySet.as_manager()

    region_field = "region"

    task = models.ForeignKey("plans.Task", verbose_name="抽查任务", on_delete=models.PROTECT, related_name="draws")
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField("抽取次序号", default=1)
    code = models.CharField("抽取编号", max_length=60, unique=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.COMMITTED)
    origin = models.CharField(
        "来源", max_length=10, choices=DrawOrigin.choices, default=DrawOrigin.DRAWN,
        help_text="上级下达、非随机检查的记录没有抽取承诺，不作为本级随机抽取公示",
    )  # fmt: skip
    is_public = models.BooleanField("公开", default=True, help_text="承诺一经公布即公开；作废的抽取也保留公开记录")
    # T0: commitment
    published_at = models.DateTimeField("承诺公布时间")
    commitment_hash = models.CharField("承诺哈希", max_length=64)
    hash_suite = models.CharField(
        "哈希算法", max_length=8, choices=HashSuite.choices, default=HashSuite.SHA256,
        help_text="承诺记录 hash 字段：本次抽取所有哈希使用的算法（fairdraw 规范 §2.3）",
    )  # fmt: skip
    pool_digest = models.CharField("号池摘要", max_length=64)
    roster_digest = models.CharField("执法人员名录摘要", max_length=64)
    unit_total = models.PositiveIntegerField("号池对象数", default=0)
    unit_eligible = models.PositiveIntegerField("可抽取对象数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="承诺公布人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # T1: public values and result
    public_values = models.JSONField("公开随机值", default=list, blank=True)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽取操作人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    manifest_hash = models.CharField("结果清单摘要", max_length=64, blank=True, help_text="用本次抽取的哈希算法计算")
    assignment_feasible = models.BooleanField("选派全部成功", null=True, blank=True)
    assignment_problems = models.JSONField("选派问题", default=list, blank=True)
    # Lock / cancel
    locked_at = models.DateTimeField("锁定公示时间", null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="锁定人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    cancelled_at = models.DateTimeField("作废时间", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="作废人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    cancel_reason = models.TextField("作废理由", blank=True)

    class Meta:
        verbose_name = "随机抽取"
        verbose_name_plural = "随机抽取"
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "attempt"], name="draw_task_attempt_unique"),
            models.UniqueConstraint(fields=["task"], condition=~Q(status="cancelled"), name="draw_one_live_per_task"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.task.name}"

    @property
    def hash_name(self) -> str:
        """The hash suite as the spec's formulas write it: "SHA-256" or "SM3" (fairdraw spec §2.3)."""
        return HASH_NAMES.get(self.hash_suite, self.hash_suite)

    @property
    def hash_explanation(self) -> str:
        """One plain-Chinese line on the hash suite, for the public pages."""
        return HASH_EXPLANATIONS.get(self.hash_suite, "")

    @property
    def result_published_at(self):
        """When the result became public (= lock time)."""
        return self.locked_at

    @property
    def is_drawn_here(self) -> bool:
        """A verifiable random draw of this platform (commitment, public values, manifest)."""
        return self.origin == DrawOrigin.DRAWN

    @property
    def is_final(self) -> bool:
        return self.status in (Status.LOCKED, Status.CANCELLED)

    def file_bytes(self, kind: str) -> bytes | None:
        """The file's bytes, checked against the recorded SHA-256 (None if the file does not exist yet)."""
        row = self.files.filter(kind=kind).first()
        return row.read() if row else None


class DrawFile(models.Model):
    """Canonical bytes of a draw, kept byte-exact for download and verification.

    The bytes are in file storage under their SHA-256 (`files.put`); create rows with `DrawFile.store()`
    and read them with `read()` / `open_verified()`, which refuse bytes that no longer match `sha256`.
    """

    draw = models.ForeignKey(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="files")
    kind = models.CharField("类型", max_length=12, choices=FileKind.choices)
    file = models.FileField("文件", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("字节数")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽取文件"
        verbose_name_plural = "抽取文件"
        constraints = [models.UniqueConstraint(fields=["draw", "kind"], name="draw_file_unique")]

    def __str__(self) -> str:
        return f"{self.draw.code} {self.get_kind_display()}"

    @classmethod
    def store(cls, *, draw: Draw, kind: str, data: bytes) -> "DrawFile":
        name, digest, size = files.put(data, kind)
        return cls.objects.create(draw=draw, kind=kind, file=name, sha256=digest, size=size)

    def open_verified(self):
        return files.open_verified(self)

    def read(self) -> bytes:
        return files.read_verified(self)


class DrawPoolEntry(models.Model):
    """One unit of a draw's committed pool snapshot: the index behind the public self-check (自查).

    Written in bulk when the draw runs (`services.draw_run`); existing draws were back-filled by the
    migration that created the table. A lookup is one B-tree probe on (draw, unit_id).
    """

    draw = models.ForeignKey(
        Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="pool_entries", db_index=False
    )  # the unique (draw, unit_id) index serves draw lookups
    unit_id = models.CharField("统一社会信用代码", max_length=200)
    stratum = models.CharField("分层", max_length=200)
    excluded_reason = models.TextField("排除原因", blank=True)

    class Meta:
        verbose_name = "号池快照索引"
        verbose_name_plural = "号池快照索引"
        constraints = [models.UniqueConstraint(fields=["draw", "unit_id"], name="draw_pool_entry_unique")]

    def __str__(self) -> str:
        return f"{self.draw_id} {self.unit_id}"


def announcement_path(instance, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    return f"draws/{instance.draw_id}/source-{instance.position}-{instance.announcement_sha256[:16]}{suffix}"


class PublicSource(models.Model):
    """An announced public random source; its value may only be entered once it exists.

    Lottery values are entered by one person (with the official announcement's reference) and
    confirmed by a second, different login before the draw can run.  A drand value is entered
    with its round's BLS signature, which is checked against the chain's public key.
    """

    draw = models.ForeignKey(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="sources")
    position = models.PositiveSmallIntegerField("次序")
    kind = models.CharField("类型", max_length=10, choices=SourceKind.choices)
    spec = models.JSONField("公告内容", help_text="写入承诺记录的 public_sources 项")
    available_at = models.DateTimeField("预计产生时间", null=True, blank=True)
    value = models.TextField("公开随机值（规范形式）", blank=True)
    raw_value = models.TextField("录入原文", blank=True)
    entered_at = models.DateTimeField("录入时间", null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    confirmed_at = models.DateTimeField("复核确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="复核确认人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    announcement_ref = models.CharField(
        "开奖公告出处", max_length=300, blank=True, help_text="官方开奖公告的网址或公告编号"
    )
    announcement_file = models.FileField("开奖公告截图/照片", upload_to=announcement_path, max_length=300, blank=True)
    announcement_name = models.CharField("原文件名", max_length=255, blank=True)
    announcement_sha256 = models.CharField("文件 SHA-256", max_length=64, blank=True)
    signature = models.CharField("drand 签名", max_length=192, blank=True, help_text="该轮 signature（十六进制）")

    class Meta:
        verbose_name = "公开随机源"
        verbose_name_plural = "公开随机源"
        ordering = ["draw", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "position"], name="draw_source_position_unique")]

    def __str__(self) -> str:
        return self.description

    @property
    def description(self) -> str:
        s = self.spec
        if self.kind == SourceKind.LOTTERY:
            return f"{s.get('name', '')} 第 {s.get('issue', '')} 期开奖号码"
        if self.kind == SourceKind.DRAND:
            return f"drand {s.get('chain', '')} 第 {s.get('round', '')} 轮随机数"
        return f"监督人 {s.get('name', '')} 的承诺随机数（承诺哈希 {s.get('commitment', '')[:12]}…）"

    @property
    def check_hint(self) -> str:
        from .sources import check_hint

        return check_hint(self.kind, self.spec)

    @property
    def needs_confirmation(self) -> bool:
        return self.kind == SourceKind.LOTTERY

    @property
    def is_confirmed(self) -> bool:
        return bool(self.value) and self.confirmed_by_id is not None


class DrawTarget(ScopedModel):
    """A unit of the result: selected (抽中) or substitute (候补), in fairdraw's per-stratum order."""

    region_field = "draw__region"

    draw = models.ForeignKey(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="targets")
    unit = models.ForeignKey(
        "directory.RegulatedUnit", verbose_name="检查对象", on_delete=models.PROTECT, related_name="draw_targets"
    )
    unit_code = models.CharField("统一社会信用代码", max_length=18)
    unit_name = models.CharField("单位名称（抽取时）", max_length=200)
    stratum = models.CharField("分层", max_length=60)
    role = models.CharField("类别", max_length=12, choices=TargetRole.choices)
    rank = models.PositiveIntegerField("顺序", help_text="抽中对象按随机键从小到大；候补按递补顺序")
    specialty = models.CharField("专业", max_length=20, blank=True)
    status = models.CharField("状态", max_length=12, choices=TargetStatus.choices)
    replaces = models.OneToOneField(
        "self", verbose_name="替补对象", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )

    class Meta:
        verbose_name = "抽取对象"
        verbose_name_plural = "抽取对象"
        ordering = ["draw", "stratum", "role", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "unit"], name="draw_target_unit_unique"),
            models.UniqueConstraint(fields=["draw", "stratum", "role", "rank"], name="draw_target_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name}（{self.get_role_display()}）"

    @property
    def progress_label(self) -> str:
        """The target's status as it follows its result (inspections sits above draws: reached through the
        reverse relation `result`): an active target reads 待检查 until its result is entered, then 录入中,
        已提交 or 已公示; replaced and cancelled targets keep their own status."""
        if self.status != TargetStatus.ACTIVE:
            return self.get_status_display()
        try:
            result = self.result
        except ObjectDoesNotExist:
            return self.get_status_display()
        if result.status == "pending":
            return self.get_status_display()
        return (
            f"已检查（{result.get_status_display()}）"
            if result.status in ("submitted", "published")
            else (f"检查中（{result.get_status_display()}）")
        )


class InspectorAssignment(ScopedModel):
    """One member of the inspector group (检查组) of a target."""

    region_field = "target__draw__region"

    target = models.ForeignKey(
        DrawTarget, verbose_name="检查对象", on_delete=models.PROTECT, related_name="assignments"
    )
    inspector = models.ForeignKey(
        "directory.Inspector", verbose_name="执法人员", on_delete=models.PROTECT, related_name="draw_assignments"
    )
    inspector_code = models.CharField("执法证号", max_length=50)
    inspector_name = models.CharField("姓名（抽取时）", max_length=50)
    is_specialist = models.BooleanField("本专业", default=False)
    transferred = models.BooleanField("随递补转入", default=False, help_text="原对象被递补时检查组随之转到替补对象")

    class Meta:
        verbose_name = "执法人员选派"
        verbose_name_plural = "执法人员选派"
        ordering = ["target", "inspector_code"]
        constraints = [models.UniqueConstraint(fields=["target", "inspector"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.inspector_name} → {self.target.unit_name}"


class TargetChange(models.Model):
    """A recorded, reasoned change after the draw: substitution (递补) or cancellation (取消检查)."""

    draw = models.ForeignKey(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField("类型", max_length=12, choices=TargetChangeKind.choices)
    target = models.ForeignKey(DrawTarget, verbose_name="原对象", on_delete=models.PROTECT, related_name="+")
    substitute = models.ForeignKey(
        DrawTarget, verbose_name="递补对象", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField("理由")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽取结果变更"
        verbose_name_plural = "抽取结果变更"
        ordering = ["draw", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target.unit_name}"


class DrawWitness(models.Model):
    """监督人: a person who witnesses the draw of a task (纪检、法制、公证、群众代表…).

    Invited before the commitment (`draw` empty until `services.draw_freeze` attaches the task's witnesses to
    the draw it creates). A witness with a login (`user`) commits, reveals and confirms the locked record
    with that login; a person without an account is recorded by the clerk (`on_paper`): the clerk types the
    commitment hash shown on their sealed paper, later the secret they reveal, and their signature on the
    printed record. A witness's secret (`commitment` = SHA-256 of it) becomes a public source of the draw
    (`source`) when committed before T0.
    """

    task = models.ForeignKey(
        "plans.Task", verbose_name="抽查任务", on_delete=models.PROTECT, related_name="witnesses", null=True
    )
    draw = models.ForeignKey(
        Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="witnesses", null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="监督人账号", on_delete=models.PROTECT, null=True, blank=True,
        related_name="draw_witnessing",
    )  # fmt: skip
    on_paper = models.BooleanField("纸质记录（无账号，由经办人代录）", default=True)
    name = models.CharField("姓名", max_length=50)
    organization = models.CharField("单位/职务", max_length=100)
    role = models.CharField("身份", max_length=12, choices=WitnessRole.choices, default=WitnessRole.DISCIPLINE)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    commitment = models.CharField("随机数的 SHA-256（承诺哈希）", max_length=64, blank=True)
    committed_at = models.DateTimeField("交来承诺哈希时间", null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="承诺哈希录入人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    source = models.OneToOneField(
        PublicSource, verbose_name="对应随机源", on_delete=models.PROTECT, null=True, blank=True,
        related_name="witness",
    )  # fmt: skip
    confirmed_at = models.DateTimeField("确认锁定记录时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认操作人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    # the confirming account's role when it confirmed (a role changed later does not rewrite old records)
    confirmed_as = models.CharField("确认时的账号角色", max_length=20, blank=True)

    class Meta:
        verbose_name = "监督人"
        verbose_name_plural = "监督人"
        ordering = ["task", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "user"],
                condition=Q(draw__isnull=True, user__isnull=False),
                name="draw_witness_pending_user_once",
            ),
            models.UniqueConstraint(
                fields=["draw", "user"], condition=Q(user__isnull=False), name="draw_witness_user_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.organization}）"

    @property
    def kind_label(self) -> str:
        return "纸质记录，经办人代录" if self.on_paper else "本人账号"

    @property
    def revealed(self) -> bool:
        return bool(self.source_id and self.source.value)


class DrawVerification(models.Model):
    """The latest re-verification of a draw (a background job re-runs fairdraw on the stored files): what
    the public 验证 page and the staff page show, for the digests it was computed on. Stored on the draw,
    not in a per-process cache, so every app node shows the same result and no page view re-runs it."""

    # read on the primary even by the portal's replica reads (core/replica.py): a visit that finds none starts a job
    primary_reads = True

    draw = models.OneToOneField(Draw, verbose_name="抽取", on_delete=models.CASCADE, related_name="verification")
    manifest_hash = models.CharField("结果清单 SHA-256", max_length=64)
    pool_digest = models.CharField("号池摘要", max_length=100)
    roster_digest = models.CharField("名录摘要", max_length=100, blank=True)
    status = models.CharField("核验结论", max_length=20)  # VERIFIED | DIFFERENT | MALFORMED | CORRUPTED
    text = models.TextField("核验说明")
    path = models.CharField("验证路径", max_length=40, blank=True)
    details = models.JSONField("核验要点", default=dict, blank=True,
                               help_text="中文结论、承诺哈希、所用公开随机值和随机种子（公示页显示）")  # fmt: skip
    verified_at = models.DateTimeField("核验时间")

    class Meta:
        verbose_name = "抽取复核结果"
        verbose_name_plural = "抽取复核结果"

    def __str__(self) -> str:
        return f"{self.draw_id} {self.status}"

    def matches(self, draw: Draw) -> bool:
        """Computed on the draw's current files (a later run or restore invalidates it)."""
        return (self.manifest_hash, self.pool_digest, self.roster_digest) == (
            draw.manifest_hash,
            draw.pool_digest,
            draw.roster_digest or "",
        )


class CommitmentLogEntry(models.Model):
    """承诺公示日志: one entry per published commitment, append-only and hash-chained (fairdraw spec §14).

    Written by `services.draw_freeze` in the same transaction as the commitment; the bytes of an entry are
    `fairdraw.commitlog.entry_line(entry_dict())`. Database guards: unique seq, unique prev (the chain cannot
    fork), seq ≥ 1, and a trigger that refuses UPDATE (and DELETE and TRUNCATE on PostgreSQL).
    """

    seq = models.PositiveBigIntegerField("序号", unique=True)
    draw = models.OneToOneField(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="log_entry")
    draw_code = models.CharField("抽取编号", max_length=60)
    commitment_hash = models.CharField("承诺哈希", max_length=64, unique=True)
    logged_at = models.CharField("记录时间（原文）", max_length=25, help_text="YYYY-MM-DDTHH:MM:SS+08:00，参与哈希")
    logged_time = models.DateTimeField("记录时间")
    prev_hash = models.CharField("前一条哈希", max_length=64, unique=True)
    entry_hash = models.CharField("本条哈希", max_length=64, unique=True)

    class Meta:
        verbose_name = "承诺公示日志"
        verbose_name_plural = "承诺公示日志"
        ordering = ["seq"]
        constraints = [
            models.CheckConstraint(condition=Q(seq__gte=1), name="commitment_log_seq_positive"),
            models.CheckConstraint(condition=~Q(prev_hash=models.F("entry_hash")), name="commitment_log_no_self_loop"),
        ]

    def __str__(self) -> str:
        return f"第 {self.seq} 条 {self.draw_code}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("承诺公示日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("承诺公示日志只能追加，不能删除")

    def entry_dict(self) -> dict:
        """The entry of spec §14; an SM3 commitment's entry also names its suite (read from the draw, whose
        suite is fixed at the freeze: this table is append-only and has no column of its own for it)."""
        entry = {
            "format": "fairdraw-log/1", "seq": self.seq, "draw_id": self.draw_code,
            "commitment_hash": self.commitment_hash, "logged_at": self.logged_at, "prev": self.prev_hash,
            "hash": self.entry_hash,
        }  # fmt: skip
        if self.draw.hash_suite != HashSuite.SHA256:
            entry["suite"] = self.draw.hash_suite
        return entry


class InspectorPseudonym(models.Model):
    """The pseudonymous id under which an inspector appears in public rosters (fairdraw spec §4.2.1).

    pseudonym = fairdraw.inspector_pseudonym(salt, cert_no); one per inspector, kept across draws so that loads
    can be compared between draws without naming anyone. The salt is shown only to oversight (纪检) and to the
    inspector (`selectors.roster_keys`)."""

    inspector = models.OneToOneField(
        "directory.Inspector", verbose_name="执法人员", on_delete=models.PROTECT, related_name="draw_pseudonym"
    )
    pseudonym = models.CharField("化名编号", max_length=40, unique=True)
    cert_no = models.CharField("执法证号（生成时）", max_length=50)
    salt = models.CharField("盐值（十六进制）", max_length=64)
    hash_suite = models.CharField(
        "哈希算法", max_length=8, choices=HashSuite.choices, default=HashSuite.SHA256,
        help_text="生成化名时使用的哈希算法（fairdraw 规范 §4.2.1）",
    )  # fmt: skip
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法人员化名"
        verbose_name_plural = "执法人员化名"

    def __str__(self) -> str:
        return self.pseudonym


class InspectorChange(ScopedModel):
    """更换执法人员 after the draw (fairdraw spec §8.7): the leaving member, the replacement the committed random order
    gives (its position, the inspectors passed over and why, those skipped as unavailable since the draw), the
    reason, and — beyond 15% of the task's groups — the approver's sign-off before it takes effect. Public."""

    region_field = "draw__region"

    draw = models.ForeignKey(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="inspector_changes")
    seq = models.PositiveIntegerField(
        "序号", null=True, blank=True, help_text="本次抽取的第几次更换（生效时编号，按此顺序复核）；待签批的为空"
    )
    target = models.ForeignKey(DrawTarget, verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    out_inspector = models.ForeignKey(
        "directory.Inspector", verbose_name="原执法人员", on_delete=models.PROTECT, related_name="+"
    )
    out_id = models.CharField("原执法人员名录编号", max_length=60)
    out_name = models.CharField("原执法人员姓名", max_length=50)
    in_inspector = models.ForeignKey(
        "directory.Inspector", verbose_name="新执法人员", on_delete=models.PROTECT, related_name="+"
    )
    in_id = models.CharField("新执法人员名录编号", max_length=60)
    in_name = models.CharField("新执法人员姓名", max_length=50)
    position = models.PositiveIntegerField("随机顺序位次", help_text="新执法人员在该对象的执法人员随机顺序中的位次")
    passed = models.JSONField("依次跳过的人员", default=list, blank=True, help_text="[[名录编号, 原因代码], …]")
    skipped = models.JSONField(
        "抽取后无法参加的人员", default=list, blank=True, help_text="[{inspector_id, name, reason}]，随变更公开"
    )
    reason_kind = models.CharField("更换原因", max_length=10, choices=InspectorChangeReason.choices)
    reason = models.TextField("情况说明")
    status = models.CharField("状态", max_length=10, choices=InspectorChangeStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签批人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField("签批时间", null=True, blank=True)
    decision_note = models.TextField("签批意见", blank=True)

    class Meta:
        verbose_name = "更换执法人员"
        verbose_name_plural = "更换执法人员"
        ordering = ["draw", "seq"]
        constraints = [models.UniqueConstraint(fields=["draw", "seq"], name="inspector_change_seq_unique")]

    def __str__(self) -> str:
        return f"{self.target.unit_name}：{self.out_name} → {self.in_name}"

    @property
    def passed_summary(self) -> str:
        """“依次跳过 3 人：已在本检查组 2 人、执法证在检查期间无效 1 人” (plain Chinese, counts per reason)."""
        from shuangsuiji.fairdraw.replace import PASS_REASONS

        if not self.passed:
            return "随机顺序中的第 1 人即符合条件"
        counts: dict[str, int] = {}
        for _id, why in self.passed:
            counts[why] = counts.get(why, 0) + 1
        parts = "、".join(f"{PASS_REASONS.get(w, w)} {n} 人" for w, n in counts.items())
        return f"依次跳过 {len(self.passed)} 人：{parts}"

    @property
    def public_reason(self) -> str:
        """The reason as the public reads it (`choices.PUBLIC_CHANGE_REASON`): no illness or leave is named."""
        return PUBLIC_CHANGE_REASON.get(self.reason_kind, PUBLIC_CHANGE_REASON[InspectorChangeReason.OTHER])

    @property
    def public_skipped(self) -> list[dict]:
        """The skipped inspectors as the portal and the public record show them: {inspector_id, reason} with the
        fixed public wording (“请假（2026年3月2日至2026年3月6日）”), never the free-text leave reason."""
        return [{"inspector_id": s["inspector_id"], "reason": public_skip_reason(s)} for s in self.skipped]


SKIP_FIXED_REASONS = ("已停用（不再在岗）", "已申报与该单位回避")
_LEGACY_LEAVE = re.compile(r"（(\d{4})年(\d{1,2})月(\d{1,2})日至(\d{4})年(\d{1,2})月(\d{1,2})日）$")


def public_skip_reason(entry: dict) -> str:
    """The public wording of one `InspectorChange.skipped` entry. Entries written before the public wording was
    stored carry only the staff reason “<leave reason>（2026年03月02日至…）”: its dates are kept, its text is not."""
    if entry.get("public_reason"):
        return entry["public_reason"]
    reason = entry.get("reason", "")
    if reason in SKIP_FIXED_REASONS:
        return reason
    m = _LEGACY_LEAVE.search(reason)
    if m:
        y1, m1, d1, y2, m2, d2 = (int(g) for g in m.groups())
        return f"请假（{y1}年{m1}月{d1}日至{y2}年{m2}月{d2}日）"
    return "抽取后无法参加"


class ExpertAttachment(ScopedModel):
    """An expert or testing agency (专家库) attached to a check: drawn from the draw's seed with its own tag
    (fairdraw spec §8.8; the candidates are published with it) or designated with a reason."""

    region_field = "target__draw__region"

    target = models.ForeignKey(DrawTarget, verbose_name="检查对象", on_delete=models.PROTECT, related_name="experts")
    expert = models.ForeignKey("directory.Expert", verbose_name="专家/机构", on_delete=models.PROTECT, related_name="+")
    expert_key = models.CharField("专家编号", max_length=30, help_text="参与随机排序的编号")
    expert_name = models.CharField("姓名/机构名称（抽取时）", max_length=200)
    mode = models.CharField("方式", max_length=12, choices=ExpertMode.choices)
    reason = models.TextField("理由", blank=True)
    candidates = models.JSONField("候选编号（随机顺序）", default=list, blank=True)
    position = models.PositiveIntegerField("随机顺序位次", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "专家/检测机构参加检查"
        verbose_name_plural = "专家/检测机构参加检查"
        ordering = ["target", "id"]
        constraints = [models.UniqueConstraint(fields=["target", "expert"], name="expert_attachment_unique")]

    def __str__(self) -> str:
        return f"{self.expert_name} → {self.target.unit_name}"
