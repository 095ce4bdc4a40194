"""The verifier in the visitor's browser (static/js/fairdraw-verify.js) agrees with the Python verifier.

The JavaScript runs in Chromium on the public verify page of a real draw made by the app (so it is loaded as
the portal loads it, under the portal's Content-Security-Policy).  Every case of `fairdraw_cases` is given to
both verifiers: every draw in docs/fairdraw-vectors/ (found by walking the folder, so vectors added later are
covered), draws made by the engine with random pools, plans and rosters, the app's real draw, and tampered
copies of all of them (pools, manifests, rosters, evidence, expected commitment, forged drand signatures: both
verifiers check the drand BLS signatures, the browser with static/js/bls12-381.js).  The status, the first
differing path, the refusal code, the message and both values of a difference, the commitment hash and the
seed must be the same.  Then a visitor presses 在本浏览器中核验 on a 390 px wide phone screen."""

import base64
import hashlib
import json
import random

import pytest
from playwright.sync_api import expect

from shuangsuiji import fairdraw as fd
from shuangsuiji.core.testing import run_jobs
from shuangsuiji.disclosure.tests.conftest import locked  # noqa: F401
from shuangsuiji.plans.tests.fixtures import gq  # noqa: F401
from tests.e2e.fairdraw_cases import (
    QUICKNET_ROUNDS,
    VECTORS,
    Case,
    bls_tampered,
    flipped_signatures,
    mutations,
    random_draws,
    tampered,
    vector_case,
    vector_files,
    verdict,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RANDOM_DRAWS = 80
MUTATIONS = 600
CHUNK = 60

RUN_CASES = """async (cases) => {
  const bytes = (s) => s === null ? null : Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const out = [];
  for (const c of cases) {
    const r = await window.FairdrawVerify.verify(bytes(c.manifest), bytes(c.pool), bytes(c.roster),
                                                 {expectCommitment: c.expect, log: bytes(c.log),
                                                  conflictKey: bytes(c.conflict_key)});
    const v = {status: r.status, path: r.path, code: r.code || "", seed: r.seed, commitment_hash: r.commitment_hash,
               hash_suite: r.hash_suite};
    if (r.status === "DIFFERENT") {
      v.message = r.message;
      v.expected = window.FairdrawVerify.show(r.expected);
      v.actual = window.FairdrawVerify.show(r.actual);
    }
    out.push(v);
  }
  return out;
}"""


def b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode()


def watch_csp(page) -> list:
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


def open_verify_page(page, base: str, draw) -> None:
    """The verify page once the server's own re-verification is stored (a pending page reloads itself)."""
    page.goto(f"{base}/gs/draws/{draw.code}/verify/")
    run_jobs()
    page.reload()
    expect(page.locator("#verify-result")).to_contain_text("核验通过")
    page.wait_for_function("() => window.FairdrawVerify !== undefined")


def real_draw_case(page, base: str, draw) -> Case:
    """The app's draw, with the files a visitor downloads from the portal and the hash published at T0."""

    def get(path: str) -> bytes:
        response = page.request.get(base + path)
        assert response.ok, path
        return response.body()

    files = f"/gs/draws/{draw.code}/files"
    return Case(f"real-{draw.code}", get(f"{files}/manifest/"), get(f"{files}/pool/"), get(f"{files}/roster/"),
                draw.commitment_hash, get("/gs/log/commitments.jsonl"))  # fmt: skip


def run_in_browser(page, cases: list[Case]) -> list[dict]:
    out = []
    for i in range(0, len(cases), CHUNK):
        chunk = [{"manifest": b64(c.manifest), "pool": b64(c.pool), "roster": b64(c.roster), "expect": c.expect,
                  "log": b64(c.log), "conflict_key": b64(c.conflict_key)} for c in cases[i : i + CHUNK]]  # fmt: skip
        out += page.evaluate(RUN_CASES, chunk)
    return out


def test_browser_and_python_verifiers_agree(page, live_server, locked):  # noqa: F811
    csp_errors = watch_csp(page)
    draw = locked["draw"]
    open_verify_page(page, live_server.url, draw)

    real = real_draw_case(page, live_server.url, draw)
    vectors = [vector_case(p) for p in vector_files()]
    draws = random_draws(RANDOM_DRAWS)
    cases = vectors + draws + [real]
    valid = [c for c in vectors if not c.name.startswith("refuse/")] + draws + [real]
    for base in [c for c in vectors if not c.name.startswith("refuse/")] + draws[:12] + [real]:
        cases += tampered(base)
    forged = [t for c in vectors if not c.name.startswith("refuse/") for t in bls_tampered(c)]
    cases += forged + mutations(valid, MUTATIONS)

    browser = run_in_browser(page, cases)
    python = [c.python() for c in cases]
    disagree = [(c.name, p, b) for c, p, b in zip(cases, python, browser, strict=True) if p != b]
    assert not disagree, disagree[:5]

    # The coverage this test claims: every vector (each reaching its stated verdict), the real draw verified,
    # and both verifiers refusing tampered pools, manifests and rosters.
    by_name = {c.name: p for c, p in zip(cases, python, strict=True)}
    assert len(vectors) >= 27  # the SHA-256 and SM3 vectors, committed 回避 pairs and the refusal vectors
    verified_suites = {by_name[c.name]["hash_suite"] for c in vectors if by_name[c.name]["status"] == "VERIFIED"}
    assert verified_suites == {"sha256", "sm3"}
    assert by_name["refuse/r6-sm3-label-sha256-digests.json"]["path"] == "commitment.pool_digest"
    for c in vectors:
        assert by_name[c.name]["status"] in ("VERIFIED", "DIFFERENT", "MALFORMED")
    # every refusal vector (refuse/r*, refuse/g* for the grammars of spec §2 and §4.3, refuse/ok*) meets the verdict
    # it states, on both sides: status, and the MALFORMED code or the first differing path
    stated = {
        p: json.loads(p.read_text(encoding="utf-8"))["expected"] for p in vector_files() if p.parent.name == "refuse"
    }
    assert sum(1 for p in stated if p.name.startswith("g")) >= 18
    for p, e in stated.items():
        got = by_name[str(p.relative_to(VECTORS))]
        assert got["status"] == e["status"] and got["code"] == (e["code"] or ""), (p.name, got)
        assert e["path"] is None or got["path"] == e["path"], (p.name, got)
    assert by_name[real.name]["status"] == "VERIFIED", by_name[real.name]
    # drand: the vectors' real quicknet signatures pass the BLS check on both sides; a forged signature with
    # everything else consistent is refused by the BLS check alone (not a point, a point outside the subgroup,
    # the negated point, infinity, another round's signature); a draw re-committed to that round verifies.
    drand_vectors = [c for c in vectors if b'"kind":"drand"' in c.manifest and by_name[c.name]["status"] == "VERIFIED"]
    assert len(drand_vectors) >= 3, [c.name for c in drand_vectors]
    assert len(forged) >= 18, len(forged)
    for c in forged:
        want = "VERIFIED" if c.name.endswith("/bls-other-round-recommitted") else "DIFFERENT"
        assert by_name[c.name]["status"] == want, (c.name, by_name[c.name])
        if want == "DIFFERENT":
            assert by_name[c.name]["path"].endswith(".signature") and "BLS 验证未通过" in by_name[c.name]["message"]
    assert by_name["v7-merkle-commitment.json"]["status"] == "VERIFIED"
    assert all(by_name[d.name]["status"] == "VERIFIED" for d in draws)
    for tag, status, path in (
        ("pool-flip-exclusion", "DIFFERENT", "commitment.pool_digest"),
        ("pool-unit-removed", "DIFFERENT", "commitment.pool_digest"),
        ("manifest-probability", "DIFFERENT", None),
        ("manifest-unit-swapped", "DIFFERENT", None),
        ("manifest-inspector-swapped", "DIFFERENT", "assignment.groups"),
        ("roster-region-changed", "DIFFERENT", "roster_digest"),
        ("roster-conflict-changed", "DIFFERENT", "roster_digest"),
        ("manifest-roster-not-committed", "MALFORMED", None),
        ("expect-other-commitment", "DIFFERENT", "commitment_hash"),
    ):
        name = f"{real.name}/{tag}"
        assert by_name[name]["status"] == status, (name, by_name[name])
        if path:
            assert (by_name[name]["path"] or "").startswith(path), (name, by_name[name])
    assert by_name[f"{real.name}/roster-pretty-printed"]["status"] == "VERIFIED"  # the digest is of the content
    assert by_name[f"{real.name}/manifest-probability"]["path"].endswith(".probability")
    refused = sum(1 for c in cases if "/" in c.name and by_name[c.name]["status"] != "VERIFIED")
    assert refused > 300, refused
    assert csp_errors == [], csp_errors


def test_sm3_and_sha256_in_the_browser(page, live_server):
    """SM3 written out in JavaScript (WebCrypto has none) and WebCrypto's SHA-256 give the digests of
    docs/fairdraw-vectors/sm3/hash-suites.json (SM3: the GB/T 32905-2016 examples "abc" and "abcd" x 16)
    and Python's hashlib on random inputs (padding boundaries and a long input included)."""
    from django.conf import settings

    page.goto(f"{live_server.url}/gs/")
    page.add_script_tag(url=f"{live_server.url}{settings.STATIC_URL}js/fairdraw-verify.js")
    page.wait_for_function("() => window.FairdrawVerify !== undefined")
    digest = """async ([suite, data]) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      return window.FairdrawVerify.hex(await window.FairdrawVerify.suites[suite].hash(bytes));
    }"""
    table = json.loads((VECTORS / "sm3" / "hash-suites.json").read_text(encoding="utf-8"))
    assert table["expected"]["sm3"]["abc"] == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    for suite, digests in table["expected"].items():
        for name, want in digests.items():
            assert page.evaluate(digest, [suite, b64(table["inputs"][name].encode())]) == want, (suite, name)
    rng = random.Random(32905)
    lengths = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 65537]
    lengths += [rng.randint(0, 3000) for _ in range(40)]
    inputs = [rng.randbytes(n) for n in lengths]
    got = page.evaluate("""async (items) => {
      const out = [];
      for (const data of items) {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        out.push([window.FairdrawVerify.hex(await window.FairdrawVerify.suites.sm3.hash(bytes)),
                  window.FairdrawVerify.hex(await window.FairdrawVerify.suites.sha256.hash(bytes))]);
      }
      return out;
    }""", [b64(x) for x in inputs])  # fmt: skip
    assert got == [[hashlib.new("sm3", x).hexdigest(), hashlib.sha256(x).hexdigest()] for x in inputs]


