"""The public portal /gs/: anonymous, published data only, personal data masked, draws verifiable."""

import datetime as dt
import hashlib
import json
import os
import re

import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from shuangsuiji import fairdraw as fd
from shuangsuiji.core import jobs
from shuangsuiji.core.models import BackgroundJob
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.core.testing import run_jobs
from shuangsuiji.disclosure import caching
from shuangsuiji.draws import files
from shuangsuiji.draws.choices import FileKind
from shuangsuiji.draws.models import DrawFile, DrawVerification, InspectorAssignment
from shuangsuiji.plans import services as plan_services
from shuangsuiji.plans import testing

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def text(response) -> str:
    return response.content.decode()


def test_every_page_opens_without_login_and_shows_no_internal_menu(client, locked):
    draw = locked["draw"]
    urls = [
        reverse("disclosure:home"), reverse("disclosure:item_list"),
        reverse("disclosure:item_detail", args=[locked["item"].pk]),
        reverse("disclosure:plan_list"), reverse("disclosure:plan_detail", args=[locked["plan"].pk]),
        reverse("disclosure:task_list"), reverse("disclosure:task_detail", args=[locked["task"].code]),
        reverse("disclosure:draw_list"), reverse("disclosure:draw_detail", args=[draw.code]),
        reverse("disclosure:draw_verify", args=[draw.code]), reverse("disclosure:result_search") + "?q=高青",
    ]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = text(response)
        assert (
            "主菜单" not in body and "修改密码" not in body and "待办" not in body and "accounts/logout" not in body
        ), url
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), f"inline script on {url}"
        assert "style=" not in body, url
        assert "Content-Security-Policy" in response.headers


def test_portal_answers_only_get(client, locked):
    assert client.post(reverse("disclosure:draw_verify", args=[locked["draw"].code])).status_code == 405


def test_only_published_items(client, gq):
    draft = testing.make_item(gq["region"], code="GQ-DRAFT-01", name="草稿事项不公开")
    draft.status = "draft"
    draft.save()
    body = text(client.get(reverse("disclosure:item_list")))
    assert gq["item"].name in body and "草稿事项不公开" not in body
    assert client.get(reverse("disclosure:item_detail", args=[draft.pk])).status_code == 404


def test_plans_show_every_published_version_but_never_a_draft(client, gq, approver_gq, inspector_gq, orgs):
    plan = gq["plan"]
    unpublished = plan_services.plan_create(user=approver_gq, year=plan.year + 1, title="明年计划草稿",
                                            organization=orgs["gaoqing"])  # fmt: skip
    plan = plan_services.plan_transition(user=approver_gq, plan=plan, action="revise", text="增加学校卫生任务")
    new = plan_services.task_create(
        user=inspector_gq, plan=plan, **testing.task_data(plan, orgs["gaoqing"], name="草稿中的新任务")
    )
    plan_services.task_item_add(
        user=inspector_gq, task=new, organization=orgs["gaoqing"], item=gq["item"], item_name=""
    )
    body = text(client.get(reverse("disclosure:plan_list")))
    assert plan.title in body and unpublished.title not in body
    detail = text(client.get(reverse("disclosure:plan_detail", args=[plan.pk])))
    assert "草稿中的新任务" not in detail  # the revision is not published yet
    assert client.get(reverse("disclosure:plan_detail", args=[unpublished.pk])).status_code == 404
    for user, action in ((inspector_gq, "submit"), (approver_gq, "approve"), (approver_gq, "publish")):
        plan = plan_services.plan_transition(user=user, plan=plan, action=action)
    detail = text(client.get(reverse("disclosure:plan_detail", args=[plan.pk])))
    assert "草稿中的新任务" in detail and "第2版" in detail and "增加学校卫生任务" in detail
    first = text(client.get(reverse("disclosure:plan_detail", args=[plan.pk]) + "?version=1"))
    assert "草稿中的新任务" not in first.split('id="versions"')[0]
    tasks = text(client.get(reverse("disclosure:task_list")))
    assert "草稿中的新任务" in tasks


