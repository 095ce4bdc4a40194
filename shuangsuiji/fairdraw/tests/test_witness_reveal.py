"""Witness commit–reveal in the verifier (spec §5.5): a reveal verifies only if it hashes to the commitment
the witness handed in before the commitment was published."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji import fairdraw as fd

from ._helpers import PUBLISHED_AT

CHARS = st.sampled_from(list("0123456789 abc纪检监督人"))
SECRETS = st.text(CHARS, min_size=1, max_size=20).map(str.strip).filter(bool)
SETTINGS = settings(
    max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
UNITS = [fd.PoolUnit(f"U{i:02d}", "h1") for i in range(12)]
PLAN = fd.DrawPlan(default=fd.StratumRule(rate="1/4"))


def witness_draw(secrets, reveals):
    pool = fd.canonical_pool_bytes(UNITS)
    sources = [
        {"kind": "witness", "name": f"监督人{i + 1}", "commitment": fd.canon.sha256_hex(s.encode("utf-8"))}
        for i, s in enumerate(secrets)
    ]
    record = fd.build_commitment(
        draw_id="T-witness", plan=PLAN, pool_digest=fd.pool_digest(pool), strata=fd.stratum_counts(UNITS),
        public_sources=sources, published_at=PUBLISHED_AT,
    )  # fmt: skip
    return fd.run_draw(pool, record, list(reveals)).manifest, pool


@SETTINGS
@given(st.lists(SECRETS, min_size=2, max_size=3))
def test_true_reveals_verify(secrets):
    manifest, pool = witness_draw(secrets, secrets)
    report = fd.verify_manifest(manifest, pool)
    assert report.status == "VERIFIED", report.text()


@SETTINGS
@given(st.lists(SECRETS, min_size=2, max_size=3), st.data())
def test_a_reveal_other_than_the_committed_secret_differs(secrets, data):
    i = data.draw(st.integers(0, len(secrets) - 1))
    other = data.draw(SECRETS.filter(lambda s: s != secrets[i]))
    reveals = [*secrets[:i], other, *secrets[i + 1 :]]
    manifest, pool = witness_draw(secrets, reveals)  # a self-consistent manifest built on the wrong value
    report = fd.verify_manifest(manifest, pool)
    assert report.status == "DIFFERENT" and report.path == f"public_values[{i}]"
    assert "承诺哈希不一致" in report.message
