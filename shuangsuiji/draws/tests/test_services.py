"""The draw workflow on the real database: freeze → public values → fairdraw → witnesses → lock."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shuangsuiji import fairdraw as fd
from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.directory.models import ConflictDeclaration, LeavePeriod
from shuangsuiji.draws import services
from shuangsuiji.draws.choices import DrawStatus, FileKind, TargetRole, TargetStatus
from shuangsuiji.draws.models import Draw, DrawTarget, InspectorAssignment, TargetChange
from shuangsuiji.draws.testing import enter_and_confirm
from shuangsuiji.plans.tests.fixtures import KL8_NUMBERS, after_draw_time, lottery_input

pytestmark = pytest.mark.django_db


def freeze(task, user, **kw):
    sources = services.build_sources(lottery=lottery_input(), **kw)
    return services.draw_freeze(user=user, task=task, sources=sources)


def run(draw, user, values=None):
    """Enter + confirm the lottery result (position 1) unless already confirmed, then draw."""
    values = dict(values or {1: KL8_NUMBERS})
    numbers = values.pop(1, KL8_NUMBERS)
    if not draw.sources.get(position=1).confirmed_by_id:
        enter_and_confirm(draw, user, numbers, now=after_draw_time())
    return services.draw_run(user=user, draw=draw, raw_values=values, now=after_draw_time())


def test_full_workflow(gq, approver_gq):
    task = gq["task"]
    draw = freeze(task, approver_gq)
    assert draw.status == DrawStatus.COMMITTED and draw.attempt == 1 and draw.is_public
    commitment = json.loads(draw.file_bytes(FileKind.COMMITMENT))
    assert fd.commitment_hash(commitment) == draw.commitment_hash
    assert commitment["pool_digest"] == hashlib.sha256(draw.file_bytes(FileKind.POOL)).hexdigest()
    assert commitment["units"] == {"total": 40, "eligible": 40, "excluded": 0}
    assert set(commitment["strata"]) == {"A", "B", "C", "D"}
    assert commitment["public_sources"][0]["issue"] == "2026321"

    draw = run(draw, approver_gq)
    assert draw.status == DrawStatus.DRAWN
    assert draw.public_values == ["01,05,09,12,17,23,28,31,36,40,44,47,52,56,61,66,70,73,77,80"]
    selected = DrawTarget.objects.filter(draw=draw, role=TargetRole.SELECTED)
    assert selected.count() == 8  # 20% of 10 per class
    assert set(selected.values_list("status", flat=True)) == {TargetStatus.ACTIVE}
    assert DrawTarget.objects.filter(draw=draw, role=TargetRole.SUBSTITUTE).count() == 12
    for target in selected:
        assert target.assignments.count() == 2
    assert draw.assignment_feasible is True

    with pytest.raises(ValidationError, match="监督人"):
        services.draw_lock(user=approver_gq, draw=draw)
    services.witness_add(
        user=approver_gq, draw=draw, name="赵纪检", organization="县纪委监委派驻纪检组", role="discipline"
    )
    draw = services.draw_lock(user=approver_gq, draw=draw)
    assert draw.status == DrawStatus.LOCKED and draw.locked_at

    report = services.draw_verify(user=approver_gq, draw=draw)
    assert report.ok, report.text()
    messages = list(ObjectChange.objects.filter(object_type="draws.draw").values_list("message", flat=True))
    assert any("公布抽取承诺" in m for m in messages) and any("锁定" in m for m in messages)
    assert audit.verify_chain()[1] == []


def test_same_inputs_give_same_result_as_fairdraw(gq, approver_gq):
    draw = run(freeze(gq["task"], approver_gq), approver_gq)
    out = fd.run_draw(draw.file_bytes(FileKind.POOL), json.loads(draw.file_bytes(FileKind.COMMITMENT)),
                      draw.public_values, roster=draw.file_bytes(FileKind.ROSTER))  # fmt: skip
    assert fd.manifest_bytes(out.manifest) == draw.file_bytes(FileKind.MANIFEST)
    assert sorted(draw.targets.filter(role="selected").values_list("unit_code", flat=True)) == out.result.selected()


def test_second_draw_of_same_task_is_refused(gq, approver_gq, admin_user_gq):
    freeze(gq["task"], approver_gq)
    with pytest.raises(ValidationError, match="不能重复抽取"):
        freeze(gq["task"], admin_user_gq)
    assert Draw.objects.count() == 1


def test_cancel_then_new_attempt(gq, approver_gq):
    draw = freeze(gq["task"], approver_gq)
    with pytest.raises(ValidationError, match="理由"):
        services.draw_cancel(user=approver_gq, draw=draw, reason="")
    services.draw_cancel(user=approver_gq, draw=draw, reason="公告的彩票期号有误，重新公告")
    second = freeze(gq["task"], approver_gq)
    assert second.attempt == 2 and second.code.endswith("-2")
    assert Draw.objects.get(pk=draw.pk).status == DrawStatus.CANCELLED


def test_values_cannot_be_entered_before_they_exist(gq, approver_gq):
    draw = freeze(gq["task"], approver_gq)
    with pytest.raises(ValidationError, match="尚未产生"):
        services.draw_run(user=approver_gq, draw=draw, raw_values={1: KL8_NUMBERS}, now=timezone.now())


def test_source_in_the_past_is_refused(gq, approver_gq):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    sources = services.build_sources(lottery={"game": "kl8", "issue": "2026300", "draw_date": yesterday})
    with pytest.raises(ValidationError, match="已过"):
        services.draw_freeze(user=approver_gq, task=gq["task"], sources=sources)


def test_bad_lottery_numbers_are_explained(gq, approver_gq):
    draw = freeze(gq["task"], approver_gq)
    with pytest.raises(ValidationError, match="号码个数不对"):
        run(draw, approver_gq, {1: "01 02 03"})
    with pytest.raises(ValidationError, match="超出范围"):
        run(draw, approver_gq, {1: KL8_NUMBERS.replace("80", "81")})
    assert not draw.sources.get().value  # nothing stored


def test_witness_commit_reveal(gq, approver_gq):
    secret = "赵纪检的随机数 8f3a"
    commitment = hashlib.sha256(secret.encode()).hexdigest()
    draw = freeze(gq["task"], approver_gq, witnesses=[("赵纪检", commitment)])
    with pytest.raises(ValidationError, match="不符"):
        run(draw, approver_gq, {1: KL8_NUMBERS, 2: "别的数"})
    draw = run(draw, approver_gq, {1: KL8_NUMBERS, 2: secret})
    assert draw.public_values[1] == secret
    assert services.draw_verify(user=approver_gq, draw=draw).ok


def test_values_cannot_be_entered_before_they_exist_lottery_entry(gq, approver_gq):
    draw = freeze(gq["task"], approver_gq)
    with pytest.raises(ValidationError, match="尚未产生"):
        services.source_enter(user=approver_gq, source=draw.sources.get(), raw_value=KL8_NUMBERS,
                              announcement_ref="快乐8 第 2026321 期开奖公告", now=timezone.now())  # fmt: skip


def test_substitution_uses_next_substitute_of_same_stratum(gq, approver_gq):
    draw = run(freeze(gq["task"], approver_gq), approver_gq)
    target = draw.targets.filter(role="selected", stratum="C").order_by("rank").first()
    first_sub = draw.targets.get(role="substitute", stratum="C", rank=1)
    group = set(target.assignments.values_list("inspector_id", flat=True))
    with pytest.raises(ValidationError, match="理由"):
        services.target_substitute(user=approver_gq, target=target, reason="")
    change, warnings = services.target_substitute(user=approver_gq, target=target, reason="经核实该单位已注销")
    assert change.substitute == first_sub and warnings == []
    first_sub.refresh_from_db()
    target.refresh_from_db()
    assert target.status == TargetStatus.REPLACED and first_sub.status == TargetStatus.ACTIVE
    assert first_sub.replaces == target
    assert set(first_sub.assignments.values_list("inspector_id", flat=True)) == group
    # next substitution in the stratum takes rank 2, never a re-roll
    other = draw.targets.filter(role="selected", stratum="C", status="active").exclude(pk=target.pk).first()
    change2, _ = services.target_substitute(user=approver_gq, target=other, reason="经核实该单位已停业")
    assert change2.substitute.rank == 2
    assert TargetChange.objects.filter(draw=draw).count() == 2
    # the fairdraw result is unchanged and still verifies
    assert services.draw_verify(user=approver_gq, draw=draw).ok


def test_substitutes_run_out(gq, approver_gq):
    draw = run(freeze(gq["task"], approver_gq), approver_gq)
    targets = list(draw.targets.filter(role="selected", stratum="A"))
    subs = draw.targets.filter(role="substitute", stratum="A").count()
    for i in range(subs):
        active = draw.targets.filter(stratum="A", status="active").first()
        services.target_substitute(user=approver_gq, target=active, reason=f"第{i}次：单位已注销")
    with pytest.raises(ValidationError, match="已用完"):
        services.target_substitute(user=approver_gq, target=draw.targets.filter(stratum="A", status="active").first(),
                                   reason="单位已注销")  # fmt: skip
    last = draw.targets.filter(stratum="A", status="active").first()
    services.target_cancel(user=approver_gq, target=last, reason="单位已注销且无候补")
    last.refresh_from_db()
    assert last.status == TargetStatus.CANCELLED
    assert len(targets) == 2


def test_leave_and_conflict_shape_the_roster(gq, approver_gq):
    task = gq["task"]
    inspectors = gq["inspectors"]
    LeavePeriod.objects.create(inspector=inspectors[0], start=task.window_start, end=task.window_end, reason="培训")
    unit = gq["units"][0]
    ConflictDeclaration.objects.create(inspector=inspectors[1], unit=unit, relation="relative", start=task.window_start)
    draw = run(freeze(task, approver_gq), approver_gq)
    roster = {i.inspector_id: i for i in fd.parse_roster(draw.file_bytes(FileKind.ROSTER))}
    pseudonym = {i: i.draw_pseudonym.pseudonym for i in inspectors[:2]}  # public rosters: pseudonymous ids
    assert roster[pseudonym[inspectors[0]]].max_load == 0
    # the public roster commits the 回避 pair (fairdraw spec §4.2.2); the non-public key opens it
    public = json.loads(draw.file_bytes(FileKind.ROSTER))
    assert public["format"] == "fairdraw-roster/2" and len(public["conflicts"]) == 1
    assert unit.credit_code.encode() not in draw.file_bytes(FileKind.ROSTER)
    key = json.loads(draw.file_bytes(FileKind.CONFLICT_KEY))
    assert [(p["inspector_id"], p["unit_id"]) for p in key["pairs"]] == [(pseudonym[inspectors[1]], unit.credit_code)]
    assert not InspectorAssignment.objects.filter(target__draw=draw, inspector=inspectors[0]).exists()
    assert not InspectorAssignment.objects.filter(
        target__draw=draw, target__unit=unit, inspector=inspectors[1]
    ).exists()


def test_closed_units_stay_in_pool_as_excluded(gq, approver_gq):
    unit = gq["units"][0]
    unit.status = "closed"
    unit.save()
    draw = freeze(gq["task"], approver_gq)
    rows = fd.read_units(draw.file_bytes(FileKind.POOL))
    assert [u.excluded_reason for u in rows if u.unit_id == unit.credit_code] == ["CLOSED"]
    assert draw.unit_total == 40 and draw.unit_eligible == 39


def test_unpublished_plan_cannot_be_drawn(gq, approver_gq):
    from shuangsuiji.plans import services as plan_services

    plan_services.plan_transition(user=approver_gq, plan=gq["plan"], action="revise", text="增加联合抽查任务")
    with pytest.raises(ValidationError, match="已公布"):
        freeze(gq["task"], approver_gq)


def test_permissions_and_scope(gq, inspector_gq, oversight_gq, admin_yy, city_approver):
    for user in (inspector_gq, oversight_gq, admin_yy):
        with pytest.raises(PermissionDenied):
            freeze(gq["task"], user)
    assert freeze(gq["task"], city_approver).region.code == "370322"  # the city may draw county tasks
