"""Reads for draws (scoped through `restrict()`), including what the public portal (issue #6) lists."""

import datetime as dt
import json

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, Prefetch, Q, When

from shuangsuiji import fairdraw as fd
from shuangsuiji.directory.models import Inspector, RiskRating

from .choices import DrawStatus, FileKind, SourceKind, TargetRole
from .models import (
    CommitmentLogEntry,
    Draw,
    DrawPoolEntry,
    DrawTarget,
    DrawWitness,
    InspectorAssignment,
    InspectorPseudonym,
)

RISK_WINDOW_DAYS = 90  # 冻结前多少天内的信用风险分类变更列入抽取记录
RISK_CHANGES_SHOWN = 500


def draw_list(user, action: str = "view"):
    return Draw.objects.restrict(user, action).select_related("task", "task__plan", "region")


def draw_detail_targets(draw: Draw):
    """Targets with their groups, selected first (by stratum, rank), then substitutes."""
    return (
        draw.targets.select_related("unit", "replaces", "result")  # result: the target's progress
        .prefetch_related(Prefetch("assignments", queryset=InspectorAssignment.objects.order_by("inspector_code")))
        .order_by("role", "stratum", "rank")
    )


def commitment_of(draw: Draw) -> dict:
    """The published commitment (JSON) of a draw, read from its verified file."""
    return json.loads(draw.file_bytes(FileKind.COMMITMENT))


def draws_awaiting_values(user):
    return draw_list(user).filter(status=DrawStatus.COMMITTED)


def draws_awaiting_lock(user):
    return draw_list(user).filter(status=DrawStatus.DRAWN)


def lock_missing(draw: Draw) -> list[str]:
    """What still stands between `draw` and its lock, in plain Chinese (empty: it may be locked). The page
    offers the lock button only when this is empty; `services.draw_lock` refuses with the same list."""
    if draw.status in (DrawStatus.LOCKED, DrawStatus.CANCELLED):
        return [f"该抽取当前状态为“{draw.get_status_display()}”"]
    missing = []
    unrevealed = [
        s.witness.name if hasattr(s, "witness") else s.spec.get("name", "")
        for s in draw.sources.filter(kind=SourceKind.WITNESS, value="").select_related("witness")
    ]
    missing += [f"监督人 {name} 尚未揭示随机数" for name in unrevealed]
    if draw.status == DrawStatus.COMMITTED:
        missing.append("尚未抽取：全部公开随机值录入或揭示后，执行抽取")
    if not draw.witnesses.exists():
        missing.append("还没有监督人：至少一名监督人在场（本人账号登录，或由经办人登记无账号的到场监督人）")
    return missing


def oversight_confirmation(draw: Draw) -> DrawWitness | None:
    """The first witness with the 纪检 role (oversight) who confirmed the locked record with their own login —
    until one has, the record reads 待纪检确认. A clerk's note that a paper witness signed, or the confirmation
    of a witness with another role, does not count (issue #17: witnesses confirm with their own login, 纪检 role)."""
    from shuangsuiji.accounts.roles import Role

    return (
        draw.witnesses.filter(  # the role the account had when it confirmed, not its role today
            on_paper=False, confirmed_as=Role.OVERSIGHT, confirmed_at__isnull=False, confirmed_by=F("user")
        )
        .select_related("user")
        .order_by("confirmed_at", "id")
        .first()
    )


def has_oversight_witness(draw: Draw) -> bool:
    """Whether a 纪检 (oversight role) login is among the witnesses, i.e. someone can confirm the record."""
    from shuangsuiji.accounts.roles import Role

    return draw.witnesses.filter(on_paper=False, user__role=Role.OVERSIGHT).exists()


def witnesses_of_task(task) -> list[DrawWitness]:
    """The witnesses invited to the task's next draw (before the commitment)."""
    return list(DrawWitness.objects.filter(task=task, draw__isnull=True).select_related("user").order_by("id"))


def witness_candidates(task, clerk):
    """Users who may witness the task's draw: active, may view draws, in the task's region (纪检 first), not
    the clerk."""
    from shuangsuiji.accounts.models import User
    from shuangsuiji.accounts.roles import Role
    from shuangsuiji.core.permissions import in_scope

    users = User.objects.filter(is_active=True).exclude(pk=clerk.pk).select_related("organization__region")
    ok = [u for u in users if u.has_perm("draws.view_draw") and in_scope(u, task.plan)]
    ok.sort(key=lambda u: (u.role != Role.OVERSIGHT, u.full_name or u.username))
    return User.objects.filter(pk__in=[u.pk for u in ok]).order_by(
        Case(When(role=Role.OVERSIGHT, then=0), default=1), "full_name", "username"
    )


