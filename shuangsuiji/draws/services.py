"""Writes of the draw workflow. Every step is atomic, audited, and checks DRAW_TRANSITIONS.

    draw_freeze   T0: lock the task row, snapshot pool + roster, publish the commitment
    source_enter / source_confirm   T1: a lottery result entered by one person (with the official
                  announcement's reference), confirmed by a second, different login
    draw_run      T1: the remaining public values (drand value + its BLS-checked signature, witness
                  reveals), run fairdraw, store result + groups, and the per-unit pool index
                  (DrawPoolEntry) the public self-check reads instead of the pool file
    witness_invite / witness_add   invite a 监督人 (own login, or a person without an account recorded by
                  the clerk: on paper) before T0, or record one present at the meeting after it
    witness_commit  before T0: the witness's SHA-256(secret) (own login; paper: the clerk types the hash on
                  the paper); draw_freeze writes every committed witness into the commitment as a source
    witness_reveal  after T0: the secret, which must hash to the commitment (own login; paper: the clerk)
    draw_lock     lock and publish the result (only when selectors.lock_missing(draw) is empty)
    witness_confirm  after the lock: the witness confirms the locked record with their own login (paper
                  witnesses: the clerk records that they signed the printed record)
    draw_cancel   作废 with a reason (public; a new attempt needs a new commitment)
    draw_record_cancel   作废 a mistaken 上级下达 import or 非随机检查 record (before any result is signed)
    target_substitute / target_cancel   reasoned changes after the draw (public)
    inspector_replace / inspector_change_decide   更换执法人员 by the committed random order (fairdraw spec §8.7),
                  beyond 15% of the groups only with the approver's sign-off
    expert_draw / expert_designate   专家、检测机构 drawn from the seed (tag SRV1/expert, §8.8) or designated
    draw_verify   re-run fairdraw.verify_manifest on the stored files
    draw_reverify the same, run by a background job (draws/jobs.py), its outcome stored on the draw
                  (DrawVerification) for the staff page and the public 验证 page

All selection and assignment logic is fairdraw's; nothing here draws anything itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import secrets
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from shuangsuiji import fairdraw as fd
from shuangsuiji.core import audit
from shuangsuiji.core.formats import local_date, local_datetime
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import in_scope, require, stored_user
from shuangsuiji.directory.models import ConflictDeclaration, Expert, Inspector, LeavePeriod, RegulatedUnit
from shuangsuiji.fairdraw import replace as fd_replace
from shuangsuiji.fairdraw.snapshot import line_chunks
from shuangsuiji.plans import pool
from shuangsuiji.plans.choices import InspectionType, PlanStatus
from shuangsuiji.plans.models import Task

from . import sources as src
from .choices import (
    DRAW_TRANSITIONS,
    REPLACEMENT_FREE_SHARE,
    VERDICT_ZH,
    DrawOrigin,
    DrawStatus,
    ExpertMode,
    FileKind,
    InspectorChangeReason,
    InspectorChangeStatus,
    SourceKind,
    TargetChangeKind,
    TargetRole,
    TargetStatus,
)
from .models import (
    CommitmentLogEntry,
    Draw,
    DrawFile,
    DrawPoolEntry,
    DrawTarget,
    DrawVerification,
    DrawWitness,
    ExpertAttachment,
    InspectorAssignment,
    InspectorChange,
    InspectorPseudonym,
    PublicSource,
    TargetChange,
)
from .selectors import commitment_of, lock_missing, log_lines, roster_ids
from .snapshot import deployment_suite, ensure_pseudonyms, roster_entries, roster_queryset

PERM_DRAW = "draws.draw_draw"
ONSITE_MIN_WITNESSES = 2  # without lottery or drand, at least this many witnesses' secrets
NO_SOURCE = (
    "至少需要一个外部公开随机源（彩票开奖号码或 drand 轮次），或者至少两名监督人在公布承诺前交来随机数的承诺哈希"
)
PERM_VIEW = "draws.view_draw"
PERM_APPROVE = "draws.approve_draw"
OUT_OF_SCOPE = "不能操作本辖区以外的计划或任务"
POOL_INDEX_BATCH = 5000
LOG_LOCK_KEY = 0x5353_4A02  # pg_advisory_xact_lock key for the commitment log (the audit chain uses ...01)


def _fd_error(exc: fd.FairdrawError) -> ValidationError:
    return ValidationError(exc.message_zh)


def _require_status(draw: Draw, action: str) -> None:
    sources_, _target = DRAW_TRANSITIONS[action]
    if draw.status not in sources_:
        raise ValidationError(f"该抽取当前状态为“{draw.get_status_display()}”，不能执行此操作")


def _locked_draw(draw: Draw) -> Draw:
    # of=("self",): lock the draw row only, not the joined task/plan/region rows (a region row locked FOR UPDATE
    # blocks every insert that references that region, e.g. a concurrent import: deadlock with the audit lock)
    return Draw.objects.select_for_update(of=("self",)).select_related("task__plan__region", "region").get(pk=draw.pk)


# ---------------------------------------------------------------- T0: commitment


def build_sources(*, lottery: dict | None = None, drand_round: int | None = None, witnesses=()) -> list:
    """[(kind, spec, available_at)] from form input. `draw_freeze` checks there is an external source or at
    least two witnesses' commitments (ONSITE_MIN_WITNESSES); `witnesses` are typed (name, hash) pairs of
    earlier versions, without an account behind them (invited witnesses are `DrawWitness` rows)."""
    out = []
    if lottery:
        spec, at = src.lottery_spec(**lottery)
        out.append((SourceKind.LOTTERY, spec, at))
    if drand_round:
        spec, at = src.drand_spec(round_no=drand_round)
        out.append((SourceKind.DRAND, spec, at))
    for name, commitment in witnesses:
        spec, at = src.witness_spec(name=name, commitment=commitment)
        out.append((SourceKind.WITNESS, spec, at))
    return out


def _task_summary(task: Task) -> dict:
    """What the commitment says about the task (public, human readable)."""
    return {
        "code": task.code,
        "name": task.name,
        "plan": task.plan.title,
        "region": task.scope_region.code,
        "kind": task.kind,
        "organizations": [o.name for o in task.organizations],
        "items": [i.name for i in task.items.select_related("item")],
        "window": [task.window_start.isoformat(), task.window_end.isoformat()],
        # targeting (issue #15): the weight formula in plain Chinese; the weights are in the pool snapshot
        **(_weighting(task) if pool.is_weighted(task) else {}),
        **({"yearly_check_cap": task.yearly_check_cap} if task.yearly_check_cap else {}),
    }


def _weighting(task: Task) -> dict:
    return {"weighting": {"formula": task.get_weight_formula_display(), "explanation": pool.weight_sentence(task)}}


@transaction.atomic
def draw_freeze(*, user, task: Task, sources: list, now: dt.datetime | None = None) -> Draw:
    """Freeze the pool and roster and publish the commitment (T0)."""
    require(user, PERM_DRAW, task.plan, scope_message=OUT_OF_SCOPE)
    now = (now or timezone.now()).replace(microsecond=0)
    task = (  # the task row only (see _locked_draw)
        Task.objects.select_for_update(of=("self",)).select_related("plan__region", "scope_region").get(pk=task.pk)
    )
    if not task.is_drawn_here:
        raise ValidationError(f"“{task.get_inspection_type_display()}”任务不在本平台抽取，检查对象按任务来源登记")
    if task.plan.status != PlanStatus.PUBLISHED:
        raise ValidationError("只有已公布的年度计划中的任务才能抽取")
    if task.has_live_draw():
        raise ValidationError("该任务已有进行中或已完成的抽取，不能重复抽取；如确需重新抽取，须先说明理由作废原抽取")
    if task.window_end < timezone.localdate(now):
        raise ValidationError("该任务的检查时间已过，不能再抽取")
    if not task.items.exists():
        raise ValidationError("该任务没有抽查事项")
    for _kind, _spec, available_at in sources:
        src.check_future(available_at, now)
    # Invited witnesses who handed in a commitment become sources of this draw, after the announced ones.
    pending = list(DrawWitness.objects.select_for_update().filter(task=task, draw__isnull=True).order_by("id"))
    witness_of_source = [None] * len(sources)
    for w in pending:
        if w.commitment:
            spec, at = src.witness_spec(name=w.name, commitment=w.commitment)
            sources = [*sources, (SourceKind.WITNESS, spec, at)]
            witness_of_source.append(w)
    external = sum(kind != SourceKind.WITNESS for kind, _s, _a in sources)
    if not external and len(sources) < ONSITE_MIN_WITNESSES:
        raise ValidationError(NO_SOURCE)
    attempt = (task.draws.aggregate(m=Max("attempt"))["m"] or 0) + 1
    code = f"{task.code}-{attempt}"
    cands = pool.candidates(task, today=timezone.localdate(now))
    units = [c.pool_unit for c in cands]
    counts = fd.stratum_counts(units)
    if not sum(c["eligible"] for c in counts.values()):
        raise ValidationError("抽查范围内没有可抽取的检查对象")
    suite = deployment_suite()  # the office's choice (settings.FAIRDRAW_HASH_SUITE, fairdraw spec §2.3)
    # Public rosters name inspectors by pseudonym (fairdraw spec §4.2.1), never by 执法证号.
    roster = roster_entries(task, pseudonyms=ensure_pseudonyms(list(roster_queryset(task)), suite))
    if len([r for r in roster if not r.on_leave]) < task.group_size:
        raise ValidationError(f"可选派的在岗执法人员不足 {task.group_size} 人，无法组成检查组")
    try:
        pool_bytes = fd.canonical_pool_bytes(units)
        # roster format 2 (fairdraw spec §4.2.2): the 回避 pairs are committed as salted hashes; the key that
        # opens them is kept as a non-public file for the draw and for oversight
        roster_bytes, conflict_key = fd.conflicts.commit_roster([r.inspector for r in roster], suite,
                                                                secrets.token_bytes)  # fmt: skip
        record = fd.build_commitment(
            draw_id=code, plan=pool.draw_plan(task), pool_digest=fd.pool_digest(pool_bytes, suite), strata=counts,
            public_sources=[spec for _k, spec, _a in sources],
            published_at=timezone.localtime(now).isoformat(timespec="seconds"),
            roster_digest=fd.roster_digest(roster_bytes, suite), attempt=attempt, task=_task_summary(task),
            pool_merkle_root=fd.merkle.merkle_root(pool_bytes, suite),  # per-unit inclusion proofs (spec §3.1)
            hash_suite=suite.name,
        )  # fmt: skip
    except fd.FairdrawError as exc:
        raise _fd_error(exc) from exc
    commitment_bytes = fd.commitment_bytes(record)
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                task=task, region=task.plan.region, attempt=attempt, code=code, published_at=now,
                commitment_hash=fd.commitment_hash(record), hash_suite=suite.name, pool_digest=record["pool_digest"],
                roster_digest=record["roster_digest"], unit_total=record["units"]["total"],
                unit_eligible=record["units"]["eligible"], created_by=stored_user(user),
            )  # fmt: skip
    except IntegrityError as exc:  # the partial unique constraint: someone else drew first
        raise ValidationError("该任务已有进行中的抽取（其他用户刚刚发起），请刷新页面") from exc
    entry = _log_commitment(draw, now)
    for kind, content in (
        (FileKind.POOL, pool_bytes), (FileKind.ROSTER, roster_bytes), (FileKind.COMMITMENT, commitment_bytes),
        (FileKind.CONFLICT_KEY, fd.canonical_json(conflict_key)),
    ):  # fmt: skip
        DrawFile.store(draw=draw, kind=kind, data=content)
    for position, (kind, spec, available_at) in enumerate(sources, start=1):
        source = PublicSource.objects.create(
            draw=draw, position=position, kind=kind, spec=spec, available_at=available_at
        )
        if witness_of_source[position - 1] is not None:
            witness_of_source[position - 1].source = source
    for w in pending:  # every invited witness attends this draw; those with a commitment now reveal after T0
        w.draw = draw
        w.save(update_fields=["draw", "source"])
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=f"冻结号池并公布抽取承诺 {code}（承诺哈希 {draw.commitment_hash}，承诺公示日志第 {entry.seq} 条）",
        data={"commitment_hash": draw.commitment_hash, "hash_suite": suite.name, "log_seq": entry.seq,
              "log_hash": entry.entry_hash,
              "pool_digest": draw.pool_digest,
              "roster_digest": draw.roster_digest, "strata": counts, "public_sources": record["public_sources"],
              "published_at": record["published_at"]},
    )  # fmt: skip
    return draw


def _log_commitment(draw: Draw, now: dt.datetime) -> CommitmentLogEntry:
    """Append the commitment to the public commitment log (fairdraw spec §14), in the caller's transaction.

    Writers are serialised (PostgreSQL advisory lock; SQLite transactions are serial), so the chain never
    forks; the unique seq / prev constraints would refuse a fork anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOG_LOCK_KEY])
    last = CommitmentLogEntry.objects.order_by("-seq").first()
    seq, prev = (last.seq + 1, last.entry_hash) if last else (1, fd.commitlog.GENESIS)
    local = timezone.localtime(now).replace(microsecond=0)
    if last and local < last.logged_time:  # a clock set back: the log's time never decreases
        local = timezone.localtime(last.logged_time)
    e = fd.commitlog.make_entry(seq=seq, prev=prev, draw_id=draw.code, commitment_hash=draw.commitment_hash,
                                logged_at=local.isoformat(timespec="seconds"), suite=draw.hash_suite)  # fmt: skip
    return CommitmentLogEntry.objects.create(
        seq=seq, draw=draw, draw_code=draw.code, commitment_hash=draw.commitment_hash, logged_at=e["logged_at"],
        logged_time=local, prev_hash=prev, entry_hash=e["hash"],
    )  # fmt: skip


