"""执法文书 pages: the tasks, one task's documents, and the POST endpoints that issue a number and return the file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shuangsuiji.cases.models import FollowUpCase
from shuangsuiji.core.listing import require_perm
from shuangsuiji.core.viewhelpers import service_call
from shuangsuiji.inspections import selectors as result_selectors
from shuangsuiji.plans.models import Task

from . import selectors, services
from .choices import CASE_KIND_OF, DocKind
from .models import IssuedDocument

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _file_response(content_file, fmt: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content_file.read(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(content_file.name)}"
    return response


@login_required
def index(request):
    require_perm(request.user, IssuedDocument, "view")
    return render(request, "paperwork/index.html", {
        "title": "执法文书", "tasks": selectors.tasks_with_draws(request.user)[:200],
    })  # fmt: skip


def _task(request, pk) -> Task:
    require_perm(request.user, IssuedDocument, "view")
    return get_object_or_404(selectors.tasks_with_draws(request.user), pk=pk)


@login_required
def task_documents(request, pk):
    task = _task(request, pk)
    results = list(selectors.task_results(request.user, task))
    return render(request, "paperwork/task_documents.html", {
        "title": f"执法文书：{task.name}", "task": task, "results": results,
        "kinds": [(k.value, k.label) for k in DocKind if k not in CASE_KIND_OF],
        "all_kinds": [(k.value, k.label) for k in DocKind],
        "case_kinds": {v: k for k, v in CASE_KIND_OF.items()},
        "can_issue": request.user.has_perm(services.PERM_ISSUE),
    })  # fmt: skip


def _fmt_kind(request):
    kind, fmt = request.POST.get("kind", ""), request.POST.get("fmt", "pdf")
    if kind not in DocKind.values or fmt not in CONTENT_TYPES:
        return None, None
    return kind, fmt


@login_required
@require_POST
def result_document(request, pk):
    """Issue (or reuse) the number of one document and return it as PDF or Word."""
    require_perm(request.user, IssuedDocument, "add")
    result = get_object_or_404(result_selectors.result_list(request.user), pk=pk)
    kind, fmt = _fmt_kind(request)
    if kind is None:
        return HttpResponse("文书种类或格式不正确", status=400, content_type="text/plain; charset=utf-8")
    case = None
    if request.POST.get("case"):
        case = get_object_or_404(FollowUpCase.objects.restrict(request.user, "view"), pk=request.POST["case"],
                                 result=result)  # fmt: skip
    made = service_call(request, lambda: services.document_file(
        user=request.user, kind=kind, result=result, case=case, fmt=fmt), prefix="无法生成文书：")  # fmt: skip
    if not made.ok:
        return redirect("paperwork:task_documents", pk=result.draw.task_id)
    return _file_response(made.value, fmt)


@login_required
@require_POST
def task_batch(request, pk):
    """All documents of one kind for the task, as one PDF or Word file: a background job (a task with hundreds
    of targets renders for minutes); the job page offers the file when it is done."""
    from shuangsuiji.core import jobs as core_jobs

    from .jobs import TASK_DOCUMENTS

    require_perm(request.user, IssuedDocument, "add")
    task = _task(request, pk)
    kind, fmt = _fmt_kind(request)
    if kind is None:
        return HttpResponse("文书种类或格式不正确", status=400, content_type="text/plain; charset=utf-8")
    started = service_call(request, lambda: core_jobs.start(
        user=request.user, kind=TASK_DOCUMENTS, title=f"批量生成{DocKind(kind).label}：{task.code}",
        params={"task": task.pk, "kind": kind, "fmt": fmt}, region=task,
    ), prefix="无法批量生成文书：")  # fmt: skip
    if not started.ok:
        return redirect("paperwork:task_documents", pk=task.pk)
    return redirect(started.value)


@login_required
def gsxt_export(request):
    """国家企业信用信息公示系统 双随机抽查结果信息 (published results in scope), xlsx."""
    from shuangsuiji.core import audit
    from shuangsuiji.core.models import ObjectChange
    from shuangsuiji.inspections.models import InspectionResult

    require_perm(request.user, InspectionResult, "export")
    from . import exports

    results = InspectionResult.objects.restrict(request.user, "export")
    content = exports.gsxt_xlsx(results)
    audit.log_event(ObjectChange.Action.EXPORT, user=request.user, message="导出公示系统双随机抽查结果信息",
                    region_code=request.user.scope_prefix or "")  # fmt: skip
    return _xlsx(content, "双随机抽查结果信息.xlsx")


@login_required
def case_card_export(request):
    """卫生健康监督信息报告 案件查处信息卡 (decided penalties in scope), xlsx."""
    from django.utils import timezone

    from shuangsuiji.core import audit
    from shuangsuiji.core.models import ObjectChange

    from . import exports

    require_perm(request.user, FollowUpCase, "export")
    cases = FollowUpCase.objects.restrict(request.user, "export")
    content = exports.case_card_xlsx(cases, reporter=request.user, today=timezone.localdate())
    audit.log_event(ObjectChange.Action.EXPORT, user=request.user, message="导出案件查处信息卡",
                    region_code=request.user.scope_prefix or "")  # fmt: skip
    return _xlsx(content, "案件查处信息卡.xlsx")


def _xlsx(content: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def numbering_rules(request):
    """文号规则 of the user's own office (administrators change them; numbers already issued never change)."""
    from django.contrib import messages

    from .forms import NumberingRuleForm
    from .models import NumberingRule

    require_perm(request.user, NumberingRule, "view")
    organization = request.user.organization
    form = NumberingRuleForm(request.POST or None)
    if request.method == "POST":
        require_perm(request.user, NumberingRule, "change")
        if organization is None:
            messages.error(request, "您的账号没有所属机构")
        elif form.is_valid():
            saved = service_call(request, lambda: services.numbering_rule_save(
                user=request.user, organization=organization, **form.cleaned_data), form=form)  # fmt: skip
            if saved.ok:
                messages.success(request, "文号规则已保存。")
                return redirect("paperwork:numbering_rules")
    rules = {r.kind: r for r in NumberingRule.objects.restrict(request.user, "view").filter(organization=organization)}
    rows = []
    for kind in DocKind:
        rule = rules.get(kind) or NumberingRule(organization=organization, kind=kind,
                                                prefix=services.default_prefix(organization, kind)
                                                if organization else "")  # fmt: skip
        example = services.format_number(rule, year=2026, serial=1) if organization else ""
        rows.append({"kind": kind.label, "rule": rule, "configured": kind in rules, "example": example})
    return render(request, "paperwork/numbering_rules.html", {
        "title": "文号规则", "rows": rows, "form": form, "organization": organization,
        "can_change": request.user.has_perm("paperwork.change_numberingrule"),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outbound(request):
    """省级平台上报: what was delivered, what failed (and why), what is still to send; 立即上报 starts a job."""
    from shuangsuiji.core import jobs as core_jobs

    from .jobs import SYNC_OUTBOUND
    from .outbound import CHANNEL_LABELS, configured_adapter

    require_perm(request.user, IssuedDocument, "publish")
    adapter = configured_adapter()
    if request.method == "POST":
        if adapter is None:
            messages.error(request, "尚未配置省级平台上报通道，无法上报；请系统管理员设置接口地址或交换目录")
            return redirect("paperwork:outbound")
        job = core_jobs.start(user=request.user, kind=SYNC_OUTBOUND, title="向省级平台上报检查结果", params={})
        return redirect(job)
    return render(request, "paperwork/outbound.html", {
        "title": "省级平台上报", "status": selectors.outbound_status(request.user),
        "channel": CHANNEL_LABELS.get(adapter.channel) if adapter else "",
    })  # fmt: skip


@login_required
def print_download(request, pk):
    """印发存档: the exact file printed at the time (checked against its SHA-256 before it is sent)."""
    import hashlib
    from urllib.parse import quote

    from django.http import Http404

    require_perm(request.user, IssuedDocument, "view")
    row = selectors.document_print(request.user, pk)
    if row is None:
        raise Http404("没有该打印存档")
    with row.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != row.file_sha256:
        return HttpResponse("存档文件与打印时记录的 SHA-256 不一致，可能已被改动或损坏，请联系系统管理员从备份恢复",
                            status=409, content_type="text/plain; charset=utf-8")  # fmt: skip
    response = HttpResponse(content, content_type=CONTENT_TYPES[row.fmt])
    name = f"{row.document.number or row.document.title}（{row.printed_at:%Y%m%d%H%M}存档）.{row.fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
