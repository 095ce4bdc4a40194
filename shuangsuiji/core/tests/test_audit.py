import importlib
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from shuangsuiji.core import audit
from shuangsuiji.core.models import GENESIS_HASH, HolidayOverride, ObjectChange

pytestmark = pytest.mark.django_db


def _make_rows(n=5):
    for i in range(n):
        audit.log_event(ObjectChange.Action.WORKFLOW, message=f"事件{i}", data={"i": i, "名称": "测试"})
    return list(ObjectChange.objects.order_by("id"))


GUARD = importlib.import_module("shuangsuiji.core.migrations.0002_audit_append_only")


def _raw(sql, params=()):
    """Tamper with the table the way an attacker with database access would (bypassing triggers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_objectchange DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_objectchange ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_objectchange_no_update")
            cursor.execute(sql, params)
            cursor.execute(GUARD.SQLITE_UP.strip())


def test_rows_form_a_chain_from_genesis():
    rows = _make_rows(3)
    assert rows[0].prev_hash == GENESIS_HASH
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    count, problems = audit.verify_chain()
    assert (count, problems) == (3, [])


def test_snapshot_and_diff_of_a_model_change():
    holiday = HolidayOverride.objects.create(date="2026-06-01", is_workday=False, name="甲")
    before = audit.snapshot(holiday)
    holiday.name = "乙"
    holiday.save()
    change = audit.log_change(holiday, ObjectChange.Action.UPDATE, before=before)
    change.refresh_from_db()
    assert audit.changed_fields(change.prechange_data, change.postchange_data) == [("name", "甲", "乙")]
    assert change.object_type == "core.holidayoverride" and change.object_id == str(holiday.pk)
    assert audit.verify_chain()[1] == []


def test_snapshot_never_contains_password(make_user):
    user = make_user("alice")
    assert "password" not in audit.snapshot(user)


def test_application_refuses_to_edit_or_delete():
    row = _make_rows(1)[0]
    row.message = "改"
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()


def test_database_trigger_refuses_update():
    row = _make_rows(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        ObjectChange.objects.filter(pk=row.pk).update(message="篡改")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_database_trigger_refuses_delete_on_postgresql():
    row = _make_rows(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        ObjectChange.objects.filter(pk=row.pk).delete()


def test_edited_row_is_named():
    rows = _make_rows(5)
    _raw("UPDATE core_objectchange SET message = %s WHERE id = %s", ["篡改", rows[2].id])
    _, problems = audit.verify_chain()
    assert [(p.row_id, p.kind) for p in problems] == [(rows[2].id, "altered")]


def test_edited_row_with_recomputed_hash_breaks_the_next_link():
    rows = _make_rows(5)
    forged = ObjectChange.objects.get(pk=rows[2].id)
    forged.message = "篡改"
    new_hash = audit.row_hash(forged.prev_hash, forged)
    _raw("UPDATE core_objectchange SET message = %s, hash = %s WHERE id = %s", ["篡改", new_hash, rows[2].id])
    _, problems = audit.verify_chain()
    assert [(p.row_id, p.kind) for p in problems] == [(rows[3].id, "deleted_before")]


def test_deleted_row_is_named():
    rows = _make_rows(5)
    _raw("DELETE FROM core_objectchange WHERE id = %s", [rows[1].id])
    _, problems = audit.verify_chain()
    assert [(p.row_id, p.kind) for p in problems] == [(rows[2].id, "deleted_before")]
    assert f"#{rows[0].id}" in problems[0].detail


def test_deleted_first_row_is_detected():
    rows = _make_rows(3)
    _raw("DELETE FROM core_objectchange WHERE id = %s", [rows[0].id])
    _, problems = audit.verify_chain()
    assert [(p.row_id, p.kind) for p in problems] == [(rows[1].id, "bad_genesis")]


def test_inserted_row_is_named():
    rows = _make_rows(3)
    # forge a row between rows[0] and rows[1] that even links correctly to its predecessor
    fake = ObjectChange(time=rows[0].time, action="workflow", message="伪造", prev_hash=rows[0].hash)
    fake.hash = audit.row_hash(fake.prev_hash, fake)
    new_id = rows[2].id + 100
    _raw(
        "INSERT INTO core_objectchange (id, time, user_id, user_name, request_id, action, object_type, object_id,"
        " object_repr, region_code, message, prechange_data, postchange_data, prev_hash, hash)"
        " VALUES (%s, %s, NULL, '', '', 'workflow', '', '', '', '', '伪造', NULL, NULL, %s, %s)",
        [new_id, rows[0].time, rows[2].hash, fake.hash],
    )
    _, problems = audit.verify_chain()
    assert [(p.row_id, p.kind) for p in problems] == [(new_id, "altered")]


def test_truncated_tail_is_detected_with_published_head():
    rows = _make_rows(4)
    head = rows[-1].hash
    _raw("DELETE FROM core_objectchange WHERE id = %s", [rows[-1].id])
    assert audit.verify_chain()[1] == []  # invisible without an anchor...
    _, problems = audit.verify_chain(expected_head=head)
    assert [p.kind for p in problems] == ["head_mismatch"]  # ...caught with the published head


def test_audit_verify_command(capsys):
    rows = _make_rows(3)
    call_command("audit_verify")
    assert "审计链完整：共 3 条" in capsys.readouterr().out
    _raw("UPDATE core_objectchange SET user_name = %s WHERE id = %s", ["冒名", rows[1].id])
    with pytest.raises(CommandError, match="1 处异常"):
        call_command("audit_verify")
    assert f"#{rows[1].id}" in capsys.readouterr().err


def test_bulk_append_keeps_one_chain():
    entries = [audit.Entry(action="import", object_type="x.y", object_id=str(i), message="批量") for i in range(500)]
    audit.append(entries)
    count, problems = audit.verify_chain()
    assert (count, problems) == (500, [])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_concurrent_writers_never_fork_the_chain():
    from django.db import connections

    errors = []

    def writer(k):
        try:
            for i in range(20):
                audit.log_event(ObjectChange.Action.WORKFLOW, message=f"线程{k}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    count, problems = audit.verify_chain()
    assert (count, problems) == (80, [])


def test_bulk_append_hashes_exactly_like_row_hash_for_every_kind_of_value():
    """The multi-row path builds each row's canonical JSON from fragments and skips `to_plain` when every key is
    a str; the stored rows must hash and verify exactly as `row_hash` over the stored values says."""
    import datetime as dt
    from decimal import Decimal

    tricky = [
        {"name": '甲"\\\n\t', "n": 1, "f": 1.5, "ok": True, "none": None, "ids": [3, 1], "d": dt.date(2026, 1, 2)},
        {"when": dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC), "money": Decimal("1.20"), "set": {3, 1, 2}},
        {1: "int key", 10: "ten", 2: "two"},  # non-str keys: to_plain turns them into "1", "10", "2"
        {"nested": {"b": [{"z": 1, "a": 2}], "a": ()}, "emoji": "😀", "ctl": "\x01"},
        {},
        None,
    ]
    entries = [
        audit.Entry(
            action=ObjectChange.Action.UPDATE if i % 2 else "create",
            object_type="core.holidayoverride",
            object_id=str(i),
            object_repr="名称" * 200,
            region_code="370322",
            message=f"说明{i % 3}",
            prechange_data=tricky[(i + 1) % len(tricky)],
            postchange_data=tricky[i % len(tricky)],
            plain=2 not in (i % len(tricky), (i + 1) % len(tricky)),  # str keys throughout: the caller may vouch
        )  # fmt: skip
        for i in range(120)
    ]
    assert audit.append_many(entries[:100]) == 100
    rows = audit.append(entries[100:])
    assert len(rows) == 20 and rows[-1].id == ObjectChange.objects.order_by("-id").first().id
    stored = list(ObjectChange.objects.order_by("id"))
    assert [row.hash for row in stored[100:]] == [row.hash for row in rows]
    for row in stored:
        assert audit.row_hash(row.prev_hash, row) == row.hash
    assert stored[2].postchange_data == {"1": "int key", "10": "ten", "2": "two"}
    assert stored[1].postchange_data["set"] == [1, 2, 3] and len(stored[0].object_repr) == 300
    assert audit.verify_chain() == (120, [])


def _unit_entries(n, fail_at=None):
    for i in range(n):
        if i == fail_at:
            raise ValueError("坏数据")
        yield audit.Entry(
            action="create", object_type="directory.regulatedunit", object_id=str(i), object_repr=f"单位{i}",
            region_code="370322", message="导入批次 #1", postchange_data={"id": i, "name": f"单位{i}"}, plain=True,
        )  # fmt: skip


def test_pure_bulk_append_chains_like_the_plain_path_and_reports_progress_in_the_caller_thread(monkeypatch):
    """`pure=True` (entries that read no database) may be hashed in a worker thread while this thread writes
    (SQLite): the rows, their order and the chain are those of the plain path, progress is reported here."""
    monkeypatch.setattr(audit, "ASIDE_CHUNK", 7)  # many handovers, a full queue
    monkeypatch.setattr(audit, "APPEND_CHUNK", 1000)
    seen = []
    count = audit.append_many(
        _unit_entries(2500), pure=True, progress=lambda n: seen.append((n, threading.current_thread().name))
    )
    assert count == 2500
    assert seen == [(1000, threading.current_thread().name), (2000, seen[0][1]), (2500, seen[0][1])]
    stored = list(ObjectChange.objects.order_by("id").values_list("object_id", "prev_hash", "hash"))
    assert [int(object_id) for object_id, _, _ in stored] == list(range(2500))
    assert all(stored[i][1] == stored[i - 1][2] for i in range(1, 2500))
    assert audit.verify_chain() == (2500, [])


def test_pure_bulk_append_that_fails_midway_writes_nothing(monkeypatch):
    monkeypatch.setattr(audit, "ASIDE_CHUNK", 7)
    audit.log_event(ObjectChange.Action.WORKFLOW, message="之前")
    with pytest.raises(ValueError, match="坏数据"):
        with transaction.atomic():
            audit.append_many(_unit_entries(2500, fail_at=1234), pure=True)
    assert ObjectChange.objects.count() == 1
    assert audit.verify_chain() == (1, [])


def test_template_renders_the_canonical_json_of_the_whole_dict():
    """CanonicalTemplate: constant keys encoded once, variable ones per row; the text is canonical_json's."""
    import datetime as dt

    constant = {"note": "", "count": 0, "当前": None, "at": "2026-06-15T02:00:00Z", "pct": "100%", "ok": False}
    template = audit.CanonicalTemplate(constant, ["id", "name", "ids", "money", "at2"])
    rows = [
        {"id": 1, "name": '甲"\\\n\t%s', "ids": [1, 3], "money": 1.5, "at2": None},
        {"id": 10**20, "name": "", "ids": [], "money": True, "at2": dt.date(2026, 1, 2)},
        {"id": -3, "name": "😀\x01", "ids": [{"b": 1, "a": 2}], "money": None, "at2": "x"},
    ]
    columns = {key: [row[key] for row in rows] for key in rows[0]}
    for row, text in zip(rows, template.render_columns(columns), strict=True):
        assert text == audit.canonical_json({**constant, **row})
    assert list(audit.CanonicalTemplate({}, ["a"]).render_columns({"a": [1]})) == ['{"a":1}']
    assert list(audit.CanonicalTemplate({"b": 1}, ["a"]).render_columns({"a": [None, "x"]})) == [
        '{"a":null,"b":1}', '{"a":"x","b":1}',
    ]  # fmt: skip


