"""Two users drawing the same task at the same moment cannot produce two draws.

PostgreSQL: the task row is locked with SELECT … FOR UPDATE, so the second transaction waits and then
sees the first draw; the partial unique constraint (one non-cancelled draw per task) backs it up.
SQLite: IMMEDIATE transactions serialise writers (config/settings.py); the in-memory shared-cache test
database refuses the concurrent writer ("table is locked") instead of waiting, with the same outcome.
"""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shuangsuiji.draws import services
from shuangsuiji.draws.models import Draw
from shuangsuiji.plans.tests.fixtures import lottery_input

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_freezes_make_one_draw(gq, approver_gq, admin_user_gq):
    task = gq["task"]
    barrier = threading.Barrier(2)
    outcomes = []

    def draw_as(user):
        try:
            sources = services.build_sources(lottery=lottery_input())
            barrier.wait(timeout=10)
            outcomes.append(("ok", services.draw_freeze(user=user, task=task, sources=sources).pk))
        except Exception as exc:  # noqa: BLE001 - record what each thread saw
            outcomes.append(("error", str(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=draw_as, args=(u,)) for u in (approver_gq, admin_user_gq)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    error = next(msg for kind, msg in outcomes if kind == "error")
    if connection.vendor == "postgresql":  # the second transaction waited for the row lock, then was refused
        assert "不能重复抽取" in error or "其他用户" in error, outcomes
    else:  # SQLite's shared-cache test database refuses the concurrent writer outright
        assert "不能重复抽取" in error or "locked" in error, outcomes
    assert Draw.objects.filter(task=task).count() == 1


def test_database_refuses_a_second_live_draw(gq, approver_gq):
    draw = services.draw_freeze(
        user=approver_gq, task=gq["task"], sources=services.build_sources(lottery=lottery_input())
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Draw.objects.create(
            task=draw.task, region=draw.region, attempt=2, code=draw.code + "-x", published_at=timezone.now(),
            commitment_hash="0" * 64, pool_digest="0" * 64, roster_digest="0" * 64,
        )  # fmt: skip
