import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.core import jobs
from shuangsuiji.core.listing import ScopedListView, error_text, require_perm
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.printing import render_pdf
from shuangsuiji.core.viewhelpers import service_call
from shuangsuiji.directory.models import Expert
from shuangsuiji.plans import pool
from shuangsuiji.plans.models import Task

from . import jobs as draw_jobs
from . import selectors, services
from .choices import DrawOrigin, DrawStatus, FileKind, HashSuite, InspectorChangeReason, TargetStatus
from .downloads import draw_file_response
from .filtersets import DrawFilterSet
from .forms import (
    ChangeDecisionForm,
    CommitmentForm,
    ExpertDesignateForm,
    FreezeForm,
    InspectorReplaceForm,
    LotteryConfirmForm,
    LotteryEntryForm,
    ReasonForm,
    RevealForm,
    ValuesForm,
    WitnessForm,
    WitnessInviteForm,
)
from .models import Draw, DrawTarget, DrawWitness, InspectorChange, PublicSource
from .presentation import HASH_HELP, commitment_strata, result_strata
from .snapshot import roster_exclusions
from .tables import DrawTable


class DrawListView(ScopedListView):
    model = Draw
    filterset_class = DrawFilterSet
    table_class = DrawTable
    title = "抽取记录"
    template_name = "draws/draw_list.html"

    def get_queryset(self):
        return selectors.draw_list(self.request.user).filter(origin=DrawOrigin.DRAWN)


def _draw(request, pk, action="view", *, drawn_only: bool = True) -> Draw:
    """A draw in the user's scope; the draw routes act on draws made here only (an upper-level or non-random
    record has no commitment, values or files: its page is the only route that shows it)."""
    require_perm(request.user, Draw, action)
    qs = selectors.draw_list(request.user, action)
    return get_object_or_404(qs.filter(origin=DrawOrigin.DRAWN) if drawn_only else qs, pk=pk)


CIRCLED = "①②③④⑤⑥⑦⑧⑨"


def section_numbers(has_result: bool) -> dict[str, str]:
    """The draw page's sections numbered consecutively, counting only those shown."""
    shown = ["commitment", "values", *(["result", "groups"] if has_result else []), "witnesses", "lock"]
    return {name: CIRCLED[i] for i, name in enumerate(shown)}


def draw_context(draw: Draw) -> dict:
    commitment = selectors.commitment_of(draw)
    manifest_bytes = draw.file_bytes(FileKind.MANIFEST)
    manifest = json.loads(manifest_bytes) if manifest_bytes else None
    targets = list(selectors.draw_detail_targets(draw))
    return {
        "draw": draw,
        "task": draw.task,
        "commitment": commitment,
        "commitment_strata": commitment_strata(draw, commitment),
        "sources": draw.sources.select_related("entered_by", "confirmed_by"),
        "manifest": manifest,
        "result": result_strata(draw, manifest, targets) if manifest else None,
        "active_targets": [t for t in targets if t.status == TargetStatus.ACTIVE],
        "all_targets": targets,
        "witnesses": list(draw.witnesses.select_related("user", "source", "confirmed_by", "committed_by")),
        "changes": draw.changes.select_related("target", "substitute", "created_by"),
        "files": draw.files.order_by("id"),
        "items": draw.task.items.select_related("organization", "item"),
        "risk_changes": selectors.pool_risk_changes(draw),
        "verification": selectors.stored_verification(draw) if manifest else None,
        "log_entry": selectors.log_entry_of(draw),
        "log_head": selectors.log_head(),
        # after the draw (issue #15 point 6): replacements, experts, the load summary shown before locking
        "inspector_changes": list(selectors.inspector_changes(draw)),
        "expert_attachments": list(selectors.expert_attachments(draw)),
        "load": selectors.load_summary(draw, manifest) if manifest else None,
        "replacement_allowance": services.replacement_allowance(draw) if manifest else None,
        "change_reasons": InspectorChangeReason.choices,
        "hash_help": HASH_HELP,
        "oversight_confirmation": selectors.oversight_confirmation(draw),
        "has_oversight_witness": selectors.has_oversight_witness(draw),
    }


