import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import anchoring, jobs, services
from .audit_jobs import AUDIT_VERIFY
from .filtersets import HolidayFilterSet, ObjectChangeFilterSet
from .formats import local_date
from .forms import CalendarProposalForm, CalendarYearForm, HolidayOverrideForm, ProposalDecisionForm
from .listing import ScopedListView, error_text, require_perm
from .models import CalendarProposal, CalendarYear, HolidayOverride, ObjectChange
from .params import int_param
from .registry import todos_for
from .selectors import audit_list, changes_for_people, sees_whole_audit_chain, year_calendar
from .tables import HolidayTable, ObjectChangeTable


@login_required
def home(request):
    return render(request, "core/home.html", {"todos": todos_for(request.user)})


class AuditListView(ScopedListView):
    model = ObjectChange
    filterset_class = ObjectChangeFilterSet
    table_class = ObjectChangeTable
    template_name = "core/audit_list.html"
    title = "审计日志"
    per_page = 50

    def get_extra_context(self):
        return {"whole_chain": sees_whole_audit_chain(self.request.user)}


@login_required
def audit_detail(request, pk: int):
    require_perm(request.user, ObjectChange, "view")
    change = get_object_or_404(audit_list(request.user), pk=pk)
    diff = changes_for_people(change.object_type, change.prechange_data, change.postchange_data)
    return render(request, "core/audit_detail.html", {"change": change, "diff": diff})


def _require_whole_chain(user) -> None:
    if not sees_whole_audit_chain(user):
        raise PermissionDenied("只有省、市级系统管理员或纪检人员可以校验整条审计链")


def _published_heads():
    """(heads, public key, error message) of the heads kept in AUDIT_HEADS_DIR."""
    try:
        return (*anchoring.published_heads(), "")
    except anchoring.HeadFileError as exc:
        return [], None, str(exc)


@login_required
def audit_verify(request):
    """全链校验 on demand, including every head published into AUDIT_HEADS_DIR (the same check as
    `manage.py audit_verify --heads`), as a background job: the page of the job shows the report."""
    _require_whole_chain(request.user)
    if request.method != "POST":
        return redirect("core:audit_heads")
    job = jobs.start(user=request.user, kind=AUDIT_VERIFY, title="审计链全链校验", region="")
    return redirect(job)


@login_required
def audit_heads(request):
    """审计链尾签名: the signed heads kept on this server and the public key, for 纪检 to download."""
    _require_whole_chain(request.user)
    heads, key, error = _published_heads()
    context = {
        "heads": heads,
        "public_key": anchoring.public_pem(key).decode() if key else "",
        "fingerprint": anchoring.fingerprint(key) if key else "",
        "error": error,
    }
    return render(request, "core/audit_heads.html", context)


@login_required
def audit_head_download(request, name: str):
    _require_whole_chain(request.user)
    if not (anchoring.HEAD_NAME_RE.match(name) or name == anchoring.PUBLIC_KEY_NAME):
        raise Http404
    path = anchoring.heads_dir() / name
    if not path.is_file():
        raise Http404
    content_type = "application/json" if name.endswith(".json") else "application/x-pem-file"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)


class HolidayListView(ScopedListView):
    model = HolidayOverride
    filterset_class = HolidayFilterSet
    table_class = HolidayTable
    template_name = "core/holiday_list.html"
    title = "节假日维护"
    per_page = 50

    def get_extra_context(self):
        year = int_param(self.request, "year", label="年度", default=dt.date.today().year, minimum=2000, maximum=2100)
        return {
            "form": HolidayOverrideForm(),
            "year_form": CalendarYearForm(initial={"year": year}),
            "calendar": year_calendar(year),
            "years": CalendarYear.objects.all(),
            **_proposal_context(self.request.user),
        }


def _proposal_context(user) -> dict:
    """Who edits (province-level administrator), who proposes (county/city administrator), and the proposals
    the user may see: pending ones in scope (all for the province), plus the latest decided ones."""
    can_manage = services.can_edit_calendar(user)
    can_propose = services.can_propose_calendar(user)
    visible = CalendarProposal.objects.in_scope(user).select_related("proposed_by", "decided_by")
    return {
        "can_manage": can_manage,
        "can_propose": can_propose,
        "proposal_form": CalendarProposalForm() if can_propose else None,
        "pending_proposals": visible.filter(status=CalendarProposal.Status.PENDING),
        "decided_proposals": visible.exclude(status=CalendarProposal.Status.PENDING)[:10],
    }


