"""Draw files leave the database: DrawFile.content (BinaryField) -> DrawFile.file (Django file storage).

Existing blobs are checked first: every blob must still match the SHA-256 recorded in its row, or
the migration stops and lists the rows that do not (nothing is moved). Each blob is then written
once under its content address `draws/<sha[:2]>/<sha><ext>` in the default storage. Reversible:
the backwards step reads each file back (hash-checked) into the column.
"""

import hashlib

from django.core.files.base import ContentFile
from django.db import migrations, models

# conflict_key (0011) is listed too: the migration test round-trips the files of a draw made with today's code
SUFFIX = {"pool": ".tsv", "roster": ".json", "commitment": ".json", "manifest": ".json", "conflict_key": ".json"}


def _name(digest, kind):
    return f"draws/{digest[:2]}/{digest}{SUFFIX.get(kind, '')}"


def _digest_in_storage(storage, name):
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def blobs_to_storage(apps, schema_editor):
    DrawFile = apps.get_model("draws", "DrawFile")
    storage = DrawFile._meta.get_field("file").storage
    ids = list(DrawFile.objects.order_by("pk").values_list("pk", flat=True))
    bad = []
    for pk in ids:  # one blob in memory at a time
        content, sha256, size = DrawFile.objects.filter(pk=pk).values_list("content", "sha256", "size").get()
        data = bytes(content)
        if hashlib.sha256(data).hexdigest() != sha256 or len(data) != size:
            bad.append(pk)
    if bad:
        raise RuntimeError(
            "Cannot move draw files to storage: these draws_drawfile rows no longer match their recorded "
            f"SHA-256/size (altered or damaged in the database): ids {bad}. Restore them from a backup first."
        )
    for pk in ids:
        content, sha256, kind = DrawFile.objects.filter(pk=pk).values_list("content", "sha256", "kind").get()
        name = _name(sha256, kind)
        if storage.exists(name):
            if _digest_in_storage(storage, name) != sha256:
                raise RuntimeError(f"Storage already holds {name} with different bytes; remove it and migrate again.")
        else:
            saved = storage.save(name, ContentFile(bytes(content)))
            if saved != name:
                raise RuntimeError(f"Storage wrote {saved} instead of {name}; check the storage backend.")
        DrawFile.objects.filter(pk=pk).update(file=name)


def storage_to_blobs(apps, schema_editor):
    DrawFile = apps.get_model("draws", "DrawFile")
    storage = DrawFile._meta.get_field("file").storage
    for pk in DrawFile.objects.order_by("pk").values_list("pk", flat=True):
        name, sha256 = DrawFile.objects.filter(pk=pk).values_list("file", "sha256").get()
        with storage.open(name, "rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise RuntimeError(f"Draw file {name} (row {pk}) does not match its recorded SHA-256; not restored.")
        DrawFile.objects.filter(pk=pk).update(content=data)


class Migration(migrations.Migration):
    dependencies = [
        ("draws", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="drawfile",
            name="file",
            field=models.FileField(default="", max_length=255, upload_to="", verbose_name="文件"),
            preserve_default=False,
        ),
        migrations.RunPython(blobs_to_storage, storage_to_blobs, elidable=False),
        # a default, so that migrating backwards can re-add the column before refilling it
        migrations.AlterField(
            model_name="drawfile", name="content", field=models.BinaryField(default=b"", verbose_name="内容")
        ),
        migrations.RemoveField(model_name="drawfile", name="content"),
    ]