def test_rendered_entries_hash_and_store_like_entries():
    """A bulk writer's `Rendered` entry (data given as canonical JSON text) is chained and stored exactly as the
    `Entry` with the same data: same content, same hash, verifiable by `row_hash`."""
    import datetime as dt

    data = {"id": 7, "name": "单位", "ids": [1, 2]}
    fields = dict(action="create", object_type="directory.regulatedunit", object_id="7", object_repr="单位（91…）",
                  region_code="370322", message="导入批次 #1")  # fmt: skip
    entry = audit.Entry(**fields, postchange_data=data, plain=True)
    rendered = audit.Rendered(**fields, prechange_text=None, postchange_text=audit.canonical_json(data))
    now = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
    rows = [list(audit._chain([e], user=None, prev="0" * 64, now=now)) for e in (entry, rendered)]
    assert rows[0] == rows[1]
    assert audit.append_many([entry, rendered], pure=True) == 2
    first, second = ObjectChange.objects.order_by("id")
    assert first.postchange_data == second.postchange_data == data and second.prechange_data is None
    assert audit.verify_chain() == (2, [])


def test_audit_list_date_filters_are_local_days_read_as_a_time_range(time_machine):
    """起始日期/截止日期 are whole local days (Asia/Shanghai), filtered as a range on `time` so its index serves
    them (no date cast per row); far-off dates are no bound, never a server error."""
    import datetime as dt

    from shuangsuiji.core.filtersets import ObjectChangeFilterSet

    for minute in ("2026-06-14T23:30:00+08:00", "2026-06-15T00:30:00+08:00", "2026-06-15T23:59:59+08:00"):
        time_machine.move_to(dt.datetime.fromisoformat(minute), tick=False)
        audit.log_event(ObjectChange.Action.WORKFLOW, message=minute)

    def messages(**data):
        filterset = ObjectChangeFilterSet(data, queryset=ObjectChange.objects.order_by("time"))
        assert filterset.is_valid(), filterset.errors
        return [row.message[11:16] for row in filterset.qs]

    assert messages(time_after="2026-06-15") == ["00:30", "23:59"]
    assert messages(time_before="2026-06-14") == ["23:30"]
    assert messages(time_after="2026-06-15", time_before="2026-06-15") == ["00:30", "23:59"]
    assert messages(time_after="0001-01-01", time_before="9999-12-31") == ["23:30", "00:30", "23:59"]
    sql = str(ObjectChangeFilterSet({"time_after": "2026-06-15"}, queryset=ObjectChange.objects.all()).qs.query)
    assert "cast" not in sql.lower() and "AT TIME ZONE" not in sql
