"""Reads for draws (scoped through `restrict()`), including what the public portal (issue #6) lists."""

import json

from django.db.models import Count, Prefetch, Q

from .choices import DrawStatus, FileKind, TargetRole
from .models import Draw, DrawPoolEntry, DrawTarget, InspectorAssignment


def draw_list(user, action: str = "view"):
    return Draw.objects.restrict(user, action).select_related("task", "task__plan", "region")


def draw_detail_targets(draw: Draw):
    """Targets with their groups, selected first (by stratum, rank), then substitutes."""
    return (
        draw.targets.select_related("unit", "replaces")
        .prefetch_related(Prefetch("assignments", queryset=InspectorAssignment.objects.order_by("inspector_code")))
        .order_by("role", "stratum", "rank")
    )


def commitment_of(draw: Draw) -> dict:
    """The published commitment (JSON) of a draw, read from its verified file."""
    return json.loads(draw.file_bytes(FileKind.COMMITMENT))


def draws_awaiting_values(user):
    return draw_list(user).filter(status=DrawStatus.COMMITTED)


def draws_awaiting_lock(user):
    return draw_list(user).filter(status=DrawStatus.DRAWN)


def public_draws():
    """Draws for the public portal: every published commitment (also cancelled attempts, with reason).

    The result (targets, groups, manifest) is public once `locked_at` is set (status locked), or for a
    cancelled draw if it had been run. Use `public_targets(draw)` for the rows to show.
    """
    return (
        Draw.objects.filter(is_public=True)
        .select_related("task", "task__plan", "region")
        .annotate(selected_count=Count("targets", filter=Q(targets__role=TargetRole.SELECTED)))
        .order_by("-published_at")
    )


def public_draw_rows():
    """The rows of `public_draws()` without its per-draw target count (a join over every DrawTarget)."""
    return Draw.objects.filter(is_public=True).order_by()


def public_targets(draw: Draw):
    if draw.status != DrawStatus.LOCKED and not (draw.status == DrawStatus.CANCELLED and draw.drawn_at):
        return DrawTarget.objects.none()
    return draw_detail_targets(draw)


def pool_entry(draw: Draw, unit_id: str) -> DrawPoolEntry | None:
    """One unit's row of the draw's committed pool (index lookup on (draw, unit_id); no file is read)."""
    rows = DrawPoolEntry.objects.filter(draw=draw, unit_id=unit_id).only("stratum", "excluded_reason")[:1]
    return next(iter(rows), None)  # unique, so no ORDER BY is needed
