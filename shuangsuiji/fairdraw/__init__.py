"""fairdraw — publicly verifiable random draws for “双随机、一公开” (issue #4).

Pure Python, standard library only (no Django, no numpy).  The written
specification is ``docs/fairdraw-spec.md``; test vectors are in
``docs/fairdraw-vectors/``.  Algorithm id: ``fairdraw/SRV1``.

Typical use by the app (all arguments are plain data)::

    from shuangsuiji import fairdraw as fd

    # T0 — freeze the pool and the roster, publish the commitment
    units  = [fd.PoolUnit("91370322MA3C...", "370322|B", excluded_reason=""), ...]
    pool   = fd.canonical_pool_bytes(units)                 # bytes, store them
    roster = fd.canonical_roster_bytes([fd.Inspector("I001", ...), ...])
    plan   = fd.DrawPlan(default=fd.StratumRule(rate="5%", min_n=1),
                         strata={"370322|D": fd.StratumRule(certainty=True)},
                         assignment=fd.AssignmentRules(inspection_date="2025-04-01"))
    record = fd.build_commitment(draw_id="2025-GQ-007", plan=plan,
                                 pool_digest=fd.pool_digest(pool),
                                 strata=fd.stratum_counts(units),
                                 roster_digest=fd.roster_digest(roster),
                                 public_sources=[{"kind": "lottery", "name": "福彩快乐8", "issue": "2025090"}],
                                 published_at="2025-03-31T10:00:00+08:00")
    chash  = fd.commitment_hash(record)                     # publish record + hash

    # T1 — the announced public values are known (a drand value comes with its
    # round's signature: fd.drand.evidence(source, signature); others None)
    out = fd.run_draw(pool, record, ["01,05,...,80"], roster=roster, public_evidence=[None])
    out.manifest          # dict; fd.manifest_bytes(out.manifest) to store/publish
    out.result            # DrawResult (selected / threshold / substitutes per stratum)
    out.assignment        # AssignmentResult (groups, loads, problems in Chinese)

    # anyone, later
    report = fd.verify_manifest(manifest_dict, pool, roster)   # report.ok / report.text()

Step-by-step API (stable; see the spec for exact semantics):

* ``PoolUnit(unit_id, stratum, weight_ppm=1_000_000, excluded_reason="", region="", specialty="")``
* ``canonical_pool_bytes(units) -> bytes``; ``pool_digest(pool_bytes) -> hex``;
  ``stratum_counts(units_or_rows) -> {stratum: {"total","eligible","excluded"}}``;
  ``read_units(pool_bytes) -> list[PoolUnit]``
* ``build_commitment(*, draw_id, plan, pool_digest, strata, public_sources, published_at,
  roster_digest=None, attempt=1, task=None, pool_merkle_root=None, hash_suite="sha256") -> dict``;
  ``commitment_hash(record) -> hex`` (with the record's own suite)
* hash suites (spec §2.3): ``SHA256`` (default), ``SM3`` (国密 GB/T 32905-2016, via hashlib/OpenSSL);
  ``get_suite(name)``, ``suite_of(record)``; every step function takes ``suite=`` (``pool_digest``,
  ``roster_digest``, ``merkle.merkle_root``, ``derive_seed``, ``allocate``, ``select``, ``random_order``,
  ``assign_inspectors``, ``unit_key``, ``inspector_pseudonym``); ``run_draw`` and the verifier read it
  from the commitment
* ``derive_seed(commitment_hash, public_values: list[str]) -> bytes`` (32 bytes);
  helpers ``lottery_value(*groups)``, ``drand_value(hex)`` give canonical strings
* ``allocate(strata_counts, plan, seed) -> Allocation``
* ``select(pool_bytes_or_units, allocation, seed, plan) -> DrawResult``
* ``random_order(pool_bytes_or_units, seed, stratum) -> list[str]`` (substitutes beyond the published ones)
* ``assign_inspectors(targets, roster, rules, seed) -> AssignmentResult``
* ``build_manifest(*, commitment, public_values, seed, allocation, result, assignment=None,
  roster_bytes=None, embed_roster=False) -> dict``; ``manifest_bytes(manifest) -> bytes``
* ``run_draw(pool_bytes, commitment, public_values, *, roster=None, embed_roster=False,
  public_evidence=None) -> DrawOutput``
* ``verify_manifest(manifest_dict_or_bytes, pool_bytes, roster=None, *, skip_assignment=False,
  check_signatures=True, expect_commitment=None) -> VerifyReport`` (``.notes``: what could not be checked)
* ``conflicts``: 回避 pairs committed as salted hashes (spec §4.2.2): ``conflicts.commit_roster(inspectors,
  suite, salt)`` → (public ``fairdraw-roster/2`` bytes, ``fairdraw-conflict-key/1`` dict); ``run_draw(...,
  conflict_key=key)`` writes a ``fairdraw-manifest/4`` revealing the pairs of drawn units;
  ``verify_manifest(..., conflict_key=key)`` is oversight's complete check
* ``drand``: built-in chains (``drand.QUICKNET``), ``drand.evidence(source, signature)``,
  ``drand.verify_round(source, value, evidence)`` (BLS via the optional ``py-ecc``)
* ratio tables: ``GAOQING_2020.rate_for(n, pick)``, ``risk_class_rates(bands, pick)``,
  ``rates_for_strata(...)``
* errors: ``FairdrawError`` (``.code`` machine code, ``.message_zh`` Chinese text),
  ``MalformedInput`` (subclass; input bytes not canonical).

Command line verifier::

    python -m shuangsuiji.fairdraw.verify MANIFEST POOL [--roster ROSTER] [--skip-assignment] [--expect-commitment HASH]
"""

