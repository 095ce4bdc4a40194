import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import audit, services
from .filtersets import HolidayFilterSet, ObjectChangeFilterSet
from .forms import CalendarYearForm, HolidayOverrideForm
from .listing import ScopedListView, require_perm
from .models import CalendarYear, HolidayOverride, ObjectChange
from .params import int_param
from .registry import todos_for
from .selectors import audit_list, year_calendar
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


@login_required
def audit_detail(request, pk: int):
    require_perm(request.user, ObjectChange, "view")
    change = get_object_or_404(audit_list(request.user), pk=pk)
    diff = audit.changed_fields(change.prechange_data, change.postchange_data)
    return render(request, "core/audit_detail.html", {"change": change, "diff": diff})


@login_required
def audit_verify(request):
    """全链校验 on demand (admins and oversight); the same check as `manage.py audit_verify`."""
    require_perm(request.user, ObjectChange, "view")
    if request.method != "POST":
        return redirect("core:audit_list")
    count, problems = audit.verify_chain()
    head_id, head_hash = audit.chain_head()
    audit.log_event(ObjectChange.Action.WORKFLOW, message=f"审计链校验：{count} 条，{len(problems)} 处异常")
    return render(
        request,
        "core/audit_verify.html",
        {"count": count, "problems": problems, "head_id": head_id, "head_hash": head_hash},
    )


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
            "can_manage": self.request.user.has_perm("core.manage_holidayoverride"),
        }


def _require_calendar_manager(user):
    if not user.has_perm("core.manage_holidayoverride"):
        raise PermissionDenied("只有系统管理员可以维护节假日")


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
    messages.success(request, f"已删除 {holiday.date}")
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
