"""The preview's row list (预览): each valid row of a batch marked 新增/变更/无变化/注销（停业）, a page at a time.

`prepare` plans every valid row once (it runs as a background job for large files); the plan entries are stored
beside the evidence file in chunks of `CHUNK` rows, one series in file order ("all") and one per action, so a
page of 50 rows reads one or two small files whatever the size of the batch: nothing of the whole file is loaded
in the request. A series an action fills alone (a first import: every row 新增) is not written twice.
"""

from __future__ import annotations

import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

CHUNK = 1000
PER_PAGE = 50
ACTIONS = ("create", "update", "close", "unchanged")
LABELS = {"all": "全部", "create": "新增", "update": "变更", "close": "注销/停业", "unchanged": "无变化"}


def _folder(batch) -> str:
    return f"imports/preview/{batch.pk}-{batch.file_sha256[:12]}"


def _path(batch, series: str, chunk: int) -> str:
    return f"{_folder(batch)}/{series}-{chunk}.json"


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


def store(batch, plan: list[dict]) -> None:
    """Write the plan entries of a saved batch in chunks (replacing any earlier ones)."""
    groups = {"all": plan}
    for action in ACTIONS:
        entries = [entry for entry in plan if entry["action"] == action]
        if entries and len(entries) != len(plan):
            groups[action] = entries
    for series, entries in groups.items():
        for number, start in enumerate(range(0, len(entries), CHUNK)):
            path = _path(batch, series, number)
            if default_storage.exists(path):
                default_storage.delete(path)
            text = json.dumps(entries[start : start + CHUNK], ensure_ascii=False, separators=(",", ":"))
            default_storage.save(path, ContentFile(text.encode()))


def page(batch, action: str = "all", number: int = 1, per_page: int = PER_PAGE) -> dict:
    """One page of the preview: {"rows", "action", "page", "pages", "total"}; `action` and `number` are clamped
    to what exists (an unknown filter reads as 全部, a page past the end as the last page)."""
    action = action if action in LABELS else "all"
    total = counts(batch)[action]
    pages = max(1, -(-total // per_page))
    number = min(max(1, number), pages)
    first, last = (number - 1) * per_page, min(number * per_page, total)
    rows: list[dict] = []
    series = _series(batch, action)
    chunk = None
    while first + len(rows) < last:
        index = first + len(rows)
        if chunk is None or index // CHUNK != chunk[0]:
            path = _path(batch, series, index // CHUNK)
            if not default_storage.exists(path):
                break  # stored before previews existed, or removed: counts only
            with default_storage.open(path) as handle:
                chunk = (index // CHUNK, json.loads(handle.read()))
        rows.extend(chunk[1][index % CHUNK : min(last - chunk[0] * CHUNK, CHUNK)])
    return {"rows": rows, "action": action, "page": number, "pages": pages, "total": total}