from . import commitlog, conflicts, drand, hashsuite, merkle
from .allocate import Allocation, StratumAllocation, allocate
from .assign import (
    AssignmentResult,
    Inspector,
    Problem,
    assign_inspectors,
    canonical_roster_bytes,
    parse_roster,
    roster_digest,
)
from .canon import canonical_json, format_fraction, parse_fraction, parse_rate
from .errors import FairdrawError, MalformedInput
from .hashsuite import SHA256, SM3, HashSuite, get_suite, sm3_available, suite_of
from .keys import inspector_pseudonym, key_hex, unit_key
from .manifest import MANIFEST_FORMAT, DrawOutput, build_manifest, manifest_bytes, run_draw
from .plan import AssignmentRules, DrawPlan, StratumRule
from .ratios import (
    GAOQING_2020,
    GAOQING_2020_DATA,
    RISK_CLASS_BANDS_LINDIAN_DATA,
    RatioTable,
    rates_for_strata,
    risk_class_rates,
)
from .seed import (
    build_commitment,
    check_commitment,
    commitment_bytes,
    commitment_hash,
    derive_seed,
    drand_value,
    lottery_value,
)
from .select import DrawResult, StratumSelection, random_order, select
from .snapshot import (
    EXCLUSION_REASONS,
    POOL_FORMAT,
    PoolUnit,
    canonical_pool_bytes,
    pool_digest,
    read_units,
    stratum_counts,
)
from .verifier import VerifyReport, verify_manifest

__all__ = [
    "Allocation",
    "AssignmentResult",
    "AssignmentRules",
    "DrawOutput",
    "DrawPlan",
    "DrawResult",
    "EXCLUSION_REASONS",
    "FairdrawError",
    "HashSuite",
    "GAOQING_2020",
    "MANIFEST_FORMAT",
    "GAOQING_2020_DATA",
    "Inspector",
    "MalformedInput",
    "POOL_FORMAT",
    "PoolUnit",
    "Problem",
    "RISK_CLASS_BANDS_LINDIAN_DATA",
    "RatioTable",
    "SHA256",
    "SM3",
    "StratumAllocation",
    "StratumRule",
    "StratumSelection",
    "VerifyReport",
    "allocate",
    "assign_inspectors",
    "build_commitment",
    "build_manifest",
    "canonical_json",
    "canonical_pool_bytes",
    "canonical_roster_bytes",
    "check_commitment",
    "commitlog",
    "conflicts",
    "commitment_bytes",
    "commitment_hash",
    "derive_seed",
    "drand",
    "drand_value",
    "format_fraction",
    "get_suite",
    "hashsuite",
    "inspector_pseudonym",
    "key_hex",
    "lottery_value",
    "manifest_bytes",
    "merkle",
    "parse_fraction",
    "parse_rate",
    "parse_roster",
    "pool_digest",
    "random_order",
    "rates_for_strata",
    "read_units",
    "risk_class_rates",
    "roster_digest",
    "run_draw",
    "select",
    "sm3_available",
    "stratum_counts",
    "suite_of",
    "unit_key",
    "verify_manifest",
]