# ---------------------------------------------------------------- T1: public values and the draw


ANNOUNCEMENT_TYPES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
ANNOUNCEMENT_MAX_BYTES = 5 * 1024 * 1024


def _locked_source(source: PublicSource) -> tuple[Draw, PublicSource]:
    draw = _locked_draw(source.draw)
    return draw, PublicSource.objects.select_for_update().get(pk=source.pk)


def _check_lottery_step(draw: Draw, source: PublicSource) -> None:
    if source.kind != SourceKind.LOTTERY:
        raise ValidationError("只有彩票开奖号码需要事先录入并复核；drand 和监督人随机数在抽取时录入")
    if draw.status != DrawStatus.COMMITTED:
        raise ValidationError(f"该抽取当前状态为“{draw.get_status_display()}”，不能再录入或复核开奖号码")


def _announcement_file(upload) -> tuple[str, bytes]:
    name = PurePath(upload.name or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in ANNOUNCEMENT_TYPES:
        raise ValidationError(f"开奖公告截图只能是 JPG、PNG 图片或 PDF 文件，不能是“{suffix or '无扩展名'}”")
    if upload.size == 0:
        raise ValidationError("开奖公告截图文件为空")
    if upload.size > ANNOUNCEMENT_MAX_BYTES:
        raise ValidationError(f"开奖公告截图超过 {ANNOUNCEMENT_MAX_BYTES // 1024 // 1024} MB 上限")
    content = upload.read()
    if not content.startswith(ANNOUNCEMENT_TYPES[suffix]):
        raise ValidationError("开奖公告截图的文件内容与扩展名不符")
    return name, content


@transaction.atomic
def source_enter(
    *, user, source: PublicSource, raw_value: str, announcement_ref: str, upload=None, now: dt.datetime | None = None
) -> PublicSource:
    """First person: enter a lottery result with the official announcement's reference (URL or 公告编号)
    and optionally a screenshot or photo.  Entering again (before confirmation) replaces the entry and
    clears any confirmation."""
    require(user, PERM_DRAW, source.draw, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    draw, source = _locked_source(source)
    _check_lottery_step(draw, source)
    src.check_available(source.available_at, source.description, now)
    value = src.canonical_value(source.kind, source.spec, raw_value)
    ref = (announcement_ref or "").strip()
    if len(ref) < 4:
        raise ValidationError("请填写官方开奖公告的网址或公告编号，如“中国福利彩票官网 快乐8 第 2026321 期开奖公告”")
    if len(ref) > 300:
        raise ValidationError("开奖公告出处不能超过 300 个字")
    previous = {"value": source.value, "entered_by": source.entered_by_id, "confirmed_by": source.confirmed_by_id}
    source.value, source.raw_value = value, raw_value.strip()
    source.entered_at, source.entered_by = now, stored_user(user)
    source.confirmed_at, source.confirmed_by = None, None
    source.announcement_ref = ref
    if upload is not None:
        name, content = _announcement_file(upload)
        source.announcement_sha256 = hashlib.sha256(content).hexdigest()
        source.announcement_name = name[:255]
        source.announcement_file.save(name, ContentFile(content), save=False)
    source.save()
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=f"录入{source.description}（出处：{ref}），待另一名工作人员复核",  # numbers in data only
        data={"source": source.position, "value": value, "announcement_ref": ref,
              "announcement_sha256": source.announcement_sha256, "previous": previous},
    )  # fmt: skip
    return source


@transaction.atomic
def source_confirm(*, user, source: PublicSource, raw_value: str, now: dt.datetime | None = None) -> PublicSource:
    """Second person (a different login): type the numbers again from the official announcement;
    they must equal the first entry."""
    require(user, PERM_DRAW, source.draw, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    draw, source = _locked_source(source)
    _check_lottery_step(draw, source)
    if not source.value:
        raise ValidationError(f"{source.description}尚未录入，不能复核")
    if source.confirmed_by_id is not None:
        raise ValidationError(f"{source.description}已由 {source.confirmed_by} 复核确认")
    if source.entered_by_id == user.pk:
        raise ValidationError("复核确认须由录入人以外的另一名工作人员登录后进行，录入人本人不能复核")
    value = src.canonical_value(source.kind, source.spec, raw_value)
    if value != source.value:
        raise ValidationError(
            f"复核录入的号码 {value} 与第一次录入的 {source.value} 不一致。请对照官方开奖公告再次核对；"
            "如第一次录入有误，请重新录入后再复核"
        )
    source.confirmed_at, source.confirmed_by = now, stored_user(user)
    source.save()
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=f"复核确认{source.description}：{value}（录入人 {source.entered_by}）",
        data={"source": source.position, "value": value, "entered_by": source.entered_by_id},
    )  # fmt: skip
    return source


_NOT_REVEALED = "尚未揭示随机数（有账号的监督人本人登录揭示；无账号的监督人当场拆开纸条，由经办人录入）"


def _witness_of(source: PublicSource):
    try:
        return source.witness
    except DrawWitness.DoesNotExist:
        return None


def canonical_values(
    draw: Draw, raw_values: dict[int, str], now: dt.datetime | None = None, signatures: dict[int, str] | None = None
) -> tuple[list[str], list]:
    """Validate every announced source (in order): confirmed lottery entries, drand value + signature
    (BLS-checked), witness reveals.  Returns (values, evidence); ValidationError lists all problems."""
    values, evidence, errors = [], [], []
    signatures = signatures or {}
    for source in draw.sources.order_by("position").select_related("confirmed_by", "witness"):
        try:
            src.check_available(source.available_at, source.description, now)
            if source.kind == SourceKind.WITNESS and (source.value or _witness_of(source)):
                if not source.value:
                    raise ValidationError(_NOT_REVEALED)
                values.append(source.value)
                evidence.append(None)
                continue
            if source.kind == SourceKind.LOTTERY:
                if not source.value:
                    raise ValidationError("开奖号码尚未录入")
                if source.confirmed_by_id is None:
                    raise ValidationError("开奖号码尚未经第二名工作人员复核确认，不能抽取")
                values.append(source.value)
                evidence.append(None)
                continue
            value = src.canonical_value(source.kind, source.spec, raw_values.get(source.position, ""))
            if source.kind == SourceKind.DRAND:
                evidence.append(src.drand_evidence(source.spec, value, signatures.get(source.position, "")))
            else:
                evidence.append(None)
            values.append(value)
        except ValidationError as exc:
            errors.append(f"{source.description}：{'；'.join(exc.messages)}")
    if errors:
        raise ValidationError(errors)
    return values, evidence


@transaction.atomic
def draw_run(
    *,
    user,
    draw: Draw,
    raw_values: dict[int, str] | None = None,
    signatures: dict[int, str] | None = None,
    now: dt.datetime | None = None,
) -> Draw:
    """Run fairdraw (selection + inspector assignment) on the public values: the confirmed lottery
    entries plus ``raw_values`` (and drand ``signatures``) of the other sources, by position."""
    require(user, PERM_DRAW, draw, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    raw_values = raw_values or {}
    draw = _locked_draw(draw)
    _require_status(draw, "run")
    values, evidence = canonical_values(draw, raw_values, now, signatures)
    _check_logged_before_values(draw, now)
    commitment = commitment_of(draw)
    pool_bytes, roster_bytes = draw.file_bytes(FileKind.POOL), draw.file_bytes(FileKind.ROSTER)
    try:
        out = fd.run_draw(pool_bytes, commitment, values, roster=roster_bytes, public_evidence=evidence,
                          conflict_key=draw.file_bytes(FileKind.CONFLICT_KEY))  # fmt: skip
    except fd.FairdrawError as exc:
        raise _fd_error(exc) from exc
    manifest = fd.manifest_bytes(out.manifest)
    DrawFile.store(draw=draw, kind=FileKind.MANIFEST, data=manifest)
    _index_pool(draw, pool_bytes)
    for source, value, ev in zip(draw.sources.order_by("position"), values, evidence, strict=True):
        if source.kind == SourceKind.LOTTERY or (source.kind == SourceKind.WITNESS and source.value):
            continue  # entered and confirmed before / revealed by the witness
        source.value, source.raw_value = value, raw_values.get(source.position, "").strip()
        source.signature = ev["signature"] if ev else ""
        source.entered_at, source.entered_by = now, stored_user(user)
        source.save()
    _store_result(draw, out, roster_bytes)
    before = audit.snapshot(draw)
    draw.public_values = values
    draw.seed = out.seed.hex()
    draw.drawn_at, draw.drawn_by = now, stored_user(user)
    draw.manifest_hash = fd.get_suite(draw.hash_suite).hexdigest(manifest)  # H of the manifest bytes (spec §2.3)
    draw.assignment_feasible = out.assignment.feasible if out.assignment else None
    draw.assignment_problems = [p.to_dict() for p in out.assignment.problems] if out.assignment else []
    draw.status = DRAW_TRANSITIONS["run"][1]
    draw.save()
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=f"录入公开随机值并抽取：抽中 {len(out.result.selected())} 个对象，种子 {draw.seed}",
        data={"before_status": before["status"], "public_values": values, "public_evidence": evidence,
              "seed": draw.seed, "manifest_sha256": draw.manifest_hash, "selected": out.result.selected(),
              "assignment_feasible": draw.assignment_feasible},
    )  # fmt: skip
    return draw


def _check_logged_before_values(draw: Draw, now: dt.datetime) -> None:
    """A draw is valid only if its commitment entered the public log before every public value was announced
    (fairdraw spec §14): the lottery draw time / drand round time, and the witnesses' reveal (now)."""
    entry = CommitmentLogEntry.objects.filter(draw=draw).first()
    if entry is None:
        raise ValidationError("该抽取的承诺不在承诺公示日志中，不能抽取")
    late = [s.description for s in draw.sources.all() if s.available_at and entry.logged_time >= s.available_at]
    if late or entry.logged_time >= now:
        raise ValidationError(
            f"承诺进入承诺公示日志（{local_datetime(entry.logged_time)}）不早于公开随机值产生"
            f"（{'、'.join(late) or '监督人揭示随机数'}），本次抽取无效，须作废后重新承诺"
        )


def _index_pool(draw: Draw, pool_bytes: bytes) -> int:
    """Write the per-unit index of the committed pool (DrawPoolEntry) used by the public self-check.

    One row per unit of the pool (100,000 for a city), so no model instances: COPY on PostgreSQL,
    executemany of plain tuples elsewhere.  The bytes were just checked by fairdraw (run_draw), so
    the lines are only split, chunk by chunk (memory bounded by the chunk, not the pool)."""

    def rows():
        for _lineno, lines in line_chunks(pool_bytes):
            for line in lines:
                uid, stratum, _w, _region, _specialty, reason = line.decode().split("\t")
                yield draw.pk, uid, stratum, reason

    return _insert_plain(DrawPoolEntry, ("draw", "unit_id", "stratum", "excluded_reason"), rows())


def _insert_plain(model, columns: tuple[str, ...], rows) -> int:
    """Insert plain column tuples into `model`'s table: COPY on PostgreSQL, batched executemany elsewhere (a 20 %
    draw of a city writes 20,000 targets and 40,000 assignments; the ORM's bulk_create builds a model instance
    and adapts every value of each). Returns the number of rows."""
    meta = model._meta
    qn = connection.ops.quote_name
    cols = ", ".join(qn(meta.get_field(name).column) for name in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(meta.db_table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            sql = f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
            for batch in itertools.batched(rows, POOL_INDEX_BATCH):
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


TARGET_COLUMNS = ("draw", "unit", "unit_code", "unit_name", "stratum", "role", "rank", "specialty", "status")
ASSIGNMENT_COLUMNS = ("target", "inspector", "inspector_code", "inspector_name", "is_specialist", "transferred")


def _store_result(draw: Draw, out: fd.DrawOutput, roster_bytes: bytes) -> None:
    ids = set()
    for sel in out.result.strata.values():
        ids.update(sel.selected, sel.substitutes)
    units = {  # plain columns: a 20 % draw of a city has 20,000 targets
        code: (pk, name)
        for code, pk, name in RegulatedUnit.objects.filter(credit_code__in=ids).values_list("credit_code", "pk", "name")
    }
    missing = ids - set(units)
    if missing:
        raise ValidationError(f"名录中找不到以下检查对象：{', '.join(sorted(missing))}")
    specialty = {}  # unit id → its specialty (for the assignment's 本专业 flag)
    rows = []
    for h, sel in out.result.strata.items():
        for role, status, unit_ids in (
            (TargetRole.SELECTED, TargetStatus.ACTIVE, sel.selected),
            (TargetRole.SUBSTITUTE, TargetStatus.STANDBY, sel.substitutes),
        ):
            for rank, uid in enumerate(unit_ids, start=1):
                unit_pk, unit_name = units[uid]
                specialty[uid] = out.result.units[uid].specialty if uid in out.result.units else ""
                rows.append((draw.pk, unit_pk, uid, unit_name, h, role.value, rank, specialty[uid], status.value))
    _insert_plain(DrawTarget, TARGET_COLUMNS, rows)
    if out.assignment is None:
        return
    # one target per (draw, unit) (draw_target_unit_unique): read the new rows' keys back by unit
    target_pk = dict(DrawTarget.objects.filter(draw=draw).values_list("unit_id", "pk"))
    roster = {i.inspector_id: set(i.specialties) for i in fd.parse_roster(roster_bytes)}
    # inspector id in the roster → (pk, 执法证号, name): 执法证号 in rosters before pseudonyms, pseudonyms since
    inspectors = {
        code: (pk, code, name)
        for code, pk, name in Inspector.objects.filter(cert_no__in=roster).values_list("cert_no", "pk", "name")
    }
    inspectors |= {
        pseudonym: (pk, code, name)
        for pseudonym, pk, code, name in InspectorPseudonym.objects.filter(pseudonym__in=roster).values_list(
            "pseudonym", "inspector_id", "inspector__cert_no", "inspector__name"
        )
    }

    def assignments():
        for uid, group in out.assignment.groups.items():
            target = target_pk[units[uid][0]]
            for iid in group:
                pk, code, name = inspectors[iid]
                yield target, pk, code, name, bool(specialty[uid]) and specialty[uid] in roster[iid], False

    _insert_plain(InspectorAssignment, ASSIGNMENT_COLUMNS, assignments())


# ---------------------------------------------------------------- witnesses, lock, cancel


def _witness_in_scope(user, witness: DrawWitness) -> None:
    """Who may act for a witness: the witness's own login; for a witness without an account (on paper), the
    clerk (PERM_DRAW, in scope) types what the paper says. Nobody else, whatever their role."""
    if witness.on_paper:
        require(user, PERM_DRAW, witness.task.plan, scope_message=OUT_OF_SCOPE,
                message="该监督人没有账号，由有抽取权限的经办人按其纸条代为录入")  # fmt: skip
    elif witness.user_id != getattr(user, "pk", None):
        raise PermissionDenied(f"只有监督人 {witness.name} 本人登录后才能操作")


def _locked_witness(witness: DrawWitness) -> DrawWitness:
    return DrawWitness.objects.select_for_update(of=("self",)).select_related("task__plan", "user").get(pk=witness.pk)


@transaction.atomic
def witness_invite(
    *,
    user,
    task: Task,
    witness_user=None,
    name: str = "",
    organization: str = "",
    role: str = "discipline",
    note: str = "",
) -> DrawWitness:
    """Invite a 监督人 to the draw of `task`: a user (any login in the task's region, e.g. 纪检) who then commits,
    reveals and confirms with their own login, or a person without an account (name and unit, on paper).
    Before the commitment the witness may still hand in a secret's hash; after it (a live draw exists) the
    witness is recorded as present at that draw, without a secret."""
    require(user, PERM_DRAW, task.plan, scope_message=OUT_OF_SCOPE)
    task = Task.objects.select_for_update(of=("self",)).select_related("plan__region").get(pk=task.pk)
    draw = task.draws.live().first()
    if draw is not None and draw.status not in (DrawStatus.COMMITTED, DrawStatus.DRAWN):
        raise ValidationError("抽取已锁定或作废，不能再登记监督人")
    if witness_user is not None:
        if not witness_user.is_active or not witness_user.has_perm(PERM_VIEW) or not in_scope(witness_user, task.plan):
            raise ValidationError(f"{witness_user} 不能查看本辖区的抽取，不能作为监督人")
        if witness_user.pk == user.pk:
            raise ValidationError("经办人本人不能同时作为监督人")
        if DrawWitness.objects.filter(task=task, draw=draw, user=witness_user).exists():
            raise ValidationError(f"{witness_user} 已是本次抽取的监督人")
        org = witness_user.organization
        name, organization = witness_user.full_name or witness_user.username, org.name if org else ""
    name, organization = (name or "").strip(), (organization or "").strip() or "—"
    witness = DrawWitness(
        task=task, draw=draw, user=witness_user, on_paper=witness_user is None, name=name, organization=organization,
        role=role, note=(note or "").strip(), recorded_by=stored_user(user),
    )  # fmt: skip
    witness.full_clean(exclude=["task", "draw", "user", "source"])
    witness.save()
    how = "本人账号" if witness_user else "无账号，纸质记录"
    audit.log_change(
        witness, ObjectChange.Action.CREATE, user=user,
        message=f"登记监督人 {witness.name}（{how}；{draw.code if draw else task.code + ' 抽取前'}）",
    )  # fmt: skip
    return witness


def witness_add(*, user, draw: Draw, name: str, organization: str, role: str, note: str = "") -> DrawWitness:
    """Record a person without an account present at `draw` (typed by the clerk, marked on paper)."""
    require(user, PERM_DRAW, draw, scope_message=OUT_OF_SCOPE)
    return witness_invite(user=user, task=draw.task, name=name, organization=organization, role=role, note=note)


@transaction.atomic
def witness_commit(*, user, witness: DrawWitness, commitment: str, now: dt.datetime | None = None) -> DrawWitness:
    """Before T0: the SHA-256 of the witness's secret (computed on their own device, or written on their sealed
    paper and typed by the clerk). It is written into the draw's commitment when the commitment is published."""
    require(user, PERM_VIEW, witness.task.plan, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    Task.objects.select_for_update(of=("self",)).get(pk=witness.task_id)  # serialised with draw_freeze
    witness = _locked_witness(witness)
    _witness_in_scope(user, witness)
    if witness.draw_id is not None or witness.task.has_live_draw():
        raise ValidationError("抽取承诺已经公布，不能再交来或更改承诺哈希；如需重新交，须先作废本次抽取")
    commitment = (commitment or "").strip().lower()
    src.witness_spec(name=witness.name, commitment=commitment)  # 64 hex, or a Chinese message naming the witness
    before = audit.snapshot(witness)
    witness.commitment, witness.committed_at, witness.committed_by = commitment, now, stored_user(user)
    witness.save(update_fields=["commitment", "committed_at", "committed_by"])
    audit.log_change(
        witness, ObjectChange.Action.UPDATE, user=user, before=before,
        message=f"监督人 {witness.name} 交来随机数的承诺哈希 {commitment[:12]}…"
        + ("（纸质，经办人代录）" if witness.on_paper else "（本人登录）"),
    )  # fmt: skip
    return witness


@transaction.atomic
def witness_reveal(*, user, witness: DrawWitness, secret: str, now: dt.datetime | None = None) -> DrawWitness:
    """After T0: the secret itself; it must hash to the committed SHA-256. Stored as the value of the
    witness's public source (never changed afterwards)."""
    require(user, PERM_VIEW, witness.task.plan, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    witness = _locked_witness(witness)
    _witness_in_scope(user, witness)
    if not witness.commitment:
        raise ValidationError(f"监督人 {witness.name} 没有交来承诺哈希，无需揭示")
    if witness.draw_id is None or witness.source_id is None:
        raise ValidationError("抽取承诺尚未公布，现在不能揭示随机数：须先公布写有各监督人承诺哈希的抽取承诺，再揭示")
    draw = _locked_draw(witness.draw)
    if draw.status != DrawStatus.COMMITTED:
        raise ValidationError(f"该抽取当前状态为“{draw.get_status_display()}”，不能再揭示随机数")
    entry = CommitmentLogEntry.objects.filter(draw=draw).first()
    if entry is None or entry.logged_time >= now:
        raise ValidationError("抽取承诺公布之后才能揭示随机数")
    source = PublicSource.objects.select_for_update().get(pk=witness.source_id)
    if source.value:
        raise ValidationError(f"监督人 {witness.name} 已于 {local_datetime(source.entered_at)} 揭示，不能更改")
    try:
        value = src.canonical_value(SourceKind.WITNESS, source.spec, secret)
    except ValidationError as exc:
        raise ValidationError(
            f"{'；'.join(exc.messages)}。请核对是否与交承诺哈希时输入的随机数完全一致（包括空格和大小写）"
        ) from exc
    source.value, source.raw_value = value, secret.strip()
    source.entered_at, source.entered_by = now, stored_user(user)
    source.save()
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=f"监督人 {witness.name} 揭示随机数" + ("（纸质，经办人代录）" if witness.on_paper else "（本人登录）"),
        data={"source": source.position, "value": value, "commitment": witness.commitment},
    )  # fmt: skip
    return witness


@transaction.atomic
def draw_lock(*, user, draw: Draw, now: dt.datetime | None = None) -> Draw:
    require(user, PERM_DRAW, draw, scope_message=OUT_OF_SCOPE)
    draw = _locked_draw(draw)
    _require_status(draw, "lock")
    missing = lock_missing(draw)
    if missing:
        raise ValidationError(["还不能锁定：", *missing])
    draw.status = DRAW_TRANSITIONS["lock"][1]
    draw.locked_at, draw.locked_by = now or timezone.now(), stored_user(user)
    draw.save()
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user, message=f"锁定并公示抽取结果 {draw.code}",
        data={"manifest_sha256": draw.manifest_hash,
              "witnesses": [f"{w}（{w.kind_label}）" for w in draw.witnesses.all()]},
    )  # fmt: skip
    return draw


@transaction.atomic
def witness_confirm(*, user, witness: DrawWitness, now: dt.datetime | None = None) -> DrawWitness:
    """After the lock: the witness confirms the locked record with their own login. For a witness without an
    account the clerk records that they signed the printed record (marked as such)."""
    require(user, PERM_VIEW, witness.task.plan, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    witness = _locked_witness(witness)
    _witness_in_scope(user, witness)
    if witness.draw_id is None or witness.draw.status != DrawStatus.LOCKED:
        raise ValidationError("抽取结果锁定公示后，监督人才能确认")
    if witness.confirmed_at:
        raise ValidationError(f"监督人 {witness.name} 已于 {local_datetime(witness.confirmed_at)} 确认")
    witness.confirmed_at, witness.confirmed_by = now, stored_user(user)
    witness.confirmed_as = getattr(user, "role", "") or ""
    witness.save(update_fields=["confirmed_at", "confirmed_by", "confirmed_as"])
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=witness.draw, user=user,
        message=f"监督人 {witness.name} 确认锁定的抽取记录"
        + ("（在打印的抽取记录上签字，经办人登记）" if witness.on_paper else "（本人登录确认）"),
        data={"witness": witness.pk, "manifest_sha256": witness.draw.manifest_hash},
    )  # fmt: skip
    return witness


@transaction.atomic
def draw_cancel(*, user, draw: Draw, reason: str) -> Draw:
    require(user, PERM_DRAW, draw, scope_message=OUT_OF_SCOPE)
    draw = _locked_draw(draw)
    if not draw.is_drawn_here:
        raise ValidationError("该记录不是本平台的随机抽取，请在检查对象登记页作废登记")
    _require_status(draw, "cancel")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError("作废抽取必须写明理由（不少于 4 个字）")
    before = draw.status
    draw.status = DRAW_TRANSITIONS["cancel"][1]
    draw.cancelled_at, draw.cancelled_by, draw.cancel_reason = timezone.now(), stored_user(user), reason
    draw.save()
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user, message=f"作废抽取 {draw.code}：{reason}",
        data={"before_status": before, "reason": reason},
    )  # fmt: skip
    return draw


def record_cancel_perm(draw: Draw) -> str:
    """Who may cancel an external record: whoever may import 上级下达 tasks for an import, a drawing officer
    (科室负责人) for a 非随机检查 record (an 执法人员 records one but does not cancel it)."""
    return PERM_IMPORT if draw.origin == DrawOrigin.IMPORTED else PERM_DRAW


@transaction.atomic
def draw_record_cancel(*, user, draw: Draw, reason: str, now: dt.datetime | None = None) -> Draw:
    """作废 a mistaken 上级下达 import or 非随机检查 record (issue #15 point 1), with the reason, audited. Only while
    none of its results is signed, submitted or published (those are the record of a check that took place). Its
    PENDING results leave every list with it; the same 上级任务编号 can then be imported again."""
    require(user, record_cancel_perm(draw), draw, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    draw = _locked_draw(draw)
    if draw.is_drawn_here:
        raise ValidationError("本平台随机抽取的记录请在抽取页面作废")
    if draw.status == DrawStatus.CANCELLED:
        raise ValidationError("该登记已作废")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError("作废理由：请写明作废登记的理由（不少于 4 个字），如“导入的检查对象有误，重新导入”")
    # the results are locked before they are judged: a signature being given now is either in (and refuses the
    # cancel) or waits and then finds the record cancelled (inspections refuses writes to a cancelled record)
    list(draw.results.select_for_update().values_list("pk", flat=True))
    done = list(  # inspections sits above draws: its results are reached by the reverse relation
        draw.results.filter(Q(status__in=("submitted", "published")) | Q(signatures__isnull=False))
        .order_by("target__rank")
        .values_list("unit_name", "target__unit_name")
        .distinct()
    )
    if done:
        names = "、".join(dict.fromkeys(name or target_name for name, target_name in done))
        raise ValidationError(f"以下检查对象的检查结果已签名、提交或公示，不能作废登记：{names}")
    task = draw.task
    before = draw.status
    draw.status = DrawStatus.CANCELLED
    draw.cancelled_at, draw.cancelled_by, draw.cancel_reason = now, stored_user(user), reason
    draw.save()
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=f"作废{task.get_inspection_type_display()}登记 {draw.code}（{task.source_label}）：{reason}",
        data={"before_status": before, "reason": reason, "task": task.code, "upper_task_no": task.upper_task_no,
              "units": list(draw.targets.order_by("rank").values_list("unit_code", flat=True))},
    )  # fmt: skip
    return draw


# ---------------------------------------------------------------- changes after the draw


def _locked_target(target: DrawTarget) -> tuple[Draw, DrawTarget]:
    draw = _locked_draw(target.draw)
    target = DrawTarget.objects.select_for_update().get(pk=target.pk)
    return draw, target


def _check_change_allowed(draw: Draw, target: DrawTarget, reason: str) -> str:
    if draw.status not in (DrawStatus.DRAWN, DrawStatus.LOCKED):
        raise ValidationError("只有已抽取的结果才能递补或取消对象")
    if target.status != TargetStatus.ACTIVE:
        raise ValidationError("只有“待检查”的对象才能递补或取消")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError("请写明理由（不少于 4 个字），如“经核实该单位已注销”")
    return reason


@transaction.atomic
def target_substitute(*, user, target: DrawTarget, reason: str) -> tuple[TargetChange, list[str]]:
    """Replace an active target by the next unused substitute of the same stratum (fairdraw's order).

    The original group moves to the substitute; returns warnings (e.g. a member must 回避).
    """
    require(user, PERM_DRAW, target, scope_message=OUT_OF_SCOPE)
    draw, target = _locked_target(target)
    reason = _check_change_allowed(draw, target, reason)
    substitute = (
        DrawTarget.objects.select_for_update()
        .filter(draw=draw, stratum=target.stratum, role=TargetRole.SUBSTITUTE, status=TargetStatus.STANDBY)
        .order_by("rank")
        .first()
    )
    if substitute is None:
        raise ValidationError(f"分层“{target.stratum}”的候补对象已用完，无法递补；可改为取消该对象的检查")
    target.status = TargetStatus.REPLACED
    target.save()
    substitute.status, substitute.replaces = TargetStatus.ACTIVE, target
    substitute.save()
    warnings = []
    task = draw.task
    for a in target.assignments.select_related("inspector"):
        InspectorAssignment.objects.create(
            target=substitute, inspector=a.inspector, inspector_code=a.inspector_code,
            inspector_name=a.inspector_name, is_specialist=a.is_specialist, transferred=True,
        )  # fmt: skip
        if ConflictDeclaration.objects.filter(
            Q(end__isnull=True) | Q(end__gte=task.window_start),
            inspector=a.inspector,
            unit=substitute.unit,
            start__lte=task.window_end,
        ).exists():
            warnings.append(f"执法人员 {a.inspector_name} 已申报与 {substitute.unit_name} 回避，需调整检查组")
    change = TargetChange.objects.create(
        draw=draw, kind=TargetChangeKind.SUBSTITUTE, target=target, substitute=substitute, reason=reason,
        created_by=stored_user(user),
    )  # fmt: skip
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=f"递补：{target.unit_name} → 候补第 {substitute.rank} 位 {substitute.unit_name}；理由：{reason}",
        data={"target": target.unit_code, "substitute": substitute.unit_code, "stratum": target.stratum,
              "substitute_rank": substitute.rank, "reason": reason, "warnings": warnings},
    )  # fmt: skip
    return change, warnings


@transaction.atomic
def target_cancel(*, user, target: DrawTarget, reason: str) -> TargetChange:
    require(user, PERM_DRAW, target, scope_message=OUT_OF_SCOPE)
    draw, target = _locked_target(target)
    reason = _check_change_allowed(draw, target, reason)
    target.status = TargetStatus.CANCELLED
    target.save()
    change = TargetChange.objects.create(
        draw=draw, kind=TargetChangeKind.CANCEL, target=target, reason=reason, created_by=stored_user(user)
    )
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user, message=f"取消检查：{target.unit_name}；理由：{reason}",
        data={"target": target.unit_code, "reason": reason},
    )  # fmt: skip
    return change


