from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.core import jobs
from shuangsuiji.core.concurrency import EditConflict
from shuangsuiji.core.listing import ScopedListView, require_perm
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.viewhelpers import error_text, service_call
from shuangsuiji.directory.models import InspectionItem

from . import jobs as result_jobs
from . import selectors, services
from .choices import EDITABLE_STATUSES, ResultStatus
from .filtersets import ResultFilterSet
from .forms import AttachmentForm, ChecklistForm, CorrectionForm, ReasonForm, ResultEditForm, parse_answers
from .models import ChecklistTemplate, InspectionResult, ResultAttachment
from .tables import ResultTable


class ResultListView(ScopedListView):
    model = InspectionResult
    filterset_class = ResultFilterSet
    table_class = ResultTable
    title = "检查结果"
    template_name = "inspections/result_list.html"

    def get_queryset(self):
        if self.request.user.has_perm("inspections.enter_inspectionresult"):
            services.ensure_results(user=self.request.user)
        return selectors.result_list(self.request.user).order_by("status", "publish_due", "id")

    def get_extra_context(self):
        return {"can_export": self.request.user.has_perm("inspections.export_inspectionresult")}


def _result(request, pk, action="view") -> InspectionResult:
    require_perm(request.user, InspectionResult, action)
    return get_object_or_404(selectors.result_list(request.user, action), pk=pk)


def _form_initial(result: InspectionResult) -> dict:
    return {name: getattr(result, name) for name in services.CONTENT_FIELDS}


@login_required
def result_detail(request, pk):
    return render(request, "inspections/result_detail.html", _detail_context(request, _result(request, pk)))


def _detail_context(request, result: InspectionResult, *, form=None, answers=None) -> dict:
    """The result page; `form`/`answers` (bound to the user's input) when it is shown again after a conflict."""
    user = request.user
    can_enter = selectors.can_enter(user, result) and result.status in EDITABLE_STATUSES
    if can_enter and not result.answers.exists():
        services.materialise_checklist(result)
    me = selectors.assigned_inspector(user, result.target)
    signed = result.signatures.select_related("inspector", "user")
    context = {
        "result": result,
        "task": result.draw.task,
        "items": result.draw.task.items.select_related("item"),
        "assignments": result.target.assignments.select_related("inspector"),
        "answers": answers if answers is not None else result.answers.all(),
        "signatures": signed,
        "attachments": result.attachments.select_related("uploaded_by"),
        "corrections": result.corrections.select_related("corrected_by"),
        "cases": result.cases.all(),
        "form": (form or ResultEditForm(initial=_form_initial(result) | {"lock_version": result.lock_version}))
        if can_enter
        else None,
        "attachment_form": AttachmentForm() if can_enter else None,
        "can_enter": can_enter,
        "can_sign": me is not None and result.status == ResultStatus.DRAFT and not signed.filter(inspector=me).exists(),
        "me": me,
        "missing": services.completeness_errors(result) if result.status == ResultStatus.DRAFT else [],
        "can_publish": user.has_perm("inspections.publish_inspectionresult")
        and result.status == ResultStatus.SUBMITTED,
        "can_return": user.has_perm("inspections.approve_inspectionresult") and result.status == ResultStatus.SUBMITTED,
        "can_correct": user.has_perm("inspections.publish_inspectionresult")
        and result.status == ResultStatus.PUBLISHED,
        "can_case": user.has_perm("cases.add_followupcase")
        and result.status in (ResultStatus.SUBMITTED, ResultStatus.PUBLISHED),
        "reason_form": ReasonForm(),
        "history": ObjectChange.objects.restrict(user).filter(
            object_type="inspections.inspectionresult", object_id=str(result.pk)
        )
        if user.has_perm("core.view_objectchange")
        else None,
    }
    return context


