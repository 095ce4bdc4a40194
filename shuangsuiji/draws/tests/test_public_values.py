"""Issue 20: the public random value proves itself.

* lottery: entered by one person with the announcement's reference, confirmed by a second login;
* drand: the round's signature is BLS-checked against the chain's public key (real quicknet rounds).
"""

import datetime as dt
import json
import pathlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangsuiji import fairdraw as fd
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.draws import services
from shuangsuiji.draws import sources as src
from shuangsuiji.draws.choices import DrawStatus, FileKind
from shuangsuiji.draws.testing import second_person
from shuangsuiji.plans.tests.fixtures import KL8_NUMBERS, after_draw_time, lottery_input

pytestmark = pytest.mark.django_db

ROUNDS = json.loads(
    (pathlib.Path(__file__).resolve().parents[3] / "docs/fairdraw-vectors/drand/quicknet-rounds.json").read_text()
)["rounds"]
R1000, REAL = ROUNDS  # REAL: round 10024141, produced 2024-08-05 16:36:27 UTC
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REF = "中国福利彩票官网 快乐8 第 2026321 期开奖公告"


def lottery_draw(task, user):
    sources = services.build_sources(lottery=lottery_input())
    return services.draw_freeze(user=user, task=task, sources=sources)


def test_lottery_value_needs_a_second_login(gq, approver_gq, admin_user_gq, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    draw = lottery_draw(gq["task"], approver_gq)
    source = draw.sources.get()
    now = after_draw_time()
    with pytest.raises(ValidationError, match="开奖公告的网址或公告编号"):
        services.source_enter(user=approver_gq, source=source, raw_value=KL8_NUMBERS, announcement_ref="", now=now)
    upload = SimpleUploadedFile("公告.png", PNG, content_type="image/png")
    source = services.source_enter(
        user=approver_gq, source=source, raw_value=KL8_NUMBERS, announcement_ref=REF, upload=upload, now=now
    )
    assert source.value.startswith("01,05,09") and source.entered_by == approver_gq and source.confirmed_by is None
    assert source.announcement_name == "公告.png" and source.announcement_file.read() == PNG
    # not confirmed yet: the draw cannot run
    with pytest.raises(ValidationError, match="尚未经第二名工作人员复核确认"):
        services.draw_run(user=approver_gq, draw=draw, now=now)
    # the same login cannot confirm
    with pytest.raises(ValidationError, match="录入人本人不能复核"):
        services.source_confirm(user=approver_gq, source=source, raw_value=KL8_NUMBERS, now=now)
    # a second person typing different numbers is refused and nothing is confirmed
    with pytest.raises(ValidationError, match="不一致"):
        services.source_confirm(user=admin_user_gq, source=source, raw_value=KL8_NUMBERS.replace("80", "79"), now=now)
    source.refresh_from_db()
    assert source.confirmed_by is None
    source = services.source_confirm(user=admin_user_gq, source=source, raw_value=KL8_NUMBERS, now=now)
    assert source.confirmed_by == admin_user_gq and source.confirmed_at == now
    with pytest.raises(ValidationError, match="已由"):
        services.source_confirm(user=second_person(approver_gq), source=source, raw_value=KL8_NUMBERS, now=now)
    draw = services.draw_run(user=approver_gq, draw=draw, now=now)
    assert draw.status == DrawStatus.DRAWN and draw.public_values == [source.value]
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    # format 4: the roster commits its 回避 pairs (fairdraw spec §4.2.2)
    assert manifest["format"] == "fairdraw-manifest/4" and manifest["public_evidence"] == [None]
    messages = list(
        ObjectChange.objects.filter(object_type="draws.draw", object_id=str(draw.pk)).values_list("message", flat=True)
    )
    assert any("待另一名工作人员复核" in m for m in messages)
    assert any("复核确认" in m and "录入人" in m for m in messages)
    # after the draw nothing can be re-entered
    with pytest.raises(ValidationError, match="不能再录入或复核"):
        services.source_enter(user=approver_gq, source=source, raw_value=KL8_NUMBERS, announcement_ref=REF, now=now)


def test_re_entry_clears_the_confirmation(gq, approver_gq, admin_user_gq):
    draw = lottery_draw(gq["task"], approver_gq)
    now = after_draw_time()
    source = services.source_enter(user=approver_gq, source=draw.sources.get(), raw_value=KL8_NUMBERS,
                                   announcement_ref=REF, now=now)  # fmt: skip
    services.source_confirm(user=admin_user_gq, source=source, raw_value=KL8_NUMBERS, now=now)
    source = services.source_enter(user=admin_user_gq, source=source, raw_value=KL8_NUMBERS, announcement_ref=REF,
                                   now=now)  # fmt: skip
    assert source.entered_by == admin_user_gq and source.confirmed_by is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("公告.txt", b"hello", "只能是 JPG、PNG 图片或 PDF"),
        ("公告.png", b"%PDF-1.4 not a png", "内容与扩展名不符"),
        ("公告.pdf", b"", "文件为空"),
        ("公告.jpg", b"\xff\xd8\xff" + b"0" * 100, "超过"),
    ],
)
def test_announcement_file_is_checked(gq, approver_gq, monkeypatch, name, content, message):
    monkeypatch.setattr(services, "ANNOUNCEMENT_MAX_BYTES", 50)
    draw = lottery_draw(gq["task"], approver_gq)
    with pytest.raises(ValidationError, match=message):
        services.source_enter(user=approver_gq, source=draw.sources.get(), raw_value=KL8_NUMBERS, announcement_ref=REF,
                              upload=SimpleUploadedFile(name, content), now=after_draw_time())  # fmt: skip
    assert not draw.sources.get().value