# ---------------------------------------------------------------- inspectors and experts after the draw (§8.7, §8.8)


def _pool_unit(draw: Draw, unit_id: str) -> fd.PoolUnit:
    """The committed pool row of one unit (its region and specialty), found in the pool snapshot's bytes."""
    data = draw.file_bytes(FileKind.POOL) or b""
    start = data.find(b"\n" + unit_id.encode() + b"\t")
    if start < 0:
        raise ValidationError(f"号池快照中没有检查对象 {unit_id}")
    line = data[start + 1 : data.index(b"\n", start + 1)].decode()
    uid, stratum, weight, region, specialty, reason = line.split("\t")
    return fd.PoolUnit(uid, stratum, int(weight), reason, region, specialty)


def _current_loads(draw: Draw, manifest: dict) -> dict[str, int]:
    """The manifest's loads changed by the replacements applied so far, in order (spec §8.7)."""
    loads = dict((manifest.get("assignment") or {}).get("loads", {}))
    applied = draw.inspector_changes.filter(status=InspectorChangeStatus.APPLIED).order_by("seq")
    for out_id, in_id in applied.values_list("out_id", "in_id"):
        loads[out_id] = loads.get(out_id, 0) - 1
        loads[in_id] = loads.get(in_id, 0) + 1
    return loads