@login_required
def draw_start(request, task_pk):
    """T0 page: preview the pool, announce the public random sources, freeze and publish the commitment."""
    require_perm(request.user, Draw, "draw")
    task = get_object_or_404(Task.objects.restrict(request.user, "view"), pk=task_pk)
    form = FreezeForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        sources = form.cleaned_data["sources"]
        title = f"冻结号池并公布抽取承诺：{task.code} {task.name}"
        result = service_call(
            request,
            lambda: jobs.start(user=request.user, kind=draw_jobs.FREEZE, title=title,
                               params=draw_jobs.freeze_params(task, sources), region=task.plan.region),
            form=form,
        )  # fmt: skip
        if result.ok:
            messages.info(request, "冻结号池已在后台开始，完成后可在本页进入抽取。请在公开随机数产生后录入。")
            return redirect(result.value)
    return render(
        request,
        "draws/draw_start.html",
        {
            "task": task,
            "form": form,
            "preview": pool.task_preview(task),
            "title": f"发起抽取：{task.code} {task.name}",
            "roster_exclusions": roster_exclusions(task),
            "witnesses": selectors.witnesses_of_task(task),
            "invite_form": WitnessInviteForm(candidates=selectors.witness_candidates(task, request.user)),
            "commitment_form": CommitmentForm(),
            "hash_suite_label": dict(HashSuite.choices).get(settings.FAIRDRAW_HASH_SUITE, settings.FAIRDRAW_HASH_SUITE),
        },  # fmt: skip
    )


def _fetched_drand(request, draw: Draw) -> dict:
    """The drand round fetched by `draw_fetch_drand` (this session), as the values form's initial data."""
    fetched = request.session.get(f"drand-{draw.pk}") or {}
    return {
        key: item
        for position, (value, signature) in fetched.items()
        for key, item in ((f"value_{position}", value), (f"signature_{position}", signature))
    }


@login_required
def draw_detail(request, pk):
    draw = _draw(request, pk, drawn_only=False)
    if not draw.is_drawn_here:
        targets = draw.targets.prefetch_related("assignments").select_related("unit").order_by("rank")
        context = {
            "draw": draw, "task": draw.task, "targets": targets, "title": f"检查对象登记 {draw.code}",
            "can_cancel": draw.status != DrawStatus.CANCELLED
            and request.user.has_perm(services.record_cancel_perm(draw)),
        }  # fmt: skip
        return render(request, "draws/draw_record_external.html", context)
    can_draw = request.user.has_perm("draws.draw_draw")
    context = draw_context(draw)
    context.update(
        title=f"抽取 {draw.code}",
        can_draw=can_draw,
        values_form=ValuesForm(draw=draw, initial=_fetched_drand(request, draw))
        if can_draw and draw.status == DrawStatus.COMMITTED
        else None,
        lottery_entry_form=LotteryEntryForm(),
        lottery_confirm_form=LotteryConfirmForm(),
        witness_form=WitnessForm() if can_draw and draw.status in (DrawStatus.COMMITTED, DrawStatus.DRAWN) else None,
        invite_form=WitnessInviteForm(candidates=selectors.witness_candidates(draw.task, request.user))
        if can_draw and draw.status in (DrawStatus.COMMITTED, DrawStatus.DRAWN)
        else None,
        reveal_form=RevealForm(),
        lock_missing=selectors.lock_missing(draw),
        my_witness=next((w for w in context["witnesses"] if w.user_id == request.user.pk), None),
        num=section_numbers(bool(context["result"])),
        reason_form=ReasonForm(),
        can_change_targets=can_draw and draw.status in (DrawStatus.DRAWN, DrawStatus.LOCKED),
        # replacing inspectors and adding experts end with the inspection window (services refuse it too)
        window_closed=timezone.localdate() > draw.task.window_end,
        can_change_groups=can_draw
        and draw.status in (DrawStatus.DRAWN, DrawStatus.LOCKED)
        and timezone.localdate() <= draw.task.window_end,
        can_approve_changes=request.user.has_perm("draws.approve_draw"),
        expert_options=selectors.expert_options(draw) if can_draw else [],
        # the keys to the pseudonymous roster and to the salted 回避 pairs (fairdraw spec §4.2.1, §4.2.2), never public
        roster_key_scope=selectors.roster_key_scope(request.user, draw),
        can_read_conflict_key=selectors.can_read_conflict_key(request.user, draw)
        and draw.files.filter(kind=FileKind.CONFLICT_KEY).exists(),
        history=ObjectChange.objects.restrict(request.user).filter(object_type="draws.draw", object_id=str(draw.pk))
        if request.user.has_perm("core.view_objectchange")
        else None,
        now=timezone.now(),
    )
    return render(request, "draws/draw_detail.html", context)