def test_draw_page_shows_commitment_probabilities_seed_and_pseudonymous_groups(client, locked):
    from shuangsuiji.disclosure.masking import mask_cert, mask_name
    from shuangsuiji.draws.selectors import roster_ids

    draw = locked["draw"]
    body = text(client.get(reverse("disclosure:draw_detail", args=[draw.code])))
    assert draw.commitment_hash in body and draw.pool_digest in body and draw.seed in body
    assert "2/10" in body  # 20 % of 10 eligible per class: the exact inclusion probability
    assert "中国福利彩票快乐8 第 2026321 期" in body
    selected = draw.targets.filter(role="selected")
    for t in selected:
        assert t.unit_name in body and t.unit_code in body  # legal entities are public
    # inspectors only by their pseudonym in the committed roster: no name, masked name or (masked) 执法证号
    pseudonym = roster_ids(fd.parse_roster(draw.file_bytes(FileKind.ROSTER)))[0]
    assert "检查组（执法人员名录化名）" in body and "执法人员只以名录中的化名编号公开" in body
    for a in InspectorAssignment.objects.filter(target__draw=draw):
        assert pseudonym[a.inspector_id] in body
        for shown in (a.inspector_name, mask_name(a.inspector_name), a.inspector_code, mask_cert(a.inspector_code)):
            assert shown not in body
    assert "赵纪检" not in body and "赵*检" in body  # a witness is no roster member: masked


def test_commitment_only_before_the_result_is_public(client, gq, approver_gq):
    from shuangsuiji.draws import services
    from shuangsuiji.plans.tests.fixtures import lottery_input

    draw = services.draw_freeze(
        user=approver_gq, task=gq["task"], sources=services.build_sources(lottery=lottery_input())
    )
    body = text(client.get(reverse("disclosure:draw_detail", args=[draw.code])))
    assert draw.commitment_hash in body and "公开随机值尚未产生" in body
    assert client.get(reverse("disclosure:draw_file", args=[draw.code, "commitment"])).status_code == 200
    for kind in ("pool", "roster", "manifest"):
        assert client.get(reverse("disclosure:draw_file", args=[draw.code, kind])).status_code == 404
    assert "尚未产生结果" in text(client.get(reverse("disclosure:draw_verify", args=[draw.code])))


def test_files_are_byte_exact(client, locked):
    draw = locked["draw"]
    for kind in ("commitment", "pool", "roster", "manifest"):
        response = client.get(reverse("disclosure:draw_file", args=[draw.code, kind]))
        assert response.status_code == 200
        assert response.getvalue() == draw.file_bytes(kind)
    pool = client.get(reverse("disclosure:draw_file", args=[draw.code, "pool"]))
    assert hashlib.sha256(pool.getvalue()).hexdigest() == draw.pool_digest
    assert pool["Content-Type"].startswith("text/tab-separated-values")
    assert client.get(reverse("disclosure:draw_file", args=[draw.code, "secret"])).status_code == 404