def _unavailable(draw: Draw, target: DrawTarget, pk_of: dict[str, int], today: dt.date) -> dict[str, tuple[str, str]]:
    """Roster ids of inspectors who cannot inspect since the draw, with (the staff reason, the public reason): no
    longer active, on leave during the rest of the inspection window, or a 回避 with this unit declared since
    (spec §8.7 `skipped`). A leave's own reason (病假, 产假 …) stays on the staff pages; the public reads
    “请假（2026年3月2日至2026年3月6日）”."""
    task = draw.task
    start, end = max(today, task.window_start), task.window_end
    pks = list(pk_of.values())
    id_of = {pk: rid for rid, pk in pk_of.items()}
    out: dict[str, tuple[str, str]] = {}
    for pk in Inspector.objects.filter(pk__in=pks, active=False).values_list("pk", flat=True):
        out[id_of[pk]] = ("已停用（不再在岗）",) * 2
    for pk, s, e, why in LeavePeriod.objects.filter(inspector__in=pks, start__lte=end, end__gte=start).values_list(
        "inspector", "start", "end", "reason"
    ):
        dates = f"（{local_date(s)}至{local_date(e)}）"
        out.setdefault(id_of[pk], (f"{why or '请假'}{dates}", f"请假{dates}"))
    for pk in ConflictDeclaration.objects.filter(
        Q(end__isnull=True) | Q(end__gte=start), inspector__in=pks, unit=target.unit, start__lte=end
    ).values_list("inspector", flat=True):
        out.setdefault(id_of[pk], ("已申报与该单位回避",) * 2)
    return out


