"""Writes of the draw workflow. Every step is atomic, audited, and checks DRAW_TRANSITIONS.

    draw_freeze   T0: lock the task row, snapshot pool + roster, publish the commitment
    source_enter / source_confirm   T1: a lottery result entered by one person (with the official
                  announcement's reference), confirmed by a second, different login
    draw_run      T1: the remaining public values (drand value + its BLS-checked signature, witness
                  reveals), run fairdraw, store result + groups, and the per-unit pool index
                  (DrawPoolEntry) the public self-check reads instead of the pool file
    witness_add   record 监督人
    draw_lock     lock and publish the result (needs ≥1 witness)
    draw_cancel   作废 with a reason (public; a new attempt needs a new commitment)
    target_substitute / target_cancel   reasoned changes after the draw (public)
    draw_verify   re-run fairdraw.verify_manifest on the stored files
    draw_reverify the same, run by a background job (draws/jobs.py), its outcome stored on the draw
                  (DrawVerification) for the staff page and the public 验证 page

All selection and assignment logic is fairdraw's; nothing here draws anything itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from shuangsuiji import fairdraw as fd
from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import require, stored_user
from shuangsuiji.directory.models import ConflictDeclaration, Inspector, RegulatedUnit
from shuangsuiji.fairdraw.snapshot import line_chunks
from shuangsuiji.plans import pool
from shuangsuiji.plans.choices import InspectionType, PlanStatus
from shuangsuiji.plans.models import Task

from . import sources as src
from .choices import (
    DRAW_TRANSITIONS,
    VERDICT_ZH,
    DrawOrigin,
    DrawStatus,
    FileKind,
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
    InspectorAssignment,
    InspectorPseudonym,
    PublicSource,
    TargetChange,
)
from .selectors import commitment_of
from .snapshot import ensure_pseudonyms, roster_entries, roster_queryset

PERM_DRAW = "draws.draw_draw"
PERM_VIEW = "draws.view_draw"
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
    """[(kind, spec, available_at)] from form input; at least one external source is required."""
    out = []
    if lottery:
        spec, at = src.lottery_spec(**lottery)
        out.append((SourceKind.LOTTERY, spec, at))
    if drand_round:
        spec, at = src.drand_spec(round_no=drand_round)
        out.append((SourceKind.DRAND, spec, at))
    if not out:
        raise ValidationError("至少需要公告一个外部公开随机源（彩票开奖号码或 drand 轮次）")
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
    }


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
    attempt = (task.draws.aggregate(m=Max("attempt"))["m"] or 0) + 1
    code = f"{task.code}-{attempt}"
    cands = pool.candidates(task, today=timezone.localdate(now))
    units = [c.pool_unit for c in cands]
    counts = fd.stratum_counts(units)
    if not sum(c["eligible"] for c in counts.values()):
        raise ValidationError("抽查范围内没有可抽取的检查对象")
    # Public rosters name inspectors by pseudonym (fairdraw spec §4.2.1), never by 执法证号.
    roster = roster_entries(task, pseudonyms=ensure_pseudonyms(list(roster_queryset(task))))
    if len([r for r in roster if not r.on_leave]) < task.group_size:
        raise ValidationError(f"可选派的在岗执法人员不足 {task.group_size} 人，无法组成检查组")
    try:
        pool_bytes = fd.canonical_pool_bytes(units)
        roster_bytes = fd.canonical_roster_bytes([r.inspector for r in roster])
        record = fd.build_commitment(
            draw_id=code, plan=pool.draw_plan(task), pool_digest=fd.pool_digest(pool_bytes), strata=counts,
            public_sources=[spec for _k, spec, _a in sources],
            published_at=timezone.localtime(now).isoformat(timespec="seconds"),
            roster_digest=fd.roster_digest(roster_bytes), attempt=attempt, task=_task_summary(task),
            pool_merkle_root=fd.merkle.merkle_root(pool_bytes),  # per-unit inclusion proofs (spec §3.1)
        )  # fmt: skip
    except fd.FairdrawError as exc:
        raise _fd_error(exc) from exc
    commitment_bytes = fd.commitment_bytes(record)
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                task=task, region=task.plan.region, attempt=attempt, code=code, published_at=now,
                commitment_hash=fd.commitment_hash(record), pool_digest=record["pool_digest"],
                roster_digest=record["roster_digest"], unit_total=record["units"]["total"],
                unit_eligible=record["units"]["eligible"], created_by=stored_user(user),
            )  # fmt: skip
    except IntegrityError as exc:  # the partial unique constraint: someone else drew first
        raise ValidationError("该任务已有进行中的抽取（其他用户刚刚发起），请刷新页面") from exc
    entry = _log_commitment(draw, now)
    for kind, content in (
        (FileKind.POOL, pool_bytes), (FileKind.ROSTER, roster_bytes), (FileKind.COMMITMENT, commitment_bytes)
    ):  # fmt: skip
        DrawFile.store(draw=draw, kind=kind, data=content)
    for position, (kind, spec, available_at) in enumerate(sources, start=1):
        PublicSource.objects.create(draw=draw, position=position, kind=kind, spec=spec, available_at=available_at)
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user,
        message=f"冻结号池并公布抽取承诺 {code}（承诺哈希 {draw.commitment_hash}，承诺公示日志第 {entry.seq} 条）",
        data={"commitment_hash": draw.commitment_hash, "log_seq": entry.seq, "log_hash": entry.entry_hash,
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
                                logged_at=local.isoformat(timespec="seconds"))  # fmt: skip
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


def canonical_values(
    draw: Draw, raw_values: dict[int, str], now: dt.datetime | None = None, signatures: dict[int, str] | None = None
) -> tuple[list[str], list]:
    """Validate every announced source (in order): confirmed lottery entries, drand value + signature
    (BLS-checked), witness reveals.  Returns (values, evidence); ValidationError lists all problems."""
    values, evidence, errors = [], [], []
    signatures = signatures or {}
    for source in draw.sources.order_by("position").select_related("confirmed_by"):
        try:
            src.check_available(source.available_at, source.description, now)
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
        out = fd.run_draw(pool_bytes, commitment, values, roster=roster_bytes, public_evidence=evidence)
    except fd.FairdrawError as exc:
        raise _fd_error(exc) from exc
    manifest = fd.manifest_bytes(out.manifest)
    DrawFile.store(draw=draw, kind=FileKind.MANIFEST, data=manifest)
    _index_pool(draw, pool_bytes)
    for source, value, ev in zip(draw.sources.order_by("position"), values, evidence, strict=True):
        if source.kind == SourceKind.LOTTERY:
            continue  # entered and confirmed before
        source.value, source.raw_value = value, raw_values.get(source.position, "").strip()
        source.signature = ev["signature"] if ev else ""
        source.entered_at, source.entered_by = now, stored_user(user)
        source.save()
    _store_result(draw, out, roster_bytes)
    before = audit.snapshot(draw)
    draw.public_values = values
    draw.seed = out.seed.hex()
    draw.drawn_at, draw.drawn_by = now, stored_user(user)
    draw.manifest_hash = fd.pool_digest(manifest)  # plain SHA-256 of the manifest bytes
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
            f"承诺进入承诺公示日志（{timezone.localtime(entry.logged_time):%Y年%m月%d日 %H:%M}）不早于公开随机值产生"
            f"（{'、'.join(late) or '监督人揭示随机数'}），本次抽取无效，须作废后重新承诺"
        )


def _index_pool(draw: Draw, pool_bytes: bytes) -> int:
    """Write the per-unit index of the committed pool (DrawPoolEntry) used by the public self-check.

    One row per unit of the pool (100,000 for a city), so no model instances: COPY on PostgreSQL,
    executemany of plain tuples elsewhere.  The bytes were just checked by fairdraw (run_draw), so
    the lines are only split, chunk by chunk (memory bounded by the chunk, not the pool)."""
    meta = DrawPoolEntry._meta
    qn = connection.ops.quote_name
    cols = ", ".join(qn(meta.get_field(f).column) for f in ("draw", "unit_id", "stratum", "excluded_reason"))

    def rows():
        for _lineno, lines in line_chunks(pool_bytes):
            for line in lines:
                uid, stratum, _w, _region, _specialty, reason = line.decode().split("\t")
                yield draw.pk, uid, stratum, reason

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(meta.db_table)} ({cols}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
                    count += 1
        else:
            sql = f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES (%s, %s, %s, %s)"
            for batch in itertools.batched(rows(), POOL_INDEX_BATCH):
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


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
    targets: dict[str, DrawTarget] = {}
    rows = []
    for h, sel in out.result.strata.items():
        for role, status, unit_ids in (
            (TargetRole.SELECTED, TargetStatus.ACTIVE, sel.selected),
            (TargetRole.SUBSTITUTE, TargetStatus.STANDBY, sel.substitutes),
        ):
            for rank, uid in enumerate(unit_ids, start=1):
                unit_pk, unit_name = units[uid]
                row = DrawTarget(
                    draw=draw, unit_id=unit_pk, unit_code=uid, unit_name=unit_name, stratum=h, role=role, rank=rank,
                    specialty=out.result.units[uid].specialty if uid in out.result.units else "", status=status,
                )  # fmt: skip
                rows.append(row)
                targets[uid] = row
    DrawTarget.objects.bulk_create(rows)
    if out.assignment is None:
        return
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
    assignments = []
    for uid, group in out.assignment.groups.items():
        target = targets[uid]
        for iid in group:
            assignments.append(
                InspectorAssignment(
                    target=target,
                    inspector_id=inspectors[iid][0],
                    inspector_code=inspectors[iid][1],
                    inspector_name=inspectors[iid][2],
                    is_specialist=bool(target.specialty) and target.specialty in roster[iid],
                )  # fmt: skip
            )
    InspectorAssignment.objects.bulk_create(assignments)


# ---------------------------------------------------------------- witnesses, lock, cancel


@transaction.atomic
def witness_add(*, user, draw: Draw, name: str, organization: str, role: str, note: str = "") -> DrawWitness:
    require(user, PERM_DRAW, draw, scope_message=OUT_OF_SCOPE)
    draw = _locked_draw(draw)
    if draw.status not in (DrawStatus.COMMITTED, DrawStatus.DRAWN):
        raise ValidationError("抽取已锁定或作废，不能再登记监督人")
    witness = DrawWitness(draw=draw, name=name.strip(), organization=organization.strip(), role=role, note=note,
                          recorded_by=stored_user(user))  # fmt: skip
    witness.full_clean()
    witness.save()
    audit.log_change(
        witness, ObjectChange.Action.CREATE, user=user, message=f"登记监督人 {witness.name}（{draw.code}）"
    )
    return witness


@transaction.atomic
def draw_lock(*, user, draw: Draw, now: dt.datetime | None = None) -> Draw:
    require(user, PERM_DRAW, draw, scope_message=OUT_OF_SCOPE)
    draw = _locked_draw(draw)
    _require_status(draw, "lock")
    if not draw.witnesses.exists():
        raise ValidationError("请先登记至少一名监督人，再锁定抽取结果")
    draw.status = DRAW_TRANSITIONS["lock"][1]
    draw.locked_at, draw.locked_by = now or timezone.now(), stored_user(user)
    draw.save()
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=draw, user=user, message=f"锁定并公示抽取结果 {draw.code}",
        data={"manifest_sha256": draw.manifest_hash, "witnesses": [str(w) for w in draw.witnesses.all()]},
    )  # fmt: skip
    return draw


@transaction.atomic
def draw_cancel(*, user, draw: Draw, reason: str) -> Draw:
    require(user, PERM_DRAW, draw, scope_message=OUT_OF_SCOPE)
    draw = _locked_draw(draw)
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


# ---------------------------------------------------------------- verification


def draw_verify(*, user, draw: Draw) -> fd.VerifyReport:
    """Re-run the draw from the stored files (the same check as the stand-alone verifier)."""
    require(user, PERM_VIEW, draw, scope_message=OUT_OF_SCOPE)
    manifest = draw.file_bytes(FileKind.MANIFEST)
    if manifest is None:
        raise ValidationError("该抽取尚未产生结果，无需验证")
    report = fd.verify_manifest(manifest, draw.file_bytes(FileKind.POOL), draw.file_bytes(FileKind.ROSTER))
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
        report = fd.verify_manifest(manifest, pool_bytes or b"", roster)
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