def test_verify_page_reruns_the_draw_and_detects_tampering(client, locked):
    draw = locked["draw"]
    url = reverse("disclosure:draw_verify", args=[draw.code])
    assert "正在服务器上重新计算" in text(client.get(url))  # the first visit starts one background job
    client.get(url)
    assert BackgroundJob.objects.filter(kind="draws.verify").count() == 1  # not one per visitor
    run_jobs()
    assert DrawVerification.objects.get(draw=draw).status == "VERIFIED"
    body = text(client.get(url))
    verdict = re.search(r'id="verify-result"[^>]*>(.*?)</div>', body, re.S).group(1)
    assert "核验通过" in verdict and "VERIFIED" not in verdict
    # the verdict names what it rests on: commitment hash, public values, seed (with the spec's formula)
    inputs = re.search(r'id="verify-inputs"[^>]*>(.*?)</table>', body, re.S).group(1)
    assert draw.commitment_hash in inputs and draw.seed in inputs
    assert all(v in inputs for v in draw.public_values)
    assert "“SRV1/seed”" in inputs
    c = draw.code
    assert f"python -m shuangsuiji.fairdraw.verify {c}-manifest.json {c}-pool.tsv --roster {c}-roster.json" in body
    # Tamper with the stored manifest (swap the first selected unit for a substitute): the check fails.
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    h = next(h for h, s in manifest["selection"].items() if s["selected"] and s["substitutes"])
    sel = manifest["selection"][h]
    sel["selected"][0], sel["substitutes"][0] = sel["substitutes"][0], sel["selected"][0]
    # Someone with write access to database and storage swaps in a consistent file + row: fairdraw catches it.
    name, digest, size = files.put(fd.manifest_bytes(manifest), FileKind.MANIFEST)
    DrawFile.objects.filter(draw=draw, kind=FileKind.MANIFEST).update(file=name, sha256=digest, size=size)
    caches["portal"].clear()  # the swap bypassed the app, so nothing told the portal's page cache
    # the result is stored on the draw: an administrator re-runs the verification (a background job)
    jobs.start(user=SYSTEM, kind="draws.verify", title="复核", params={"draw": draw.pk})
    run_jobs()
    body = text(client.get(url))
    verdict = re.search(r'id="verify-result"[^>]*>(.*?)</div>', body, re.S).group(1)
    assert "不一致" in verdict and "selection." in verdict and "核验通过" not in verdict


def test_self_check_compares_the_units_key_with_the_threshold(client, locked):
    draw = locked["draw"]
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    url = reverse("disclosure:draw_detail", args=[draw.code])
    chosen = draw.targets.filter(role="selected").first()
    body = text(client.get(url, {"code": chosen.unit_code}))
    key = fd.key_hex(fd.unit_key(bytes.fromhex(draw.seed), chosen.unit_code))
    assert key in body and "本单位已被抽中" in body
    assert manifest["selection"][chosen.stratum]["threshold"]["key"] in body
    drawn = set(draw.targets.filter(role="selected").values_list("unit_code", flat=True))
    other = next(u for u in locked["units"] if u.credit_code not in drawn)
    body = text(client.get(url, {"code": other.credit_code.lower()}))
    assert "本单位未被抽中" in body and "不一致" not in body
    assert "不在本次抽取的号池快照中" in text(client.get(url, {"code": "91370000000000000X"}))


def test_self_check_on_the_verify_page_speaks_plain_chinese(client, locked):
    """Issue #14: the self-check box states the probability as probability_text and explains the unit's key."""
    from shuangsuiji.draws.presentation import probability_text

    draw = locked["draw"]
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    chosen = draw.targets.filter(role="selected").first()
    body = text(client.get(reverse("disclosure:draw_verify", args=[draw.code]), {"code": chosen.unit_code}))
    box = re.search(r'id="self-check-result"(.*?)</div>\s*</section>', body, re.S).group(1)
    wanted = probability_text(manifest["selection"][chosen.stratum]["probability"])
    assert wanted.startswith("每户被抽中的机会 = ")
    assert re.search(r'id="self-probability">(.*?)</span>', box).group(1) == wanted
    note = re.search(r'id="self-key-note">(.*?)</div>', box, re.S).group(1)
    assert "随机键由公开的随机种子和本单位的统一社会信用代码算出" in note
    assert "SHA-256(随机种子 ‖ 0x00 <code>unit</code> 0x00 ‖ 统一社会信用代码)" in note
    assert "不大于抽中阈值的单位被抽中" in note
    assert "每户概率" not in box


def test_results_search_by_code_and_name_prefix_shows_only_published(client, locked):
    results = sorted(locked["results"], key=lambda r: r.pk)
    publish(results[:2], category="E", problem=True)
    url = reverse("disclosure:result_search")
    first, second, unpublished = results[0].target, results[1].target, results[2].target
    body = text(client.get(url, {"q": first.unit_code}))
    assert first.unit_name in body and "发现问题已责令改正" in body and second.unit_name not in body
    body = text(client.get(url, {"q": "高青县单位"}))
    assert first.unit_name in body and second.unit_name in body and unpublished.unit_name not in body
    assert unpublished.unit_name not in text(client.get(url, {"q": unpublished.unit_code}))
    unit = first.unit
    unit.legal_rep, unit.contact_phone = "王法人", "13800000000"
    unit.save()
    body = text(client.get(url, {"q": first.unit_code}))
    assert "王法人" not in body and "13800000000" not in body