def _check_group_change(draw: Draw, target: DrawTarget, today: dt.date) -> None:
    if draw.status not in (DrawStatus.DRAWN, DrawStatus.LOCKED):
        raise ValidationError("只有已抽取的结果才能更换执法人员或安排专家")
    task = draw.task
    if today > task.window_end:
        raise ValidationError(
            f"该任务的检查期限（{local_date(task.window_start)}至{local_date(task.window_end)}）已结束，"
            "不能再更换执法人员或安排专家"
        )
    if target.status != TargetStatus.ACTIVE:
        raise ValidationError("只有“待检查”的对象才能更换执法人员或安排专家")
    result = getattr(target, "result", None)  # inspections sits above draws: reached by the reverse relation
    if result is not None and (result.status in ("submitted", "published") or result.signatures.exists()):
        raise ValidationError("该对象的检查结果已签名或提交，不能再更换执法人员")


def _replacement(draw: Draw, target: DrawTarget, out_id: str, skipped: dict[str, str]):
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    roster = fd.parse_roster(draw.file_bytes(FileKind.ROSTER))
    rules = fd.DrawPlan.from_dict(manifest["commitment"]["plan"]).assignment
    to_id, pk_of = roster_ids(roster)
    group = [to_id[pk] for pk in target.assignments.values_list("inspector_id", flat=True)]
    try:
        r = fd_replace.choose_replacement(
            seed=bytes.fromhex(draw.seed), unit=_pool_unit(draw, target.unit_code), group=group, out=out_id,
            roster=roster, rules=rules, loads=_current_loads(draw, manifest), skipped=skipped,
        )  # fmt: skip
    except fd.FairdrawError as exc:
        if exc.code == "NO_REPLACEMENT":
            raise ValidationError(
                f"{target.unit_name}：按随机顺序已没有符合条件的执法人员可以替换（执法证、回避、地区、工作量上限、专业）"
            ) from exc
        raise _fd_error(exc) from exc
    inspector = Inspector.objects.get(pk=pk_of[r.inspector_id])
    specialist = bool(target.specialty) and target.specialty in next(
        i.specialties for i in roster if i.inspector_id == r.inspector_id
    )
    return r, inspector, specialist


