"""A draw finished in one sitting (issue #17): witnesses commit before the commitment, reveal after it, the
draw runs on their secrets alone (no lottery, no drand), the lock waits for what is missing, and each witness
confirms the locked record with their own login. The public verifier checks the produced files."""

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import FROZEN_AT
from shuangsuiji.accounts.roles import Role
from shuangsuiji.draws import selectors, services
from shuangsuiji.draws.choices import DrawStatus, FileKind, SourceKind
from shuangsuiji.draws.models import DrawWitness

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]

T0 = FROZEN_AT  # the meeting: 10:00
REVEAL = T0 + dt.timedelta(minutes=5)
LOCK = T0 + dt.timedelta(minutes=15)
CONFIRM = T0 + dt.timedelta(minutes=20)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def meeting(gq, approver_gq, oversight_gq, make_user):
    """The 高青 task with two invited witnesses: 纪检 (oversight role) and a unit representative (inspector)."""
    rep = make_user("gq_rep", Role.INSPECTOR, org="gaoqing_agency")
    jijian = services.witness_invite(user=approver_gq, task=gq["task"], witness_user=oversight_gq)
    unit = services.witness_invite(user=approver_gq, task=gq["task"], witness_user=rep, role="public")
    return {**gq, "clerk": approver_gq, "jijian_user": oversight_gq, "rep": rep, "jijian": jijian, "unit": unit}


def commit_and_freeze(m):
    services.witness_commit(user=m["jijian_user"], witness=m["jijian"], commitment=sha("纪检的随机数 4711"), now=T0)
    services.witness_commit(user=m["rep"], witness=m["unit"], commitment=sha("单位代表 20261127"), now=T0)
    return services.draw_freeze(user=m["clerk"], task=m["task"], sources=services.build_sources(), now=T0)


def reveal_all(m):
    services.witness_reveal(user=m["jijian_user"], witness=m["jijian"], secret="纪检的随机数 4711", now=REVEAL)
    services.witness_reveal(user=m["rep"], witness=m["unit"], secret="单位代表 20261127", now=REVEAL)


def test_meeting_happy_path_and_public_verifier(meeting, tmp_path):
    m = meeting
    draw = commit_and_freeze(m)
    commitment = json.loads(draw.file_bytes(FileKind.COMMITMENT))
    assert [s["kind"] for s in commitment["public_sources"]] == ["witness", "witness"]
    hashes = [sha("纪检的随机数 4711"), sha("单位代表 20261127")]
    assert [s["commitment"] for s in commitment["public_sources"]] == hashes
    assert set(draw.witnesses.values_list("user__username", flat=True)) == {"gq_oversight", "gq_rep"}
    assert selectors.lock_missing(draw)[:2] == [f"监督人 {m['jijian'].name} 尚未揭示随机数",
                                                 f"监督人 {m['unit'].name} 尚未揭示随机数"]  # fmt: skip

    reveal_all(m)
    draw = services.draw_run(user=m["clerk"], draw=draw, now=REVEAL + dt.timedelta(minutes=1))
    assert draw.status == DrawStatus.DRAWN
    assert draw.public_values == ["纪检的随机数 4711", "单位代表 20261127"]
    assert selectors.lock_missing(draw) == []
    draw = services.draw_lock(user=m["clerk"], draw=draw, now=LOCK)
    assert draw.status == DrawStatus.LOCKED

    for user, witness in ((m["jijian_user"], m["jijian"]), (m["rep"], m["unit"])):
        w = services.witness_confirm(user=user, witness=witness, now=CONFIRM)
        assert w.confirmed_at == CONFIRM and w.confirmed_by == user
    assert services.draw_verify(user=m["clerk"], draw=draw).ok

    # the stand-alone public verifier on the downloaded files
    names = {FileKind.MANIFEST: "manifest.json", FileKind.POOL: "pool.tsv", FileKind.ROSTER: "roster.json"}
    for kind, name in names.items():
        (tmp_path / name).write_bytes(draw.file_bytes(kind))
    out = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.fairdraw.verify", "manifest.json", "pool.tsv", "--roster", "roster.json"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert out.returncode == 0 and out.stdout.startswith("VERIFIED"), out.stdout + out.stderr


def test_wrong_reveal_is_refused_in_chinese(meeting):
    draw = commit_and_freeze(meeting)
    with pytest.raises(ValidationError, match="与其承诺哈希不符.*完全一致"):
        services.witness_reveal(user=meeting["rep"], witness=meeting["unit"], secret="单位代表 2026112", now=REVEAL)
    assert not draw.sources.get(position=2).value


