"""Issue #11 (audit part): forged rows are named, published heads are prefixes, signed head files anchor
the chain outside the database, TRUNCATE and the application role cannot get around the triggers."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from shuangsuiji.accounts.roles import Role
from shuangsuiji.core import anchoring, audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.testing import finished_job
from shuangsuiji.core.tests.test_audit import _make_rows, _raw

pytestmark = pytest.mark.django_db
PG_ONLY = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only (TRUNCATE, roles)")

COLUMNS = (
    "id, time, user_id, user_name, request_id, action, object_type, object_id, object_repr, region_code, message,"
    " prechange_data, postchange_data, prev_hash, hash"
)


def _forge(row_id, prev_hash, when, *, message="伪造的抽查记录", object_id="999"):
    """Insert a row the way an attacker who knows the algorithm would: correct hash, chosen link."""
    fake = ObjectChange(
        id=row_id, time=when, user_name="攻击者", action="update", object_type="draws.draw", object_id=object_id,
        object_repr="伪造抽取", region_code="370322", message=message, prev_hash=prev_hash,
    )  # fmt: skip
    fake.hash = audit.row_hash(prev_hash, fake)
    _raw(
        f"INSERT INTO core_objectchange ({COLUMNS}) VALUES (%s, %s, NULL, %s, '', %s, %s, %s, %s, %s, %s, NULL,"
        " NULL, %s, %s)",
        [row_id, when, fake.user_name, fake.action, fake.object_type, fake.object_id, fake.object_repr,
         fake.region_code, fake.message, fake.prev_hash, fake.hash],
    )  # fmt: skip
    return fake


def _skip_ids(k):
    """Leave a gap in the id sequence (as rolled-back transactions do on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('core_objectchange', 'id'),"
                " (SELECT max(id) FROM core_objectchange) + %s)",
                [k],
            )
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = seq + %s WHERE name = 'core_objectchange'", [k])


def _rewrite_from(rows, start):
    """Edit rows[start] and re-hash every later row: a consistent but rewritten chain."""
    prev = rows[start].prev_hash
    for i, row in enumerate(ObjectChange.objects.order_by("id")):
        if i < start:
            continue
        if i == start:
            row.message = "改写后的说明"
        row.prev_hash = prev
        row.hash = audit.row_hash(prev, row)
        _raw(
            "UPDATE core_objectchange SET message = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [row.message, row.prev_hash, row.hash, row.id],
        )
        prev = row.hash


# --- forged rows are named ---------------------------------------------------------------------------


def test_forged_row_inserted_in_the_middle_is_named():
    rows = _make_rows(2)
    _skip_ids(10)
    rows += [audit.log_event(ObjectChange.Action.WORKFLOW, message=f"后续{i}") for i in range(3)]
    fake = _forge(rows[1].id + 5, rows[1].hash, rows[1].time)
    report = audit.check_chain()
    assert [(p.row_id, p.kind) for p in report.problems] == [(fake.id, "inserted")]
    detail = report.problems[0].detail
    assert "draws.draw #999" in detail and "伪造抽取" in detail and f"#{rows[2].id}" in detail
    assert (report.rows, report.length, report.head_id) == (6, 5, rows[-1].id)


def test_forged_row_appended_with_a_link_to_an_old_row_is_named_not_the_genuine_rows():
    rows = _make_rows(6)
    fake = _forge(rows[-1].id + 1, rows[1].hash, rows[-1].time)
    report = audit.check_chain()
    assert [(p.row_id, p.kind) for p in report.problems] == [(fake.id, "inserted")]
    assert f"接在 #{rows[1].id} 之后" in report.problems[0].detail
    assert report.head_id == rows[-1].id  # the genuine head, not the forged row with the highest id