def witness_duties(user):
    """The draws where `user` is an invited witness and still has something to do (commit, reveal, confirm)."""
    rows = DrawWitness.objects.filter(user=user, on_paper=False).select_related("draw", "task", "source")
    return [
        w
        for w in rows.filter(Q(draw__isnull=True) | Q(draw__status__in=[DrawStatus.COMMITTED, DrawStatus.LOCKED]))
        if witness_step(w)[0] in ("commit", "reveal", "confirm")
    ]


def witness_step(witness: DrawWitness) -> tuple[str, str]:
    """(step, plain Chinese) of what the witness can do now."""
    draw = witness.draw
    if draw is None:
        if witness.task.has_live_draw():
            return "wait", "抽取已开始"
        if witness.commitment:
            return "commit", "已交承诺哈希；公布承诺前还可以更改"
        return "commit", "请交来随机数的承诺哈希（在公布抽取承诺之前）"
    if draw.status == DrawStatus.CANCELLED:
        return "done", "本次抽取已作废"
    if draw.status == DrawStatus.COMMITTED:
        if witness.source_id and not witness.source.value:
            return "reveal", "抽取承诺已公布，请揭示您的随机数"
        return "wait", "等待其他随机数和抽取"
    if draw.status == DrawStatus.DRAWN:
        return "wait", "已抽取，等待经办人锁定"
    if witness.confirmed_at:
        return "done", "已确认锁定的抽取记录"
    return "confirm", "抽取结果已锁定公示，请核对后确认"


def public_draws():
    """Draws for the public portal: every published commitment (also cancelled attempts, with reason).

    The result (targets, groups, manifest) is public once `locked_at` is set (status locked), or for a
    cancelled draw if it had been run. Use `public_targets(draw)` for the rows to show.
    """
    return (
        Draw.objects.filter(is_public=True)
        .select_related("task", "task__plan", "region")
        .annotate(selected_count=Count("targets", filter=Q(targets__role=TargetRole.SELECTED)))
        .order_by("-published_at")
    )


def public_draw_rows():
    """The rows of `public_draws()` without its per-draw target count (a join over every DrawTarget)."""
    return Draw.objects.filter(is_public=True).order_by()


def public_targets(draw: Draw):
    if draw.status != DrawStatus.LOCKED and not (draw.status == DrawStatus.CANCELLED and draw.drawn_at):
        return DrawTarget.objects.none()
    return draw_detail_targets(draw)


def pool_entry(draw: Draw, unit_id: str) -> DrawPoolEntry | None:
    """One unit's row of the draw's committed pool (index lookup on (draw, unit_id); no file is read)."""
    rows = DrawPoolEntry.objects.filter(draw=draw, unit_id=unit_id).only("stratum", "excluded_reason")[:1]
    return next(iter(rows), None)  # unique, so no ORDER BY is needed


def pool_risk_changes(draw: Draw, days: int = RISK_WINDOW_DAYS) -> dict:
    """冻结前 `days` 天内风险等级变更的单位: credit-risk classes recorded in [freeze - days, freeze] for units in
    the frozen pool (old → new, as-of date, source, who, when), newest first. A class set shortly before the
    freeze changes a unit's stratum and so its draw probability; the record shows it to reviewers and 纪检.

    Returns {"days", "since", "rows" (at most RISK_CHANGES_SHOWN), "total"}.
    """
    since = draw.published_at - dt.timedelta(days=days)
    ratings = (
        RiskRating.objects.filter(
            created_at__gte=since, created_at__lte=draw.published_at,
            unit__region__code__startswith=draw.region.scope_prefix,
        )
        .select_related("unit", "created_by")
        .order_by("-created_at", "-id")
    )  # fmt: skip
    result = {"days": days, "since": since, "rows": [], "total": 0}
    if not ratings.exists():
        return result  # the pool file is only read when there is something to match
    pool = draw.file_bytes(FileKind.POOL) or b""
    codes = {line.split(b"\t", 1)[0].decode() for line in pool.split(b"\n")[1:] if line}
    for rating in ratings.iterator(chunk_size=2000):
        if rating.unit.credit_code in codes:
            result["total"] += 1
            if len(result["rows"]) < RISK_CHANGES_SHOWN:
                result["rows"].append(rating)
    return result


def stored_verification(draw: Draw):
    """The stored re-verification of the draw's current files (`DrawVerification`), or None."""
    from .models import DrawVerification

    row = DrawVerification.objects.filter(draw_id=draw.pk).first()
    return row if row is not None and row.matches(draw) else None


# ---------------------------------------------------------------- the public commitment log (fairdraw spec §14)