def test_reveal_before_the_commitment_is_refused(meeting):
    m = meeting
    services.witness_commit(user=m["jijian_user"], witness=m["jijian"], commitment=sha("纪检的随机数 4711"), now=T0)
    with pytest.raises(ValidationError, match="抽取承诺尚未公布"):
        services.witness_reveal(user=m["jijian_user"], witness=m["jijian"], secret="纪检的随机数 4711", now=T0)
    services.witness_commit(user=m["rep"], witness=m["unit"], commitment=sha("单位代表 20261127"), now=T0)
    draw = services.draw_freeze(user=m["clerk"], task=m["task"], sources=services.build_sources(), now=T0)
    with pytest.raises(ValidationError, match="公布之后才能揭示"):  # the same second as the commitment
        services.witness_reveal(user=m["jijian_user"], witness=m["jijian"], secret="纪检的随机数 4711", now=T0)
    with pytest.raises(ValidationError, match="不能再交来或更改"):  # commitments are fixed with the draw
        services.witness_commit(user=m["rep"], witness=m["unit"], commitment=sha("另一个"), now=REVEAL)
    assert draw.status == DrawStatus.COMMITTED


def test_missing_witness_reveal_blocks_draw_and_lock(meeting):
    m = meeting
    draw = commit_and_freeze(m)
    services.witness_reveal(user=m["jijian_user"], witness=m["jijian"], secret="纪检的随机数 4711", now=REVEAL)
    with pytest.raises(ValidationError, match="尚未揭示"):
        services.draw_run(user=m["clerk"], draw=draw, now=REVEAL)
    assert "监督人 gq_rep 尚未揭示随机数" in selectors.lock_missing(draw)
    with pytest.raises(ValidationError):
        services.draw_lock(user=m["clerk"], draw=draw, now=LOCK)


def test_lock_needs_a_witness(gq, approver_gq):
    from shuangsuiji.draws.testing import enter_and_confirm
    from shuangsuiji.plans.tests.fixtures import KL8_NUMBERS, after_draw_time, lottery_input

    sources = services.build_sources(lottery=lottery_input())
    draw = services.draw_freeze(user=approver_gq, task=gq["task"], sources=sources)
    enter_and_confirm(draw, approver_gq, KL8_NUMBERS, now=after_draw_time())
    draw = services.draw_run(user=approver_gq, draw=draw, now=after_draw_time())
    assert selectors.lock_missing(draw) == [
        "还没有监督人：至少一名监督人在场（本人账号登录，或由经办人登记无账号的到场监督人）"
    ]
    with pytest.raises(ValidationError, match="还没有监督人"):
        services.draw_lock(user=approver_gq, draw=draw)


def test_one_witness_alone_is_not_enough(meeting):
    m = meeting
    services.witness_commit(user=m["jijian_user"], witness=m["jijian"], commitment=sha("纪检的随机数 4711"), now=T0)
    with pytest.raises(ValidationError, match="至少两名监督人"):
        services.draw_freeze(user=m["clerk"], task=m["task"], sources=services.build_sources(), now=T0)


def test_only_the_witness_acts_with_their_login(meeting, admin_user_gq):
    m = meeting
    for other in (m["clerk"], m["rep"], admin_user_gq):
        with pytest.raises(PermissionDenied, match="本人登录"):
            services.witness_commit(user=other, witness=m["jijian"], commitment=sha("x"), now=T0)
    draw = commit_and_freeze(m)
    reveal_all(m)
    draw = services.draw_run(user=m["clerk"], draw=draw, now=REVEAL + dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="锁定公示后"):
        services.witness_confirm(user=m["jijian_user"], witness=m["jijian"], now=CONFIRM)
    services.draw_lock(user=m["clerk"], draw=draw, now=LOCK)
    with pytest.raises(PermissionDenied, match="本人登录"):
        services.witness_confirm(user=m["clerk"], witness=m["jijian"], now=CONFIRM)
    with pytest.raises(PermissionDenied, match="本人登录"):
        services.witness_confirm(user=m["rep"], witness=m["jijian"], now=CONFIRM)
    assert DrawWitness.objects.get(pk=m["jijian"].pk).confirmed_at is None
    services.witness_confirm(user=m["jijian_user"], witness=m["jijian"], now=CONFIRM)
    with pytest.raises(ValidationError, match="已于 2026年6月15日 10:20 确认"):
        services.witness_confirm(user=m["jijian_user"], witness=m["jijian"], now=CONFIRM)


