"""Audit trail (全程留痕): write hash-chained ObjectChange rows and verify the chain.

Every service that changes business state calls `log_change()` (or `log_event()` for
workflow actions) inside its transaction. The chain:

    content = canonical JSON of {time, user_id, user_name, request_id, action, object_type,
              object_id, object_repr, region_code, message, prechange_data, postchange_data}
    hash    = SHA-256(prev_hash_hex ‖ "\n" ‖ content)      (prev_hash of the first row: 64 zeros)

Writers are serialised (PostgreSQL advisory lock; SQLite IMMEDIATE transactions) so the chain
never forks. `check_chain()` names every edited, deleted or inserted row and checks that earlier
published heads (see core/anchoring.py) are still prefixes of the chain.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from itertools import compress, islice
from typing import NamedTuple
from uuid import UUID

from django.db import connection, models, transaction
from django.utils import timezone

from .bulk import allocate_ids, insert_rows
from .formats import local_datetime
from .middleware import current_request_id, current_user
from .models import GENESIS_HASH, ObjectChange
from .permissions import SYSTEM

AUDIT_LOCK_KEY = 0x5353_4A01  # pg_advisory_xact_lock key for the audit chain

HASHED_FIELDS = (
    "time", "user_id", "user_name", "request_id", "action", "object_type",
    "object_id", "object_repr", "region_code", "message", "prechange_data", "postchange_data",
)  # fmt: skip


def _json_default(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or ""
    raise TypeError(f"not serialisable: {type(value)!r}")


def to_plain(data):
    """Turn a snapshot into plain JSON types so it round-trips through any database unchanged."""
    return json.loads(json.dumps(data, default=_json_default, ensure_ascii=False))


def canonical_json(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _time_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_content(row: ObjectChange) -> str:
    data = {name: getattr(row, name) for name in HASHED_FIELDS}
    data["time"] = _time_text(row.time)
    return canonical_json(data)


def row_hash(prev_hash: str, row: ObjectChange) -> str:
    return hashlib.sha256(f"{prev_hash}\n{row_content(row)}".encode()).hexdigest()


SENSITIVE_FIELDS = {"password"}


def snapshot(obj: models.Model) -> dict:
    """Serialise a model instance's concrete fields (FKs as ids) and many-to-many ids (never secrets)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.attname not in SENSITIVE_FIELDS:
            data[field.attname] = field.value_from_object(obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(obj.serializable_value(field.name).values_list("pk", flat=True))
    return to_plain(data)


def _region_code_of(obj) -> str:
    field = getattr(type(obj), "region_field", None)
    if not field or obj is None:
        return ""
    value = obj
    for part in field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return value if isinstance(value, str) else getattr(value, "code", "")


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])


def _head() -> tuple[int, str]:
    """The chain's last row: (id, hash); (0, GENESIS_HASH) for an empty trail."""
    return ObjectChange.objects.order_by("-id").values_list("id", "hash").first() or (0, GENESIS_HASH)


@dataclass
class Entry:
    """One audit record before it is chained."""

    action: str
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    region_code: str = ""
    message: str = ""
    prechange_data: dict | None = None
    postchange_data: dict | None = None
    plain: bool = False  # the data is JSON-plain with str keys throughout (bulk writers vouch): skip the check


def _actor(user):
    if user is SYSTEM:
        return None, SYSTEM.username
    user = user if user is not None else current_user()
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "系统"
    return user.pk, user.get_username()


APPEND_CHUNK = 5000  # rows between two progress calls of a streamed append
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode
_string = json.encoder.encode_basestring  # a str as JSON without ASCII escaping (C), as canonical_json writes it
ROW_COLUMNS = (
    "time", "user_id", "user_name", "request_id", "action", "object_type", "object_id", "object_repr",
    "region_code", "message", "prechange_data", "postchange_data", "prev_hash", "hash",
)  # fmt: skip


_LEAVES = frozenset({str, int, float, bool, type(None)})
_NESTED = frozenset({dict, list, tuple})