def test_forged_branch_longer_than_the_genuine_tail_loses_against_a_published_head():
    rows = _make_rows(3)
    a = _forge(rows[-1].id + 1, rows[0].hash, rows[0].time, object_id="1")
    b = _forge(rows[-1].id + 2, a.hash, rows[0].time, object_id="2")
    _forge(rows[-1].id + 3, b.hash, rows[0].time, object_id="3")
    report = audit.check_chain([rows[-1].hash])
    assert sorted(p.row_id for p in report.problems if p.kind == "inserted") == [a.id, b.id, b.id + 1]
    assert [h.ok for h in report.heads] == [True]


def test_edit_delete_and_forgery_each_name_their_row():
    rows = _make_rows(8)
    _raw("UPDATE core_objectchange SET message = %s WHERE id = %s", ["篡改", rows[2].id])
    _raw("DELETE FROM core_objectchange WHERE id = %s", [rows[5].id])
    fake = _forge(rows[-1].id + 1, rows[3].hash, rows[3].time)
    problems = audit.check_chain().problems
    assert [(p.row_id, p.kind) for p in problems] == [
        (rows[2].id, "altered"), (rows[6].id, "deleted_before"), (fake.id, "inserted"),
    ]  # fmt: skip


# --- published heads: prefix check --------------------------------------------------------------------


def test_expect_head_accepts_an_earlier_head_of_the_current_chain(capsys, tmp_path):
    rows = _make_rows(3)
    early, later = rows[0].hash, rows[2].hash
    rows += _make_rows(2)[3:]
    heads_file = tmp_path / "heads.txt"
    heads_file.write_text(f"{early}\n\n{later}\n", encoding="utf-8")
    call_command("audit_verify", expect_head=[early, later], heads_file=[str(heads_file)])
    out = capsys.readouterr().out
    assert f"在第 1 条（#{rows[0].id}）找到，链首至此完整，此后追加 4 条" in out
    assert f"在第 3 条（#{rows[2].id}）找到，链首至此完整，此后追加 2 条" in out
    assert f"当前链尾：第 5 条（#{rows[4].id}）{rows[4].hash}" in out


def test_expect_head_fails_when_the_head_is_no_longer_in_the_chain(capsys):
    rows = _make_rows(4)
    _raw("DELETE FROM core_objectchange WHERE id = %s", [rows[-1].id])
    with pytest.raises(CommandError, match="1 处异常"):
        call_command("audit_verify", expect_head=rows[-1].hash)
    assert "公布的链尾在当前审计链中不存在" in capsys.readouterr().err


def test_expect_head_fails_when_rows_before_it_were_edited(capsys):
    rows = _make_rows(4)
    _raw("UPDATE core_objectchange SET message = %s WHERE id = %s", ["篡改", rows[1].id])
    report = audit.check_chain([rows[2].hash])
    assert [p.kind for p in report.problems] == ["altered", "head_missing"]
    assert "链首到它之间第 2 条起有异常" in report.heads[0].detail


# --- signed head files --------------------------------------------------------------------------------


@pytest.fixture
def signing(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "keys" / "audit-head.key")
    settings.AUDIT_HEADS_DIR = tmp_path / "heads"
    call_command("audit_publish_head", generate_key=True)
    return settings.AUDIT_HEADS_DIR


def _verify_signed(heads_dir):
    call_command("audit_verify", heads=str(heads_dir), public_key=str(heads_dir / "public_key.pem"))


def test_generated_key_is_private_and_never_overwritten(signing, settings):
    from pathlib import Path

    key_file = Path(settings.AUDIT_SIGNING_KEY_FILE)
    assert key_file.stat().st_mode & 0o077 == 0
    with pytest.raises(CommandError, match="已存在"):
        call_command("audit_publish_head", generate_key=True)