def test_paper_witness_is_entered_by_the_clerk_and_marked(gq, approver_gq, oversight_gq, inspector_gq):
    task, clerk = gq["task"], approver_gq
    login = services.witness_invite(user=clerk, task=task, witness_user=oversight_gq)
    paper = services.witness_invite(user=clerk, task=task, name="钱代表", organization="高青县某美容店", role="public")
    assert paper.on_paper and paper.kind_label == "纸质记录，经办人代录" and not login.on_paper
    with pytest.raises(PermissionDenied):  # a witness without an account is entered by a clerk with draw rights
        services.witness_commit(user=inspector_gq, witness=paper, commitment=sha("钱 9"), now=T0)
    services.witness_commit(user=clerk, witness=paper, commitment=sha("钱 9"), now=T0)
    services.witness_commit(user=oversight_gq, witness=login, commitment=sha("纪检 1"), now=T0)
    draw = services.draw_freeze(user=clerk, task=task, sources=services.build_sources(), now=T0)
    services.witness_reveal(user=clerk, witness=paper, secret="钱 9", now=REVEAL)
    services.witness_reveal(user=oversight_gq, witness=login, secret="纪检 1", now=REVEAL)
    draw = services.draw_run(user=clerk, draw=draw, now=REVEAL)
    draw = services.draw_lock(user=clerk, draw=draw, now=LOCK)
    w = services.witness_confirm(user=clerk, witness=paper, now=CONFIRM)
    assert w.confirmed_by == clerk and w.on_paper
    assert draw.public_values == ["纪检 1", "钱 9"]  # in the order they were invited


def test_witness_duties_lead_each_witness_to_their_step(meeting):
    m = meeting
    assert [w.pk for w in selectors.witness_duties(m["rep"])] == [m["unit"].pk]
    commit_and_freeze(m)
    assert selectors.witness_step(DrawWitness.objects.get(pk=m["unit"].pk))[0] == "reveal"
    assert timezone.is_aware(T0)


def test_pages_number_sections_and_list_what_is_missing(meeting, client, time_machine):
    from django.urls import reverse

    m = meeting
    client.force_login(m["clerk"])
    page = client.get(reverse("draws:draw_start", args=[m["task"].pk])).content.decode()
    assert "监督人随机数</strong>：防止经办人预先知道或挑选结果" in page
    assert "drand 公共随机信标</strong>：防止在场人员" in page
    assert page.index("① 号池预览") < page.index("② 监督人") < page.index("③ 其他随机来源")
    draw = commit_and_freeze(m)
    page = client.get(reverse("draws:draw_detail", args=[draw.pk])).content.decode()
    heads = [h for h in ("① 冻结号池", "② 录入或揭示", "③ 监督人", "④ 锁定并公示") if h in page]
    assert len(heads) == 4 and "⑤" not in page and "⑥" not in page
    assert "监督人 gq_oversight 尚未揭示随机数" in page and "锁定并公示结果</button>" not in page

    client.force_login(m["jijian_user"])
    page = client.get(reverse("draws:witness_page", args=[m["jijian"].pk])).content.decode()
    assert 'id="reveal-form"' in page
    response = client.post(reverse("draws:witness_reveal", args=[m["unit"].pk]), {"secret": "单位代表 20261127"})
    assert response.status_code == 403  # not their own witness row
    time_machine.move_to(REVEAL)
    response = client.post(reverse("draws:witness_reveal", args=[m["jijian"].pk]), {"secret": "不对"}, follow=True)
    assert "与其承诺哈希不符" in response.content.decode()


