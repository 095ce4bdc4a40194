"""Audit trail (全程留痕): write hash-chained ObjectChange rows and verify the chain.

Every service that changes business state calls `log_change()` (or `log_event()` for
workflow actions) inside its transaction. The chain:

    content = canonical JSON of {time, user_id, user_name, request_id, action, object_type,
              object_id, object_repr, region_code, message, prechange_data, postchange_data}
    hash    = SHA-256(prev_hash_hex ‖ "\n" ‖ content)      (prev_hash of the first row: 64 zeros)

Writers are serialised (PostgreSQL advisory lock; SQLite IMMEDIATE transactions) so the chain
never forks. `verify_chain()` names every edited, deleted or inserted row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db import connection, models, transaction
from django.utils import timezone

from .middleware import current_request_id, current_user
from .models import GENESIS_HASH, ObjectChange

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


def _head_hash() -> str:
    last = ObjectChange.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS_HASH


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


def _actor(user):
    user = user if user is not None else current_user()
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "系统"
    return user.pk, user.get_username()


def append(entries: Iterable[Entry], *, user=None) -> list[ObjectChange]:
    """Chain and store entries in one transaction (bulk-friendly: one lock, one INSERT batch)."""
    user_id, user_name = _actor(user)
    request_id = current_request_id()
    with transaction.atomic():
        _lock_chain()
        prev = _head_hash()
        now = timezone.now()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # ms: survives JSON dump/load (backups)
        rows = []
        for entry in entries:
            row = ObjectChange(
                time=now,
                user_id=user_id,
                user_name=user_name,
                request_id=request_id,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                object_repr=entry.object_repr[:300],
                region_code=entry.region_code,
                message=entry.message,
                prechange_data=to_plain(entry.prechange_data),
                postchange_data=to_plain(entry.postchange_data),
                prev_hash=prev,
            )
            row.hash = row_hash(prev, row)
            prev = row.hash
            rows.append(row)
        ObjectChange.objects.bulk_create(rows, batch_size=2000)
    return rows


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
    kind: str  # "altered" | "deleted_before" | "inserted" | "bad_genesis" | "head_mismatch"
    detail: str

    def __str__(self) -> str:
        return f"#{self.row_id} {self.kind}: {self.detail}"


def verify_chain(*, expected_head: str | None = None) -> tuple[int, list[ChainProblem]]:
    """Walk the whole log in id order; return (rows checked, problems)."""
    problems: list[ChainProblem] = []
    seen: dict[str, int] = {}  # stored hash -> id, to tell insertions from deletions
    prev_id, prev_hash, count = None, GENESIS_HASH, 0
    for row in ObjectChange.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if row_hash(row.prev_hash, row) != row.hash:
            problems.append(ChainProblem(row.id, "altered", "内容与哈希不符：该记录在写入后被修改"))
        if row.prev_hash != prev_hash:
            if prev_id is None:
                problems.append(ChainProblem(row.id, "bad_genesis", "第一条记录不是链首：之前的记录被删除"))
            elif row.prev_hash in seen:
                problems.append(
                    ChainProblem(
                        prev_id, "inserted",
                        f"记录链接到 #{seen[row.prev_hash]}，其后的记录（至 #{prev_id}）是插入的",
                    )
                )  # fmt: skip
            else:
                problems.append(
                    ChainProblem(row.id, "deleted_before", f"#{prev_id} 与 #{row.id} 之间的记录被删除或修改")
                )
        seen[row.hash] = row.id
        prev_id, prev_hash = row.id, row.hash
    if expected_head and prev_hash != expected_head:
        problems.append(
            ChainProblem(
                prev_id or 0, "head_mismatch", f"链尾哈希 {prev_hash[:16]}… 与公布的 {expected_head[:16]}… 不符"
            )
        )
    return count, problems


def chain_head() -> tuple[int, str]:
    row = ObjectChange.objects.order_by("-id").values_list("id", "hash").first()
    return row or (0, GENESIS_HASH)