@login_required
@require_POST
def result_save(request, pk):
    result = _result(request, pk, "enter")
    form = ResultEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"填写有误：{form.errors.as_text()}")
        return redirect("inspections:result_detail", pk=pk)
    answers = parse_answers(request.POST, result.answers.all())
    call = lambda: services.result_save(  # noqa: E731
        user=request.user, result=result, data=form.content(), answers=answers, expected_version=form.expected_version
    )
    outcome = service_call(request, call, form=form)
    if outcome:
        messages.success(request, "检查结果已保存。内容确认无误后，请检查组成员分别签名确认。")
    elif isinstance(outcome.error, EditConflict):
        return _result_conflict_page(request, outcome.error.current, form, answers)
    else:
        messages.error(request, error_text(outcome.error))
    return redirect("inspections:result_detail", pk=pk)


def _result_conflict_page(request, current: InspectionResult, form: ResultEditForm, answers: dict):
    """Both officers' versions side by side; the form keeps what this one typed (answers too), and says up front
    whether saving it would withdraw the signatures already given."""
    stored = list(current.answers.all())
    conflict = form.conflict
    conflict.rows += form.answer_conflict_rows(stored, answers)
    withdrawn = services.signatures_withdrawn_by(current, data=form.content(), answers=answers)
    signed = [s.inspector.name for s in current.signatures.select_related("inspector")]
    if withdrawn:
        conflict.notes.append(
            f"本结果已由 {'、'.join(withdrawn)} 签名确认。按您填写的内容保存将改变已签名的内容，"
            "保存后这些签名将被撤销，需重新签名确认。"
        )
    elif signed:
        conflict.notes.append(
            f"本结果已由 {'、'.join(signed)} 签名确认；您填写的内容与已签名的内容一致，保存不会撤销签名。"
        )
    shown = []
    for answer in stored:  # the checklist as this officer filled it in
        if answer.pk in answers:
            answer.value, answer.note = answers[answer.pk]
        shown.append(answer)
    return render(
        request, "inspections/result_detail.html", _detail_context(request, current, form=form, answers=shown)
    )


@login_required
@require_POST
def result_sign(request, pk):
    result = _result(request, pk, "enter")
    signed = service_call(request, lambda: services.result_sign(user=request.user, result=result))
    if signed.ok:
        messages.success(
            request,
            "签名已确认，检查结果已提交审核公示。"
            if signed.value.status == ResultStatus.SUBMITTED
            else "签名已确认，等待检查组其他成员签名。",
        )
    return redirect("inspections:result_detail", pk=pk)


@login_required
@require_POST
def result_return(request, pk):
    result = _result(request, pk, "approve")
    reason = request.POST.get("reason", "")
    if service_call(request, lambda: services.result_return(user=request.user, result=result, reason=reason)):
        messages.success(request, "已退回修改。")
    return redirect("inspections:result_detail", pk=pk)


@login_required
@require_POST
def result_publish(request, pk):
    result = _result(request, pk, "publish")
    if service_call(request, lambda: services.result_publish(user=request.user, results=[result])):
        messages.success(request, "检查结果已公示。")
    return redirect("inspections:result_detail", pk=pk)


@login_required
def publish_queue(request):
    """批量公示: every submitted result in scope, with its deadline."""
    require_perm(request.user, InspectionResult, "publish")
    queue = selectors.results_to_publish(request.user).order_by("publish_due", "id")
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isascii() and i.isdecimal() and int(i) < 2**63]
        chosen = list(queue.filter(pk__in=ids))
        if not chosen:
            messages.error(request, "请选择要公示的结果")
        else:
            if service_call(request, lambda: services.result_publish(user=request.user, results=chosen)):
                messages.success(request, f"已公示 {len(chosen)} 条检查结果。")
        return redirect("inspections:publish_queue")
    return render(
        request,
        "inspections/publish_queue.html",
        {"queue": queue, "title": "待公示结果", "today": timezone.localdate()},
    )