def test_public_values_show_who_entered_and_confirmed_masked_and_how_to_check(client, locked):
    """Issue 20: the portal names the two people behind the lottery value (masked), the announcement,
    and tells a citizen where to check the value themselves; so does the verify page."""
    from shuangsuiji.disclosure.masking import mask_name

    draw = locked["draw"]
    source = draw.sources.get()
    assert source.entered_by_id and source.confirmed_by_id and source.entered_by_id != source.confirmed_by_id
    entered, confirmed = str(source.entered_by), str(source.confirmed_by)
    for url in (
        reverse("disclosure:draw_detail", args=[draw.code]),
        reverse("disclosure:draw_verify", args=[draw.code]),
    ):
        body = text(client.get(url))
        assert f"录入：{mask_name(entered)}" in body and f"复核确认：{mask_name(confirmed)}" in body
        assert entered not in body and confirmed not in body  # staff names are masked on the portal
        assert source.announcement_ref in body
        assert "中国福利彩票官网（https://www.cwl.gov.cn/）" in body and "第 2026321 期" in body
    body = text(client.get(reverse("disclosure:draw_verify", args=[draw.code])))
    assert "验证程序只能证明结果由这些值唯一确定，值本身请您自己核对" in body


def test_draw_page_states_the_specs_seed_formula_and_plain_probabilities(client, locked):
    """Issue #14 (b): the seed formula is the spec's (LP with the SRV1/seed tag), explained in Chinese;
    every probability reads “每户被抽中的机会 = n/E，约 x%”; times read 2026年6月15日 10:00."""
    from shuangsuiji.draws.presentation import probability_text

    draw = locked["draw"]
    body = text(client.get(reverse("disclosure:draw_detail", args=[draw.code])))
    formula = re.search(r'id="seed-formula"[^>]*>(.*?)</div>', body, re.S).group(1)
    assert "SHA-256( 长度前缀拼接( “SRV1/seed”，承诺哈希（32 字节）" in formula
    for s in draw.sources.all():
        assert s.description in formula
    assert "‖ 公开随机值" not in body and "“长度前缀拼接”是把每一项" in body
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    for sel in manifest["selection"].values():
        assert probability_text(sel["probability"]) in body
    assert "每户被抽中的机会 = " in body
    assert re.search(r"承诺公布时间</th><td>\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d<", body)
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", body)


def test_probability_text():
    from shuangsuiji.draws.presentation import probability_text

    assert probability_text("13/270") == "每户被抽中的机会 = 13/270，约 4.8%"
    assert probability_text("1/2") == "每户被抽中的机会 = 1/2，即 50%"
    assert probability_text("0/0") == "本层没有可抽取的对象"
    assert probability_text("2*w/9000000").startswith("按权重抽取：每户被抽中的机会 = 2 × 本户权重 ÷ 9000000")
    assert probability_text("0*w/0").startswith("本层无需按权重抽取")


def test_targets_withheld_until_the_window_opens(client, locked):
    """Issue #14 (e): by default a task's targets stay off the portal until its inspection window opens;
    the commitment (and its hash) is public from the start."""
    from shuangsuiji.plans.models import Task

    draw = locked["draw"]
    Task.objects.filter(pk=draw.task_id).update(window_start=dt.date(2026, 7, 1))  # after the frozen today
    caching.changed()  # QuerySet.update() bypasses the signals that keep the portal's page cache current
    body = text(client.get(reverse("disclosure:draw_detail", args=[draw.code])))
    assert draw.commitment_hash in body and "2026年7月1日 起公示" in body
    chosen = draw.targets.filter(role="selected").first()
    assert chosen.unit_code not in body
    for kind in ("pool", "roster", "manifest"):
        assert client.get(reverse("disclosure:draw_file", args=[draw.code, kind])).status_code == 404
    assert client.get(reverse("disclosure:draw_file", args=[draw.code, "commitment"])).status_code == 200
    Task.objects.filter(pk=draw.task_id).update(withhold_targets=False)  # the task's setting
    caching.changed()
    body = text(client.get(reverse("disclosure:draw_detail", args=[draw.code])))
    assert chosen.unit_code in body