BLS_CHECKS = """async ([rounds, pk]) => {
  const out = [];
  for (const [round, sig] of rounds) {
    const t0 = performance.now();
    const ok = await window.FairdrawBLS.verifyQuicknet(round, sig, pk);
    out.push([ok, performance.now() - t0]);
  }
  return out;
}"""


def test_bls_pairing_check_in_the_browser(page, live_server, locked, capsys):  # noqa: F811
    """static/js/bls12-381.js on the real quicknet rounds of docs/fairdraw-vectors/drand/quicknet-rounds.json,
    loaded by the verify page as the portal serves it: each real round passes; the same signature for the
    next round, another round's signature, and one-byte forgeries fail; py_ecc agrees on every one.  The time
    of each check is printed (never asserted)."""
    from shuangsuiji.fairdraw import drand

    chain = json.loads((VECTORS / "drand" / "quicknet-rounds.json").read_text(encoding="utf-8"))["chain"]
    assert chain["public_key"] == drand.QUICKNET.public_key
    open_verify_page(page, live_server.url, locked["draw"])
    page.wait_for_function("() => window.FairdrawBLS !== undefined")
    checks = []
    for n, r in enumerate(QUICKNET_ROUNDS):
        other = QUICKNET_ROUNDS[(n + 1) % len(QUICKNET_ROUNDS)]
        checks += [(r["round"], r["signature"], True), (r["round"] + 1, r["signature"], False),
                   (r["round"], other["signature"], False)]  # fmt: skip
        checks += [(r["round"], sig, False) for sig in flipped_signatures(r["signature"]).values()]
    got = page.evaluate(BLS_CHECKS, [[[rnd, sig] for rnd, sig, _ in checks], chain["public_key"]])
    assert [ok for ok, _ in got] == [want for _, _, want in checks]
    assert [drand.verify_signature(drand.QUICKNET, rnd, sig) for rnd, sig, _ in checks] == [w for _, _, w in checks]
    with capsys.disabled():
        full = [ms for (ok, ms), (_, sig, _) in zip(got, checks, strict=True) if ok or sig in
                {r["signature"] for r in QUICKNET_ROUNDS}]  # fmt: skip
        print(f"\nBLS pairing check in Chromium: {len(full)} full checks, ms each: {[round(ms) for ms in full]}")


