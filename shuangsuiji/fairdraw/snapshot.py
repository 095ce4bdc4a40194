"""Canonical pool snapshot (spec §3).

The snapshot is one UTF-8 text file::

    fairdraw-pool/1<TAB>unit_id<TAB>stratum<TAB>weight_ppm<TAB>region<TAB>specialty<TAB>excluded_reason<LF>
    <unit_id><TAB><stratum><TAB><weight_ppm><TAB><region><TAB><specialty><TAB><excluded_reason><LF>
    ...

Rows are sorted bytewise (UTF-8) by unit_id, unit ids are unique, every line
ends with LF, there is no BOM and no CR.  ``weight_ppm`` is a decimal integer
without sign or leading zeros.  Excluded units stay in the file with a
non-empty reason; they are counted but never eligible.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .canon import MAX_TEXT_BYTES, check_text
from .errors import FairdrawError, MalformedInput
from .hashsuite import SHA256, HashSuite

POOL_FORMAT = "fairdraw-pool/1"
POOL_COLUMNS = ("unit_id", "stratum", "weight_ppm", "region", "specialty", "excluded_reason")
POOL_HEADER = ("\t".join((POOL_FORMAT,) + POOL_COLUMNS) + "\n").encode("utf-8")
DEFAULT_WEIGHT_PPM = 1_000_000
MAX_WEIGHT_PPM = 10**12

# Suggested reason codes (any text is allowed; these have Chinese labels).
EXCLUSION_REASONS = {
    "RECENTLY_INSPECTED": "近期已检查（在规定期限内已被抽查）",
    "CLOSED": "已注销、吊销或停业",
    "HIGHER_LEVEL_TASK": "已列入上级（国家、省、市）抽查任务",
    "UNDER_INVESTIGATION": "正在立案调查",
}

_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")

# Internal row: (unit_id, stratum, weight_ppm, region, specialty, excluded_reason),
# text fields as UTF-8 bytes.
Row = tuple[bytes, bytes, int, bytes, bytes, bytes]


@dataclass(frozen=True, slots=True)
class PoolUnit:
    """One candidate unit (检查对象) as the draw sees it.

    ``weight_ppm`` is a relative weight (1_000_000 = 1.0), used only in
    strata whose plan method is "pivotal"; ``region`` and ``specialty`` are
    used only by inspector assignment; a non-empty ``excluded_reason`` makes
    the unit ineligible (it still appears in the committed snapshot).
    """

    unit_id: str
    stratum: str
    weight_ppm: int = DEFAULT_WEIGHT_PPM
    excluded_reason: str = ""
    region: str = ""
    specialty: str = ""


def unit_to_row(u: PoolUnit, seen: dict[str, bytes] | None = None) -> Row:
    """Validate a PoolUnit and convert it to the internal row form.  ``seen`` caches the text values
    already validated (strata, regions, specialties and reasons repeat across a pool)."""
    uid = check_text(u.unit_id, "unit_id")
    if seen is None:
        seen = {}
    enc = []
    for value, what, allow_empty in (
        (u.stratum, "stratum", False),
        (u.region, "region", True),
        (u.specialty, "specialty", True),
        (u.excluded_reason, "excluded_reason", True),
    ):
        b = seen.get(value) if type(value) is str else None
        if b is None or (not value and not allow_empty):
            check_text(value, f"单位 {uid} 的 {what}", allow_empty=allow_empty)
            b = seen[value] = value.encode()
        enc.append(b)
    w = u.weight_ppm
    if isinstance(w, bool) or not isinstance(w, int) or not 0 <= w <= MAX_WEIGHT_PPM:
        raise FairdrawError("WEIGHT_INVALID", f"单位 {uid} 的权重 weight_ppm 必须是 0 到 10^12 的整数：{w!r}")
    if w == 0 and not u.excluded_reason:
        raise FairdrawError("WEIGHT_ZERO", f"单位 {uid} 未被排除，其权重 weight_ppm 不能为 0")
    return (uid.encode(), enc[0], w, enc[1], enc[2], enc[3])


def row_bytes(r: Row) -> bytes:
    return b"%s\t%s\t%d\t%s\t%s\t%s\n" % r


def row_to_unit(r: Row) -> PoolUnit:
    return PoolUnit(r[0].decode(), r[1].decode(), r[2], r[5].decode(), r[3].decode(), r[4].decode())


def canonical_pool_bytes(units: Iterable[PoolUnit]) -> bytes:
    """The canonical snapshot bytes for a set of units (any input order)."""
    seen: dict[str, bytes] = {}
    rows = sorted(unit_to_row(u, seen) for u in units)
    for a, b in zip(rows, rows[1:], strict=False):
        if a[0] == b[0]:
            raise FairdrawError("DUPLICATE_UNIT", f"检查对象名录中有重复的 unit_id：{a[0].decode()}")
    out = io.BytesIO()
    out.write(POOL_HEADER)
    for r in rows:
        out.write(row_bytes(r))
    return out.getvalue()


def pool_digest(pool_bytes: bytes, suite: HashSuite = SHA256) -> str:
    """H of the snapshot bytes (SHA-256 unless the commitment names SM3), lowercase hex."""
    return suite.hexdigest(pool_bytes)


def check_utf8_nfc(data: bytes) -> None:
    """Whole-buffer check that the text is UTF-8 and NFC.  Chunks end at LF;
    TAB and LF are stable code points, so the text is NFC iff every field is."""
    step = 1 << 23
    i = 0
    while i < len(data):
        j = data.find(b"\n", i + step)
        j = len(data) if j < 0 else j + 1
        try:
            text = data[i:j].decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, i + e.start) + 1
            raise MalformedInput("POOL_UTF8", f"快照第 {line} 行不是有效的 UTF-8 文本") from e
        if not unicodedata.is_normalized("NFC", text):
            raise MalformedInput("POOL_TEXT", "快照含有不是 Unicode NFC 规范形式的文本")
        i = j


def _weight(w: bytes, lineno: int) -> int:
    if not w.isdigit() or (w[0] == 48 and len(w) > 1) or len(w) > 13 or int(w) > MAX_WEIGHT_PPM:
        raise MalformedInput("POOL_WEIGHT", f"快照第 {lineno} 行的 weight_ppm 不是 0 到 10^12 的规范整数：{w!r}")
    return int(w)


# Control bytes (C0 except TAB and LF, and DEL) -> 0, every other byte -> 1: a chunk holds a control
# byte iff its translation holds a zero byte (two C loops, much faster than a regular expression).
_CONTROL_TABLE = bytes(0 if _CONTROL.match(bytes([b])) else 1 for b in range(256))
CHUNK_BYTES = 1 << 22


def check_pool_buffer(pool_bytes: object, *, text: bool = True) -> bytes:
    """The whole-buffer checks of a snapshot, in the order of spec §3 (type, header, control
    characters, final LF, UTF-8 and NFC); returns the bytes.  ``text=False`` leaves UTF-8 and NFC
    to the caller (``check_text_bytes`` per field; ``check_utf8_nfc`` names the error)."""
    if not isinstance(pool_bytes, (bytes, bytearray, memoryview)):
        raise MalformedInput("POOL_TYPE", "检查对象快照必须是字节串（bytes）")
    data = bytes(pool_bytes)
    if not data.startswith(POOL_HEADER):
        raise MalformedInput("POOL_HEADER", f"快照首行必须是 {POOL_HEADER.decode()!r}")
    for i in range(0, len(data), CHUNK_BYTES):
        j = data[i : i + CHUNK_BYTES].translate(_CONTROL_TABLE).find(0)
        if j >= 0:
            line = data.count(b"\n", 0, i + j) + 1
            raise MalformedInput("POOL_CONTROL_CHAR", f"快照第 {line} 行含有控制字符（不允许 CR、NUL 等）")
    if not data.endswith(b"\n"):
        raise MalformedInput("POOL_NO_FINAL_LF", "快照最后一行必须以换行符 LF 结尾")
    if text and not data.isascii():
        check_utf8_nfc(data)
    return data


def text_ok(field: bytes) -> bool:
    """A field is UTF-8 and NFC.  TAB and LF are ASCII and stable code points, so a snapshot is
    UTF-8 and NFC iff each of its fields is."""
    if field.isascii():
        return True
    try:
        return unicodedata.is_normalized("NFC", field.decode("utf-8"))
    except UnicodeDecodeError:
        return False


def line_chunks(data: bytes) -> Iterator[tuple[int, list[bytes]]]:
    """The data lines of checked snapshot bytes, a few MiB at a time: (line number of the first
    line, lines without their LF).  Memory is bounded by the chunk, not the pool."""
    pos, n, lineno = len(POOL_HEADER), len(data), 2
    while pos < n:
        end = data.find(b"\n", pos + CHUNK_BYTES)
        end = n if end < 0 else end + 1
        lines = data[pos:end].split(b"\n")
        lines.pop()  # the chunk ends with LF
        yield lineno, lines
        lineno += len(lines)
        pos = end


def check_line(line: bytes, lineno: int, prev: bytes) -> Row:
    """Strictly validate one data line (without its LF) after the line whose unit id is ``prev``;
    MalformedInput naming the line on error."""
    f = line.split(b"\t")
    if len(f) != 6:
        raise MalformedInput("POOL_FIELDS", f"快照第 {lineno} 行应有 6 个字段，实际 {len(f)} 个")
    uid, stratum, w, region, spec, reason = f
    if uid <= prev:
        raise MalformedInput(
            "POOL_ORDER",
            f"快照第 {lineno} 行的 unit_id 为空、未按字节升序排列或有重复：{uid.decode(errors='replace')!r}",
        )
    if not stratum:
        raise MalformedInput("POOL_EMPTY_FIELD", f"快照第 {lineno} 行的 stratum 为空")
    wi = _weight(w, lineno)
    if wi == 0 and not reason:
        raise MalformedInput("POOL_WEIGHT", f"快照第 {lineno} 行未被排除，weight_ppm 不能为 0")
    if len(line) >= MAX_TEXT_BYTES and max(map(len, (uid, stratum, region, spec, reason))) > MAX_TEXT_BYTES:
        raise MalformedInput("POOL_TEXT", f"快照第 {lineno} 行有超过 {MAX_TEXT_BYTES} 字节的文本字段")
    return (uid, stratum, wi, region, spec, reason)


def iter_rows(pool_bytes: bytes) -> Iterator[Row]:
    """Parse and strictly validate canonical snapshot bytes (MalformedInput on error)."""
    data = check_pool_buffer(pool_bytes)
    prev = b""
    for lineno, lines in line_chunks(data):
        for line in lines:
            row = check_line(line, lineno, prev)
            prev = row[0]
            lineno += 1
            yield row


def read_units(pool_bytes: bytes) -> list[PoolUnit]:
    """Parse snapshot bytes back into PoolUnit records (for small pools / tests)."""
    return [row_to_unit(r) for r in iter_rows(pool_bytes)]


def stratum_counts(rows: Iterable[Row] | Iterable[PoolUnit]) -> dict[str, dict[str, int]]:
    """{stratum: {"total", "eligible", "excluded"}} sorted by stratum code."""
    acc: dict[object, list[int]] = {}
    for r in rows:
        if isinstance(r, PoolUnit):
            key, excluded = r.stratum, bool(r.excluded_reason)
        else:
            key, excluded = r[1], bool(r[5])
        c = acc.get(key)
        if c is None:
            c = acc[key] = [0, 0]
        c[0] += 1
        c[1] += excluded
    named = {(k.decode() if isinstance(k, bytes) else k): v for k, v in acc.items()}
    return {s: {"total": t, "eligible": t - x, "excluded": x} for s, (t, x) in sorted(named.items())}