def log_head() -> CommitmentLogEntry | None:
    """The last entry of the commitment log (None while it is empty); public."""
    return CommitmentLogEntry.objects.order_by("-seq").first()


def log_entry_of(draw: Draw) -> CommitmentLogEntry | None:
    return CommitmentLogEntry.objects.filter(draw=draw).first()


def log_lines():
    """The log as JSON lines (canonical JSON + LF per entry), streamed in seq order; public."""
    entries = CommitmentLogEntry.objects.select_related("draw").only(
        "seq", "draw_code", "commitment_hash", "logged_at", "prev_hash", "entry_hash", "draw__hash_suite"
    )
    for entry in entries.order_by("seq").iterator(chunk_size=2000):
        yield fd.commitlog.entry_line(entry.entry_dict())


def log_check() -> tuple[bool, str]:
    """Re-check the stored log (chain, seq, times) the way `fairdraw.verify --log` does; for audit_verify."""
    data = b"".join(log_lines())
    try:
        entries = fd.commitlog.parse_log(data)
    except fd.commitlog.LogBreak as b:
        return False, f"承诺公示日志哈希链断开：{b.path}：{b.message_zh}"
    except fd.MalformedInput as e:
        return False, f"承诺公示日志格式错误：{e.message_zh}"
    if not entries:
        return True, "承诺公示日志：尚无记录"
    head = entries[-1]
    return (
        True,
        f"承诺公示日志完整：共 {len(entries)} 条，链尾 第 {head['seq']} 条 {head['hash']}（{head['logged_at']}）",
    )


# ---------------------------------------------------------------- pseudonymous rosters (fairdraw spec §4.2.1)

ROSTER_KEY_FORMAT = "fairdraw-roster-key/2"  # /2: each entry names its pseudonym's hash suite


def can_read_conflict_key(user, draw: Draw) -> bool:
    """The conflict key opens every declared 回避 pair of the draw's roster (fairdraw spec §4.2.2): oversight (纪检,
    in scope), superusers and the staff who may draw (they froze it) read it; other staff and the public do not."""
    from shuangsuiji.accounts.roles import Role
    from shuangsuiji.core.permissions import in_scope

    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not in_scope(user, draw):
        return False
    return getattr(user, "role", "") == Role.OVERSIGHT or user.has_perm("draws.draw_draw")


def roster_keys(user, draw: Draw) -> dict:
    """The key to a draw's pseudonymous roster: per inspector the pseudonym, 执法证号, name and salt, so that
    pseudonym = H(LP("SRV1/pseudonym", salt, 执法证号)) can be recomputed, H the entry's ``hash`` suite.
    Oversight (纪检, in scope) and superusers get every entry, an inspector only their own; everyone else is
    refused."""
    from shuangsuiji.accounts.roles import Role
    from shuangsuiji.core.permissions import in_scope

    if user is None or not user.is_authenticated:
        raise PermissionDenied
    everyone = user.is_superuser or (getattr(user, "role", "") == Role.OVERSIGHT and in_scope(user, draw))
    ids = [i.inspector_id for i in fd.parse_roster(draw.file_bytes(FileKind.ROSTER))]
    rows = InspectorPseudonym.objects.filter(pseudonym__in=ids).select_related("inspector")
    if not everyone:
        if not in_scope(user, draw):
            raise PermissionDenied
        rows = rows.filter(inspector__user=user)
        if not rows:
            raise PermissionDenied("只有纪检监督人员和名录中的执法人员本人可以查看化名对照")
    entries = [{"inspector_id": r.pseudonym, "cert_no": r.cert_no, "name": r.inspector.name, "salt": r.salt,
                "hash": r.hash_suite} for r in sorted(rows, key=lambda r: r.pseudonym)]  # fmt: skip
    return {"format": ROSTER_KEY_FORMAT, "draw_id": draw.code, "roster_digest": draw.roster_digest, "entries": entries}


def roster_key_scope(user, draw: Draw) -> str:
    """What the 化名对照 download (`roster_keys`) gives this user, for the link on the staff draw page: 全部执法人员
    (纪检 in scope, superusers), 仅本人 (an inspector of the committed roster), "" (nothing: no link)."""
    from .files import DrawFileCorrupted

    try:
        if not draw.file_bytes(FileKind.ROSTER):
            return ""
        entries = roster_keys(user, draw)["entries"]
    except (PermissionDenied, DrawFileCorrupted):
        return ""
    if not entries:
        return ""
    from shuangsuiji.accounts.roles import Role

    return "全部执法人员" if user.is_superuser or getattr(user, "role", "") == Role.OVERSIGHT else "仅本人"