def test_unit_inclusion_proof_from_the_portal(client, locked):
    """Issue #14 (g): the commitment carries the pool's Merkle root; the portal serves one unit's O(log N) proof,
    which checks against the commitment without the pool."""
    draw = locked["draw"]
    commitment = json.loads(draw.file_bytes(FileKind.COMMITMENT))
    assert commitment["format"] == "fairdraw-commitment/2"
    chosen = draw.targets.filter(role="selected").first()
    body = text(client.get(reverse("disclosure:draw_detail", args=[draw.code]), {"code": chosen.unit_code}))
    url = reverse("disclosure:draw_unit_proof", args=[draw.code, chosen.unit_code])
    assert url in body
    response = client.get(url)
    assert response.status_code == 200
    proof = json.loads(response.content)
    assert len(proof["path"]) <= draw.unit_total.bit_length()
    unit = fd.merkle.verify_inclusion(proof, commitment["pool_merkle_root"], commitment["hash"], draw.commitment_hash)
    assert unit["unit_id"] == chosen.unit_code
    # fairdraw-proof/2 (issue #14 E2): the unit's key, probability and outcome, tied to the published manifest
    manifest_bytes = draw.file_bytes(FileKind.MANIFEST)
    manifest = json.loads(manifest_bytes)
    sel = manifest["selection"][chosen.stratum]
    outcome = unit["outcome"]
    assert proof["format"] == "fairdraw-proof/2" and outcome["selected"] is True
    assert outcome["key"] == fd.key_hex(fd.unit_key(bytes.fromhex(draw.seed), chosen.unit_code))
    assert outcome["probability"] == fd.parse_fraction(sel["probability"]) and outcome["threshold"] == sel["threshold"]
    assert proof["manifest_sha256"] == hashlib.sha256(manifest_bytes).hexdigest()
    assert proof["manifest_sha256"] in body  # the files table prints the same SHA-256 to compare with
    drawn = set(draw.targets.filter(role="selected").values_list("unit_code", flat=True))
    other = next(u for u in locked["units"] if u.credit_code not in drawn)
    other_proof = json.loads(
        client.get(reverse("disclosure:draw_unit_proof", args=[draw.code, other.credit_code])).content
    )
    assert other_proof["selected"] is False
    assert client.get(reverse("disclosure:draw_unit_proof", args=[draw.code, "NOPE"])).status_code == 404


def test_unit_proofs_come_from_the_pools_tree_file(client, locked, monkeypatch):
    """Issue #14 (E2, "in O(log N)"): the pool's Merkle tree is written once, to a file; each unit's proof is then
    read from it (no hashing of the whole pool per unit); a damaged tree file is rebuilt from the verified pool."""
    draw = locked["draw"]
    commitment = json.loads(draw.file_bytes(FileKind.COMMITMENT))
    pool = draw.files.get(kind=FileKind.POOL)
    tree_name = f"draws/trees/{pool.sha256}-sha256.tree"
    storage = files.storage()
    units = [u.credit_code for u in locked["units"]][:3]

    def proof(unit):
        cache.clear()
        response = client.get(reverse("disclosure:draw_unit_proof", args=[draw.code, unit]))
        assert response.status_code == 200
        return json.loads(response.content)

    first = proof(units[0])
    assert storage.exists(tree_name)
    monkeypatch.setattr(fd.merkle, "inclusion_proof", lambda *a, **k: pytest.fail("hashed the whole pool"))
    monkeypatch.setattr(fd.merkle, "write_tree", lambda *a, **k: pytest.fail("wrote the tree again"))
    for unit in units[1:]:
        got = proof(unit)
        assert fd.merkle.verify_inclusion(got, commitment["pool_merkle_root"])["unit_id"] == unit
    assert proof(units[0]) == first
    monkeypatch.undo()
    with storage.open(tree_name, "wb") as handle:  # damaged: the root no longer matches the commitment
        handle.write(b"fairdraw-merkle-tree/1\n" + b"x" * 40)
    assert proof(units[1])["root"] == commitment["pool_merkle_root"]
    with storage.open(tree_name, "rb") as handle:
        assert fd.merkle.TreeFile(handle).root().hex() == commitment["pool_merkle_root"]
    # damaged below its root (a row changed, the stored root intact): the proof would fail, so it is not served
    # from that file; the file is rebuilt (written aside and renamed into place, no part file left behind)
    path = storage.path(tree_name)
    data = bytearray(open(path, "rb").read())
    row = units[2].encode()
    data[data.index(row)] ^= 1
    open(path, "wb").write(bytes(data))
    got = proof(units[2])
    assert fd.merkle.verify_inclusion(got, commitment["pool_merkle_root"])["unit_id"] == units[2]
    assert open(path, "rb").read() != bytes(data)
    assert not [f for f in os.listdir(os.path.dirname(path)) if f.startswith(".tree-")]


