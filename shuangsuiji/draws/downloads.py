"""Byte-exact download of a draw's files (pool, roster, commitment, manifest) — staff UI, public portal and API.

The file is streamed (`FileResponse`) from a verified copy: bytes that no longer match the SHA-256
recorded when the file was written are refused with a clear message, never served.
"""

from django.http import FileResponse, Http404, HttpResponse

from .choices import FILE_NAMES
from .files import DrawFileCorrupted
from .models import Draw


def draw_file_response(draw: Draw, kind: str) -> HttpResponse:
    if kind not in FILE_NAMES:
        raise Http404
    row = draw.files.filter(kind=kind).first()
    if row is None:
        raise Http404("该文件尚未生成")
    try:
        handle = row.open_verified()
    except DrawFileCorrupted as exc:
        response = HttpResponse(exc.message, status=500, content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response
    name, content_type = FILE_NAMES[kind]
    response = FileResponse(handle, as_attachment=True, filename=f"{draw.code}-{name}", content_type=content_type)
    response["Content-Length"] = str(row.size)
    response["X-Content-SHA256"] = row.sha256
    return response


def replacements_bytes(draw: Draw) -> bytes:
    """The draw's applied inspector replacements as a `fairdraw-replacements/1` file (fairdraw spec §8.7), in the
    order they took effect, with every 递补 (substitution) as a group move: what `python -m
    shuangsuiji.fairdraw.replace` re-checks with the manifest, pool and roster. Roster ids only (pseudonyms), no
    names."""
    import json

    from shuangsuiji.fairdraw.replace import REPLACEMENTS_FORMAT

    data = {"format": REPLACEMENTS_FORMAT, "draw_id": draw.code, "changes": replacement_entries(draw)}
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def replacement_entries(draw: Draw) -> list[dict]:
    """Applied replacements in `seq` order, with each 递补 placed so that the replay sees the groups as they were.

    A replacement on a unit happens while it is active, so before the 递补 that moves its group away; one on a
    substitute happens after the 递补 (chain) that brought the group to it. So each 递补 goes just before the first
    replacement on the unit its chain leads to, and the others at the end (in the order they were made); a 递补
    leaves loads unchanged and touches no other group, so this order replays exactly as the changes were made."""
    from .choices import InspectorChangeStatus, TargetChangeKind

    moves = [
        {"kind": "substitute", "unit_id": m.target.unit_code, "to": m.substitute.unit_code,
         "stratum": m.target.stratum, "rank": m.substitute.rank, "reason": m.reason}
        for m in draw.changes.filter(kind=TargetChangeKind.SUBSTITUTE).select_related("target", "substitute")
        .order_by("pk")
    ]  # fmt: skip
    into = {m["to"]: m for m in moves}  # the 递补 that brought a group to a unit (at most one per unit)
    emitted: set[int] = set()
    entries: list[dict] = []

    def bring(unit_id: str) -> None:
        chain = []
        while unit_id in into and id(into[unit_id]) not in emitted:
            chain.append(into[unit_id])
            unit_id = into[unit_id]["unit_id"]
        for m in reversed(chain):
            emitted.add(id(m))
            entries.append(m)

    for c in (
        draw.inspector_changes.filter(status=InspectorChangeStatus.APPLIED).select_related("target").order_by("seq")
    ):
        bring(c.target.unit_code)
        entries.append(
            {"seq": c.seq, "unit_id": c.target.unit_code, "out": c.out_id, "in": c.in_id, "position": c.position,
             "skipped": [s["inspector_id"] for s in c.skipped],
             "reasons": {s["inspector_id"]: s["reason"] for s in c.public_skipped},
             "reason": c.public_reason}
        )  # fmt: skip
    entries.extend(m for m in moves if id(m) not in emitted)
    return entries


def replacements_response(draw: Draw) -> HttpResponse:
    response = HttpResponse(replacements_bytes(draw), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{draw.code}-replacements.json"'
    return response