def test_drand_value_is_checked_against_its_signature(gq, approver_gq):
    """A real quicknet round: committed before it was produced, entered with its signature."""
    round_time = dt.datetime.fromtimestamp(fd.drand.QUICKNET.round_time(REAL["round"]), tz=dt.UTC)
    assert src.drand_round_time(REAL["round"]) == round_time
    freeze_at = round_time - dt.timedelta(minutes=30)
    draw = services.draw_freeze(user=approver_gq, task=gq["task"], now=freeze_at,
                                sources=services.build_sources(drand_round=REAL["round"]))  # fmt: skip
    after = round_time + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="尚未产生"):
        services.draw_run(user=approver_gq, draw=draw, raw_values={1: REAL["randomness"]},
                          signatures={1: REAL["signature"]}, now=freeze_at)  # fmt: skip
    with pytest.raises(ValidationError, match="请同时录入该轮的签名"):
        services.draw_run(user=approver_gq, draw=draw, raw_values={1: REAL["randomness"]}, now=after)
    # an altered value: SHA-256(signature) differs (no pairing needed)
    with pytest.raises(ValidationError, match="SHA-256"):
        services.draw_run(user=approver_gq, draw=draw, raw_values={1: R1000["randomness"]},
                          signatures={1: REAL["signature"]}, now=after)  # fmt: skip
    # a genuine signature of another round, with its matching randomness: the BLS check refuses it
    with pytest.raises(ValidationError, match=f"第 {REAL['round']} 轮的有效签名"):
        services.draw_run(user=approver_gq, draw=draw, raw_values={1: R1000["randomness"]},
                          signatures={1: R1000["signature"]}, now=after)  # fmt: skip
    draw = services.draw_run(user=approver_gq, draw=draw, raw_values={1: REAL["randomness"].upper()},
                             signatures={1: " " + REAL["signature"].upper()}, now=after)  # fmt: skip
    assert draw.public_values == [REAL["randomness"]]
    source = draw.sources.get()
    assert source.signature == REAL["signature"] and source.entered_by == approver_gq
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    assert manifest["public_evidence"] == [
        {"kind": "drand", "chain_hash": fd.drand.QUICKNET.chain_hash, "round": REAL["round"],
         "signature": REAL["signature"]}
    ]  # fmt: skip
    assert manifest["commitment"]["public_sources"][0]["chain_hash"] == fd.drand.QUICKNET.chain_hash
    report = services.draw_verify(user=approver_gq, draw=draw)
    assert report.ok and "BLS 验证" in report.message


def test_check_hints_tell_a_citizen_where_to_look():
    spec, _ = src.lottery_spec(game="kl8", issue="2026321", draw_date=dt.date(2026, 11, 20))
    hint = src.check_hint("lottery", spec)
    assert "中国福利彩票官网" in hint and "https://www.cwl.gov.cn/" in hint and "2026321" in hint
    spec, _ = src.drand_spec(round_no=REAL["round"])
    hint = src.check_hint("drand", spec)
    assert f"https://api.drand.sh/{fd.drand.QUICKNET.chain_hash}/public/{REAL['round']}" in hint and "公钥" in hint
    assert "SHA-256" in src.check_hint("witness", {"name": "赵纪检", "commitment": "ab" * 32})
