"""Draw files live in file storage (content-addressed, hash-checked on read), the API list never touches
them, and the public self-check uses the per-draw pool index instead of the pool file."""

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.core.testing import run_jobs
from shuangsuiji.draws import files, services
from shuangsuiji.draws.choices import DrawStatus, FileKind
from shuangsuiji.draws.models import Draw, DrawFile, DrawPoolEntry

pytestmark = pytest.mark.django_db


def _path(row: DrawFile) -> Path:
    return Path(row.file.path)


def test_files_are_stored_once_under_their_sha256_and_no_blob_column_exists(locked, media_root):  # noqa: F811
    draw = locked["draw"]
    rows = {row.kind: row for row in draw.files.all()}
    assert set(rows) == {"pool", "roster", "commitment", "manifest", "conflict_key"}
    for kind, row in rows.items():
        data = _path(row).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row.sha256 and len(data) == row.size
        assert row.file.name == f"draws/{row.sha256[:2]}/{row.sha256}{'.tsv' if kind == 'pool' else '.json'}"
        assert _path(row).is_relative_to(media_root)
    assert rows["pool"].sha256 == draw.pool_digest and rows["manifest"].sha256 == draw.manifest_hash
    # writing the same bytes again reuses the file (immutable, content-addressed)
    assert files.put(draw.file_bytes(FileKind.POOL), FileKind.POOL)[0] == rows["pool"].file.name
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, DrawFile._meta.db_table)}
    assert columns == {"id", "draw_id", "kind", "file", "sha256", "size", "created_at"}


def test_altered_bytes_are_never_served_or_used(client, locked, approver_gq):  # noqa: F811
    draw = locked["draw"]
    pool = draw.files.get(kind=FileKind.POOL)
    original = _path(pool).read_bytes()
    altered = original.replace(b"\tCLOSED", b"\t", 1) if b"\tCLOSED" in original else original + b"X\n"
    _path(pool).write_bytes(altered)
    with pytest.raises(files.DrawFileCorrupted, match="SHA-256 不一致"):
        draw.file_bytes(FileKind.POOL)
    client.force_login(approver_gq)
    response = client.get(reverse("draws:draw_file", args=[draw.pk, "pool"]))
    assert response.status_code == 500 and "SHA-256 不一致" in response.text and altered not in response.content
    public = client.get(reverse("disclosure:draw_file", args=[draw.code, "pool"]))
    assert public.status_code == 500 and "拒绝使用" in public.text
    with pytest.raises(ValidationError, match="SHA-256 不一致"):
        services.draw_verify(user=approver_gq, draw=draw)
    client.get(reverse("disclosure:draw_verify", args=[draw.code]))  # starts the re-verification job
    run_jobs()
    assert "文件校验失败" in client.get(reverse("disclosure:draw_verify", args=[draw.code])).text
    # a file missing from storage is refused the same way
    _path(pool).unlink()
    assert client.get(reverse("draws:draw_file", args=[draw.pk, "pool"])).status_code == 500


def test_a_damaged_file_already_at_the_content_address_is_not_reused(media_root):
    data = b'{"a": 1}'
    name, digest, size = files.put(data, FileKind.MANIFEST)
    assert (name, size) == (f"draws/{digest[:2]}/{digest}.json", len(data))
    (Path(media_root) / name).write_bytes(b'{"a": 2}')
    with pytest.raises(files.DrawFileCorrupted):
        files.put(data, FileKind.MANIFEST)


def test_download_streams_with_the_right_content_type(client, locked, approver_gq):  # noqa: F811
    draw = locked["draw"]
    client.force_login(approver_gq)
    for kind, content_type in (("pool", "text/tab-separated-values"), ("manifest", "application/json"),
                               ("roster", "application/json"), ("commitment", "application/json")):  # fmt: skip
        response = client.get(reverse("draws:draw_file", args=[draw.pk, kind]))
        assert response.streaming and response["Content-Type"].startswith(content_type)
        assert response.getvalue() == draw.file_bytes(kind)
        assert response["Content-Length"] == str(len(draw.file_bytes(kind)))


def _more_draws(draw: Draw, n: int) -> None:
    """Cancelled earlier attempts of the same task, each with its four files (list-size only)."""
    for attempt in range(2, 2 + n):
        other = Draw.objects.create(
            task=draw.task, region=draw.region, attempt=attempt, code=f"{draw.code}-x{attempt}",
            status=DrawStatus.CANCELLED, published_at=draw.published_at, commitment_hash="0" * 64,
            pool_digest="0" * 64, roster_digest="0" * 64,
        )  # fmt: skip
        for kind in ("pool", "roster", "commitment", "manifest"):
            DrawFile.store(draw=other, kind=kind, data=draw.file_bytes(kind))


def test_api_draw_list_never_selects_file_bodies_and_runs_constant_queries(client, locked, approver_gq):  # noqa: F811
    headers = {"HTTP_AUTHORIZATION": f"Token {token_issue(user=SYSTEM, owner=approver_gq, name='t')[1]}"}

    def list_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/draws/", **headers)
        assert response.status_code == 200
        return response.json(), [q["sql"] for q in ctx.captured_queries]

    list_queries()  # warm up (first use of the token)
    one, sql_one = list_queries()
    _more_draws(locked["draw"], 3)
    four, sql_four = list_queries()
    assert one["count"] == 1 and four["count"] == 4
    assert len(sql_four) == len(sql_one)  # no query per draw
    file_queries = [s for s in sql_four if "draws_drawfile" in s]
    assert len(file_queries) == 1
    assert '"draws_drawfile"."file"' not in file_queries[0] and "sha256" not in file_queries[0]
    assert not any("content" in s.lower() for s in sql_four)
    links = next(d for d in four["results"] if d["id"] == locked["draw"].pk)["files"]
    assert set(links) == {"pool", "roster", "commitment", "manifest"}  # the conflict key is never offered
    assert client.get(links["pool"].replace("/pool/", "/conflict_key/"), **headers).status_code == 404
    assert links["pool"].endswith(reverse("draw-files", kwargs={"pk": locked["draw"].pk, "kind": "pool"}))
    assert client.get(links["pool"], **headers).getvalue() == locked["draw"].file_bytes("pool")


def test_self_check_uses_the_pool_index_not_the_pool_file(client, locked):  # noqa: F811
    draw = locked["draw"]
    assert DrawPoolEntry.objects.filter(draw=draw).count() == draw.unit_total
    chosen = draw.targets.filter(role="selected").first()
    _path(draw.files.get(kind=FileKind.POOL)).unlink()  # the self-check must not need the pool file
    url = reverse("disclosure:draw_detail", args=[draw.code])
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(url, {"code": chosen.unit_code}).text
    assert "本单位已被抽中" in body
    lookups = [q["sql"] for q in ctx.captured_queries if "draws_drawpoolentry" in q["sql"]]
    assert len(lookups) == 1 and "unit_id" in lookups[0]
    assert "不在本次抽取的号池快照中" in client.get(url, {"code": "91370000000000000X"}).text


def test_pool_index_matches_the_committed_pool(locked):  # noqa: F811
    draw = locked["draw"]
    pool = draw.file_bytes(FileKind.POOL).decode().splitlines()[1:]
    expected = {(f[0], f[1], f[5]) for f in (line.split("\t") for line in pool)}
    assert len(expected) == draw.unit_total
    assert set(DrawPoolEntry.objects.filter(draw=draw).values_list("unit_id", "stratum", "excluded_reason")) == expected
