from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from shuangsuiji.core.listing import ScopedListView, require_perm
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.params import id_param
from shuangsuiji.core.viewhelpers import form_instance, service_call

from . import pool, selectors, services
from .choices import PLAN_TRANSITIONS, PlanStatus
from .filtersets import PlanFilterSet, TaskFilterSet
from .forms import PlanForm, StratumRuleForm, TaskForm, TaskItemForm, TransitionForm
from .models import AnnualPlan, Task, TaskItem, TaskStratumRule
from .tables import PlanTable, TaskTable


class PlanListView(ScopedListView):
    model = AnnualPlan
    filterset_class = PlanFilterSet
    table_class = PlanTable
    title = "年度抽查工作计划"
    create_url_name = "plans:plan_create"

    def get_queryset(self):
        return selectors.plan_list(self.request.user)


class TaskListView(ScopedListView):
    model = Task
    filterset_class = TaskFilterSet
    table_class = TaskTable
    title = "抽查任务"

    def get_queryset(self):
        return selectors.task_list(self.request.user)


class TaskReadyView(TaskListView):
    title = "待抽取任务（已公布计划中尚未抽取的任务）"

    def get_queryset(self):
        return selectors.tasks_ready_to_draw(self.request.user)


def _plan(request, pk, action="view") -> AnnualPlan:
    require_perm(request.user, AnnualPlan, action)
    return get_object_or_404(AnnualPlan.objects.restrict(request.user, action).select_related("region"), pk=pk)


def _task(request, pk, action="view") -> Task:
    require_perm(request.user, Task, action)
    return get_object_or_404(
        Task.objects.restrict(request.user, action).select_related("plan__region", "scope_region", "lead_organization"),
        pk=pk,
    )


@login_required
def plan_create(request):
    require_perm(request.user, AnnualPlan, "add")
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        result = service_call(request, lambda: services.plan_create(user=request.user, **form.cleaned_data), form=form)
        if result.ok:
            messages.success(request, "已创建年度计划，请添加抽查任务")
            return redirect("plans:plan_detail", pk=result.value.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建年度抽查工作计划"})


@login_required
def plan_edit(request, pk):
    plan = _plan(request, pk, "change")
    form = PlanForm(request.POST or None, instance=form_instance(plan), user=request.user)
    if request.method == "POST" and form.is_valid():
        if service_call(
            request,
            lambda: services.plan_update(
                user=request.user, plan=plan, expected_version=form.expected_version, **form.cleaned_data
            ),
            form=form,
        ):
            messages.success(request, "已保存")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"编辑计划：{plan}"})


def _history(user, obj):
    if not user.has_perm("core.view_objectchange"):
        return None
    return ObjectChange.objects.restrict(user).filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))[:50]


@login_required
def plan_detail(request, pk):
    plan = _plan(request, pk)
    actions = [
        (name, t)
        for name, t in PLAN_TRANSITIONS.items()
        if plan.status in t.sources
        and request.user.has_perm(f"plans.{t.perm_action}_annualplan")
        # the submitter may not approve their own plan (the service refuses it): do not offer the button
        and not (name == "approve" and plan.submitted_by_id == request.user.pk and not request.user.is_superuser)
    ]
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "title": plan.title,
            "coverage": pool.plan_coverage(plan),
            "actions": actions,
            "transition_form": TransitionForm(),
            "versions": plan.versions.select_related("published_by"),
            "can_edit": plan.status == PlanStatus.DRAFT and request.user.has_perm("plans.change_annualplan"),
            "can_add_task": plan.status == PlanStatus.DRAFT and request.user.has_perm("plans.add_task"),
            "history": _history(request.user, plan),
        },
    )


@login_required
@require_POST
def plan_transition(request, pk, action):
    transition = PLAN_TRANSITIONS.get(action)
    plan = _plan(request, pk, transition.perm_action if transition else "view")
    form = TransitionForm(request.POST)
    form.is_valid()
    text = form.cleaned_data.get("text", "")
    if service_call(
        request,
        lambda: services.plan_transition(user=request.user, plan=plan, action=action, text=text),
        prefix="操作失败：",
    ):
        label = PLAN_TRANSITIONS[action].label
        messages.success(request, f"已{label}")
    return redirect("plans:plan_detail", pk=plan.pk)


