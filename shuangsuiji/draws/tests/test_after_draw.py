"""After the draw (issue #15 point 6): replacing an inspector by the committed random order (fairdraw spec §8.7),
capped at 15% of the groups without the approver's sign-off; experts drawn from the seed or designated; the load
summary shown before locking."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shuangsuiji import fairdraw as fd
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.directory.models import BusinessLine, Expert, LeavePeriod
from shuangsuiji.draws import selectors, services
from shuangsuiji.draws.choices import DrawStatus, FileKind, InspectorChangeStatus, TargetRole, TargetStatus
from shuangsuiji.draws.downloads import replacements_bytes
from shuangsuiji.draws.models import DrawTarget, InspectorAssignment
from shuangsuiji.draws.testing import KL8_NUMBERS, enter_and_confirm, locked_draw, second_person
from shuangsuiji.draws.tests.conftest import LOCK_TIME
from shuangsuiji.fairdraw.replace import check_file, expert_order, replay_replacements

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 6, 16, 9, 0))


def _targets(draw):
    return list(
        DrawTarget.objects.filter(draw=draw, role=TargetRole.SELECTED, status=TargetStatus.ACTIVE).order_by("pk")
    )


def _replay(draw):
    """Re-check every applied replacement from the published files alone (what a citizen's verifier does)."""
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    roster = fd.parse_roster(draw.file_bytes(FileKind.ROSTER))
    units = {u.unit_id: u for u in fd.read_units(draw.file_bytes(FileKind.POOL))}
    changes = [
        {
            "unit_id": c.target.unit_code,
            "out": c.out_id,
            "in": c.in_id,
            "skipped": [s["inspector_id"] for s in c.skipped],
        }  # fmt: skip
        for c in draw.inspector_changes.filter(status=InspectorChangeStatus.APPLIED).order_by("seq")
    ]
    return replay_replacements(
        seed=bytes.fromhex(draw.seed), units=units, groups=manifest["assignment"]["groups"],
        loads=manifest["assignment"]["loads"], roster=roster,
        rules=fd.DrawPlan.from_dict(manifest["commitment"]["plan"]).assignment, changes=changes,
    )  # fmt: skip


def test_replacement_follows_the_random_order_and_verifies(locked, approver_gq):
    draw = locked["draw"]
    target = _targets(draw)[0]
    before = {a.inspector_id for a in target.assignments.all()}
    leaving = target.assignments.first().inspector
    change = services.inspector_replace(
        user=approver_gq, target=target, inspector=leaving, reason_kind="illness", reason="因病住院，无法参加检查",
        now=NOW,
    )  # fmt: skip
    assert change.status == InspectorChangeStatus.APPLIED and change.seq == 1
    after = {a.inspector_id for a in target.assignments.all()}
    assert after == (before - {leaving.pk}) | {change.in_inspector_id} and len(after) == 2
    assert change.position >= 1 and change.passed_summary
    assert _replay(draw) == []
    log = ObjectChange.objects.filter(object_type="draws.draw", object_id=str(draw.pk)).order_by("-id").first()
    assert log.message.startswith(f"更换执法人员：{target.unit_name} 检查组 {leaving.name} → {change.in_name}")


def test_beyond_15_percent_needs_the_approvers_sign_off(locked, approver_gq):
    draw = locked["draw"]
    targets = _targets(draw)
    assert services.replacement_allowance(draw) == (8, 0, 1)  # 8 groups: one change without sign-off
    services.inspector_replace(user=approver_gq, target=targets[0], inspector=targets[0].assignments.first().inspector,
                               reason_kind="leave", reason="参加省级培训两周", now=NOW)  # fmt: skip
    second = targets[1]
    members = {a.inspector_id for a in second.assignments.all()}
    pending = services.inspector_replace(
        user=approver_gq, target=second, inspector=second.assignments.first().inspector, reason_kind="conflict",
        reason="抽取后发现系该单位负责人的亲属", now=NOW,
    )  # fmt: skip
    assert pending.status == InspectorChangeStatus.PENDING and pending.seq is None
    assert {a.inspector_id for a in second.assignments.all()} == members  # nothing changes before the sign-off
    with pytest.raises(ValidationError, match="申请人以外的审批人"):
        services.inspector_change_decide(user=approver_gq, change=pending, approve=True, now=NOW)
    with pytest.raises(PermissionDenied):
        services.inspector_change_decide(user=None, change=pending, approve=True, now=NOW)
    signed = services.inspector_change_decide(user=second_person(approver_gq), change=pending, approve=True,
                                              note="情况属实", now=NOW)  # fmt: skip
    assert signed.status == InspectorChangeStatus.APPLIED and signed.seq == 2 and signed.decided_by_id
    assert signed.in_inspector_id in {a.inspector_id for a in second.assignments.all()}
    assert _replay(draw) == []
    # the published record (portal download) re-checks with the stand-alone rule; an edited one does not
    published = replacements_bytes(draw)
    files = [draw.file_bytes(k) for k in (FileKind.MANIFEST, FileKind.POOL, FileKind.ROSTER)]
    assert check_file(*files, published) == []
    data = json.loads(published)
    data["changes"][1]["in"] = data["changes"][1]["out"]
    assert check_file(*files, json.dumps(data).encode())[0].startswith("第 2 项替换：按规则应由")


def test_replacement_after_a_substitution_replays_from_the_published_file(locked, approver_gq):
    """A group moved to a substitute by a 递补 stays re-checkable: the published file carries the move (spec §8.7)."""
    draw = locked["draw"]
    first, other = _targets(draw)[0], _targets(draw)[1]
    services.inspector_replace(user=approver_gq, target=first, inspector=first.assignments.first().inspector,
                               reason_kind="illness", reason="因病住院，无法参加检查", now=NOW)  # fmt: skip
    services.target_substitute(user=approver_gq, target=first, reason="经核实该单位已注销")
    sub = DrawTarget.objects.get(replaces=first)
    assert sub.assignments.count() == 2
    pending = services.inspector_replace(  # a second group changed: beyond 15% of 8, signed off
        user=approver_gq, target=sub, inspector=sub.assignments.order_by("pk").last().inspector,
        reason_kind="leave", reason="抽取后被借调参加省级督查", now=NOW,
    )  # fmt: skip
    services.inspector_change_decide(user=second_person(approver_gq), change=pending, approve=True, note="同意",
                                     now=NOW)  # fmt: skip
    services.target_substitute(user=approver_gq, target=other, reason="该单位已停业装修")
    other_sub = DrawTarget.objects.get(replaces=other)
    published = replacements_bytes(draw)
    entries = json.loads(published)["changes"]
    assert [(e.get("kind", "replace"), e["unit_id"]) for e in entries] == [
        ("replace", first.unit_code),
        ("substitute", first.unit_code),
        ("replace", sub.unit_code),
        ("substitute", other.unit_code),
    ]
    assert entries[1]["to"] == sub.unit_code and entries[3]["to"] == other_sub.unit_code
    files = [draw.file_bytes(k) for k in (FileKind.MANIFEST, FileKind.POOL, FileKind.ROSTER)]
    assert check_file(*files, published) == []
    # without the moves the replacement on the substitute cannot be re-checked (the gap this closes)
    data = json.loads(published)
    bare = {**data, "changes": [e for e in entries if e.get("kind") != "substitute"]}
    assert check_file(*files, json.dumps(bare).encode()) == [f"第 2 项替换：检查对象 {sub.unit_code} 没有检查组"]
    # a 递补 that skips the published substitutes' order is reported
    manifest = json.loads(files[0])
    spares = manifest["selection"][other.stratum]["substitutes"]
    wrong = next(u for u in spares if u not in (sub.unit_code, other_sub.unit_code))
    data["changes"][3]["to"] = wrong
    assert check_file(*files, json.dumps(data).encode()) == [
        f"第 4 项递补：按候补顺序应由 {other_sub.unit_code} 递补 {other.unit_code}，公布的是 {wrong}"
    ]


class _Probe(Exception):
    pass


def test_unavailable_since_the_draw_is_skipped_with_its_reason(client, locked, approver_gq):
    draw = locked["draw"]
    target = _targets(draw)[0]
    leaving = target.assignments.first().inspector
    try:  # who the rule picks today, inside a savepoint that is rolled back
        with transaction.atomic():
            first_pk = services.inspector_replace(
                user=approver_gq, target=target, inspector=leaving, reason_kind="illness", reason="因病住院治疗",
                now=NOW,
            ).in_inspector_id  # fmt: skip
            raise _Probe
    except _Probe:
        pass
    LeavePeriod.objects.create(
        inspector_id=first_pk, start=dt.date(2026, 6, 20), end=dt.date(2026, 7, 10), reason="产假"
    )
    change = services.inspector_replace(user=approver_gq, target=target, inspector=leaving, reason_kind="illness",
                                        reason="因病住院治疗", now=NOW)  # fmt: skip
    assert change.in_inspector_id != first_pk
    # the staff keep the leave's own reason; the public sees a fixed wording with the dates (no zero padding)
    assert [s["reason"] for s in change.skipped] == ["产假（2026年6月20日至2026年7月10日）"]
    assert change.public_skipped == [
        {"inspector_id": change.skipped[0]["inspector_id"], "reason": "请假（2026年6月20日至2026年7月10日）"}
    ]
    assert _replay(draw) == []
    public = client.get(reverse("disclosure:draw_detail", args=[draw.code])).text
    assert 'id="public-inspector-changes"' in public and "请假（2026年6月20日至2026年7月10日）" in public
    assert "产假" not in public
    record = json.loads(replacements_bytes(draw))
    assert [c["reasons"] for c in record["changes"] if "reasons" in c] == [
        {change.skipped[0]["inspector_id"]: "请假（2026年6月20日至2026年7月10日）"}
    ]
    assert "产假" not in replacements_bytes(draw).decode()
    client.force_login(approver_gq)
    assert "产假（2026年6月20日至2026年7月10日）" in client.get(reverse("draws:draw_detail", args=[draw.pk])).text


def test_public_skip_reason_of_records_written_before_the_public_wording():
    from shuangsuiji.draws.models import public_skip_reason

    assert (
        public_skip_reason({"reason": "病假（2026年03月02日至2026年03月06日）"}) == "请假（2026年3月2日至2026年3月6日）"
    )
    assert public_skip_reason({"reason": "已申报与该单位回避"}) == "已申报与该单位回避"
    assert public_skip_reason({"reason": "已停用（不再在岗）"}) == "已停用（不再在岗）"
    assert public_skip_reason({"reason": "家中有事"}) == "抽取后无法参加"
    assert public_skip_reason({"reason": "产假（…）", "public_reason": "请假（2026年6月20日至2026年7月10日）"}) == (
        "请假（2026年6月20日至2026年7月10日）"
    )


def test_refusals_name_the_problem(locked, approver_gq):
    draw = locked["draw"]
    target = _targets(draw)[0]
    member = target.assignments.first().inspector
    with pytest.raises(ValidationError, match="情况说明"):
        services.inspector_replace(user=approver_gq, target=target, inspector=member, reason_kind="illness",
                                   reason="病", now=NOW)  # fmt: skip
    outsider = next(i for i in locked["inspectors"] if not target.assignments.filter(inspector=i).exists())
    with pytest.raises(ValidationError, match="不是 .* 检查组的成员"):
        services.inspector_replace(user=approver_gq, target=target, inspector=outsider, reason_kind="illness",
                                   reason="因病住院治疗", now=NOW)  # fmt: skip


def _experts(region):
    line = BusinessLine.objects.get(code="ggcs")
    out = []
    for n in range(1, 6):
        e = Expert.objects.create(name=f"专家{n:02d}", region=region, employer="市疾控中心")
        e.specialties.add(line)
        out.append(e)
    Expert.objects.create(name="过期专家", region=region, valid_to=dt.date(2026, 1, 1))
    return out


def test_experts_drawn_from_the_seed_or_designated(locked, approver_gq):
    draw = locked["draw"]
    experts = _experts(locked["region"])
    target = _targets(draw)[0]
    first = services.expert_draw(user=approver_gq, target=target, now=NOW)
    order = expert_order(bytes.fromhex(draw.seed), target.unit_code, [f"ZJ{e.pk}" for e in experts])
    assert first.candidates == order and first.position == 1 and first.expert_key == order[0]
    second = services.expert_draw(user=approver_gq, target=target, now=NOW)
    assert second.expert_key == order[1] and second.position == 2  # the next one in the same order
    with pytest.raises(ValidationError, match="理由"):
        services.expert_designate(user=approver_gq, target=target, expert=experts[0], reason="", now=NOW)
    other = next(e for e in experts if f"ZJ{e.pk}" not in order[:2])
    designated = services.expert_designate(user=approver_gq, target=target, expert=other,
                                           reason="需要现场采样检测水质", now=NOW)  # fmt: skip
    assert designated.mode == "designated" and target.experts.count() == 3


def _overload(draw, heavy):
    """Eight substitutes made active, each with `heavy` in its group: one inspector far above the median load."""
    for t in DrawTarget.objects.filter(draw=draw, role=TargetRole.SUBSTITUTE)[:8]:
        t.status = TargetStatus.ACTIVE
        t.save(update_fields=["status"])
        InspectorAssignment.objects.create(target=t, inspector=heavy, inspector_code=heavy.cert_no,
                                           inspector_name=heavy.name)  # fmt: skip


def test_load_summary_warns_above_twice_the_median(locked):
    draw = locked["draw"]
    load = selectors.load_summary(draw)
    assert load["total"] == 16 and not load["heavy"]  # 8 groups of 2, balanced by fairdraw
    heavy = locked["inspectors"][0]
    _overload(draw, heavy)
    load = selectors.load_summary(draw)
    assert [r["inspector_name"] for r in load["heavy"]] == [heavy.name]


def test_load_median_counts_idle_eligible_inspectors(gq, approver_gq):
    """The median is over every eligible inspector of the committed roster, idle ones as 0 (hand-computed)."""
    inspectors = gq["inspectors"]  # 6 in the roster
    task = gq["task"]
    expired, on_leave = inspectors[4], inspectors[5]  # in the roster, but never eligible for this draw
    expired.cert_valid_to = task.window_start - dt.timedelta(days=1)
    expired.save(update_fields=["cert_valid_to"])
    LeavePeriod.objects.create(inspector=on_leave, start=task.window_start, end=task.window_end, reason="产假")
    draw = locked_draw(task, approver_gq, now=LOCK_TIME)
    assert set(selectors.eligible_roster(draw)) == {i.pk for i in inspectors[:4]}
    targets = _targets(draw)
    assert len(targets) == 8
    InspectorAssignment.objects.filter(target__draw=draw).delete()
    # 执法01: 4 checks, 执法02: 2, 执法03: 1, 执法04: idle; a cancelled target's group does not count
    plan = [(inspectors[0], targets[0:4]), (inspectors[1], targets[4:6]), (inspectors[2], targets[6:7]),
            (inspectors[3], [])]  # fmt: skip
    for inspector, ts in plan:
        for t in ts:
            InspectorAssignment.objects.create(target=t, inspector=inspector, inspector_code=inspector.cert_no,
                                               inspector_name=inspector.name)  # fmt: skip
    InspectorAssignment.objects.create(target=targets[7], inspector=inspectors[3], inspector_code="x",
                                       inspector_name=inspectors[3].name)  # fmt: skip
    DrawTarget.objects.filter(pk=targets[7].pk).update(status=TargetStatus.CANCELLED)
    load = selectors.load_summary(draw)
    # counts 0, 1, 2, 4 → median (1 + 2) / 2 = 1.5; more than 2 × 1.5 = 3 → only 执法01 (4). Counting only the
    # inspectors with a check (1, 2, 4) the median would be 2 and nobody would be flagged.
    assert [(r["inspector_name"], r["n"]) for r in load["rows"]] == [
        (inspectors[0].name, 4), (inspectors[1].name, 2), (inspectors[2].name, 1), (inspectors[3].name, 0),
    ]  # fmt: skip
    assert (load["median"], load["median_display"], load["inspectors"], load["idle"], load["total"]) == (
        1.5, "1.5", 4, 1, 7,
    )  # fmt: skip
    assert [r["inspector_name"] for r in load["heavy"]] == [inspectors[0].name]


def test_pages_show_changes_load_and_experts(client, locked, approver_gq):
    draw = locked["draw"]
    _experts(locked["region"])
    target = _targets(draw)[0]
    client.force_login(approver_gq)
    member = target.assignments.first()
    data = {"inspector": member.inspector_id, "reason_kind": "illness", "reason": "因病住院治疗"}
    response = client.post(reverse("draws:inspector_replace", args=[target.pk]), data)
    assert response.status_code == 302
    client.post(reverse("draws:expert_draw", args=[target.pk]))
    bad = client.post(reverse("draws:inspector_replace", args=[target.pk]), {"inspector": "x"}, follow=True)
    assert bad.status_code == 200 and "请选择要更换的执法人员" in bad.text
    page = client.get(reverse("draws:draw_detail", args=[draw.pk])).text
    assert 'id="inspector-changes"' in page and "因病住院治疗" in page and 'id="load-table"' in page
    assert 'id="replace-forms"' in page and 'id="expert-forms"' in page and 'id="groups-window-closed"' not in page
    assert 'id="expert-attachments"' in page
    record = client.get(reverse("draws:draw_record", args=[draw.pk])).text
    assert 'id="record-inspector-changes"' in record
    public = client.get(reverse("disclosure:draw_detail", args=[draw.code])).text
    assert 'id="public-inspector-changes"' in public and 'id="public-experts"' in public
    # the public reads why in one fixed wording: no illness or leave of a person is named on the portal
    assert "因故不能参加检查" in public and "因病住院治疗" not in public and "生病" not in public
    replacements = client.get(reverse("disclosure:draw_replacements", args=[draw.code])).content.decode()
    assert '"reason": "因故不能参加检查"' in replacements and "生病" not in replacements


def test_group_changes_after_the_window_are_refused_with_the_window(client, locked, approver_gq):
    """Point 6: once the task's inspection window has ended, no inspector replacement, sign-off or expert."""
    draw = locked["draw"]
    experts = _experts(locked["region"])
    target = _targets(draw)[0]
    member = target.assignments.first().inspector
    after = timezone.make_aware(dt.datetime(2027, 1, 1, 9, 0))  # the 高青 task's window is 2026-06-01..12-31
    window = "检查期限（2026年6月1日至2026年12月31日）已结束"
    with pytest.raises(ValidationError, match=window):
        services.inspector_replace(user=approver_gq, target=target, inspector=member, reason_kind="illness",
                                   reason="因病住院治疗", now=after)  # fmt: skip
    with pytest.raises(ValidationError, match=window):
        services.expert_draw(user=approver_gq, target=target, now=after)
    with pytest.raises(ValidationError, match=window):
        services.expert_designate(user=approver_gq, target=target, expert=experts[0], reason="需要现场采样检测",
                                  now=after)  # fmt: skip
    # a change waiting for the sign-off is not applied after the window either
    services.inspector_replace(user=approver_gq, target=target, inspector=member, reason_kind="illness",
                               reason="因病住院治疗", now=NOW)  # fmt: skip
    second = _targets(draw)[1]
    pending = services.inspector_replace(
        user=approver_gq, target=second, inspector=second.assignments.first().inspector, reason_kind="leave",
        reason="参加省级培训两周", now=NOW,
    )  # fmt: skip
    assert pending.status == InspectorChangeStatus.PENDING
    with pytest.raises(ValidationError, match=window):
        services.inspector_change_decide(user=second_person(approver_gq), change=pending, approve=True, now=after)
    # the last day of the window still counts
    last_day = timezone.make_aware(dt.datetime(2026, 12, 31, 17, 0))
    assert services.expert_draw(user=approver_gq, target=target, now=last_day).position == 1

    # the staff page (today is 2026-06-15): a window that ended on 2026-06-10 refuses with the window named
    type(draw.task).objects.filter(pk=draw.task_id).update(window_end=dt.date(2026, 6, 10))
    other = _targets(draw)[2]
    members = {a.inspector_id for a in other.assignments.all()}
    client.force_login(approver_gq)
    data = {"inspector": other.assignments.first().inspector_id, "reason_kind": "illness", "reason": "因病住院治疗"}
    page = client.post(reverse("draws:inspector_replace", args=[other.pk]), data, follow=True)
    assert page.status_code == 200
    assert "检查期限（2026年6月1日至2026年6月10日）已结束，不能再更换执法人员或安排专家" in page.text
    assert {a.inspector_id for a in other.assignments.all()} == members
    page = client.post(reverse("draws:expert_draw", args=[other.pk]), follow=True)
    assert "检查期限（2026年6月1日至2026年6月10日）已结束" in page.text and not other.experts.exists()
    # the draw page says so instead of offering the forms
    assert 'id="groups-window-closed"' in page.text
    assert 'id="replace-forms"' not in page.text and 'id="expert-forms"' not in page.text


def test_draw_page_warns_about_a_heavy_load_before_locking(client, gq, approver_gq):
    """The load summary and its warning are on the draw page while the result can still be reviewed (before locking):
    one inspector with more than twice the median is named, with the number of checks."""
    sources = services.build_sources(lottery={"game": "kl8", "issue": "2026321", "draw_date": LOCK_TIME.date()})
    draw = services.draw_freeze(user=approver_gq, task=gq["task"], sources=sources, now=LOCK_TIME)
    evening = timezone.make_aware(dt.datetime.combine(LOCK_TIME.date(), dt.time(22, 0)))
    enter_and_confirm(draw, approver_gq, KL8_NUMBERS, now=evening)
    draw = services.draw_run(user=approver_gq, draw=draw, now=evening)
    assert draw.status == DrawStatus.DRAWN
    client.force_login(approver_gq)
    url = reverse("draws:draw_detail", args=[draw.pk])
    page = client.get(url).text
    assert 'id="load-table"' in page and 'id="load-warning"' not in page  # fairdraw balances the groups
    heavy = gq["inspectors"][0]
    _overload(draw, heavy)
    n = selectors.load_summary(draw)["heavy"][0]["n"]
    page = client.get(url).text
    warning = page.split('id="load-warning"', 1)[1].split("</div>", 1)[0]
    assert "超过中位数的 2 倍，请在锁定前核实是否合理" in warning and f"{heavy.name} {n} 户" in warning
