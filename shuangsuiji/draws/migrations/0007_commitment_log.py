"""The public commitment log (承诺公示日志, fairdraw spec §14): table, append-only guards, back-fill.

Guards: unique seq / prev / hash (the chain cannot fork) and a trigger that refuses UPDATE (PostgreSQL: also
DELETE and TRUNCATE; SQLite keeps DELETE so the test runner can flush, the hash chain detects it).
Back-fill: draws committed before the log existed are entered in order of their commitment time, with that
time as `logged_at` (the log vouches for them only from its introduction onwards; spec §14).
"""

import datetime as dt
import zoneinfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from shuangsuiji.fairdraw import commitlog

PG_UP = [
    """CREATE OR REPLACE FUNCTION draws_commitmentlog_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '承诺公示日志只能追加，不能修改、删除或清空';
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER draws_commitmentlog_no_update BEFORE UPDATE OR DELETE ON draws_commitmentlogentry
  FOR EACH ROW EXECUTE FUNCTION draws_commitmentlog_append_only()""",
    """CREATE TRIGGER draws_commitmentlog_no_truncate BEFORE TRUNCATE ON draws_commitmentlogentry
  FOR EACH STATEMENT EXECUTE FUNCTION draws_commitmentlog_append_only()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS draws_commitmentlog_no_update ON draws_commitmentlogentry",
    "DROP TRIGGER IF EXISTS draws_commitmentlog_no_truncate ON draws_commitmentlogentry",
    "DROP FUNCTION IF EXISTS draws_commitmentlog_append_only()",
]
SQLITE_UP = [
    """CREATE TRIGGER draws_commitmentlog_no_update BEFORE UPDATE ON draws_commitmentlogentry
BEGIN SELECT RAISE(ABORT, '承诺公示日志只能追加，不能修改'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS draws_commitmentlog_no_update"]


def guards_up(apps, schema_editor):
    for sql in {"postgresql": PG_UP, "sqlite": SQLITE_UP}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def guards_down(apps, schema_editor):
    for sql in {"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backfill(apps, schema_editor):
    Draw = apps.get_model("draws", "Draw")
    Entry = apps.get_model("draws", "CommitmentLogEntry")
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    prev, seq = commitlog.GENESIS, 0
    for draw in Draw.objects.order_by("published_at", "id"):
        seq += 1
        at = draw.published_at.astimezone(tz).replace(microsecond=0)
        e = commitlog.make_entry(seq=seq, prev=prev, draw_id=draw.code, commitment_hash=draw.commitment_hash,
                                 logged_at=at.isoformat(timespec="seconds"))  # fmt: skip
        Entry.objects.create(seq=seq, draw=draw, draw_code=draw.code, commitment_hash=draw.commitment_hash,
                             logged_at=e["logged_at"], logged_time=at.astimezone(dt.UTC), prev_hash=prev,
                             entry_hash=e["hash"])  # fmt: skip
        prev = e["hash"]


class Migration(migrations.Migration):

    dependencies = [
        ('draws', '0006_draw_verification'),
    ]

    operations = [
        migrations.CreateModel(
            name='CommitmentLogEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveBigIntegerField(unique=True, verbose_name='序号')),
                ('draw_code', models.CharField(max_length=60, verbose_name='抽取编号')),
                ('commitment_hash', models.CharField(max_length=64, unique=True, verbose_name='承诺哈希')),
                ('logged_at', models.CharField(help_text='YYYY-MM-DDTHH:MM:SS+08:00，参与哈希', max_length=25, verbose_name='记录时间（原文）')),
                ('logged_time', models.DateTimeField(verbose_name='记录时间')),
                ('prev_hash', models.CharField(max_length=64, unique=True, verbose_name='前一条哈希')),
                ('entry_hash', models.CharField(max_length=64, unique=True, verbose_name='本条哈希')),
                ('draw', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='log_entry', to='draws.draw', verbose_name='抽取')),
            ],
            options={
                'verbose_name': '承诺公示日志',
                'verbose_name_plural': '承诺公示日志',
                'ordering': ['seq'],
                'constraints': [models.CheckConstraint(condition=models.Q(('seq__gte', 1)), name='commitment_log_seq_positive'), models.CheckConstraint(condition=models.Q(('prev_hash', models.F('entry_hash')), _negated=True), name='commitment_log_no_self_loop')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(guards_up, guards_down),
    ]
