from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.core import jobs
from shuangsuiji.core.concurrency import EditConflict
from shuangsuiji.core.listing import ScopedListView, require_perm
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.viewhelpers import error_text, service_call
from shuangsuiji.directory.models import InspectionItem
from shuangsuiji.draws import selectors as draw_selectors
from shuangsuiji.draws.choices import DrawOrigin
from shuangsuiji.draws.models import Draw
from shuangsuiji.imports.spreadsheets import SpreadsheetError, read_table

from . import jobs as result_jobs
from . import selectors, services, upper_tasks
from .choices import EDITABLE_STATUSES, ResultStatus
from .filtersets import ResultFilterSet
from .forms import (
    AttachmentForm,
    ChecklistForm,
    CorrectionForm,
    NonRandomCheckForm,
    PaperSignatureForm,
    QuestionFormSet,
    ReasonForm,
    ResultEditForm,
    UpperTaskImportForm,
    parse_answers,
    question_rows,
)
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
    result = _result(request, pk)
    return render(request, "inspections/result_detail.html", _detail_context(request, result))


def _detail_context(request, result: InspectionResult, *, form=None, posted_answers=None, saved_files=(),
                    paper_form=None) -> dict:  # fmt: skip
    """The result page; after a refused save, `form` and `posted_answers` carry what was typed back onto it."""
    user = request.user
    can_enter = selectors.can_enter(user, result) and result.status in EDITABLE_STATUSES
    if can_enter and not result.answers.exists():
        services.materialise_checklist(result)
    me = selectors.assigned_inspector(user, result.target)
    signed = result.signatures.select_related("inspector", "user", "scan")
    answers = list(result.answers.all())
    for answer in answers if posted_answers else ():
        answer.value, answer.note = posted_answers.get(answer.pk, (answer.value, answer.note))
    return {
        "result": result,
        "task": result.draw.task,
        "items": result.draw.task.items.select_related("item"),
        "assignments": result.target.assignments.select_related("inspector"),
        "answers": answers,
        "signatures": signed,
        "attachments": result.attachments.select_related("uploaded_by"),
        "saved_files": saved_files,
        "corrections": result.corrections.select_related("corrected_by"),
        "cases": result.cases.all(),
        "form": (form or ResultEditForm(initial=_form_initial(result) | {"lock_version": result.lock_version}))
        if can_enter
        else None,
        "attachment_form": AttachmentForm() if can_enter else None,
        "can_enter": can_enter,
        "can_sign": me is not None and result.status == ResultStatus.DRAFT and not signed.filter(inspector=me).exists(),
        "paper_form": paper_form or (
            PaperSignatureForm(inspectors=_unsigned_group(result))
            if can_enter and result.status == ResultStatus.DRAFT and user.has_perm(selectors.PERM_TRANSCRIBE)
            else None
        ),
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


@login_required
@require_POST
def result_save(request, pk):
    """Save the entry. Files chosen in the form are stored first, as attachments of the (still editable) result,
    so a mistake in another field never loses an upload; on any refusal the page comes back with every field
    and checklist answer as typed, the errors beside their fields and summed up at the top."""
    result = _result(request, pk, "enter")
    form = ResultEditForm(request.POST, request.FILES)
    posted = parse_answers(request.POST, result.answers.all())
    saved_files = []
    for upload in request.FILES.getlist("files"):
        try:
            stored = services.attachment_add(user=request.user, result=result, upload=upload)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("files", f"{upload.name}：{error_text(exc)}")
        else:
            saved_files.append(stored.original_name)
    form.is_valid()
    file_errors = "files" in form.errors
    ok = not any(name != "files" for name in form.errors)
    conflict = None
    if ok:  # a refused file does not hide the other fields' errors: the save runs, and is undone if a file failed
        with transaction.atomic():
            outcome = service_call(
                request,
                lambda: services.result_save(
                    user=request.user, result=result, data=form.content(), answers=posted,
                    expected_version=form.expected_version,
                ),
                form=form,
            )  # fmt: skip
            ok = outcome.ok
            if ok and file_errors:
                transaction.set_rollback(True)
                ok = False
            if isinstance(outcome.error, EditConflict):
                conflict = outcome.error
    if ok:
        note = f"（已上传附件：{'、'.join(saved_files)}）" if saved_files else ""
        messages.success(request, f"检查结果已保存{note}。内容确认无误后，请检查组成员分别签名确认。")
        return redirect("inspections:result_detail", pk=pk)
    if conflict is not None:  # the other officer saved first: both versions side by side, this one's input kept
        return _result_conflict_page(request, conflict.current, form, posted, saved_files=saved_files)
    form.mark_invalid()
    result = _result(request, pk, "enter")
    context = _detail_context(request, result, form=form, posted_answers=posted, saved_files=saved_files)
    return render(request, "inspections/result_detail.html", context)


def _result_conflict_page(request, current: InspectionResult, form: ResultEditForm, answers: dict, *, saved_files=()):
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
    context = _detail_context(request, current, form=form, posted_answers=answers, saved_files=saved_files)
    return render(request, "inspections/result_detail.html", context)  # the checklist as this officer filled it in


@login_required
@require_POST
def result_sign(request, pk):
    result = _result(request, pk, "enter")
    signed = service_call(request, lambda: services.result_sign(user=request.user, result=result))
    if signed.ok:
        _signed_message(request, signed.value, "签名已确认", "等待检查组其他成员签名。")
    return redirect("inspections:result_detail", pk=pk)


def _signed_message(request, result: InspectionResult, done: str, waiting: str) -> None:
    """After a signature: submitted once the group's signatures are complete, else what is still missing."""
    submitted = result.status == ResultStatus.SUBMITTED
    messages.success(request, f"{done}，" + ("检查结果已提交审核公示。" if submitted else waiting))


@login_required
@require_POST
def result_sign_paper(request, pk):
    """纸质签名: a 内勤 records an officer's signature on the paper record with its scan. On a refusal the page
    comes back with the chosen officer and date kept and the error beside its field (a browser never keeps a
    chosen file, so the page asks for the scan again)."""
    result = _result(request, pk, "transcribe")
    form = PaperSignatureForm(request.POST, request.FILES, inspectors=_unsigned_group(result))
    if form.is_valid():
        data = form.cleaned_data
        signed = service_call(request, lambda: services.result_sign_paper(
            user=request.user, result=result, inspector=data["inspector"], signed_on=data["signed_on"],
            upload=data["scan"]), form=form)  # fmt: skip
        if signed.ok:
            _signed_message(request, signed.value, "纸质签名已录入", "还需检查组其他成员的签名。")
            return redirect("inspections:result_detail", pk=pk)
    result.refresh_from_db()
    return render(request, "inspections/result_detail.html",
                  _detail_context(request, result, paper_form=form), status=400)  # fmt: skip


def _unsigned_group(result: InspectionResult):
    from shuangsuiji.directory.models import Inspector

    return Inspector.objects.filter(draw_assignments__target=result.target).exclude(
        pk__in=result.signatures.values("inspector_id")
    ).distinct().order_by("name")


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
def progress(request):
    """执行情况: 完成率 per task and per inspector of one year, overdue targets flagged."""
    require_perm(request.user, InspectionResult, "view")
    today = timezone.localdate()
    year = request.GET.get("year", "")
    year = int(year) if year.isdecimal() and 2000 <= int(year) <= 2100 else today.year
    if request.user.has_perm("inspections.enter_inspectionresult"):
        services.ensure_results(user=request.user)
    return render(
        request,
        "inspections/progress.html",
        {
            "title": f"{year}年度抽查执行情况",
            "year": year,
            "years": range(today.year - 3, today.year + 2),
            "tasks": selectors.progress_by_task(request.user, year=year, today=today),
            "inspectors": selectors.progress_by_inspector(request.user, year=year, today=today),
            "today": today,
        },
    )


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


# --- checklist templates (科室负责人 and administrators) ---------------------------------------------


@login_required
def checklist_list(request):
    require_perm(request.user, ChecklistTemplate, "manage")
    templates = (
        ChecklistTemplate.objects.restrict(request.user, "manage")
        .select_related("item", "region")
        .annotate(lines=Count("questions"), key_lines=Count("questions", filter=Q(questions__key_point=True)))
    )
    return render(request, "inspections/checklist_list.html", {"templates": templates, "title": "检查表维护"})


@login_required
def checklist_edit(request, pk=None):
    require_perm(request.user, ChecklistTemplate, "manage")
    template = get_object_or_404(ChecklistTemplate.objects.restrict(request.user, "manage"), pk=pk) if pk else None
    items = InspectionItem.objects.restrict(request.user).filter(status="published").order_by("code", "-version")
    initial, questions = {}, []
    if template:
        initial = {
            "name": template.name, "item": template.item, "active": template.active,
            "lock_version": template.lock_version,
        }  # fmt: skip
        questions = [
            {"text": q.text, "basis": q.basis, "key_point": q.key_point, "kind": q.kind, "required": q.required}
            for q in template.questions.all()
        ]
    elif request.GET.get("item", "").isdecimal():
        item = items.filter(pk=int(request.GET["item"])).first()
        if item:
            initial = {"name": f"{item.name}检查表", "item": item, "active": True}
    form = ChecklistForm(request.POST or None, initial=initial, items=items)
    formset = QuestionFormSet(request.POST or None, initial=questions, prefix="q")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = question_rows(formset)
        if not rows:
            form.add_error(None, "请至少填写一项检查内容")
        else:
            obj = template or ChecklistTemplate(region=request.user.region)
            obj.name, obj.item, obj.active = (
                form.cleaned_data["name"],
                form.cleaned_data["item"],
                form.cleaned_data["active"],
            )
            if service_call(
                request,
                lambda: services.checklist_save(
                    user=request.user, template=obj, questions=rows, expected_version=form.expected_version
                ),
                form=form,
            ):
                messages.success(request, "检查表已保存。")
                return redirect("inspections:checklist_list")
    return render(
        request,
        "inspections/checklist_form.html",
        {"form": form, "formset": formset, "template": template, "title": "编辑检查表" if template else "新增检查表"},
    )


# --- 上级下达任务 and 非随机检查 (issue #15 point 1) ---------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def upper_task_template(request):
    require_perm(request.user, Draw, "view")
    response = HttpResponse(upper_tasks.template(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('上级下达任务检查对象导入模板.xlsx')}"
    return response


@login_required
def upper_task_import(request):
    """导入上级下达任务: the task (上级任务编号, 下达级别/机关) and the units the upper level drew; no local draw."""
    require_perm(request.user, Draw, "import")
    form = UpperTaskImportForm(request.POST or None, request.FILES or None, user=request.user)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = read_table(upload.read(), upload.name)
        except SpreadsheetError as exc:
            form.add_error("file", str(exc))
        else:
            done = service_call(request, lambda: services.upper_task_import(
                user=request.user, plan=form.cleaned_data["plan"], task_data=form.task_data(), table=table,
                items=form.cleaned_data["items"], default_group=list(form.cleaned_data["inspectors"]),
            ), form=form)  # fmt: skip
            if done.ok:
                task, draw = done.value
                messages.success(
                    request,
                    f"已导入上级下达任务 {task.code}（{task.source_label}），"
                    f"检查对象 {draw.targets.count()} 户，可录入检查结果",
                )
                return redirect(f"{reverse('inspections:result_list')}?task={task.code}")
            errors = form.non_field_errors()
    status = 400 if request.method == "POST" else 200
    return render(request, "inspections/task_source_form.html", {
        "form": form, "title": "导入上级下达任务", "errors": errors, "multipart": True,
        "template_url": reverse("inspections:upper_task_template"),
    }, status=status)  # fmt: skip


@login_required
@require_POST
def record_cancel(request, pk):
    """作废 a mistaken 上级下达 import or 非随机检查 record from its record page (issue #15 point 1)."""
    require_perm(request.user, Draw, "view")
    draw = get_object_or_404(draw_selectors.draw_list(request.user).exclude(origin=DrawOrigin.DRAWN), pk=pk)
    require_perm(request.user, Draw, "import" if draw.origin == DrawOrigin.IMPORTED else "draw")
    reason = request.POST.get("reason", "")
    result = service_call(
        request, lambda: services.external_record_cancel(user=request.user, draw=draw, reason=reason),
        prefix="作废失败：",
    )  # fmt: skip
    if result.ok:
        number = draw.task.upper_task_no
        again = f"。如需重新导入，可再次导入上级任务编号“{number}”" if number else ""
        messages.success(request, f"该登记已作废{again}")
    return redirect("draws:draw_detail", pk=draw.pk)


@login_required
def non_random_create(request):
    """登记非随机检查 (投诉举报、转办交办、上级督办): same ledger as random checks, never counted as random; warns
    when the unit is already covered by a random check this year (高青) and says why."""
    require_perm(request.user, Draw, "add")
    form = NonRandomCheckForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = service_call(request, lambda: services.non_random_check_record(
            user=request.user, plan=data["plan"], unit=data["unit"], check_reason=data["check_reason"],
            check_source=data["check_source"], inspectors=list(data["inspectors"]), window_start=data["window_start"],
            window_end=data["window_end"], lead_organization=data["lead_organization"], items=data["items"],
            note=data["note"], confirm_covered=data["confirm_covered"],
        ), form=form)  # fmt: skip
        if done.ok:
            result, warning = done.value
            messages.success(request, f"已登记{result.draw.task.source_label}的非随机检查，请录入检查结果")
            if warning:
                messages.warning(request, f"注意：{result.unit.name}{warning}")
            return redirect("inspections:result_detail", pk=result.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "inspections/task_source_form.html",
                  {"form": form, "title": "登记非随机检查", "multipart": False}, status=status)  # fmt: skip
