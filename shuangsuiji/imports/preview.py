"""The preview's row list (预览): each valid row of a batch marked 新增/变更/无变化/注销（停业）, a page at a time.

`prepare` plans every valid row once (it runs as a background job for large files); the plan entries are stored
beside the evidence file in chunks of `CHUNK` rows in file order, and for each action the positions of its rows,
so a page of 50 rows reads a few small files whatever the size of the batch: nothing of the whole file is loaded
in the request. An action that fills the batch alone (a first import: every row 新增) needs no positions.
"""

from __future__ import annotations

import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

CHUNK = 1000  # plan entries a file
INDEX_CHUNK = 10000  # positions a file
PER_PAGE = 50
ACTIONS = ("create", "update", "close", "unchanged")
LABELS = {"all": "全部", "create": "新增", "update": "变更", "close": "注销/停业", "unchanged": "无变化"}


def _folder(batch) -> str:
    return f"imports/preview/{batch.pk}-{batch.file_sha256[:12]}"


def counts(batch) -> dict[str, int]:
    found = {
        "create": batch.count_create, "update": batch.count_update, "close": batch.count_close,
        "unchanged": batch.count_unchanged,
    }  # fmt: skip
    return {"all": sum(found.values()), **found}


def _series(batch, action: str) -> str:
    """The stored series a filter reads ("all" when one action holds every row)."""
    numbers = counts(batch)
    return "all" if action == "all" or numbers[action] == numbers["all"] else action


def _write(batch, name: str, values: list) -> None:
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), check_circular=False)
    default_storage.save(f"{_folder(batch)}/{name}.json", ContentFile(text.encode()))


def _read(batch, name: str):
    path = f"{_folder(batch)}/{name}.json"
    if not default_storage.exists(path):
        return None  # stored before previews existed, or removed: counts only
    with default_storage.open(path) as handle:
        return json.loads(handle.read())


def store(batch, plan: list[dict]) -> None:
    """Write the plan entries of a newly saved batch in file order, in chunks of `CHUNK`; for each action that
    shares the batch with others, the positions of its rows (chunks of `INDEX_CHUNK`), so a filtered page reads
    its positions and the few entry chunks they fall in."""
    for number, start in enumerate(range(0, len(plan), CHUNK)):
        _write(batch, f"all-{number}", plan[start : start + CHUNK])
    positions: dict[str, list[int]] = {action: [] for action in ACTIONS}
    for index, entry in enumerate(plan):
        positions[entry["action"]].append(index)
    for action, found in positions.items():
        if found and len(found) != len(plan):
            for number, start in enumerate(range(0, len(found), INDEX_CHUNK)):
                _write(batch, f"{action}-{number}", found[start : start + INDEX_CHUNK])


def _slice(batch, series: str, first: int, last: int, size: int) -> list | None:
    """Items first..last-1 of a chunked series."""
    out: list = []
    while first + len(out) < last:
        index = first + len(out)
        chunk = _read(batch, f"{series}-{index // size}")
        if chunk is None:
            return None
        out.extend(chunk[index % size : min(last - index // size * size, size)])
    return out


def page(batch, action: str = "all", number: int = 1, per_page: int = PER_PAGE) -> dict:
    """One page of the preview: {"rows", "action", "page", "pages", "total"}; `action` and `number` are clamped
    to what exists (an unknown filter reads as 全部, a page past the end as the last page)."""
    action = action if action in LABELS else "all"
    total = counts(batch)[action]
    pages = max(1, -(-total // per_page))
    number = min(max(1, number), pages)
    first, last = (number - 1) * per_page, min(number * per_page, total)
    result = {"rows": [], "action": action, "page": number, "pages": pages, "total": total}
    if last <= first:
        return result
    if _series(batch, action) == "all":
        result["rows"] = _slice(batch, "all", first, last, CHUNK) or []
        return result
    positions = _slice(batch, action, first, last, INDEX_CHUNK) or []
    chunks: dict[int, list] = {}
    for position in positions:
        if position // CHUNK not in chunks:
            chunks[position // CHUNK] = _read(batch, f"all-{position // CHUNK}") or []
        entries = chunks[position // CHUNK]
        if position % CHUNK < len(entries):
            result["rows"].append(entries[position % CHUNK])
    return result
