"""The preview's stored row list: every page of every filter equals slicing the plan in memory, across chunk
boundaries (small chunks here), and a page past the end or an unknown filter is clamped."""

from types import SimpleNamespace

import pytest

from shuangsuiji.imports import preview


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(preview, "CHUNK", 7)
    monkeypatch.setattr(preview, "INDEX_CHUNK", 5)


def batch_for(plan, pk=1):
    counted = {action: sum(1 for e in plan if e["action"] == action) for action in preview.ACTIONS}
    return SimpleNamespace(pk=pk, file_sha256="ab" * 32, **{f"count_{a}": n for a, n in counted.items()})


@pytest.mark.parametrize("pattern", ["cccc", "cuxc", "uuuuuuu", "cxxxxxxxxxxxxxxu"])
def test_every_page_of_every_filter_matches_the_plan(pattern):
    actions = {"c": "create", "u": "update", "x": "unchanged"}
    plan = [{"row": i + 2, "key": f"K{i}", "name": f"单位{i}", "action": actions[pattern[i % len(pattern)]],
             "changes": []} for i in range(53)]  # fmt: skip
    batch = batch_for(plan)
    preview.store(batch, plan)
    for action in ("all", *preview.ACTIONS):
        expected = [e for e in plan if action == "all" or e["action"] == action]
        got = []
        pages = preview.page(batch, action, 1, per_page=4)["pages"]
        for number in range(1, pages + 1):
            got += preview.page(batch, action, number, per_page=4)["rows"]
        assert got == expected, action
    last = preview.page(batch, "all", 999, per_page=4)
    assert last["page"] == 14 and [e["row"] for e in last["rows"]] == [54]
    assert preview.page(batch, "nonsense")["action"] == "all"


def test_a_batch_without_stored_rows_shows_counts_only():
    batch = SimpleNamespace(pk=9, file_sha256="cd" * 32, count_create=3, count_update=0, count_close=0,
                            count_unchanged=0)  # fmt: skip
    assert preview.page(batch) == {"rows": [], "action": "all", "page": 1, "pages": 1, "total": 3}