def replacement_allowance(draw: Draw, target: DrawTarget | None = None) -> tuple[int, int, int]:
    """(groups of the task, groups changed so far — counting `target` —, groups that may change without the
    approver's sign-off: ⌊15% of the groups⌋)."""
    groups = (
        DrawTarget.objects.filter(draw=draw, role=TargetRole.SELECTED, assignments__isnull=False).distinct().count()
    )
    changed = set(
        draw.inspector_changes.exclude(status=InspectorChangeStatus.REJECTED).values_list("target_id", flat=True)
    )
    if target is not None:
        changed.add(target.pk)
    num, den = REPLACEMENT_FREE_SHARE
    return groups, len(changed), groups * num // den


def _apply_inspector_change(draw: Draw, target: DrawTarget, change: InspectorChange, today: dt.date) -> None:
    """Recompute the replacement on the current groups and loads (an earlier change may have moved them) and
    make it: the new member joins, the leaving member leaves, the change gets the next sequence number."""
    r, inspector, specialist = _replacement(draw, target, change.out_id, {s["inspector_id"]: s["reason"]
                                                                            for s in change.skipped})  # fmt: skip
    change.in_inspector, change.in_id, change.in_name = inspector, r.inspector_id, inspector.name
    change.position, change.passed = r.position, [list(p) for p in r.passed]
    change.seq = (draw.inspector_changes.aggregate(m=Max("seq"))["m"] or 0) + 1
    change.status = InspectorChangeStatus.APPLIED
    change.save()
    target.assignments.filter(inspector=change.out_inspector).delete()
    InspectorAssignment.objects.create(
        target=target, inspector=inspector, inspector_code=inspector.cert_no, inspector_name=inspector.name,
        is_specialist=specialist,
    )  # fmt: skip