@login_required
def plan_version(request, pk, version):
    plan = _plan(request, pk)
    row = get_object_or_404(plan.versions, version=version)
    return render(request, "plans/plan_version.html", {"plan": plan, "row": row, "title": f"{plan} 第{version}版"})


def _task_form_page(request, form, title, plan, task=None):
    return render(
        request,
        "plans/task_form.html",
        {"form": form, "title": title, "plan": plan, "task": task, "preview": _form_preview(form, plan, task)},
    )


def _form_preview(form, plan, task):
    """Coverage preview of the task as currently entered (also for unsaved forms)."""
    instance = Task(plan=plan) if task is None else form_instance(task)
    data = form.data if form.is_bound else None
    fields = ("scope_region", "risk_levels", "exclude_inspected_days", "stratify_by", "default_rate", "default_min",
              "default_max", "weight_formula", "violation_years", "yearly_check_cap", "yearly_cap_action")  # fmt: skip
    if data is not None:
        form.is_valid()
        cleaned = getattr(form, "cleaned_data", {})
        for name in fields:
            if name in cleaned and cleaned[name] not in (None, ""):
                setattr(instance, name, cleaned[name])
        instance.preview_lines = [bl.code for bl in cleaned.get("business_lines") or []]
        instance.preview_tags = [t.pk for t in cleaned.get("tags") or []]
        instance.preview_townships = [t.pk for t in cleaned.get("townships") or []]
    elif task is None:
        instance.preview_lines, instance.preview_tags, instance.preview_townships = [], [], []
    if not instance.scope_region_id:
        instance.scope_region = plan.region
    if instance.default_rate is None:
        return None
    try:
        return pool.task_preview(instance)
    except Exception:  # noqa: BLE001 - a preview must never break the form
        return None


@login_required
def task_create(request, plan_pk):
    plan = _plan(request, plan_pk)
    require_perm(request.user, Task, "add")
    form = TaskForm(request.POST or None, user=request.user, plan=plan, initial={"default_rate": 5, "default_min": 1})
    if request.method == "POST" and form.is_valid():
        result = service_call(
            request, lambda: services.task_create(user=request.user, plan=plan, **form.cleaned_data), form=form
        )
        if result.ok:
            count = len(form.cleaned_data.get("items") or ())
            messages.success(
                request,
                f"已创建任务 {result.value.code}（含 {count} 项抽查事项），请确认抽查事项和分层比例"
                if count
                else f"已创建任务 {result.value.code}，请添加抽查事项并确认分层比例",
            )
            return redirect("plans:task_detail", pk=result.value.pk)
    return _task_form_page(request, form, f"新建抽查任务（{plan}）", plan)


@login_required
def task_edit(request, pk):
    task = _task(request, pk, "change")
    form = TaskForm(request.POST or None, instance=form_instance(task), user=request.user, plan=task.plan)
    if request.method == "POST" and form.is_valid():
        if service_call(
            request,
            lambda: services.task_update(
                user=request.user, task=task, expected_version=form.expected_version, **form.cleaned_data
            ),
            form=form,
        ):
            messages.success(request, "已保存")
            return redirect("plans:task_detail", pk=task.pk)
    return _task_form_page(request, form, f"编辑抽查任务 {task.code}", task.plan, task)


@login_required
@require_POST
def task_preview(request, plan_pk):
    """htmx: the strata/coverage panel for the task form as currently filled in."""
    plan = _plan(request, plan_pk)
    task_pk = id_param(request, "task", label="任务")
    task = _task(request, task_pk) if task_pk else None
    form = TaskForm(request.POST, user=request.user, plan=plan, instance=form_instance(task))
    return render(request, "plans/_task_preview.html", {"preview": _form_preview(form, plan, task), "plan": plan})


