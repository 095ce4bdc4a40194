"""The inspector roster of a task as fairdraw Inspectors (frozen with the pool at T0)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q

from shuangsuiji import fairdraw as fd
from shuangsuiji.directory.models import ConflictDeclaration, Inspector, LeavePeriod

NO_START = "0001-01-01"  # certificate without a recorded start date: valid from any date


def deployment_suite() -> fd.HashSuite:
    """The hash suite new commitments use: ``settings.FAIRDRAW_HASH_SUITE`` ("sha256" default, or "sm3"),
    fairdraw spec §2.3. A bad value, or SM3 on a Python without it, is a ValidationError naming the setting
    (and the system check draws.E001 at start-up), never a silent fallback to another hash."""
    name = getattr(settings, "FAIRDRAW_HASH_SUITE", "sha256")
    try:
        return fd.get_suite(name)
    except fd.FairdrawError as exc:
        raise ValidationError(f"系统设置 FAIRDRAW_HASH_SUITE 无效：{exc.message_zh}") from exc


@dataclass(frozen=True)
class RosterEntry:
    inspector: fd.Inspector
    pk: int
    name: str
    on_leave: bool


def ensure_pseudonyms(inspectors, suite: fd.HashSuite = fd.SHA256) -> dict[int, str]:
    """inspector pk → pseudonymous id, creating (once per inspector) a random salt and its pseudonym with the
    deployment's hash suite (recorded with it: an existing pseudonym keeps the suite it was made with)."""
    from .models import InspectorPseudonym

    have = {p.inspector_id: p.pseudonym for p in InspectorPseudonym.objects.filter(inspector__in=inspectors)}
    missing = []
    for i in inspectors:
        if i.pk not in have:
            salt = secrets.token_bytes(16)
            missing.append(InspectorPseudonym(
                inspector=i, cert_no=i.cert_no, salt=salt.hex(), hash_suite=suite.name,
                pseudonym=fd.inspector_pseudonym(salt, i.cert_no, suite),
            ))  # fmt: skip
    if missing:
        # Two freezes of overlapping rosters may create the same inspector's pseudonym at once: the second insert
        # waits for the first and does nothing, and both read the one that won (found by tests/test_multinode.py).
        InspectorPseudonym.objects.bulk_create(missing, ignore_conflicts=True)
        have = {p.inspector_id: p.pseudonym for p in InspectorPseudonym.objects.filter(inspector__in=inspectors)}
    return have


ASSIST_ONLY_REASON = "无执法证（协助检查）：不作为持证执法人员参加随机选派"


def _task_roster_scope(task):
    """Active staff of the task's region, limited to the chosen organisations and inspector tags."""
    qs = Inspector.objects.filter(active=True, organization__region__code__startswith=task.plan.region.scope_prefix)
    org_ids = list(task.roster_organizations.values_list("pk", flat=True))
    if org_ids:
        qs = qs.filter(organization__in=org_ids)
    tag_ids = list(task.roster_tags.values_list("pk", flat=True))
    if tag_ids:
        qs = qs.filter(tags__in=tag_ids).distinct()
    return qs


def roster_queryset(task):
    """The drawable roster: staff without a 执法证 (协助检查) never count as one of the certified officers
    (行政处罚法 第四十二条: 执法人员不得少于两人, 具有行政执法资格); `roster_exclusions` names them."""
    return (
        _task_roster_scope(task)
        .filter(assist_only=False)
        .select_related("organization__region")
        .prefetch_related("specialties")
    )


def roster_exclusions(task) -> list[tuple]:
    """(inspector, reason) for the staff in the task's scope that are left out of the drawable roster."""
    return [(i, ASSIST_ONLY_REASON) for i in _task_roster_scope(task).filter(assist_only=True).order_by("name")]


def roster_entries(task, pseudonyms: dict[int, str] | None = None) -> list[RosterEntry]:
    """Active inspectors of the task's region (or chosen organisations).

    `pseudonyms` (inspector pk → pseudonymous id, fairdraw spec §4.2.1) gives the public roster's ids; without
    it the ids are the 执法证号 (rosters committed before pseudonyms).

    Leave overlapping the inspection window → personal cap 0 (listed, never assigned);
    回避 declarations in force during the window → the unit's credit code in conflict_units.
    """
    start, end = task.window_start, task.window_end
    inspectors = list(roster_queryset(task))
    ids = [i.pk for i in inspectors]
    on_leave = set(
        LeavePeriod.objects.filter(inspector__in=ids, start__lte=end, end__gte=start).values_list(
            "inspector", flat=True
        )
    )
    conflicts: dict[int, set[str]] = {}
    for inspector_id, code in ConflictDeclaration.objects.filter(
        Q(end__isnull=True) | Q(end__gte=start), inspector__in=ids, start__lte=end
    ).values_list("inspector", "unit__credit_code"):
        conflicts.setdefault(inspector_id, set()).add(code)
    out = []
    for i in inspectors:
        entry = fd.Inspector(
            inspector_id=(pseudonyms or {}).get(i.pk, i.cert_no),
            region=i.organization.region.code,
            specialties=tuple(sorted(s.code for s in i.specialties.all())),
            cert_valid_from=i.cert_valid_from.isoformat() if i.cert_valid_from else NO_START,
            cert_valid_to=i.cert_valid_to.isoformat(),
            max_load=0 if i.pk in on_leave else None,
            conflict_units=tuple(sorted(conflicts.get(i.pk, ()))),
        )
        out.append(RosterEntry(entry, i.pk, i.name, i.pk in on_leave))
    return out