@login_required
def result_correct(request, pk):
    result = _result(request, pk, "publish")
    form = CorrectionForm(request.POST or None, initial=_form_initial(result) | {"lock_version": result.lock_version})
    if request.method == "POST" and form.is_valid():
        if service_call(
            request,
            lambda: services.result_correct(
                user=request.user,
                result=result,
                reason=form.cleaned_data["reason"],
                data=form.content(),
                expected_version=form.expected_version,
            ),
            form=form,
        ):
            messages.success(request, "已更正，原版本已保留在更正记录中。")
            return redirect("inspections:result_detail", pk=pk)
    return render(request, "inspections/result_correct.html", {"result": result, "form": form, "title": "更正检查结果"})


@login_required
@require_POST
def attachment_upload(request, pk):
    result = _result(request, pk, "enter")
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件")
    else:
        if service_call(
            request,
            lambda: services.attachment_add(
                user=request.user, result=result, upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            ),
        ):  # fmt: skip
            messages.success(request, "附件已上传。")
    return redirect("inspections:result_detail", pk=pk)


def _attachment(request, pk) -> ResultAttachment:
    require_perm(request.user, InspectionResult, "view")
    return get_object_or_404(
        ResultAttachment.objects.select_related("result"), pk=pk, result__in=selectors.result_list(request.user)
    )


@login_required
def attachment_download(request, pk):
    attachment = _attachment(request, pk)
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
        content_type=attachment.content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request, pk):
    require_perm(request.user, InspectionResult, "enter")
    attachment = _attachment(request, pk)
    result_pk = attachment.result_id
    if service_call(request, lambda: services.attachment_delete(user=request.user, attachment=attachment)):
        messages.success(request, "附件已删除。")
    return redirect("inspections:result_detail", pk=result_pk)


# --- export (国家企业信用信息公示系统 抽查检查结果 layout) --------------------------------------------


@login_required
def result_export(request):
    """At once when small, else a background job (我的任务) that makes the file."""
    require_perm(request.user, InspectionResult, "export")
    filters = {key: values for key, values in request.GET.lists()}
    queryset = result_jobs.export_queryset(request.user, filters)
    if queryset.count() > result_jobs.inline_rows():
        job = jobs.start(
            user=request.user, kind=result_jobs.EXPORT, title="导出抽查检查结果", params={"filters": filters}
        )
        messages.info(request, "导出数据较多，已在后台生成，完成后在本页下载")
        return redirect(job)
    filename, data, content_type = result_jobs.export_file(request.user, queryset, filters)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- checklist templates (admins) ----------------------------------------------------------------


@login_required
def checklist_list(request):
    require_perm(request.user, ChecklistTemplate, "manage")
    templates = ChecklistTemplate.objects.restrict(request.user, "manage").select_related("item", "region")
    return render(request, "inspections/checklist_list.html", {"templates": templates, "title": "检查表维护"})


@login_required
def checklist_edit(request, pk=None):
    require_perm(request.user, ChecklistTemplate, "manage")
    template = get_object_or_404(ChecklistTemplate.objects.restrict(request.user, "manage"), pk=pk) if pk else None
    items = InspectionItem.objects.restrict(request.user).filter(status="published")
    initial = {}
    if template:
        initial = {
            "name": template.name, "item": template.item, "active": template.active,
            "questions": ChecklistForm.questions_text(template), "lock_version": template.lock_version,
        }  # fmt: skip
    form = ChecklistForm(request.POST or None, initial=initial, items=items)
    if request.method == "POST" and form.is_valid():
        obj = template or ChecklistTemplate(region=request.user.region)
        obj.name, obj.item, obj.active = (
            form.cleaned_data["name"],
            form.cleaned_data["item"],
            form.cleaned_data["active"],
        )
        if service_call(
            request,
            lambda: services.checklist_save(
                user=request.user, template=obj, questions=form.question_rows(), expected_version=form.expected_version
            ),
            form=form,
        ):
            messages.success(request, "检查表已保存。")
            return redirect("inspections:checklist_list")
    return render(request, "core/form_page.html", {"form": form, "title": "编辑检查表" if template else "新增检查表"})