def _action(request, pk, fn, success):
    draw = _draw(request, pk, "draw")
    result = service_call(request, lambda: fn(draw), prefix="操作失败：")
    if result.ok:
        messages.success(request, success(result.value) if callable(success) else success)
    return redirect("draws:draw_detail", pk=draw.pk)


@login_required
@require_POST
def draw_values(request, pk):
    """Enter the public values: first a confirmation page with their canonical form, then the draw."""
    draw = _draw(request, pk, "draw")
    form = ValuesForm(request.POST, draw=draw)
    if not form.is_valid():
        messages.error(request, "请录入全部公开随机值（drand 须同时录入签名）")
        return redirect("draws:draw_detail", pk=draw.pk)
    raw, signatures = form.raw_values(), form.signatures()
    if request.POST.get("confirm") != "1":
        checked = service_call(
            request, lambda: services.canonical_values(draw, raw, signatures=signatures), prefix="录入有误："
        )
        if not checked.ok:
            return redirect("draws:draw_detail", pk=draw.pk)
        values, _evidence = checked.value
        rows = [
            {"source": s, "raw": s.raw_value if s.kind == "lottery" or s.position not in raw else raw[s.position],
             "value": v,
             "signature": signatures.get(s.position, "")}
            for s, v in zip(form.all_sources, values, strict=True)
        ]  # fmt: skip
        return render(
            request, "draws/draw_values_confirm.html", {"draw": draw, "rows": rows, "title": "确认公开随机值"}
        )
    return _action(
        request, pk,
        lambda d: services.draw_run(user=request.user, draw=d, raw_values=raw, signatures=signatures),
        lambda d: f"抽取完成：随机种子 {d.seed}",
    )  # fmt: skip


def _source(request, pk, action="draw") -> PublicSource:
    require_perm(request.user, Draw, action)
    return get_object_or_404(
        PublicSource.objects.select_related("draw").filter(draw__in=selectors.draw_list(request.user, action)), pk=pk
    )


@login_required
@require_POST
def source_enter(request, pk):
    """First person: enter a lottery result with the announcement's reference (and a screenshot)."""
    source = _source(request, pk)
    form = LotteryEntryForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [
            f"{form.fields[k].label if k in form.fields else ''}：{'，'.join(v)}" for k, v in form.errors.items()
        ]
        messages.error(request, "录入有误：" + "；".join(problems))
        return redirect("draws:draw_detail", pk=source.draw_id)
    data = form.cleaned_data
    result = service_call(
        request,
        lambda: services.source_enter(
            user=request.user, source=source, raw_value=data["numbers"], announcement_ref=data["announcement_ref"],
            upload=data.get("announcement_file"),
        ),
        prefix="录入失败：",
    )  # fmt: skip
    if result.ok:
        source = result.value
        messages.success(request, f"已录入{source.description}：{source.value}。请另一名工作人员登录后复核确认。")
    return redirect("draws:draw_detail", pk=source.draw_id)