def test_python_verdict_shape_is_the_browsers():
    """The reference verdict is built from the report fields the browser also returns."""
    case = vector_case(vector_files()[0])
    rep = fd.verify_manifest(case.manifest, case.pool, case.roster, check_signatures=True)
    assert case.python() == verdict(rep.status, rep.path, rep.code, rep.message, rep.expected, rep.actual, rep.seed,
                                    rep.commitment_hash, rep.hash_suite)  # fmt: skip


def test_visitor_verifies_in_the_browser_on_a_phone(page, live_server, locked, screenshot_dir):  # noqa: F811
    csp_errors = watch_csp(page)
    draw = locked["draw"]
    page.set_viewport_size({"width": 390, "height": 844})
    open_verify_page(page, live_server.url, draw)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.wait_for_load_state("load")  # the verifier scripts are at the end of the page
    page.get_by_role("button", name="在本浏览器中核验").click()
    verdict_box = page.locator("#browser-verdict")
    expect(verdict_box).to_contain_text("核验通过")
    expect(verdict_box).to_have_attribute("data-status", "VERIFIED")
    expect(page.locator("#browser-verify-inputs")).to_contain_text(draw.seed)
    expect(page.locator("#browser-verify-inputs")).to_contain_text(draw.commitment_hash)
    expect(page.locator("#browser-verify-steps")).to_contain_text("不再访问服务器")
    # Only the five public files were fetched; nothing after them.
    fetched = [u for u in requests if "/gs/" in u]
    assert len(fetched) == 5 and all("/files/" in u or u.endswith("commitments.jsonl") for u in fetched), fetched
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    expect(page.locator("#verifier-download")).to_be_visible()  # the Python zipapp is still offered
    page.screenshot(path=screenshot_dir / "gs-verify-browser-phone.png", full_page=True)
    assert csp_errors == [], csp_errors


