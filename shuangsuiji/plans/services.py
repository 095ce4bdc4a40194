"""Writes for annual plans and tasks. Keyword-only, atomic, validated (full_clean) and audited.

Every function first checks the user's role permission and region scope (`core.permissions.require`,
here as well as in the views); the demo loader and commands pass the explicit `SYSTEM` actor.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.concurrency import lock_for_edit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import require, stored_user
from shuangsuiji.directory.models import BusinessLine

from . import pool
from .choices import DRAWN_HERE, PLAN_TRANSITIONS, InspectionType, PlanStatus, TaskKind
from .models import AnnualPlan, AnnualPlanVersion, Task, TaskItem, TaskStratumRule

TASK_FIELDS = (
    "name", "kind", "lead_organization", "scope_region", "risk_levels", "exclude_inspected_days", "stratify_by",
    "weight_formula", "violation_years", "yearly_check_cap", "yearly_cap_action",
    "default_rate", "default_min", "default_max", "substitutes", "window_start", "window_end", "group_size",
    "require_specialist", "region_rule", "max_load", "withhold_targets", "note", "inspection_type",
)  # fmt: skip
TASK_M2M = ("business_lines", "tags", "roster_organizations", "roster_tags", "townships")


OUT_OF_SCOPE = "不能操作本辖区以外的计划或任务"


def _require_draft(plan: AnnualPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            f"计划当前状态为“{plan.get_status_display()}”，只有草稿可以修改；已公布的计划请先“调整计划”"
        )


def _require_task_editable(task: Task) -> None:
    _require_draft(task.plan)
    if task.has_live_draw():
        raise ValidationError("该任务已开始抽取（已公布抽取承诺），不能再修改；如需变更请先作废该次抽取")


# ---------------------------------------------------------------- annual plans


@transaction.atomic
def plan_create(*, user, year: int, title: str, organization, coverage_target=3, description: str = "") -> AnnualPlan:
    require(user, "plans.add_annualplan", organization.region, scope_message=OUT_OF_SCOPE)
    plan = AnnualPlan(
        year=year, title=title, organization=organization, region=organization.region,
        coverage_target=coverage_target, description=description, created_by=stored_user(user),
    )  # fmt: skip
    plan.full_clean()
    plan.save()
    audit.log_change(plan, ObjectChange.Action.CREATE, user=user, message="新建年度抽查工作计划")
    return plan


@transaction.atomic
def plan_update(*, user, plan: AnnualPlan, expected_version: int | None = None, **changes) -> AnnualPlan:
    require(user, "plans.change_annualplan", plan, scope_message=OUT_OF_SCOPE)
    allowed = {"title", "coverage_target", "description"}
    if set(changes) - allowed:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(set(changes) - allowed))}")
    plan = lock_for_edit(plan, expected_version)
    _require_draft(plan)
    before = audit.snapshot(plan)
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    audit.log_change(plan, ObjectChange.Action.UPDATE, user=user, before=before)
    return plan


def _validate_for_submit(plan: AnnualPlan) -> None:
    errors = []
    tasks = list(plan.tasks.filter(inspection_type__in=DRAWN_HERE).prefetch_related("items"))
    if not tasks:
        errors.append("计划中还没有抽查任务")
    for task in tasks:
        items = list(task.items.all())
        if not items:
            errors.append(f"任务 {task.code} 没有抽查事项")
        lines = set(task.business_lines.values_list("pk", flat=True))
        errors += [f"任务 {task.code}：{e}" for i in items if (e := item_fit_error(i.item, lines))]
        if task.kind == TaskKind.JOINT and len({i.organization_id for i in items} | {task.lead_organization_id}) < 2:
            errors.append(f"联合抽查任务 {task.code} 至少需要两个部门的抽查事项")
    if errors:
        raise ValidationError(errors)


def _plan_snapshot(plan: AnnualPlan) -> dict:
    """Plan + tasks (with items and ratio rules) as plain JSON, stored with each published version."""
    data = audit.snapshot(plan)
    data["tasks"] = []
    drawn_here = plan.tasks.filter(inspection_type__in=DRAWN_HERE)  # 上级下达 and 非随机检查 are not the plan's
    for task in drawn_here.select_related("lead_organization", "scope_region").prefetch_related(
        "items__organization", "items__item", "stratum_rules", "business_lines", "tags"
    ):
        row = audit.snapshot(task)
        row["lead_organization_name"] = task.lead_organization.name
        row["scope_region_name"] = task.scope_region.name
        row["business_line_names"] = [bl.name for bl in task.business_lines.all()]
        row["tag_names"] = [t.name for t in task.tags.all()]
        row["roster_tag_names"] = [t.name for t in task.roster_tags.all()]
        row["township_names"] = [t.name for t in task.townships.all()]
        row["items"] = [
            {"organization": i.organization.name, "item_id": i.item_id, "name": i.name} for i in task.items.all()
        ]
        row["stratum_rules"] = [audit.snapshot(r) for r in task.stratum_rules.all()]
        row["weight_sentence"] = pool.weight_sentence(task)  # the portal's plain-Chinese weighting (issue #15)
        data["tasks"].append(row)
    return audit.to_plain(data)


@transaction.atomic
def plan_transition(*, user, plan: AnnualPlan, action: str, text: str = "") -> AnnualPlan:
    """Move a plan along PLAN_TRANSITIONS (submit / return / approve / publish / revise)."""
    transition = PLAN_TRANSITIONS.get(action)
    perm = f"plans.{transition.perm_action}_annualplan" if transition else None
    require(user, perm, plan, scope_message=OUT_OF_SCOPE)
    if transition is None:
        raise ValidationError(f"未知操作：{action}")
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in transition.sources:
        raise ValidationError(f"计划当前状态为“{plan.get_status_display()}”，不能执行“{transition.label}”")
    text = (text or "").strip()
    if transition.needs_text == "reason" and not text:
        raise ValidationError("调整已公布的计划必须填写调整理由")
    if transition.needs_text == "opinion" and not text:
        raise ValidationError("退回时必须填写审核意见")
    before = audit.snapshot(plan)
    now = timezone.now()
    if action == "submit":
        _validate_for_submit(plan)
        plan.submitted_by, plan.submitted_at = stored_user(user), now
    elif action == "approve":
        if not user.is_superuser and plan.submitted_by_id == user.pk:
            raise ValidationError("提交人不能审核自己提交的计划（审核须由他人进行）")
        plan.approved_by, plan.approved_at, plan.review_opinion = stored_user(user), now, text
    elif action == "return":
        plan.review_opinion = text
    elif action == "publish":
        plan.published_at = now
        plan.first_published_at = plan.first_published_at or now
    elif action == "revise":
        plan.version += 1
        plan.revision_reason = text
        plan.submitted_by = plan.submitted_at = plan.approved_by = plan.approved_at = None
        plan.review_opinion = ""
    plan.status = transition.target
    plan.full_clean()
    plan.save()
    data = {"from": before["status"], "to": plan.status, "version": plan.version, "text": text}
    if action == "publish":
        version = AnnualPlanVersion.objects.create(
            plan=plan, version=plan.version, reason=plan.revision_reason, snapshot=_plan_snapshot(plan),
            published_at=now, published_by=stored_user(user),
        )  # fmt: skip
        audit.log_change(version, ObjectChange.Action.CREATE, user=user, message=f"公布第{plan.version}版")
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=plan, user=user, data=data,
        message=f"{transition.label}（第{plan.version}版）" + (f"：{text}" if text else ""),
    )  # fmt: skip
    return plan


# ---------------------------------------------------------------- tasks


def item_fit_error(item, line_ids) -> str:
    """Why `item` cannot be in a task whose scope is `line_ids` (empty = every line), or "" when it fits.

    An item applies to units of its `unit_lines` (its own business line when none are chosen); a task
    scoped to other lines would check units the item does not cover (高青指引: 不在检查范围内的…不得擅自开展执法检查).
    """
    line_ids = set(line_ids or ())
    if item is None or not line_ids:
        return ""
    item_lines = item.unit_line_ids()
    if item_lines & line_ids:
        return ""
    names = "、".join(BusinessLine.objects.filter(pk__in=item_lines).order_by("order").values_list("name", flat=True))
    scope = "、".join(BusinessLine.objects.filter(pk__in=line_ids).order_by("order").values_list("name", flat=True))
    return f"抽查事项“{item.name}”适用于{names}的检查对象，不在本任务的抽查范围（{scope}）内"


def _line_ids(values) -> set[int]:
    return {getattr(v, "pk", v) for v in values or ()}


def _next_code(plan: AnnualPlan) -> str:
    prefix = f"{plan.year}-{plan.region.code}-"
    existing = Task.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c.rsplit("-", 1)[1]) for c in existing if c.rsplit("-", 1)[1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def _set_m2m(task: Task, m2m: dict) -> None:
    for name in TASK_M2M:
        if name in m2m and m2m[name] is not None:
            getattr(task, name).set(m2m[name])


@transaction.atomic
def task_create(*, user, plan: AnnualPlan, items=None, **data) -> Task:
    """A new task; `items` (抽查事项 from the list) are added at once, for the lead organisation."""
    require(user, "plans.add_task", plan, scope_message=OUT_OF_SCOPE)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    _require_draft(plan)
    _require_drawn_type(data)
    m2m = {name: data.pop(name, None) for name in TASK_M2M}
    unknown = set(data) - set(TASK_FIELDS)
    if unknown:
        raise ValidationError(f"未知字段：{', '.join(sorted(unknown))}")
    data.setdefault("scope_region", plan.region)
    task = Task(plan=plan, code=_next_code(plan), **data)
    task.full_clean()
    task.save()
    _set_m2m(task, m2m)
    audit.log_change(task, ObjectChange.Action.CREATE, user=user, message="新建抽查任务")
    for item in items or ():
        task_item_add(user=user, task=task, organization=task.lead_organization, item=item)
    return task


def _require_drawn_type(data: dict) -> None:
    if data.get("inspection_type", InspectionType.DAILY_RANDOM) not in DRAWN_HERE:
        raise ValidationError({"inspection_type": "上级下达任务请用“导入上级任务”登记，非随机检查请用“登记非随机检查”"})


EXTERNAL_FIELDS = ("upper_level", "upper_authority", "upper_task_no", "check_reason", "check_source")


@transaction.atomic
def task_record_external(
    *,
    user,
    plan: AnnualPlan,
    inspection_type: str,
    name: str,
    lead_organization,
    window_start,
    window_end,
    items=(),
    note: str = "",
    **source,
) -> Task:
    """A task whose units are not drawn here: 上级下达 (the upper level drew them) or 非随机检查 (投诉举报…).

    It is recorded in the plan of its year whatever the plan's status (it is not part of the plan's own draws,
    is never in a published plan version and is never drawn); its targets come from `draws.services`."""
    require(user, "plans.add_task", plan, scope_message=OUT_OF_SCOPE)
    if inspection_type in DRAWN_HERE:
        raise ValidationError({"inspection_type": "日常监督随机抽查和重点/专项监督任务须在年度计划中新建并抽取"})
    unknown = set(source) - set(EXTERNAL_FIELDS)
    if unknown:
        raise ValidationError(f"未知字段：{', '.join(sorted(unknown))}")
    plan = AnnualPlan.objects.select_for_update().select_related("region").get(pk=plan.pk)
    task = Task(
        plan=plan, code=_next_code(plan), name=name, inspection_type=inspection_type,
        lead_organization=lead_organization, scope_region=plan.region, default_rate=0, substitutes=0,
        window_start=window_start, window_end=window_end, withhold_targets=False, note=note,
        **{k: (v or "").strip() for k, v in source.items()},
    )  # fmt: skip
    task.full_clean()
    task.save()
    audit.log_change(
        task,
        ObjectChange.Action.CREATE,
        user=user,
        message=f"登记{task.get_inspection_type_display()}任务（{task.source_label}）",
    )
    for item in items or ():
        ti = TaskItem(task=task, organization=lead_organization, item=item, order=task.items.count())
        ti.full_clean()
        ti.save()
        audit.log_change(ti, ObjectChange.Action.CREATE, user=user)
    return task


@transaction.atomic
def task_update(*, user, task: Task, expected_version: int | None = None, **data) -> Task:
    require(user, "plans.change_task", task.plan, scope_message=OUT_OF_SCOPE)
    task = lock_for_edit(task, expected_version, queryset=Task.objects.select_related("plan__region"))
    _require_task_editable(task)
    if not task.is_drawn_here or "inspection_type" in data:
        _require_drawn_type({"inspection_type": data.get("inspection_type", task.inspection_type)})
    m2m = {name: data.pop(name, None) for name in TASK_M2M}
    unknown = set(data) - set(TASK_FIELDS)
    if unknown:
        raise ValidationError(f"未知字段：{', '.join(sorted(unknown))}")
    before = audit.snapshot(task)
    for name, value in data.items():
        setattr(task, name, value)
    task.full_clean()
    task.save()
    _set_m2m(task, m2m)
    if m2m.get("business_lines") is not None:
        lines = _line_ids(m2m["business_lines"])
        errors = [e for ti in task.items.select_related("item") if (e := item_fit_error(ti.item, lines))]
        if errors:
            raise ValidationError({"business_lines": errors})
    audit.log_change(task, ObjectChange.Action.UPDATE, user=user, before=before)
    return task


@transaction.atomic
def task_delete(*, user, task: Task) -> None:
    require(user, "plans.delete_task", task.plan, scope_message=OUT_OF_SCOPE)
    _require_task_editable(task)
    if task.draws.exists():
        raise ValidationError("该任务有抽取记录，不能删除")
    audit.log_change(task, ObjectChange.Action.DELETE, user=user, before=audit.snapshot(task))
    task.delete()


@transaction.atomic
def task_item_add(*, user, task: Task, organization, item=None, item_name: str = "") -> TaskItem:
    require(user, "plans.change_task", task.plan, scope_message=OUT_OF_SCOPE)
    _require_task_editable(task)
    if item is not None and item.status != "published":
        raise ValidationError("只能选择已发布的抽查事项")
    if item is not None and task.items.filter(item__in=item.lineage()).exists():
        raise ValidationError("该事项已在任务中（含同一事项的其他版本或认领副本）")
    fit = item_fit_error(item, task.business_lines.values_list("pk", flat=True))
    if fit:
        raise ValidationError(fit)
    row = TaskItem(
        task=task, organization=organization, item=item, item_name=item_name.strip(), order=task.items.count() + 1
    )
    row.full_clean()
    row.save()
    audit.log_change(row, ObjectChange.Action.CREATE, user=user, message=f"任务 {task.code} 增加抽查事项")
    return row


@transaction.atomic
def task_item_remove(*, user, item: TaskItem) -> None:
    require(user, "plans.change_task", item.task.plan, scope_message=OUT_OF_SCOPE)
    _require_task_editable(item.task)
    audit.log_change(item, ObjectChange.Action.DELETE, user=user, before=audit.snapshot(item))
    item.delete()


@transaction.atomic
def stratum_rule_set(
    *, user, task: Task, stratum: str, rate, min_n: int = 0, max_n=None, certainty: bool = False, source: str = ""
) -> TaskStratumRule:
    require(user, "plans.change_task", task.plan, scope_message=OUT_OF_SCOPE)
    _require_task_editable(task)
    rule = TaskStratumRule.objects.filter(task=task, stratum=stratum).first()
    before = audit.snapshot(rule) if rule else None
    rule = rule or TaskStratumRule(task=task, stratum=stratum)
    rule.rate, rule.min_n, rule.max_n, rule.certainty, rule.source = rate, min_n, max_n, certainty, source
    rule.full_clean()
    rule.save()
    audit.log_change(
        rule, ObjectChange.Action.UPDATE if before else ObjectChange.Action.CREATE, user=user, before=before
    )
    return rule


@transaction.atomic
def stratum_rule_delete(*, user, rule: TaskStratumRule) -> None:
    require(user, "plans.change_task", rule.task.plan, scope_message=OUT_OF_SCOPE)
    _require_task_editable(rule.task)
    audit.log_change(rule, ObjectChange.Action.DELETE, user=user, before=audit.snapshot(rule))
    rule.delete()


@transaction.atomic
def task_apply_suggestion(*, user, task: Task, source: str) -> list[TaskStratumRule]:
    """Fill per-stratum ratios from fairdraw's tables: "gaoqing" (by unit count) or "risk" (by class)."""
    require(user, "plans.change_task", task.plan, scope_message=OUT_OF_SCOPE)
    _require_task_editable(task)
    if source not in ("gaoqing", "risk"):
        raise ValidationError("未知的比例依据")
    cands = pool.candidates(task)
    counts = pool.stratum_counts_of(cands)
    if not counts:
        raise ValidationError("抽查范围内没有检查对象，无法按比例表计算")
    rates = pool.suggested_rates(task, counts, source)
    label = "高青县工作指引比例表" if source == "gaoqing" else "信用风险分类比例"
    rules = [
        stratum_rule_set(
            user=user,
            task=task,
            stratum=h,
            rate=pool.fraction_to_pct(rate),
            min_n=1 if counts[h]["eligible"] else 0,
            source=label,
        )  # fmt: skip
        for h, rate in rates.items()
    ]
    audit.log_event(ObjectChange.Action.WORKFLOW, obj=task, user=user, message=f"按{label}填入分层比例")
    return rules