def pseudonym_names(ids) -> dict[str, str]:
    """pseudonym → inspector name, for internal statistics (dashboards)."""
    return dict(InspectorPseudonym.objects.filter(pseudonym__in=list(ids)).values_list("pseudonym", "inspector__name"))


def roster_ids(roster: list[fd.Inspector]) -> tuple[dict[int, str], dict[str, int]]:
    """inspector pk ↔ id in the committed roster (pseudonyms since spec §4.2.1, 执法证号 before)."""
    ids = {i.inspector_id for i in roster}
    to_id = dict(Inspector.objects.filter(cert_no__in=ids).values_list("pk", "cert_no"))
    to_id |= dict(InspectorPseudonym.objects.filter(pseudonym__in=ids).values_list("inspector_id", "pseudonym"))
    return to_id, {v: k for k, v in to_id.items()}


def eligible_roster(draw: Draw, manifest: dict | None = None) -> dict[int, str] | None:
    """inspector pk → name of the committed roster's inspectors who can take a check at all in this draw: a 执法证
    valid through the inspection window and a workload cap above 0 (min of the personal cap — 0 when on leave at
    the freeze — and the plan's), rules 1 and 4 of fairdraw spec §8.1; 回避 and region rules depend on the unit and
    leave them eligible. None when the draw has no roster or assignment rules."""
    from .files import DrawFileCorrupted

    try:
        manifest = manifest or json.loads(draw.file_bytes(FileKind.MANIFEST) or b"null")
        roster_bytes = draw.file_bytes(FileKind.ROSTER)
    except DrawFileCorrupted:
        return None
    rules = fd.DrawPlan.from_dict(manifest["commitment"]["plan"]).assignment if manifest else None
    if rules is None or not roster_bytes:
        return None
    start, end = rules.inspection_date, rules.window_end
    eligible = []
    for i in fd.parse_roster(roster_bytes):
        caps = [c for c in (i.max_load, rules.max_load) if c is not None]
        certified = bool(i.cert_valid_from) and i.cert_valid_from <= start and end <= i.cert_valid_to
        if certified and not (caps and min(caps) == 0):
            eligible.append(i)
    _to_id, pk_of = roster_ids(eligible)
    pks = [pk_of[i.inspector_id] for i in eligible if i.inspector_id in pk_of]
    return dict(Inspector.objects.filter(pk__in=pks).values_list("pk", "name"))


def load_summary(draw: Draw, manifest: dict | None = None) -> dict:
    """检查任务量: checks per inspector over the draw's targets still to be inspected, the median, and the
    inspectors carrying more than twice the median (shown before locking, issue #15 point 6).

    The median is taken over every eligible inspector of the draw's committed roster (`eligible_roster`), those
    without any check counted as 0, plus anyone else holding a check; idle inspectors are listed with 0."""
    rows = list(
        InspectorAssignment.objects.filter(target__draw=draw, target__status="active")
        .values("inspector_id", "inspector_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "inspector_name")
    )
    busy = {r["inspector_id"] for r in rows}
    idle = sorted(
        ({"inspector_id": pk, "inspector_name": name, "n": 0}
         for pk, name in (eligible_roster(draw, manifest) or {}).items() if pk not in busy),
        key=lambda r: r["inspector_name"],
    )  # fmt: skip
    rows += idle
    counts = sorted(r["n"] for r in rows)
    if not counts:
        return {"rows": [], "median": 0, "median_display": "0", "heavy": [], "total": 0, "inspectors": 0, "idle": 0}
    mid = len(counts) // 2
    median = counts[mid] if len(counts) % 2 else (counts[mid - 1] + counts[mid]) / 2
    heavy = [r for r in rows if r["n"] > 2 * median]
    for r in rows:
        r["heavy"] = r["n"] > 2 * median
    return {
        "rows": rows, "median": median, "median_display": f"{median:g}", "heavy": heavy,
        "total": sum(counts), "inspectors": len(counts), "idle": len(idle),
    }  # fmt: skip


def inspector_changes(draw: Draw):
    return draw.inspector_changes.select_related("target", "requested_by", "decided_by").order_by("requested_at", "pk")


def expert_attachments(draw: Draw):
    from .models import ExpertAttachment

    return ExpertAttachment.objects.filter(target__draw=draw).select_related("target", "expert", "created_by")


def expert_options(draw: Draw):
    """Active entries of the draw region's 专家库 (for designating one with a reason)."""
    from shuangsuiji.directory.models import Expert

    qs = Expert.objects.filter(active=True, region__code__startswith=draw.region.scope_prefix)
    return qs.order_by("kind", "name")
