"""Builders for tests, the browser test and the demo: inspectors linked to users (a locked draw: draws/testing.py)."""

from __future__ import annotations

from shuangsuiji.directory.models import Inspector
from shuangsuiji.draws.models import InspectorAssignment
from shuangsuiji.draws.testing import KL8_NUMBERS, locked_draw  # noqa: F401 (builders of the draws floor, used here)


def link_users(target, *users) -> list:
    """Link each user to one inspector of the target's group (the `Inspector.user` match)."""
    inspectors = []
    for assignment, user in zip(
        InspectorAssignment.objects.filter(target=target).select_related("inspector"), users, strict=False
    ):
        inspector = assignment.inspector
        Inspector.objects.filter(user=user).exclude(pk=inspector.pk).update(user=None)
        inspector.user = user
        inspector.save(update_fields=["user"])
        inspectors.append(inspector)
    return inspectors