def test_single_file_verifier_download(client, locked, tmp_path):
    """Issue #14 (h, part): the verify page offers the Python verifier as one zipapp with its SHA-256; it runs
    with nothing but Python and verifies the draw against the expected commitment and the commitment log."""
    import subprocess
    import sys

    draw = locked["draw"]
    body = text(client.get(reverse("disclosure:draw_verify", args=[draw.code])))
    response = client.get(reverse("disclosure:verifier_download"))
    assert response.status_code == 200
    pyz = response.content
    assert hashlib.sha256(pyz).hexdigest() in body
    assert client.get(reverse("disclosure:verifier_download")).content == pyz  # deterministic
    (tmp_path / "v.pyz").write_bytes(pyz)
    for kind in ("manifest", "pool", "roster"):
        (tmp_path / kind).write_bytes(client.get(reverse("disclosure:draw_file", args=[draw.code, kind])).getvalue())
    (tmp_path / "log").write_bytes(b"".join(client.get(reverse("disclosure:commitment_log")).streaming_content))
    cmd = [sys.executable, "-I", str(tmp_path / "v.pyz"), str(tmp_path / "manifest"), str(tmp_path / "pool"),
           "--roster", str(tmp_path / "roster"), "--expect-commitment", draw.commitment_hash,
           "--log", str(tmp_path / "log")]  # fmt: skip
    r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)  # -I: not this checkout
    assert r.returncode == 0 and r.stdout.startswith("VERIFIED"), r.stdout + r.stderr
    assert f"--expect-commitment {draw.commitment_hash} --log commitments.jsonl" in body


@pytest.fixture
def locked_sm3(gq, approver_gq, settings):
    """The 高青 task drawn and locked by an office whose deployment uses SM3 (fairdraw spec §2.3)."""
    from shuangsuiji.draws.testing import locked_draw

    from .conftest import LOCK_TIME

    settings.FAIRDRAW_HASH_SUITE = "sm3"
    return {**gq, "draw": locked_draw(gq["task"], approver_gq, now=LOCK_TIME)}