def _require_calendar_manager(user):
    services.check_calendar_editor(user)


def _errors_text(form) -> str:
    return "；".join(
        f"{form.fields[name].label if name in form.fields else ''}：{error}" if name in form.fields else error
        for name, errors in form.errors.items()
        for error in errors
    )


@login_required
@require_POST
def holiday_add(request):
    _require_calendar_manager(request.user)
    form = HolidayOverrideForm(request.POST)
    if form.is_valid():
        services.holiday_save(user=request.user, **form.cleaned_data)
        messages.success(request, f"已保存 {form.cleaned_data['date']}")
        return redirect(f"/calendar/?year={form.cleaned_data['date'].year}")
    messages.error(request, "保存失败：" + _errors_text(form))
    return redirect("core:holiday_list")


@login_required
@require_POST
def holiday_delete(request, pk: int):
    _require_calendar_manager(request.user)
    holiday = get_object_or_404(HolidayOverride, pk=pk)
    services.holiday_delete(user=request.user, holiday=holiday)
    messages.success(request, f"已删除 {local_date(holiday.date)}")
    return redirect(f"/calendar/?year={holiday.date.year}")


@login_required
@require_POST
def calendar_year_confirm(request):
    _require_calendar_manager(request.user)
    raw = request.POST.get("year", "")
    valid_year = raw.isascii() and raw.isdecimal() and len(raw) == 4
    existing = CalendarYear.objects.filter(year=raw).first() if valid_year else None
    form = CalendarYearForm(request.POST, instance=existing)
    if form.is_valid():
        services.calendar_year_confirm(
            user=request.user, year=form.cleaned_data["year"], source=form.cleaned_data["source"]
        )
        messages.success(request, f"已确认 {form.cleaned_data['year']} 年节假日安排")
    else:
        messages.error(request, "确认失败：" + _errors_text(form))
    return redirect(f"/calendar/?year={raw}" if valid_year else "/calendar/")


@login_required
@require_POST
def calendar_propose(request):
    """A county or city administrator proposes a change of the national calendar."""
    if not services.can_propose_calendar(request.user):
        raise PermissionDenied("只有县、市级系统管理员提出节假日调整建议；省级管理员请直接维护")
    form = CalendarProposalForm(request.POST)
    if form.is_valid():
        try:
            proposal = services.proposal_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "提交失败：" + error_text(exc))
        else:
            messages.success(request, f"已提交调整建议（{proposal.summary}），待省级管理员审核")
    else:
        messages.error(request, "提交失败：" + _errors_text(form))
    return redirect("core:holiday_list")


@login_required
@require_POST
def calendar_proposal_decide(request, pk: int):
    """A province-level administrator accepts (applies) or rejects a proposal."""
    _require_calendar_manager(request.user)
    proposal = get_object_or_404(CalendarProposal, pk=pk)
    form = ProposalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "审核失败：" + _errors_text(form))
        return redirect("core:holiday_list")
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.proposal_decide(user=request.user, proposal=proposal, accept=accept, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, "审核失败：" + error_text(exc))
    else:
        messages.success(request, f"已{'采纳' if accept else '不采纳'}：{proposal.summary}")
    return redirect("core:holiday_list")


def not_found(request, exception):
    """handler404: under /api/ the API's JSON error body (a path no route matches, e.g. an id with a character the
    route refuses, is still an API answer: clients and the schema expect JSON); elsewhere the Chinese page."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        from .api.exceptions import NOT_FOUND, error_body

        return JsonResponse(error_body(NOT_FOUND, "not_found"), status=404, json_dumps_params={"ensure_ascii": False})
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def bad_request(request, exception):
    """handler400: Chinese page; the message of an InvalidParameter is shown, other causes stay generic."""
    from django.http import HttpResponseBadRequest, JsonResponse
    from django.template.loader import render_to_string

    from .params import InvalidParameter

    message = str(exception) if isinstance(exception, InvalidParameter) else ""
    if request.path.startswith("/api/"):
        body = {"detail": message or "请求格式不正确"}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}, request=request))