def test_published_head_is_signed_and_still_verifies_after_appends(signing, capsys):
    rows = _make_rows(3)
    call_command("audit_publish_head")
    files = sorted(signing.glob("head-*.json"))
    assert len(files) == 1 and files[0].name.startswith("head-0000000003-")
    document = json.loads(files[0].read_text(encoding="utf-8"))
    payload = json.loads(document["signed"])
    assert payload["seq"] == 3 and payload["rows"] == 3 and payload["hash"] == rows[-1].hash
    assert payload["row_id"] == rows[-1].id
    key = anchoring.load_public_key(signing / "public_key.pem")  # plain Ed25519 over the `signed` bytes
    import base64

    key.verify(base64.b64decode(document["signature"]), document["signed"].encode())

    _make_rows(2)
    capsys.readouterr()
    _verify_signed(signing)
    out = capsys.readouterr().out
    assert f"（{files[0].name}）：在第 3 条（#{rows[-1].id}）找到，链首至此完整，此后追加 2 条" in out
    assert "审计链完整：共 5 条记录" in out


def test_signed_head_catches_a_rewritten_and_rehashed_chain(signing, capsys):
    rows = _make_rows(5)
    call_command("audit_publish_head")
    _rewrite_from(rows, 2)
    assert audit.verify_chain()[1] == []  # consistent on its own: an attacker who knows the algorithm...
    with pytest.raises(CommandError, match="审计链校验失败"):
        _verify_signed(signing)  # ...is caught by the head 纪检 holds
    assert "公布的链尾在当前审计链中不存在" in capsys.readouterr().err
    with pytest.raises(CommandError, match="未发布新的链尾"):
        call_command("audit_publish_head")  # and the daily job refuses to sign the rewritten chain
    assert len(list(signing.glob("head-*.json"))) == 1


def test_tampered_or_foreign_head_file_is_rejected(signing, tmp_path, capsys):
    _make_rows(2)
    call_command("audit_publish_head")
    path = next(signing.glob("head-*.json"))
    document = json.loads(path.read_text(encoding="utf-8"))
    document["signed"] = document["signed"].replace('"seq":2', '"seq":1')
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError):
        _verify_signed(signing)
    assert "签名无效" in capsys.readouterr().err
    other = tmp_path / "other.key"
    anchoring.generate_key(other)
    with pytest.raises(CommandError, match="不一致"):
        call_command("audit_publish_head", key_file=str(other))


def test_publish_without_key_gives_a_clear_message(settings):
    settings.AUDIT_SIGNING_KEY_FILE = ""
    with pytest.raises(CommandError, match="AUDIT_SIGNING_KEY_FILE"):
        call_command("audit_publish_head")


def test_verify_with_heads_requires_the_public_key(signing):
    with pytest.raises(CommandError, match="--public-key"):
        call_command("audit_verify", heads=str(signing))


# --- web: whole-chain pages only for province/city oversight and superusers ------------------------------


@pytest.fixture
def city_oversight(make_user):
    return make_user("zb_jijian", Role.OVERSIGHT, org="city")


def test_county_users_do_not_learn_the_chain_size(client, admin_user_gq, oversight_gq):
    _make_rows(3)
    for user in (admin_user_gq, oversight_gq):
        client.force_login(user)
        assert client.post(reverse("core:audit_verify")).status_code == 403
        assert client.get(reverse("core:audit_heads")).status_code == 403
        page = client.get(reverse("core:audit_list")).content.decode()
        assert reverse("core:audit_verify") not in page


def test_city_oversight_verifies_and_downloads_signed_heads(client, signing, city_oversight):
    _make_rows(3)
    call_command("audit_publish_head")
    name = next(signing.glob("head-*.json")).name
    client.force_login(city_oversight)
    page = client.get(reverse("core:audit_heads")).content.decode()
    assert name in page and "有效" in page and "BEGIN PUBLIC KEY" in page
    response = client.get(reverse("core:audit_head_download", args=[name]))
    assert response.status_code == 200 and b'"signed"' in b"".join(response.streaming_content)
    assert client.get(reverse("core:audit_head_download", args=["public_key.pem"])).status_code == 200
    assert client.get(reverse("core:audit_head_download", args=["..%2Fsecret.json"])).status_code == 404
    payload = json.loads(json.loads((signing / name).read_text(encoding="utf-8"))["signed"])
    published, total = payload["seq"], ObjectChange.objects.count()
    job = finished_job(client.post(reverse("core:audit_verify")))  # a background job; its page has the report
    page = client.get(job.get_absolute_url()).content.decode()
    assert f"审计链完整：共 {total} 条记录" in page
    assert f"在第 {published} 条（#{payload['row_id']}）找到，链首至此完整，此后追加 {total - published} 条" in page