def test_sm3_draw_names_its_suite_and_formula_in_plain_chinese(client, locked_sm3, tmp_path):
    """Issue #14 (SM3): the public pages name the hash suite in Chinese, the seed formula and the unit key are
    the spec's for SM3, the server's verification passes, and the single-file verifier verifies the SM3 draw."""
    import subprocess
    import sys

    draw = locked_sm3["draw"]
    body = text(client.get(reverse("disclosure:draw_detail", args=[draw.code])))
    assert "哈希算法：SM3（国密）" in body and "GB/T 32905-2016" in body
    formula = re.search(r'id="seed-formula"[^>]*>(.*?)</div>', body, re.S).group(1)
    assert "随机种子 = SM3( 长度前缀拼接( “SRV1/seed”，承诺哈希（32 字节）" in formula and "SHA-256" not in formula
    assert "承诺哈希（SM3）" in body and "随机键 K = SM3(随机种子" in body
    url = reverse("disclosure:draw_verify", args=[draw.code])
    client.get(url)
    run_jobs()
    assert DrawVerification.objects.get(draw=draw).status == "VERIFIED"
    body = text(client.get(url))
    assert "随机种子 = SM3(" in body and "号池快照的 SM3 摘要" in body
    (tmp_path / "v.pyz").write_bytes(client.get(reverse("disclosure:verifier_download")).content)
    for kind in ("manifest", "pool", "roster"):
        (tmp_path / kind).write_bytes(client.get(reverse("disclosure:draw_file", args=[draw.code, kind])).getvalue())
    (tmp_path / "log").write_bytes(b"".join(client.get(reverse("disclosure:commitment_log")).streaming_content))
    cmd = [sys.executable, "-I", str(tmp_path / "v.pyz"), str(tmp_path / "manifest"), str(tmp_path / "pool"),
           "--roster", str(tmp_path / "roster"), "--expect-commitment", draw.commitment_hash,
           "--log", str(tmp_path / "log")]  # fmt: skip
    r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("VERIFIED"), r.stdout + r.stderr
    assert "哈希算法 hash: sm3" in r.stdout
    # a unit's self-check recomputes its key with SM3
    chosen = draw.targets.first()
    body = text(client.get(reverse("disclosure:draw_detail", args=[draw.code]) + f"?code={chosen.unit_code}"))
    key = fd.key_hex(fd.unit_key(bytes.fromhex(draw.seed), chosen.unit_code, fd.SM3))
    assert key in body


def test_sha256_draw_names_its_suite(client, locked):
    body = text(client.get(reverse("disclosure:draw_detail", args=[locked["draw"].code])))
    assert "哈希算法：SHA-256" in body and "国际通用" in body


def test_public_followup_writes_the_decision_date_in_chinese():
    """The penalty decision date on the public result search reads 2026年3月2日, never 2026-03-02."""
    from decimal import Decimal

    from django.utils import timezone

    from shuangsuiji.cases.models import FollowUpCase
    from shuangsuiji.disclosure.views import public_followup

    case = FollowUpCase(
        kind="penalty", case_no="高市监罚〔2026〕12号", penalty_amount=Decimal("5000"),
        decided_on=dt.date(2026, 3, 2), published_at=timezone.make_aware(dt.datetime(2026, 3, 5, 9, 0)),
        publicity_until=dt.date(2029, 3, 2),
    )  # fmt: skip
    assert public_followup(case) == "立案处罚（高市监罚〔2026〕12号，罚款 5,000.00 元，2026年3月2日 决定）"


def test_portal_says_whether_jijian_confirmed_the_locked_record(client, locked, oversight_gq):
    """The public page tells whether a 纪检 witness confirmed the locked record with their own login (issue #17):
    the fixture's only witness is on paper, so no 纪检 login can confirm (said so, not "pending" forever); with a 纪检
    login among the witnesses 待纪检确认 until that login confirms."""
    from shuangsuiji.draws.models import DrawWitness

    from .conftest import LOCK_TIME

    draw = locked["draw"]
    page = text(client.get(reverse("disclosure:draw_detail", args=[draw.code])))
    assert "纪检确认：未登记纪检监督人账号" in page and "待纪检确认" not in page
    witness = DrawWitness.objects.create(
        task=draw.task, draw=draw, user=oversight_gq, on_paper=False, name="钱纪检", organization="派驻纪检组",
    )  # fmt: skip
    page = text(client.get(reverse("disclosure:draw_detail", args=[draw.code])))
    assert "纪检确认：待纪检确认" in page
    witness.confirmed_at, witness.confirmed_by = LOCK_TIME + dt.timedelta(hours=13), oversight_gq
    witness.confirmed_as = oversight_gq.role  # as draws.services.witness_confirm records it
    witness.save()  # (a save, as the service's: the portal's page cache is renewed on it)
    page = text(client.get(reverse("disclosure:draw_detail", args=[draw.code])))
    assert "纪检确认：已确认（2026年3月2日 23:00，纪检监督人本人登录确认）" in page