@login_required
def task_detail(request, pk):
    task = _task(request, pk)
    editable = task.plan.status == PlanStatus.DRAFT and not task.has_live_draw()
    can_change = editable and request.user.has_perm("plans.change_task")
    draws = task.draws.order_by("-attempt")
    rules = {r.stratum: r for r in task.stratum_rules.all()}
    can_draw = (
        request.user.has_perm("draws.draw_draw")
        and task.plan.status == PlanStatus.PUBLISHED
        and task.is_drawn_here
        and not task.has_live_draw()
    )
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "title": f"{task.code} {task.name}",
            "preview": pool.task_preview(task),
            "weight_sentence": pool.weight_sentence(task),
            "items": task.items.select_related("organization", "item"),
            "rules": rules,
            "rule_sources": sorted({r.source or "单独设置" for r in rules.values()}),
            "items_without_checklist": selectors.items_without_checklist(task),
            "item_form": TaskItemForm(user=request.user, task=task) if can_change else None,
            "can_change": can_change,
            "can_delete": can_change and request.user.has_perm("plans.delete_task"),
            "can_draw": can_draw,
            "draws": draws,
            "history": _history(request.user, task),
        },
    )


def _task_action(request, pk, fn, success: str):
    task = _task(request, pk, "change")
    if service_call(request, lambda: fn(task), prefix="操作失败："):
        messages.success(request, success)
    return redirect("plans:task_detail", pk=task.pk)


@login_required
@require_POST
def task_item_add(request, pk):
    task = _task(request, pk, "change")
    form = TaskItemForm(request.POST, user=request.user, task=task)
    if not form.is_valid():
        messages.error(request, "添加失败：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("plans:task_detail", pk=task.pk)
    return _task_action(
        request, pk, lambda t: services.task_item_add(user=request.user, task=t, **form.cleaned_data), "已添加抽查事项"
    )


@login_required
@require_POST
def task_item_remove(request, pk, item_pk):
    def remove(task):
        services.task_item_remove(user=request.user, item=get_object_or_404(TaskItem, pk=item_pk, task=task))

    return _task_action(request, pk, remove, "已移除抽查事项")


@login_required
@require_POST
def stratum_rule_save(request, pk):
    _task(request, pk, "change")
    form = StratumRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "保存失败：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("plans:task_detail", pk=pk)
    return _task_action(
        request, pk,
        lambda t: services.stratum_rule_set(user=request.user, task=t, source="手工设置", **form.cleaned_data),
        f"已设置分层 {form.cleaned_data['stratum']} 的抽查比例",
    )  # fmt: skip


@login_required
@require_POST
def stratum_rule_delete(request, pk, rule_pk):
    def delete(task):
        services.stratum_rule_delete(user=request.user, rule=get_object_or_404(TaskStratumRule, pk=rule_pk, task=task))

    return _task_action(request, pk, delete, "已恢复为默认比例")


@login_required
@require_POST
def task_suggest(request, pk):
    """Apply a ratio preset and say what it set and what it replaced (two presets overwrite each other)."""
    source = request.POST.get("source", "")
    task = _task(request, pk, "change")
    before = {r.stratum: r for r in task.stratum_rules.all()}
    result = service_call(
        request, lambda: services.task_apply_suggestion(user=request.user, task=task, source=source),
        prefix="操作失败：",
    )  # fmt: skip
    rules = result.value if result else None
    if rules:
        lines = selectors.business_line_names()
        applied = "、".join(f"{pool.stratum_label(r.stratum, lines)} {r.rate.normalize():f}%" for r in rules)
        message = f"已按{rules[0].source}填入 {len(rules)} 个分层的抽查比例：{applied}。"
        replaced = [
            f"{pool.stratum_label(h, lines)} {old.rate.normalize():f}%（{old.source or '单独设置'}）"
            for h, old in before.items()
        ]
        message += f"替换了原来的比例：{'、'.join(replaced)}。" if replaced else "此前没有单独设置的分层比例。"
        messages.success(request, message)
    return redirect("plans:task_detail", pk=task.pk)


@login_required
@require_POST
def task_delete(request, pk):
    task = _task(request, pk, "delete")
    plan_pk = task.plan_id
    if not service_call(request, lambda: services.task_delete(user=request.user, task=task), prefix="删除失败："):
        return redirect("plans:task_detail", pk=task.pk)
    messages.success(request, "已删除任务")
    return redirect("plans:plan_detail", pk=plan_pk)