def test_browser_check_while_the_server_is_still_computing(page, live_server, locked):  # noqa: F811
    """The page waiting for the server's re-verification reloads itself every 5 seconds; starting the check in
    the browser stops that, so the browser's verdict stays on the page."""
    draw = locked["draw"]
    page.clock.install()
    page.goto(f"{live_server.url}/gs/draws/{draw.code}/verify/")
    expect(page.locator("#verify-result")).to_contain_text("正在服务器上重新计算")
    page.wait_for_load_state("load")  # the verifier scripts are at the end of the page
    page.get_by_role("button", name="在本浏览器中核验").click()
    expect(page.locator("#browser-verdict")).to_have_attribute("data-status", "VERIFIED")
    page.clock.run_for(10_000)
    expect(page.locator("#browser-verdict")).to_have_attribute("data-status", "VERIFIED")


def test_visitor_sees_the_first_difference(page, live_server, locked):  # noqa: F811
    """A tampered manifest served in place of the real one: the page names the first difference in Chinese."""
    draw = locked["draw"]
    open_verify_page(page, live_server.url, draw)
    real = real_draw_case(page, live_server.url, draw)
    m = json.loads(real.manifest)
    h = sorted(m["selection"])[0]
    m["selection"][h]["probability"] = "1/1"
    forged = json.dumps(m, ensure_ascii=False).encode()
    page.route(f"**/gs/draws/{draw.code}/files/manifest/", lambda route: route.fulfill(body=forged,
               content_type="application/json"))  # fmt: skip
    page.wait_for_load_state("load")  # the verifier scripts are at the end of the page
    page.get_by_role("button", name="在本浏览器中核验").click()
    box = page.locator("#browser-verdict")
    expect(box).to_contain_text("核验未通过")
    expect(box).to_contain_text("第一处不一致")
    expect(box).to_contain_text(f"selection.{h}.probability")
    expect(box).to_have_attribute("data-status", "DIFFERENT")
    rep = fd.verify_manifest(forged, real.pool, real.roster, expect_commitment=real.expect, log=real.log,
                             check_signatures=True)  # fmt: skip
    expect(box).to_have_attribute("data-path", rep.path)