def test_web_verify_names_a_forged_row(client, django_user_model, regions):
    rows = _make_rows(4)
    fake = _forge(rows[-1].id + 1000, rows[0].hash, rows[0].time)  # clear of the ids the next writes take
    root = django_user_model.objects.create_superuser("root", password="Test@2026!x")
    client.force_login(root)
    job = finished_job(client.post(reverse("core:audit_verify")))
    page = client.get(job.get_absolute_url()).content.decode()
    assert f"插入的伪造记录 #{fake.id}" in page and "审计链校验发现" in page


# --- PostgreSQL: TRUNCATE trigger and the application role ---------------------------------------------


@PG_ONLY
def test_truncate_is_refused_on_postgresql():
    _make_rows(2)
    with pytest.raises(DatabaseError, match="不能清空"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_objectchange")
    assert ObjectChange.objects.count() == 2


@PG_ONLY
def test_pg_app_role_prints_grants():
    from io import StringIO

    out = StringIO()
    call_command("pg_app_role", role="shuangsuiji_app", owner="shuangsuiji_owner", stdout=out)
    sql = out.getvalue()
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "shuangsuiji_app";' in sql
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON "public"."core_objectchange" FROM "shuangsuiji_app";' in sql
    with pytest.raises(CommandError, match="所有者"):
        call_command("pg_app_role", role="shuangsuiji_owner", owner="shuangsuiji_owner")


def _drop_role(cursor, role):
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone():
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def app_role(transactional_db):
    """A login role with the production grants, unique to this test database (roles are cluster-wide)."""
    role = f"{connection.settings_dict['NAME']}_app"[:63]
    with connection.cursor() as cursor:
        _drop_role(cursor, role)
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    call_command("pg_app_role", role=role, apply=True)
    yield role
    connection.close()
    with connection.cursor() as cursor:
        _drop_role(cursor, role)


@PG_ONLY
@pytest.mark.django_db(transaction=True)
def test_application_role_cannot_get_around_the_audit_triggers(app_role):
    import psycopg

    rows = _make_rows(2)
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432, dbname=params["NAME"], user=app_role,
        autocommit=True,
    ) as conn:  # fmt: skip
        assert conn.execute("SELECT count(*) FROM core_objectchange").fetchone() == (2,)
        for statement in (
            "ALTER TABLE core_objectchange DISABLE TRIGGER USER",
            "ALTER TABLE core_objectchange DISABLE TRIGGER core_objectchange_no_update",
            "DROP TRIGGER core_objectchange_no_update ON core_objectchange",
            "DROP TRIGGER core_objectchange_no_truncate ON core_objectchange",
            "DROP FUNCTION core_objectchange_append_only() CASCADE",
            "SET session_replication_role = replica",
            "TRUNCATE core_objectchange",
            f"UPDATE core_objectchange SET message = '篡改' WHERE id = {rows[0].id}",
            f"DELETE FROM core_objectchange WHERE id = {rows[0].id}",
            "DROP TABLE core_objectchange",
            "CREATE TABLE shadow (id int)",
            "DELETE FROM django_migrations",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM core_holidayoverride").fetchone() == (0,)  # business tables

    # The application's own code path, connected as that role, still appends to the chain.
    connection.close()
    owner = params["USER"]
    params["USER"] = app_role
    try:
        appended = audit.log_event(ObjectChange.Action.WORKFLOW, message="应用账户写入")
        assert connection.cursor().connection.info.user == app_role
    finally:
        connection.close()
        params["USER"] = owner
    report = audit.check_chain([rows[-1].hash])
    assert report.ok and (report.rows, report.head_id) == (3, appended.id)
