import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
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
from shuangsuiji.plans import pool
from shuangsuiji.plans.models import Task

from . import jobs as draw_jobs
from . import selectors, services
from .choices import DrawOrigin, DrawStatus, FileKind, TargetStatus
from .downloads import draw_file_response
from .filtersets import DrawFilterSet
from .forms import FreezeForm, LotteryConfirmForm, LotteryEntryForm, ReasonForm, ValuesForm, WitnessForm
from .models import Draw, DrawTarget, PublicSource
from .presentation import commitment_strata, result_strata
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
        "witnesses": draw.witnesses.all(),
        "changes": draw.changes.select_related("target", "substitute", "created_by"),
        "files": draw.files.order_by("id"),
        "items": draw.task.items.select_related("organization", "item"),
        "risk_changes": selectors.pool_risk_changes(draw),
        "verification": selectors.stored_verification(draw) if manifest else None,
        "log_entry": selectors.log_entry_of(draw),
        "log_head": selectors.log_head(),
    }


@login_required
def draw_start(request, task_pk):
    """T0 page: preview the pool, announce the public random sources, freeze and publish the commitment."""
    require_perm(request.user, Draw, "draw")
    task = get_object_or_404(Task.objects.restrict(request.user, "view"), pk=task_pk)
    form = FreezeForm(request.POST or None)
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
        },  # fmt: skip
    )


@login_required
def draw_detail(request, pk):
    draw = _draw(request, pk, drawn_only=False)
    if not draw.is_drawn_here:
        targets = draw.targets.prefetch_related("assignments").select_related("unit").order_by("rank")
        context = {"draw": draw, "task": draw.task, "targets": targets, "title": f"检查对象登记 {draw.code}"}
        return render(request, "draws/draw_record_external.html", context)
    can_draw = request.user.has_perm("draws.draw_draw")
    context = draw_context(draw)
    context.update(
        title=f"抽取 {draw.code}",
        can_draw=can_draw,
        values_form=ValuesForm(draw=draw) if can_draw and draw.status == DrawStatus.COMMITTED else None,
        lottery_entry_form=LotteryEntryForm(),
        lottery_confirm_form=LotteryConfirmForm(),
        witness_form=WitnessForm() if can_draw and draw.status in (DrawStatus.COMMITTED, DrawStatus.DRAWN) else None,
        reason_form=ReasonForm(),
        can_change_targets=can_draw and draw.status in (DrawStatus.DRAWN, DrawStatus.LOCKED),
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
            {"source": s, "raw": s.raw_value if s.kind == "lottery" else raw[s.position], "value": v,
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
        messages.info(
            request,
            f"drand 第 {source.spec['round']} 轮 randomness：{value}；signature：{signature}"
            "（请核对后录入，录入时平台验证签名）",
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
    """Byte-exact download of the pool snapshot, roster, commitment or manifest."""
    return draw_file_response(_draw(request, pk), kind)


@login_required
def draw_roster_key(request, pk):
    """化名对照 (fairdraw-roster-key/1): for 纪检 every inspector's pseudonym, 执法证号 and salt; for an inspector
    only their own. With it the full roster is verified: pseudonym = SHA-256(LP("SRV1/pseudonym", salt, 执法证号))."""
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