def _str_keys(value) -> bool:
    """True when every dict key in `value` (at any depth) is a str: then its canonical JSON equals that of
    `to_plain(value)`, so the round trip through `to_plain` can be skipped (it is the cost of a bulk append).
    Type sets are taken in C (map/set); only containers inside are walked."""
    if type(value) is dict:
        if value and set(map(type, value)) != {str}:
            return False
        items = value.values()
    elif type(value) in (list, tuple):
        items = value
    else:
        return True
    if set(map(type, items)) <= _LEAVES:
        return True
    return all(map(_str_keys, compress(items, map(_NESTED.__contains__, map(type, items)))))


if json.encoder.c_make_encoder is not None:  # the C encoder, made once (json.dumps sets one up per call)
    _C_CANONICAL = json.encoder.c_make_encoder(
        {}, _json_default, json.encoder.encode_basestring, None, ":", ",", True, False, True
    )

    def _canonical(data) -> str:
        return "".join(_C_CANONICAL(data, 0))
else:  # pragma: no cover - CPython always has it
    _canonical = _CANONICAL


def _data_text(data, plain: bool = False) -> str | None:
    """canonical_json(to_plain(data)): the text hashed and stored (None stays SQL NULL)."""
    if data is None:
        return None
    return _canonical(data if plain or _str_keys(data) else to_plain(data))


class Rendered(NamedTuple):
    """An audit entry whose data are already canonical JSON text (None: SQL NULL), for bulk writers that render
    100,000 snapshots from one `CanonicalTemplate` instead of a dict each; hashed and stored exactly as the
    `Entry` with the same data would be (tests/test_audit compares the two)."""

    action: str
    object_type: str
    object_id: str
    object_repr: str
    region_code: str
    message: str
    prechange_text: str | None
    postchange_text: str | None


