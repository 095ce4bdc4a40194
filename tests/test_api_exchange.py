"""Data-exchange API: every endpoint family answers a token, keeps the UI's region scope, and a draw's files
downloaded through the API verify with the standalone verifier."""

import subprocess
import sys

import pytest

from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.inspections.tests.fixtures import gq, locked, yy_units  # noqa: F401

pytestmark = pytest.mark.django_db


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Token {token_issue(user=SYSTEM, owner=user, name='test')[1]}"}


@pytest.fixture
def drawn(locked):  # noqa: F811
    return locked


@pytest.mark.parametrize("endpoint", ["plans", "tasks", "draws", "results", "cases"])
def test_county_token_never_reads_another_county(client, drawn, admin_yy, approver_gq, endpoint):
    own = client.get(f"/api/v1/{endpoint}/", **auth(approver_gq))
    other = client.get(f"/api/v1/{endpoint}/", **auth(admin_yy))
    assert own.status_code == other.status_code == 200
    assert other.json()["count"] == 0
    if endpoint != "cases":
        assert own.json()["count"] >= 1


def test_detail_of_another_county_is_404(client, drawn, admin_yy):
    headers = auth(admin_yy)
    assert client.get(f"/api/v1/draws/{drawn['draw'].pk}/", **headers).status_code == 404
    assert client.get(f"/api/v1/draws/{drawn['draw'].pk}/files/manifest/", **headers).status_code == 404


def test_api_is_read_only_for_draws_and_results(client, drawn, approver_gq):
    headers = auth(approver_gq)
    assert client.post("/api/v1/draws/", {}, **headers).status_code == 405
    assert client.delete(f"/api/v1/draws/{drawn['draw'].pk}/", **headers).status_code in (403, 405)
    assert client.put(f"/api/v1/results/{drawn['draw'].results.first().pk}/", {}, **headers).status_code == 405


def test_draw_files_from_the_api_verify_offline(client, drawn, approver_gq, tmp_path):
    headers = auth(approver_gq)
    detail = client.get(f"/api/v1/draws/{drawn['draw'].pk}/", **headers).json()
    assert detail["commitment_hash"] == drawn["draw"].commitment_hash
    assert {t["role"] for t in detail["targets"]} >= {"selected"}
    paths = {}
    for kind in ("manifest", "pool", "roster"):
        response = client.get(f"/api/v1/draws/{drawn['draw'].pk}/files/{kind}/", **headers)
        assert response.status_code == 200
        paths[kind] = tmp_path / kind
        paths[kind].write_bytes(response.getvalue())
    run = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.fairdraw.verify", paths["manifest"], paths["pool"],
         "--roster", paths["roster"]],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0 and "VERIFIED" in run.stdout


def test_results_endpoint_shows_pending_never_normal(client, drawn, approver_gq):
    rows = client.get("/api/v1/results/", **auth(approver_gq)).json()["results"]
    assert rows and {row["status"] for row in rows} == {"pending"}
    assert {row["category"] for row in rows} == {""}


def test_oversight_token_reads_but_inspector_token_scope_is_its_county(client, drawn, oversight_gq, inspector_gq):
    assert client.get("/api/v1/results/", **auth(oversight_gq)).json()["count"] >= 1
    assert client.get("/api/v1/plans/", **auth(inspector_gq)).json()["count"] >= 1