@transaction.atomic
def inspector_replace(
    *, user, target: DrawTarget, inspector: Inspector, reason_kind: str, reason: str, now: dt.datetime | None = None
) -> InspectorChange:
    """Replace a member of a target's group by the next eligible inspector of the committed random order (fairdraw
    spec §8.7). Up to 15% of the task's groups the change takes effect at once; beyond, it waits for the
    approver's sign-off (`inspector_change_decide`)."""
    require(user, PERM_DRAW, target, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    draw, target = _locked_target(target)
    _check_group_change(draw, target, timezone.localdate(now))
    if reason_kind not in InspectorChangeReason.values:
        raise ValidationError("请选择更换原因")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError("请写明更换执法人员的情况说明（不少于 4 个字），如“因病住院，无法在检查期间参加检查”")
    member = target.assignments.filter(inspector=inspector).first()
    if member is None:
        raise ValidationError(f"{inspector.name} 不是 {target.unit_name} 检查组的成员")
    if draw.inspector_changes.filter(target=target, status=InspectorChangeStatus.PENDING).exists():
        raise ValidationError(f"{target.unit_name} 已有一项待审批人签批的更换，请先签批")
    roster = fd.parse_roster(draw.file_bytes(FileKind.ROSTER))
    to_id, pk_of = roster_ids(roster)
    out_id = to_id.get(inspector.pk)
    if out_id is None:
        raise ValidationError(f"{inspector.name} 不在本次抽取承诺的执法人员名录中")
    unavailable = _unavailable(draw, target, pk_of, timezone.localdate(now))
    names = dict(Inspector.objects.filter(pk__in=pk_of.values()).values_list("pk", "name"))
    skipped = [
        {"inspector_id": rid, "name": names.get(pk_of[rid], ""), "reason": why, "public_reason": public}
        for rid, (why, public) in sorted(unavailable.items())
        if rid != out_id
    ]
    r, new, _specialist = _replacement(draw, target, out_id, {s["inspector_id"]: s["reason"] for s in skipped})
    groups, changed, free = replacement_allowance(draw, target)
    change = InspectorChange(
        draw=draw, target=target, out_inspector=inspector, out_id=out_id, out_name=member.inspector_name,
        in_inspector=new, in_id=r.inspector_id, in_name=new.name, position=r.position,
        passed=[list(p) for p in r.passed], skipped=skipped, reason_kind=reason_kind, reason=reason,
        status=InspectorChangeStatus.PENDING, requested_by=stored_user(user), requested_at=now,
    )  # fmt: skip
    change.full_clean(exclude=["seq"])
    change.save()
    if changed <= free:
        _apply_inspector_change(draw, target, change, timezone.localdate(now))
        message = (
            f"更换执法人员：{target.unit_name} 检查组 {member.inspector_name} → {change.in_name}"
            f"（随机顺序第 {change.position} 位）；原因：{change.get_reason_kind_display()}，{reason}"
        )
    else:
        message = (
            f"申请更换执法人员：{target.unit_name} 检查组 {member.inspector_name} → {change.in_name}；"
            f"已更换 {changed} 个检查组，超过 {groups} 个检查组的 15%（{free} 个），须审批人签批后生效"
        )
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user, message=message,
        data={"change": change.pk, "status": change.status, "unit": target.unit_code, "out": out_id,
              "in": change.in_id, "position": change.position, "passed": change.passed, "skipped": skipped,
              "reason_kind": reason_kind, "reason": reason, "groups": groups, "changed": changed, "free": free},
    )  # fmt: skip
    return change


@transaction.atomic
def inspector_change_decide(
    *, user, change: InspectorChange, approve: bool, note: str = "", now: dt.datetime | None = None
) -> InspectorChange:
    """The approver signs off (or refuses) a replacement beyond 15% of the groups; another person than the one
    who asked."""
    require(user, PERM_APPROVE, change.draw, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    draw, target = _locked_target(change.target)
    change = InspectorChange.objects.select_for_update().get(pk=change.pk)
    if change.status != InspectorChangeStatus.PENDING:
        raise ValidationError("该更换申请已签批，不能重复签批")
    if change.requested_by_id is not None and change.requested_by_id == getattr(user, "pk", None):
        raise ValidationError("更换执法人员须由申请人以外的审批人签批")
    note = (note or "").strip()
    if not approve and len(note) < 2:
        raise ValidationError("不同意更换时请写明签批意见")
    change.decided_by, change.decided_at, change.decision_note = stored_user(user), now, note
    if approve:
        _check_group_change(draw, target, timezone.localdate(now))
        if not target.assignments.filter(inspector=change.out_inspector).exists():
            raise ValidationError(f"{change.out_name} 已不在该检查组，无需更换")
        _apply_inspector_change(draw, target, change, timezone.localdate(now))
    else:
        change.status = InspectorChangeStatus.REJECTED
        change.save()
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=(f"签批同意更换执法人员：{target.unit_name} {change.out_name} → {change.in_name}" if approve
                 else f"签批不同意更换执法人员：{target.unit_name} {change.out_name}；意见：{note}"),
        data={"change": change.pk, "approve": approve, "note": note, "in": change.in_id, "seq": change.seq},
    )  # fmt: skip
    return change


EXPERT_MIN_REASON = 4


def expert_key_of(expert: Expert) -> str:
    return f"ZJ{expert.pk}"


def expert_candidates(draw: Draw, target: DrawTarget):
    """Active register entries of the draw's region valid through the inspection window, of the unit's specialty
    when any has it (else all)."""
    task = draw.task
    qs = Expert.objects.filter(active=True, region__code__startswith=draw.region.scope_prefix).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=task.window_end)
    )
    if target.specialty:
        narrowed = qs.filter(specialties__code=target.specialty)
        if narrowed.exists():
            qs = narrowed
    return qs.distinct()


def _attach_expert(draw, target, expert, *, user, mode, reason="", candidates=(), position=None, now):
    attachment = ExpertAttachment(
        target=target, expert=expert, expert_key=expert_key_of(expert), expert_name=expert.name, mode=mode,
        reason=reason, candidates=list(candidates), position=position, created_by=stored_user(user), created_at=now,
    )  # fmt: skip
    attachment.full_clean()
    attachment.save()
    how = f"随机抽取（随机顺序第 {position} 位）" if mode == ExpertMode.RANDOM else f"指定，理由：{reason}"
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=f"{expert.get_kind_display()} {expert.name} 参加 {target.unit_name} 的检查：{how}",
        data={"unit": target.unit_code, "expert": attachment.expert_key, "mode": mode, "reason": reason,
              "candidates": list(candidates), "position": position},
    )  # fmt: skip
    return attachment


@transaction.atomic
def expert_draw(*, user, target: DrawTarget, now: dt.datetime | None = None) -> ExpertAttachment:
    """Draw an expert or testing agency for a check from the draw's seed (tag SRV1/expert, fairdraw spec §8.8):
    the first of the candidates' random order not yet attached; the whole order is kept and published."""
    require(user, PERM_DRAW, target, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    draw, target = _locked_target(target)
    _check_group_change(draw, target, timezone.localdate(now))
    experts = {expert_key_of(e): e for e in expert_candidates(draw, target)}
    if not experts:
        raise ValidationError("专家库中没有本辖区在有效期内的专家或第三方机构，请先在专家库中登记")
    order = fd_replace.expert_order(bytes.fromhex(draw.seed), target.unit_code, experts)
    attached = set(target.experts.values_list("expert_key", flat=True))
    for position, key in enumerate(order, start=1):
        if key not in attached:
            return _attach_expert(draw, target, experts[key], user=user, mode=ExpertMode.RANDOM, candidates=order,
                                  position=position, now=now)  # fmt: skip
    raise ValidationError("候选专家已全部安排到该对象的检查中")


@transaction.atomic
def expert_designate(
    *, user, target: DrawTarget, expert: Expert, reason: str, now: dt.datetime | None = None
) -> ExpertAttachment:
    """Designate an expert or testing agency for a check, with the reason (shown on the draw record)."""
    require(user, PERM_DRAW, target, scope_message=OUT_OF_SCOPE)
    now = now or timezone.now()
    draw, target = _locked_target(target)
    _check_group_change(draw, target, timezone.localdate(now))
    reason = (reason or "").strip()
    if len(reason) < EXPERT_MIN_REASON:
        raise ValidationError("指定专家或第三方机构须写明理由（不少于 4 个字），如“需要现场采样检测”")
    if not Expert.objects.filter(pk=expert.pk, active=True, region__code__startswith=draw.region.scope_prefix).exists():
        raise ValidationError(f"{expert.name} 不是本辖区专家库中有效的专家或机构")
    if target.experts.filter(expert=expert).exists():
        raise ValidationError(f"{expert.name} 已安排参加该对象的检查")
    return _attach_expert(draw, target, expert, user=user, mode=ExpertMode.DESIGNATED, reason=reason, now=now)


# ---------------------------------------------------------------- verification


def _published_checks(draw: Draw) -> dict:
    """What the command line gets as `--expect-commitment HASH --log commitments.jsonl` (fairdraw spec §10 step 1,
    §14): the commitment hash published at T0 and the public commitment log, so the server's verdict also covers
    the log's chain, the inclusion of this commitment and its time before the public values."""
    return {"expect_commitment": draw.commitment_hash or None, "log": b"".join(log_lines())}


def draw_verify(*, user, draw: Draw) -> fd.VerifyReport:
    """Re-run the draw from the stored files (the same check as the stand-alone verifier)."""
    require(user, PERM_VIEW, draw, scope_message=OUT_OF_SCOPE)
    manifest = draw.file_bytes(FileKind.MANIFEST)
    if manifest is None:
        raise ValidationError("该抽取尚未产生结果，无需验证")
    # with the conflict key: oversight's complete check of the 回避 pairs (fairdraw spec §4.2.2)
    key = draw.file_bytes(FileKind.CONFLICT_KEY)
    report = fd.verify_manifest(
        manifest, draw.file_bytes(FileKind.POOL), draw.file_bytes(FileKind.ROSTER), conflict_key=key,
        **_published_checks(draw),
    )  # fmt: skip
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user, message=f"复核抽取结果：{report.status}",
        data={"status": report.status, "message": report.message, "notes": list(report.notes)},
    )  # fmt: skip
    return report