def _value_text(value) -> str:
    """canonical JSON of one plain value; the common types without a call into the encoder."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return _canonical(value)


class CanonicalTemplate:
    """canonical_json of dicts that share one key set and most of their values (an import's snapshots of new
    rows): the keys and the values that never change are encoded once; a row gives only its `variable` values.

    `render_columns` takes the variable values column-wise (plain JSON values, sorted lists); each row's text
    equals `canonical_json({**constant, **row})`."""

    def __init__(self, constant: dict, variable: Iterable[str]):
        variable = set(variable)
        pieces, order, literal = [], [], "{"
        for n, key in enumerate(sorted({*constant, *variable})):
            literal += ("," if n else "") + _string(key) + ":"
            if key in variable:
                pieces.append(literal)
                order.append(key)
                literal = ""
            else:
                literal += _canonical(constant[key])
        pieces.append(literal + "}")
        self.keys = tuple(order)
        self.format = "%s".join(piece.replace("%", "%%") for piece in pieces)

    def render_columns(self, columns: dict[str, Sequence]) -> Iterator[str]:
        """The canonical JSON of each row given column-wise ({key: values}, every variable key, equal lengths):
        each column is encoded in one pass (plain str and int columns without a Python call per value)."""
        return map(self.format.__mod__, zip(*(_encode_column(columns[key]) for key in self.keys), strict=True))


def _encode_column(values: Sequence) -> list[str]:
    kinds = set(map(type, values))
    if kinds <= {str}:
        return list(map(_string, values))
    if kinds <= {int}:
        return list(map(int.__repr__, values))
    return list(map(_value_text, values))


def _fragment(value) -> str:
    return _string(value) if isinstance(value, str) else _CANONICAL(value)


def _chain(entries: Iterable[Entry], *, user, prev: str, now: dt.datetime):
    """Database rows (ROW_COLUMNS order), each hashed onto the one before: the same content and hash as
    `row_hash(prev, ObjectChange(...))`, built from text fragments in canonical key order instead of one dict
    per row (tests/test_core_audit compare the two). The actor, request id and time are read here, in the
    calling thread; the returned iterator only hashes (so it may run in another thread: `_chained_aside`)."""
    user_id, user_name = _actor(user)
    request_id = current_request_id()
    time_db = connection.ops.adapt_datetimefield_value(now)
    tail = (
        f',"request_id":{_fragment(request_id)},"time":{_string(_time_text(now))},'
        f'"user_id":{_fragment(user_id)},"user_name":{_fragment(user_name)}}}'
    )
    memo: dict = {}  # fragments of the values that repeat (action, type, message, region)

    def cached(value) -> str:
        text = memo.get(value) if type(value) is str else None
        if text is None:
            text = _fragment(value)
            if type(value) is str and len(memo) < 1000:
                memo[value] = text
        return text

    return _hashed(entries, prev, time_db, user_id, user_name, request_id, tail, cached)


def _hashed(entries, prev, time_db, user_id, user_name, request_id, tail, cached):
    """`entries` are `Entry` objects or `Rendered` tuples (their data already canonical JSON text)."""
    sha256 = hashlib.sha256
    rendered = Rendered
    for entry in entries:
        if type(entry) is rendered:
            action, object_type, object_id, object_repr, region_code, message, pre, post = entry
        else:
            action, object_type, object_id, object_repr = (
                entry.action, entry.object_type, entry.object_id, entry.object_repr
            )  # fmt: skip
            region_code, message = entry.region_code, entry.message
            pre, post = _data_text(entry.prechange_data, entry.plain), _data_text(entry.postchange_data, entry.plain)
        object_repr = object_repr[:300]
        content = (
            f'{{"action":{cached(action)},"message":{cached(message)},'
            f'"object_id":{_fragment(object_id)},"object_repr":{_fragment(object_repr)},'
            f'"object_type":{cached(object_type)},"postchange_data":{post or "null"},'
            f'"prechange_data":{pre or "null"},"region_code":{cached(region_code)}{tail}'
        )
        digest = sha256(f"{prev}\n{content}".encode()).hexdigest()
        yield (
            time_db, user_id, user_name, request_id, action, object_type, object_id, object_repr,
            region_code, message, pre, post, prev, digest,
        )  # fmt: skip
        prev = digest


def _write(
    entries: Iterable[Entry], *, user, keep: bool, progress=None, pure: bool = False
) -> tuple[int, list[tuple], dt.datetime, list[int]]:
    """Chain and insert entries through the raw multi-row path (COPY on PostgreSQL), in one transaction under
    one chain lock. `keep` returns the rows written and their ids (for `append`); otherwise the rows are streamed
    into one write as they are hashed (the database stores while the next rows are hashed), and
    `progress(written)` is called every APPEND_CHUNK rows."""
    with transaction.atomic():
        _lock_chain()
        head_id, prev = _head()
        now = timezone.now()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # ms: survives JSON dump/load (backups)
        rows = _chain(entries, user=user, prev=prev, now=now)
        table = ObjectChange._meta.db_table
        if keep:
            kept = list(rows)
            if not kept:
                return 0, [], now, []
            ids = allocate_ids(ObjectChange, len(kept))  # known before the insert: nothing to read back
            if ids is None:  # neither PostgreSQL nor SQLite: the rows after the head are this write's (chain lock)
                count = insert_rows(table, list(ROW_COLUMNS), kept)
                ids = list(ObjectChange.objects.filter(id__gt=head_id).order_by("id").values_list("id", flat=True))
                return count, kept, now, ids
            count = insert_rows(table, ["id", *ROW_COLUMNS], [(pk, *row) for pk, row in zip(ids, kept, strict=True)])
            return count, kept, now, ids
        with _chained_aside(rows) if pure and connection.vendor == "sqlite" else nullcontext(rows) as rows:
            if progress is not None:
                rows = _reporting(rows, progress)  # called in this thread
            return insert_rows(table, list(ROW_COLUMNS), rows), [], now, []


ASIDE_CHUNK = 500  # rows the hashing thread hands over at a time
ASIDE_QUEUE = 8  # chunks it may run ahead of the writer (bounds memory)


@contextmanager
def _chained_aside(rows: Iterator[tuple]):
    """`rows` made in a worker thread while this thread writes them. SQLite steps an INSERT without holding the
    GIL, so on SQLite (in-process: no server to overlap with) the hashing runs beside the writing instead of
    before it. Only for entries that touch no database (`append_many(pure=True)`): the worker thread has no
    connection in this transaction. An error on either side stops both and is raised here."""
    handover: queue.Queue = queue.Queue(maxsize=ASIDE_QUEUE)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                handover.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            while chunk := list(islice(rows, ASIDE_CHUNK)):
                if not put(chunk):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the writer, which raises it
            put(exc)
            return
        put(done)

    def consume():
        while True:
            item = handover.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item

    worker = threading.Thread(target=contextvars.copy_context().run, args=(produce,), name="audit-chain", daemon=True)
    worker.start()
    try:
        yield consume()
    finally:
        stop.set()
        worker.join()


def _reporting(rows, progress):
    """`rows`, calling `progress(count so far)` after every APPEND_CHUNK rows and at the end."""
    count = 0
    while chunk := list(islice(rows, APPEND_CHUNK)):
        yield from chunk
        count += len(chunk)
        progress(count)


def append(entries: Iterable[Entry], *, user=None) -> list[ObjectChange]:
    """Chain and store entries in one transaction (one lock, multi-row writes); returns the stored rows."""
    _, rows, now, ids = _write(entries, user=user, keep=True)
    result = []
    for row, pk in zip(rows, ids, strict=True):
        values = dict(zip(ROW_COLUMNS, row, strict=True))
        values.update(
            id=pk, time=now,
            prechange_data=None if values["prechange_data"] is None else json.loads(values["prechange_data"]),
            postchange_data=None if values["postchange_data"] is None else json.loads(values["postchange_data"]),
        )  # fmt: skip
        change = ObjectChange(**values)
        change._state.adding, change._state.db = False, connection.alias
        result.append(change)
    return result


def append_many(entries: Iterable[Entry | Rendered], *, user=None, progress=None, pure: bool = False) -> int:
    """`append` for bulk writers (an import's 100,000 entries, `Entry` or `Rendered`): streams the entries, keeps
    nothing, returns the count. `progress(written)` is called every APPEND_CHUNK rows. `pure`: making the entries
    (a generator) reads no database, so on SQLite they may be made and hashed in a worker thread while this one
    writes."""
    return _write(entries, user=user, keep=False, progress=progress, pure=pure)[0]


def entry_for(obj, action: str, *, before: dict | None = None, message: str = "", after: dict | None = None) -> Entry:
    if after is None and action != ObjectChange.Action.DELETE:
        after = snapshot(obj)
    return Entry(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj),
        region_code=_region_code_of(obj),
        message=message,
        prechange_data=before,
        postchange_data=after,
    )


def log_change(obj, action: str, *, user=None, before: dict | None = None, message: str = "") -> ObjectChange:
    """Record a create/update/delete of `obj` (call `snapshot(obj)` first for `before`)."""
    return append([entry_for(obj, action, before=before, message=message)], user=user)[0]


def log_event(
    action: str, *, message: str, obj=None, user=None, region_code: str = "", data: dict | None = None
) -> ObjectChange:
    """Record a non-CRUD event (workflow step, login, export...)."""
    if obj is not None:
        entry = entry_for(obj, action, message=message, after=data if data is not None else {})
        entry.region_code = entry.region_code or region_code
    else:
        entry = Entry(action=action, message=message, region_code=region_code, postchange_data=data)
    return append([entry], user=user)[0]


def changed_fields(before: dict | None, after: dict | None) -> list[tuple[str, object, object]]:
    """(field, old, new) for every differing key — the 变更对比 shown in history pages."""
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


@dataclass
class ChainProblem:
    row_id: int
    kind: str  # "altered" | "deleted_before" | "inserted" | "bad_genesis" | "head_missing" | "head_mismatch"
    detail: str
    seq: int | None = None  # position on the chain (1 = first row); None for rows that are not on it

    def __str__(self) -> str:
        return f"#{self.row_id} {self.kind}: {self.detail}"


@dataclass(frozen=True)
class Anchor:
    """A chain head recorded outside the database (a signed head file, a hash handed to 纪检)."""

    hash: str
    seq: int | None = None  # its position when it was published, when known
    row_id: int | None = None
    label: str = ""  # where it came from (file name), for messages


@dataclass
class HeadCheck:
    """Where an earlier published head sits in the current chain."""

    anchor: Anchor
    ok: bool
    detail: str
    seq: int | None = None
    row_id: int | None = None
    appended: int | None = None  # rows chained after it since it was published


@dataclass
class ChainReport:
    rows: int  # rows in the table
    length: int  # rows on the reconstructed chain (= rows when intact)
    head_seq: int
    head_id: int | None
    head_hash: str
    problems: list[ChainProblem]
    heads: list[HeadCheck]

    @property
    def ok(self) -> bool:
        return not self.problems


def describe_row(row: ObjectChange) -> str:
    """One line naming a row for people: time, user, action, object."""
    target = f"{row.object_type} #{row.object_id}" if row.object_type else "无对象"
    name = f"「{row.object_repr}」" if row.object_repr else ""
    message = f"，说明：{row.message[:60]}" if row.message else ""
    return f"{local_datetime(row.time)} {row.user_name or '系统'} {row.get_action_display()} {target}{name}{message}"


_GENESIS, _MISSING = -1, -2


def check_chain(anchors: Iterable[Anchor | str] = (), *, exact_head: str | None = None, progress=None) -> ChainReport:
    """Verify the whole log and where each earlier published head (anchor) sits in it.

    The rows are read in id order and linked by `prev_hash`. The chain is rebuilt from genesis as the
    longest path (preferring paths through published heads), so a forged row that links to an older row
    is named itself instead of blaming the genuine rows after that older row. Rows whose predecessor
    no longer exists start a new segment ("deleted_before"); rows off the rebuilt chain are "inserted";
    rows whose content does not match their hash are "altered". An anchor passes when its hash is on
    the chain and everything from genesis up to it is intact (a prefix check: rows appended since are
    fine). `exact_head` (backups) must be the chain's last hash.
    """
    anchors = [a if isinstance(a, Anchor) else Anchor(hash=a.strip().lower()) for a in anchors]
    ids: list[int] = []
    prevs: list[str] = []
    hashes: list[str] = []
    altered: list[int] = []
    for row in ObjectChange.objects.order_by("id").iterator(chunk_size=2000):
        if progress is not None and len(ids) % 2000 == 0:
            progress(len(ids))  # a background job's progress (rows re-hashed so far)
        if row_hash(row.prev_hash, row) != row.hash:
            altered.append(len(ids))
        ids.append(row.id)
        prevs.append(row.prev_hash)
        hashes.append(row.hash)
    n = len(ids)
    index = {h: i for i, h in enumerate(hashes)}
    parent = [_GENESIS if p == GENESIS_HASH else index.get(p, _MISSING) for p in prevs]
    children: dict[int, list[int]] = {}
    for i, p in enumerate(parent):
        children.setdefault(p, []).append(i)

    # Longest path below each row (leaves first; rows in a forged cycle never get one and stay off the chain).
    height = [0] * n
    pending = [len(children.get(i, ())) for i in range(n)]
    stack = [i for i in range(n) if not pending[i]]
    while stack:
        i = stack.pop()
        p = parent[i]
        if p >= 0:
            height[p] = max(height[p], height[i] + 1)
            pending[p] -= 1
            if not pending[p]:
                stack.append(p)
    anchored = [False] * n  # ancestors of a published head: the genuine path whatever the lengths
    for anchor in anchors:
        i = index.get(anchor.hash)
        while i is not None and i >= 0 and not anchored[i]:
            anchored[i] = True
            i = parent[i]

    seq_of = [0] * n  # 1-based position on the rebuilt chain, 0 = off the chain
    chain: list[int] = []

    def follow(i: int) -> None:
        while True:
            chain.append(i)
            seq_of[i] = len(chain)
            kids = [k for k in children.get(i, ()) if not seq_of[k]]
            if not kids:
                return
            i = max(kids, key=lambda k: (anchored[k], height[k], -k))

    problems: list[ChainProblem] = []
    starts = children.get(_GENESIS, [])
    if starts:
        follow(max(starts, key=lambda k: (anchored[k], height[k], -k)))
    for root in children.get(_MISSING, []):  # in id order
        if chain:
            before = ids[chain[-1]]
            detail = f"#{before} 与 #{ids[root]} 之间的记录被删除，或 #{before} 被修改后重算了哈希"
            problems.append(ChainProblem(ids[root], "deleted_before", detail, seq=len(chain) + 1))
        else:
            detail = f"第一条记录 #{ids[root]} 不是链首：之前的记录被删除"
            problems.append(ChainProblem(ids[root], "bad_genesis", detail, seq=1))
        follow(root)
    for i in altered:
        detail = "内容与哈希不符：该记录在写入后被修改"
        problems.append(ChainProblem(ids[i], "altered", detail, seq=seq_of[i] or None))

    off_chain = [i for i in range(n) if not seq_of[i]]
    if off_chain:
        rows = ObjectChange.objects.in_bulk([ids[i] for i in off_chain])
        for i in off_chain:
            p = parent[i]
            if p == _GENESIS:
                link = f"它自称链首，而链首是 #{ids[chain[0]]}"
            elif p >= 0 and seq_of[p] and seq_of[p] < len(chain):
                link = f"它接在 #{ids[p]} 之后，而审计链在 #{ids[p]} 之后接的是 #{ids[chain[seq_of[p]]]}"
            elif p >= 0:
                link = f"它接在 #{ids[p]} 之后，不在审计链上"
            else:
                link = "它不在审计链上"
            detail = f"插入的伪造记录 #{ids[i]}（{describe_row(rows[ids[i]])}）：{link}"
            problems.append(ChainProblem(ids[i], "inserted", detail))

    first_bad = min((p.seq for p in problems if p.seq), default=None)
    checks: list[HeadCheck] = []
    for anchor in anchors:
        i = index.get(anchor.hash)
        check = HeadCheck(anchor=anchor, ok=False, detail="")
        if i is None:
            check.detail = "公布的链尾在当前审计链中不存在：其记录已被删除，或整条链被改写"
        elif not seq_of[i]:
            check.detail = f"公布的链尾 #{ids[i]} 已不在审计链上：链条在其之前被改接"
        else:
            check.seq, check.row_id, check.appended = seq_of[i], ids[i], len(chain) - seq_of[i]
            where = f"第 {check.seq} 条（#{check.row_id}）"
            if first_bad is not None and first_bad <= check.seq:
                check.detail = f"公布的链尾位于{where}，但链首到它之间第 {first_bad} 条起有异常"
            elif anchor.seq is not None and anchor.seq != check.seq:
                check.detail = f"公布时链尾是第 {anchor.seq} 条，现在位于{where}：其之前的记录被删除或插入"
            elif anchor.row_id is not None and anchor.row_id != check.row_id:
                check.detail = f"公布时链尾是 #{anchor.row_id}，现在是 #{check.row_id}：记录被改号"
            else:
                check.ok = True
                check.detail = f"在{where}找到，链首至此完整，此后追加 {check.appended} 条"
        checks.append(check)
        if not check.ok:
            source = f"（{anchor.label}）" if anchor.label else ""
            problems.append(
                ChainProblem(check.row_id or 0, "head_missing", f"链尾 {anchor.hash[:16]}…{source}：{check.detail}")
            )

    head = chain[-1] if chain else None
    head_hash = hashes[head] if head is not None else GENESIS_HASH
    if exact_head and head_hash != exact_head:
        detail = f"链尾哈希 {head_hash[:16]}… 与公布的 {exact_head[:16]}… 不符"
        problems.append(ChainProblem(ids[head] if head is not None else 0, "head_mismatch", detail))
    problems.sort(key=lambda p: (p.row_id == 0, p.row_id))
    return ChainReport(
        rows=n, length=len(chain), head_seq=len(chain), head_id=ids[head] if head is not None else None,
        head_hash=head_hash, problems=problems, heads=checks,
    )  # fmt: skip


def verify_chain(*, expected_head: str | None = None) -> tuple[int, list[ChainProblem]]:
    """(rows checked, problems); `expected_head` must be the chain's last hash (backups)."""
    report = check_chain(exact_head=expected_head)
    return report.rows, report.problems


def chain_head() -> tuple[int, str]:
    row = ObjectChange.objects.order_by("-id").values_list("id", "hash").first()
    return row or (0, GENESIS_HASH)
