"""A draw in states the demo world lacks, read as a person reads it (issue #17): every clamp of the allocation in
words, and one plain line beside every public hash — on the staff page, the printed record, its PDF and the
portal. Its own module: the URL-map scan's `world` (tests/test_url_permissions.py) holds the demo data for its
module, and this draw is built on the small 高青 fixture instead."""

from __future__ import annotations

import re

import pytest

from shuangsuiji.plans.tests.fixtures import gq  # noqa: F401
from tests.test_plain_chinese import data_words, document_text, english_words, visible_text


@pytest.fixture
def clamped_draw(gq, approver_gq, media_root):  # noqa: F811
    """A locked 高青 draw whose strata hit every clamp (minimum, maximum, 全部检查) with fractional targets —
    states the demo world does not have, so the URL-map scan above never sees them."""
    import datetime as dt

    from django.utils import timezone

    from shuangsuiji.draws.testing import locked_draw
    from shuangsuiji.plans.models import TaskStratumRule

    task = gq["task"]
    TaskStratumRule.objects.create(task=task, stratum="A", rate=5, min_n=3)
    TaskStratumRule.objects.create(task=task, stratum="B", rate=55, max_n=2)
    TaskStratumRule.objects.create(task=task, stratum="C", rate=5, certainty=True)
    TaskStratumRule.objects.create(task=task, stratum="D", rate=15)
    return locked_draw(task, approver_gq, now=timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0)))


@pytest.mark.django_db
def test_draw_with_clamped_strata_reads_plain(client, approver_gq, clamped_draw):
    """The staff draw page, the printed record and the portal read the allocation in words: “应抽 13.5 户，受最少抽取
    数限制”, never the raw target “27/2” or the engine's codes min / max / certainty."""
    import json

    from django.urls import reverse

    from shuangsuiji.accounts.tests.test_views import login
    from shuangsuiji.draws.choices import FileKind

    manifest = json.loads(clamped_draw.file_bytes(FileKind.MANIFEST))
    clamps = {row["clamp"] for row in manifest["allocation"].values()}
    assert {"min", "max", "certainty"} <= clamps
    login(client, approver_gq)
    pages = {
        "staff": client.get(reverse("draws:draw_detail", args=[clamped_draw.pk])),
        "record": client.get(reverse("draws:draw_record", args=[clamped_draw.pk])),
    }
    client.logout()
    pages["portal"] = client.get(reverse("disclosure:draw_detail", args=[clamped_draw.code]))
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = visible_text(response.content.decode())
        assert not english_words(text, data_words()), f"{name}: {english_words(text, data_words())}"
        assert not re.search(r"(期望|应抽)\D{0,4}\d+/\d+", text), name
    staff = visible_text(pages["staff"].content.decode())
    for words in ("受最少抽取数限制", "受最多抽取数限制", "全部检查"):
        assert words in staff
        assert words in visible_text(pages["portal"].content.decode())


@pytest.mark.django_db
def test_every_public_hash_carries_its_explanation(client, approver_gq, clamped_draw):
    """Beside each hash — 承诺哈希, 号池快照, 执法人员名录, 公示日志, 随机种子, 结果清单 — one line in plain
    Chinese says what it is a fingerprint of: on the staff page, the printed record, its PDF (the paper the
    witnesses sign) and the portal."""
    from django.urls import reverse

    from shuangsuiji.accounts.tests.test_views import login
    from shuangsuiji.draws.presentation import HASH_HELP

    draw = clamped_draw
    values = {"commitment": draw.commitment_hash, "pool": draw.pool_digest, "roster": draw.roster_digest,
              "seed": draw.seed, "manifest": draw.manifest_hash, "log": ""}  # fmt: skip
    login(client, approver_gq)
    documents = {
        "staff": (client.get(reverse("draws:draw_detail", args=[draw.pk])), ("commitment", "pool", "roster", "seed")),
        "record": (client.get(reverse("draws:draw_record", args=[draw.pk])), tuple(values)),
        "pdf": (client.get(reverse("draws:draw_record_pdf", args=[draw.pk])), tuple(values)),
    }
    client.logout()
    documents["portal"] = (
        client.get(reverse("disclosure:draw_detail", args=[draw.code])),
        ("commitment", "pool", "roster", "seed"),
    )
    for name, (response, keys) in documents.items():
        assert response.status_code == 200, name
        text = re.sub(r"\s+", "", document_text(response))
        for key in keys:
            assert HASH_HELP[key].replace(" ", "") in text, f"{name}: no explanation of the {key} hash"
            assert values[key] in text, f"{name}: the {key} hash itself is missing"
