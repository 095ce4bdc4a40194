"""The public self-check of a targeted (weighted, pivotal) draw states the unit's probability in plain Chinese,
never the raw manifest string "n'*w/W" (issue #14, plain Chinese on the public pages)."""

import json

import pytest

from shuangsuiji.disclosure import verification
from shuangsuiji.draws import presentation, services
from shuangsuiji.draws.choices import FileKind
from shuangsuiji.draws.testing import enter_and_confirm
from shuangsuiji.draws.tests.test_targeting import targeted  # noqa: F401 - the fixture
from shuangsuiji.plans.tests.fixtures import KL8_NUMBERS, after_draw_time, lottery_input

pytestmark = pytest.mark.django_db


def test_weighted_self_check_reads_in_plain_chinese(targeted, approver_gq):  # noqa: F811
    draw = services.draw_freeze(user=approver_gq, task=targeted["task"],
                                sources=services.build_sources(lottery=lottery_input()))  # fmt: skip
    enter_and_confirm(draw, approver_gq, KL8_NUMBERS, now=after_draw_time())
    draw = services.draw_run(user=approver_gq, draw=draw, now=after_draw_time())
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    check = verification.self_check(draw, manifest["selection"]["ALL"]["selected"][0])
    assert "*w/" in check.probability and "*w/" not in check.probability_text
    assert check.probability_text == presentation.probability_text(check.probability)
    assert check.probability_text.startswith("按权重抽取：每户被抽中的机会 = ")
    assert verification.SelfCheck(code="X", in_pool=True, certain=True).probability_text.endswith("100%）")