def test_drand_fetched_online_fills_the_values_form(meeting, client, time_machine, monkeypatch):
    """Online: the drand round due a minute after the commitment is announced with the witnesses; fetched at the
    draw, it lands in the values form (the BLS check runs when the draw runs)."""
    from django.urls import reverse

    from shuangsuiji.draws import forms
    from shuangsuiji.draws import sources as src

    m = meeting
    services.witness_commit(user=m["jijian_user"], witness=m["jijian"], commitment=sha("纪检的随机数 4711"), now=T0)
    form = forms.FreezeForm({"drand_now": "on"}, task=m["task"])
    assert form.is_valid(), form.errors
    ((kind, spec, at),) = form.cleaned_data["sources"]
    assert kind == SourceKind.DRAND and T0 < at <= T0 + dt.timedelta(minutes=1, seconds=3)
    draw = services.draw_freeze(user=m["clerk"], task=m["task"], sources=form.cleaned_data["sources"], now=T0)
    assert [s.kind for s in draw.sources.order_by("position")] == ["drand", "witness"]

    monkeypatch.setattr(src, "fetch_drand", lambda round_no: ("ab" * 32, "cd" * 48))
    time_machine.move_to(T0 + dt.timedelta(minutes=2))
    client.force_login(m["clerk"])
    client.post(reverse("draws:draw_fetch_drand", args=[draw.pk]))
    page = client.get(reverse("draws:draw_detail", args=[draw.pk])).content.decode()
    assert f'value="{"ab" * 32}"' in page and f'value="{"cd" * 48}"' in page
    assert "已从 drand 网络取回" in page


def test_record_waits_for_a_jijian_login_confirmation(meeting, client):
    """The locked record reads 待纪检确认 until a witness with the 纪检 role confirms with their own login; another
    witness's confirmation (here the unit representative's) does not stand in for it."""
    from django.urls import reverse

    m = meeting
    draw = commit_and_freeze(m)
    reveal_all(m)
    draw = services.draw_run(user=m["clerk"], draw=draw, now=REVEAL + dt.timedelta(minutes=1))
    client.force_login(m["clerk"])
    page = client.get(reverse("draws:draw_detail", args=[draw.pk])).content.decode()
    assert 'id="no-oversight-witness"' not in page  # a 纪检 login is among the witnesses
    draw = services.draw_lock(user=m["clerk"], draw=draw, now=LOCK)
    services.witness_confirm(user=m["rep"], witness=m["unit"], now=CONFIRM)
    assert selectors.oversight_confirmation(draw) is None
    for name in ("draws:draw_detail", "draws:draw_record"):
        page = client.get(reverse(name, args=[draw.pk])).content.decode()
        assert "纪检确认：<strong>待纪检确认</strong>" in page, name

    services.witness_confirm(user=m["jijian_user"], witness=m["jijian"], now=CONFIRM + dt.timedelta(minutes=1))
    assert selectors.oversight_confirmation(draw).pk == m["jijian"].pk
    for name in ("draws:draw_detail", "draws:draw_record"):
        page = client.get(reverse(name, args=[draw.pk])).content.decode()
        assert "纪检确认：<strong>已确认</strong>" in page and "待纪检确认" not in page, name
        assert "2026年6月15日 10:21 用本人账号登录确认" in page, name
    # the role the account had when it confirmed is kept: a later change of role does not rewrite the record
    m["jijian_user"].role = "inspector"
    m["jijian_user"].save()
    assert selectors.oversight_confirmation(draw).pk == m["jijian"].pk


def test_paper_witnesses_alone_leave_the_record_awaiting_jijian(gq, approver_gq, client):
    """A 快乐8 draw with only a paper witness can be locked (the page says what that means), and the clerk's
    note that the witness signed on paper does not count as a 纪检 confirmation: the record says no 纪检 login was
    among the witnesses (never a 待纪检确认 that nobody could clear)."""
    from django.urls import reverse

    from shuangsuiji.draws.testing import enter_and_confirm
    from shuangsuiji.plans.tests.fixtures import KL8_NUMBERS, after_draw_time, lottery_input

    sources = services.build_sources(lottery=lottery_input())
    draw = services.draw_freeze(user=approver_gq, task=gq["task"], sources=sources)
    enter_and_confirm(draw, approver_gq, KL8_NUMBERS, now=after_draw_time())
    draw = services.draw_run(user=approver_gq, draw=draw, now=after_draw_time())
    paper = services.witness_add(user=approver_gq, draw=draw, name="赵纪检", organization="县纪委监委派驻纪检组",
                                 role="discipline")  # fmt: skip
    client.force_login(approver_gq)
    page = client.get(reverse("draws:draw_detail", args=[draw.pk])).content.decode()
    assert 'id="no-oversight-witness"' in page and "锁定并公示结果</button>" in page
    draw = services.draw_lock(user=approver_gq, draw=draw, now=after_draw_time())
    services.witness_confirm(user=approver_gq, witness=paper, now=after_draw_time())
    assert selectors.oversight_confirmation(draw) is None
    record = client.get(reverse("draws:draw_record", args=[draw.pk])).content.decode()
    assert "纪检确认：未登记纪检监督人账号" in record and "待纪检确认" not in record and "纸质签字" in record