@login_required
@require_POST
def source_confirm(request, pk):
    """Second person: type the numbers again; they must equal the first entry."""
    source = _source(request, pk)
    form = LotteryConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请录入开奖号码后再复核")
        return redirect("draws:draw_detail", pk=source.draw_id)
    numbers = form.cleaned_data["numbers"]
    result = service_call(
        request,
        lambda: services.source_confirm(user=request.user, source=source, raw_value=numbers),
        prefix="复核未通过：",
    )
    if result.ok:
        messages.success(request, f"已复核确认{result.value.description}。")
    return redirect("draws:draw_detail", pk=source.draw_id)


@login_required
def source_announcement(request, pk):
    """The uploaded announcement screenshot / photo (staff only, scoped)."""
    source = _source(request, pk, "view")
    if not source.announcement_file:
        raise Http404
    return FileResponse(source.announcement_file.open("rb"), as_attachment=True, filename=source.announcement_name)


@login_required
@require_POST
def draw_fetch_drand(request, pk):
    draw = _draw(request, pk, "draw")
    source = draw.sources.filter(kind="drand").first()
    if source is None:
        raise Http404
    from . import sources as src

    try:
        src.check_available(source.available_at, source.description)
        value, signature = src.fetch_drand(source.spec["round"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        # prefilled into the values form (draw_detail); checked again, BLS included, when the draw runs
        request.session[f"drand-{draw.pk}"] = {str(source.position): [value, signature]}
        messages.info(
            request,
            f"已从 drand 网络取回第 {source.spec['round']} 轮随机数并填入下方；执行抽取时平台再用 drand 公钥验证签名",
        )
    return redirect("draws:draw_detail", pk=draw.pk)


@login_required
@require_POST
def draw_witness(request, pk):
    _draw(request, pk, "draw")
    form = WitnessForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写监督人姓名、单位和身份")
        return redirect("draws:draw_detail", pk=pk)
    return _action(
        request, pk, lambda d: services.witness_add(user=request.user, draw=d, **form.cleaned_data),
        lambda w: f"已登记监督人 {w.name}",
    )  # fmt: skip


def _witness(request, pk, *, act: bool = False) -> DrawWitness:
    """A witness of a task the user may view; with `act`, only who may act for them (the witness's own login,
    or for a witness without an account a clerk with draw rights) — anyone else is refused (403)."""
    require_perm(request.user, Draw, "view")
    tasks = Task.objects.restrict(request.user, "view")
    witness = get_object_or_404(
        DrawWitness.objects.select_related("task__plan", "draw", "user", "source").filter(task__in=tasks), pk=pk
    )
    if act:
        if witness.on_paper:
            require_perm(request.user, Draw, "draw")
        elif witness.user_id != request.user.pk:
            raise PermissionDenied(f"只有监督人 {witness.name} 本人登录后才能操作")
    return witness


def _back(request, witness: DrawWitness):
    if request.POST.get("next") == "draw" and witness.draw_id:
        return redirect("draws:draw_detail", pk=witness.draw_id)
    if request.POST.get("next") == "start":
        return redirect("draws:draw_start", task_pk=witness.task_id)
    return redirect("draws:witness_page", pk=witness.pk)


@login_required
@require_POST
def witness_invite(request, task_pk):
    """Invite a 监督人 to the task's draw (before the commitment, or present at a draw already under way)."""
    require_perm(request.user, Draw, "draw")
    task = get_object_or_404(Task.objects.restrict(request.user, "view"), pk=task_pk)
    form = WitnessInviteForm(request.POST, candidates=selectors.witness_candidates(task, request.user))
    draw = task.draws.live().first()
    back = redirect("draws:draw_detail", pk=draw.pk) if draw else redirect("draws:draw_start", task_pk=task.pk)
    if not form.is_valid():
        messages.error(request, "登记监督人有误：" + "；".join(e for errors in form.errors.values() for e in errors))
        return back
    data = form.cleaned_data
    result = service_call(
        request,
        lambda: services.witness_invite(
            user=request.user, task=task, witness_user=data.get("witness_user"), name=data.get("name", ""),
            organization=data.get("organization", ""), role=data["role"],
        ),
        prefix="登记监督人失败：",
    )  # fmt: skip
    if result.ok:
        w = result.value
        messages.success(
            request,
            f"已登记监督人 {w.name}" + ("，请其登录后在“待办”中交承诺哈希" if not w.on_paper and not draw else ""),
        )
    return back


def witness_tool(request):
    """随机数承诺工具 (public, no login): SHA-256 of a secret computed in the browser, for a witness without an
    account who writes the commitment on a sealed paper."""
    return render(request, "draws/witness_tool.html", {})


@login_required
def witness_page(request, pk):
    """The witness's own page: hand in the commitment, reveal the secret, confirm the locked record."""
    witness = _witness(request, pk)
    step, step_text = selectors.witness_step(witness)
    mine = witness.user_id == request.user.pk
    draw = witness.draw
    return render(
        request,
        "draws/witness.html",
        {
            "title": f"监督人 {witness.name}：{witness.task.code} {witness.task.name}",
            "witness": witness, "task": witness.task, "draw": draw, "step": step, "step_text": step_text,
            "mine": mine, "commitment_form": CommitmentForm(), "reveal_form": RevealForm(),
            "manifest_selected": draw.targets.filter(role="selected").count() if draw and draw.manifest_hash else 0,
        },
    )  # fmt: skip


def _witness_step(request, pk, *, form_class=None, invalid="", call, prefix: str, success: str):
    """One step of a witness (commit, reveal, confirm): the witness's own login only, the form checked first, the
    service's refusal shown with `prefix`, then back to where the request came from."""
    witness = _witness(request, pk, act=True)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, invalid)
        return _back(request, witness)
    data = form.cleaned_data if form is not None else {}
    result = service_call(request, lambda: call(witness, data), prefix=prefix)
    if result.ok:
        messages.success(request, success.format(name=witness.name))
    return _back(request, witness)


@login_required
@require_POST
def witness_commit(request, pk):
    return _witness_step(
        request, pk, form_class=CommitmentForm, invalid="承诺哈希有误：应为 64 位，由数字 0–9 和字母 a–f 组成",
        call=lambda w, data: services.witness_commit(user=request.user, witness=w, commitment=data["commitment"]),
        prefix="交承诺哈希失败：", success="已记录监督人 {name} 的承诺哈希；公布抽取承诺时写入承诺记录",
    )  # fmt: skip


@login_required
@require_POST
def witness_reveal(request, pk):
    return _witness_step(
        request, pk, form_class=RevealForm, invalid="请输入随机数",
        call=lambda w, data: services.witness_reveal(user=request.user, witness=w, secret=data["secret"]),
        prefix="揭示未通过：", success="监督人 {name} 的随机数已揭示，与承诺哈希相符",
    )  # fmt: skip


@login_required
@require_POST
def witness_confirm(request, pk):
    return _witness_step(
        request, pk, call=lambda w, _data: services.witness_confirm(user=request.user, witness=w),
        prefix="确认失败：", success="监督人 {name} 已确认锁定的抽取记录",
    )  # fmt: skip


@login_required
@require_POST
def draw_lock(request, pk):
    return _action(request, pk, lambda d: services.draw_lock(user=request.user, draw=d), "抽取结果已锁定并公示")


@login_required
@require_POST
def draw_cancel(request, pk):
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    return _action(
        request, pk, lambda d: services.draw_cancel(user=request.user, draw=d, reason=reason), "该次抽取已作废"
    )


def _target_action(request, pk, fn, success):
    require_perm(request.user, Draw, "draw")
    target = get_object_or_404(DrawTarget.objects.filter(draw__in=selectors.draw_list(request.user, "draw")), pk=pk)
    reason = request.POST.get("reason", "")
    result = service_call(request, lambda: fn(target, reason), prefix="操作失败：")
    if result.ok:
        messages.success(request, success(result.value))
    return redirect("draws:draw_detail", pk=target.draw_id)


@login_required
@require_POST
def target_substitute(request, pk):
    def done(result):
        change, warnings = result
        text = f"已由候补第 {change.substitute.rank} 位 {change.substitute.unit_name} 递补"
        return text + ("。注意：" + "；".join(warnings) if warnings else "")

    return _target_action(
        request, pk, lambda t, r: services.target_substitute(user=request.user, target=t, reason=r), done
    )


@login_required
@require_POST
def target_cancel(request, pk):
    return _target_action(
        request, pk, lambda t, r: services.target_cancel(user=request.user, target=t, reason=r),
        lambda c: f"已取消对 {c.target.unit_name} 的检查",
    )  # fmt: skip


@login_required
@require_POST
def draw_verify(request, pk):
    draw = _draw(request, pk)
    if not draw.manifest_hash:
        messages.error(request, "该抽取尚未产生结果，无需验证")
        return redirect("draws:draw_detail", pk=draw.pk)
    result = service_call(
        request,
        lambda: jobs.start(user=request.user, kind=draw_jobs.VERIFY, title=f"复核抽取结果：{draw.code}",
                           params={"draw": draw.pk}, region=draw.region),
    )  # fmt: skip
    return redirect(result.value) if result.ok else redirect("draws:draw_detail", pk=draw.pk)


@login_required
def draw_file(request, pk, kind):
    """Byte-exact download of the pool snapshot, roster, commitment, manifest or (纪检 and the drawing staff
    only) the conflict key."""
    draw = _draw(request, pk)
    if kind == FileKind.CONFLICT_KEY and not selectors.can_read_conflict_key(request.user, draw):
        raise PermissionDenied("只有纪检监督人员和负责抽取的工作人员可以下载回避声明密钥")
    return draw_file_response(draw, kind)


@login_required
def draw_roster_key(request, pk):
    """化名对照 (fairdraw-roster-key/2): for 纪检 every inspector's pseudonym, 执法证号 and salt; for an inspector
    only their own. With it the full roster is verified: pseudonym = H(LP("SRV1/pseudonym", salt, 执法证号)),
    H the entry's hash suite."""
    draw = get_object_or_404(Draw, pk=pk)
    data = selectors.roster_keys(request.user, draw)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{draw.code}-roster-key.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def draw_record(request, pk):
    """抽取记录: printable HTML (A4 print layout)."""
    draw = _draw(request, pk)
    return render(request, "draws/record.html", {**draw_context(draw), "printable": True, "printed_at": timezone.now()})


@login_required
def draw_record_pdf(request, pk):
    """抽取记录 as PDF (WeasyPrint, with the project's own CJK font from css/print.css)."""
    draw = _draw(request, pk)
    html = render_to_string(
        "draws/record.html", {**draw_context(draw), "printable": False, "printed_at": timezone.now()}, request=request
    )
    pdf = render_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{draw.code}-record.pdf"'
    return response


@login_required
@require_POST
def record_pdf_batch(request):
    """抽取记录 PDF for every draw of the filtered list (the query string), as one ZIP: a background job."""
    require_perm(request.user, Draw, "view")
    filters = {key: values for key, values in request.GET.lists()}
    job = jobs.start(user=request.user, kind=draw_jobs.RECORD_PDFS, title="批量生成抽取记录 PDF",
                     params={"filters": filters})  # fmt: skip
    return redirect(job)


# ---------------------------------------------------------------- after the draw: inspectors and experts


def _draw_target(request, pk) -> DrawTarget:
    require_perm(request.user, Draw, "draw")
    return get_object_or_404(DrawTarget.objects.filter(draw__in=selectors.draw_list(request.user, "draw")), pk=pk)


def _form_errors(request, form) -> None:
    messages.error(request, "操作失败：" + "；".join(e for errors in form.errors.values() for e in errors))


@login_required
@require_POST
def inspector_replace(request, pk):
    """更换执法人员 by the committed random order (fairdraw spec §8.7)."""
    target = _draw_target(request, pk)
    form = InspectorReplaceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("draws:draw_detail", pk=target.draw_id)
    member = target.assignments.filter(inspector_id=form.cleaned_data["inspector"]).select_related("inspector").first()
    if member is None:
        messages.error(request, f"操作失败：所选人员不是 {target.unit_name} 检查组的成员")
        return redirect("draws:draw_detail", pk=target.draw_id)
    result = service_call(
        request,
        lambda: services.inspector_replace(
            user=request.user, target=target, inspector=member.inspector,
            reason_kind=form.cleaned_data["reason_kind"], reason=form.cleaned_data["reason"],
        ),
        prefix="操作失败：",
    )  # fmt: skip
    if result.ok:
        c = result.value
        if c.status == "applied":
            messages.success(request, f"已由 {c.in_name}（随机顺序第 {c.position} 位）替换 {c.out_name}")
        else:
            messages.warning(request, f"更换 {c.out_name} 的申请已提交：已更换的检查组超过 15%，须审批人签批后生效")
    return redirect("draws:draw_detail", pk=target.draw_id)


@login_required
@require_POST
def inspector_change_decide(request, pk):
    require_perm(request.user, Draw, "approve")
    change = get_object_or_404(
        InspectorChange.objects.filter(draw__in=selectors.draw_list(request.user, "approve")), pk=pk
    )
    form = ChangeDecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("draws:draw_detail", pk=change.draw_id)
    approve = form.cleaned_data["approve"] == "1"
    result = service_call(
        request,
        lambda: services.inspector_change_decide(
            user=request.user, change=change, approve=approve, note=form.cleaned_data["note"]
        ),
        prefix="操作失败：",
    )
    if result.ok:
        messages.success(request, "已签批同意，更换生效" if approve else "已签批不同意，检查组不变")
    return redirect("draws:draw_detail", pk=change.draw_id)


@login_required
@require_POST
def expert_draw(request, pk):
    target = _draw_target(request, pk)
    result = service_call(request, lambda: services.expert_draw(user=request.user, target=target), prefix="操作失败：")
    if result.ok:
        a = result.value
        text = f"已随机抽取 {a.expert_name} 参加 {target.unit_name} 的检查（随机顺序第 {a.position} 位）"
        messages.success(request, text)
    return redirect("draws:draw_detail", pk=target.draw_id)


@login_required
@require_POST
def expert_designate(request, pk):
    target = _draw_target(request, pk)
    form = ExpertDesignateForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("draws:draw_detail", pk=target.draw_id)
    expert = Expert.objects.filter(
        pk=form.cleaned_data["expert"], region__code__startswith=target.draw.region.scope_prefix
    ).first()
    if expert is None:
        messages.error(request, "操作失败：所选专家或第三方机构不在本辖区专家库中")
        return redirect("draws:draw_detail", pk=target.draw_id)
    result = service_call(
        request,
        lambda: services.expert_designate(
            user=request.user, target=target, expert=expert, reason=form.cleaned_data["reason"]
        ),
        prefix="操作失败：",
    )
    if result.ok:
        messages.success(request, f"已指定 {expert.name} 参加 {target.unit_name} 的检查")
    return redirect("draws:draw_detail", pk=target.draw_id)