def verdict_display(report) -> str:
    """The verdict without the verifier's English status word: 核验通过 / 不一致 / 文件格式错误."""
    from shuangsuiji.fairdraw.verifier import short_repr

    head = VERDICT_ZH[report.status]
    if report.status == "VERIFIED":
        return f"{head}：{report.message}" + "".join(f"\n注意：{n}" for n in report.notes)
    if report.status == "DIFFERENT":
        return (
            f"{head}：第一处不同在 {report.path}。{report.message}\n"
            f"公布的值：{short_repr(report.expected)}\n重新计算的值：{short_repr(report.actual)}"
        )
    return f"{head}：{report.message}"


def draw_reverify(*, user, draw: Draw) -> DrawVerification:
    """Re-run the draw from its stored files and store the outcome on the draw (`DrawVerification`), for the
    public 验证 page and the staff page. Run by a background job (`draws/jobs.py`); a file that fails its
    SHA-256 check is recorded as CORRUPTED, never verified."""
    from .files import DrawFileCorrupted

    require(user, PERM_VIEW, draw, scope_message=OUT_OF_SCOPE)
    draw = Draw.objects.get(pk=draw.pk)
    try:
        manifest = draw.file_bytes(FileKind.MANIFEST)
        if manifest is None:
            raise ValidationError("该抽取尚未产生结果，无需验证")
        pool_bytes, roster = draw.file_bytes(FileKind.POOL), draw.file_bytes(FileKind.ROSTER)
    except DrawFileCorrupted as exc:
        status, text, path = "CORRUPTED", f"CORRUPTED 文件校验失败：{exc.message}", ""
        details = {"display": f"文件校验失败：{exc.message}"}
    else:
        report = fd.verify_manifest(manifest, pool_bytes or b"", roster,
                                    conflict_key=draw.file_bytes(FileKind.CONFLICT_KEY),
                                    **_published_checks(draw))  # fmt: skip
        status, text, path = report.status, report.text(), report.path or ""
        details = {
            "display": verdict_display(report), "commitment_hash": report.commitment_hash,
            "public_values": list(report.public_values), "seed": report.seed,
        }  # fmt: skip
    with transaction.atomic():
        row, _ = DrawVerification.objects.update_or_create(
            draw=draw,
            defaults={
                "manifest_hash": draw.manifest_hash, "pool_digest": draw.pool_digest,
                "roster_digest": draw.roster_digest or "", "status": status, "text": text, "path": path,
                "details": details, "verified_at": timezone.now(),
            },
        )  # fmt: skip
        audit.log_event(
            ObjectChange.Action.WORKFLOW, obj=draw, user=user, message=f"复核抽取结果：{status}",
            data={"status": status, "text": text[:500]},
        )  # fmt: skip
    return row


# ---------------------------------------------------------------- targets not drawn here (issue #15 point 1)

PERM_IMPORT = "draws.import_draw"
PERM_RECORD = "draws.add_draw"
MIN_CERTIFIED = 2  # two certified officers (执法证) per check


def _check_group(label: str, group) -> str:
    certified = [i for i in group if i.cert_no and not i.assist_only]
    if len({i.pk for i in group}) != len(group):
        return f"{label}：检查组中同一执法人员重复"
    if len(certified) < MIN_CERTIFIED:
        return f"{label}：检查组至少需要 {MIN_CERTIFIED} 名持执法证的执法人员（现有 {len(certified)} 名）"
    inactive = [i.name for i in group if not i.active]
    if inactive:
        return f"{label}：执法人员 {'、'.join(inactive)} 不在岗"
    return ""


@transaction.atomic
def draw_record_external(*, user, task: Task, rows, now: dt.datetime | None = None) -> Draw:
    """The targets of a task not drawn here, as one locked draw record (origin 上级下达 or 非随机检查).

    `rows`: [(unit, [inspector, ...]), ...]. The record has no commitment, public values or files: the portal
    never lists it as a verifiable random draw (`is_public=False`); its targets and groups are the rows result
    entry, signatures and publication work on, exactly as for a drawn target."""
    upper = task.inspection_type == InspectionType.UPPER
    require(user, PERM_IMPORT if upper else PERM_RECORD, task.plan, scope_message=OUT_OF_SCOPE)
    now = (now or timezone.now()).replace(microsecond=0)
    task = Task.objects.select_for_update(of=("self",)).select_related("plan__region").get(pk=task.pk)
    if task.is_drawn_here:
        raise ValidationError("该任务在本平台随机抽取，不能直接登记检查对象")
    if task.has_live_draw():
        raise ValidationError("该任务已登记检查对象，不能重复登记")
    rows = [(unit, list(group)) for unit, group in rows]
    if not rows:
        raise ValidationError("没有检查对象")
    prefix = task.plan.region.scope_prefix
    errors, seen = [], set()
    for unit, group in rows:
        if unit.pk in seen:
            errors.append(f"{unit.name}：检查对象重复")
        seen.add(unit.pk)
        if not unit.region.code.startswith(prefix):
            errors.append(f"{unit.name}：不在本辖区（{task.plan.region.name}）")
        if problem := _check_group(unit.name, group):
            errors.append(problem)
    if errors:
        raise ValidationError(errors)
    origin = DrawOrigin.IMPORTED if upper else DrawOrigin.RECORDED
    attempt = (task.draws.aggregate(m=Max("attempt"))["m"] or 0) + 1
    draw = Draw.objects.create(
        task=task, region=task.plan.region, attempt=attempt, code=f"{task.code}-{attempt}", status=DrawStatus.LOCKED,
        origin=origin, is_public=False, published_at=now, drawn_at=now, locked_at=now, commitment_hash="",
        pool_digest="", roster_digest="", unit_total=len(rows), unit_eligible=len(rows), created_by=stored_user(user),
        drawn_by=stored_user(user), locked_by=stored_user(user), assignment_feasible=True,
    )  # fmt: skip
    stratum = task.get_inspection_type_display()
    targets = DrawTarget.objects.bulk_create([
        DrawTarget(draw=draw, unit=unit, unit_code=unit.credit_code, unit_name=unit.name, stratum=stratum,
                   role=TargetRole.SELECTED, rank=rank, status=TargetStatus.ACTIVE)
        for rank, (unit, _group) in enumerate(rows, start=1)
    ])  # fmt: skip
    if not all(t.pk for t in targets):  # backends without RETURNING ids
        targets = list(draw.targets.order_by("rank"))
    assignments = [
        InspectorAssignment(target=target, inspector=i, inspector_code=i.cert_no, inspector_name=i.name)
        for target, (_unit, group) in zip(targets, rows, strict=True) for i in group
    ]  # fmt: skip
    InspectorAssignment.objects.bulk_create(assignments)
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=f"登记{draw.get_origin_display()}检查对象 {len(rows)} 户（{task.source_label}），不经本级随机抽取",
        data={"origin": origin, "task": task.code, "source": task.source_label,
              "units": [u.credit_code for u, _g in rows],
              "groups": {u.credit_code: [i.cert_no or i.name for i in g] for u, g in rows}},
    )  # fmt: skip
    return draw