def serve(body: bytes):
    """A route handler answering with ``body`` (a forged file in place of the published one)."""
    return lambda route: route.fulfill(body=body, content_type="application/json")


def test_browser_verdicts_meet_wcag_aa(browser, live_server, locked):  # noqa: F811
    """The verdict the page writes after the browser check (passed, and a first difference) on a phone screen."""
    from tests.e2e.test_accessibility import AXE, AXE_SHA256, RUN

    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    draw = locked["draw"]
    # bypass_csp: axe is injected by the test; the page's own scripts load as served
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  bypass_csp=True)  # fmt: skip
    page = context.new_page()
    open_verify_page(page, live_server.url, draw)
    found = []
    for forged in (False, True):
        if forged:
            m = json.loads(page.request.get(f"{live_server.url}/gs/draws/{draw.code}/files/manifest/").body())
            m["seed"] = "0" * 64
            body = json.dumps(m).encode()
            page.route(f"**/gs/draws/{draw.code}/files/manifest/",
                       serve(body))  # fmt: skip
        page.wait_for_load_state("load")  # the verifier scripts are at the end of the page
        page.get_by_role("button", name="在本浏览器中核验").click()
        expect(page.locator("#browser-verdict")).to_contain_text("核验未通过" if forged else "核验通过")
        page.add_script_tag(path=str(AXE))
        found += page.evaluate(RUN)
    context.close()
    assert not found, found


def test_oversight_checks_with_the_conflict_key(page, live_server, locked, tmp_path):  # noqa: F811
    """纪检 choose the draw's conflict key (a local file, never uploaded): the browser opens every committed
    回避 pair and reaches the Python verifier's verdict with the same key."""
    draw = locked["draw"]
    key = draw.file_bytes("conflict_key")
    if key is None:
        pytest.skip("the draw's roster commits no 回避 pairs")
    open_verify_page(page, live_server.url, draw)
    real = real_draw_case(page, live_server.url, draw)
    (tmp_path / "key.json").write_bytes(key)
    page.get_by_text("纪检监督人员：用回避声明密钥核验（可选）").click()
    page.get_by_label("回避声明密钥文件").set_input_files(str(tmp_path / "key.json"))
    page.wait_for_load_state("load")  # the verifier scripts are at the end of the page
    page.get_by_role("button", name="在本浏览器中核验").click()
    rep = fd.verify_manifest(real.manifest, real.pool, real.roster, expect_commitment=real.expect, log=real.log,
                             check_signatures=True, conflict_key=key)  # fmt: skip
    expect(page.locator("#browser-verdict")).to_have_attribute("data-status", rep.status)
    expect(page.locator("#browser-verify-steps")).to_contain_text("已读取本机的回避声明密钥（未上传）")
