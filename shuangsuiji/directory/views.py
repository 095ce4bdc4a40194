"""Views for 一单两库: thin wrappers around selectors (reads) and services (writes)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.core import jobs
from shuangsuiji.core.listing import ScopedListView, require_perm
from shuangsuiji.core.viewhelpers import form_instance, service_call
from shuangsuiji.imports import preview as import_preview
from shuangsuiji.imports.spreadsheets import (
    SpreadsheetError,
    errors_xlsx,
    max_bytes,
    read_table,
    template_xlsx,
)

from . import jobs as directory_jobs
from . import selectors, services
from .choices import ImportKind, ImportStatus
from .filtersets import (
    ExpertFilterSet,
    ImportBatchFilterSet,
    InspectorFilterSet,
    ItemFilterSet,
    UnitFilterSet,
)
from .forms import (
    BusinessLineForm,
    ConflictDeclarationForm,
    ExpertEditForm,
    ImportUploadForm,
    InspectionItemEditForm,
    InspectorEditForm,
    LeavePeriodForm,
    RiskRatingForm,
    UnitEditForm,
)
from .importers import COLUMNS, IMPORTERS
from .models import (
    BusinessLine,
    ConflictDeclaration,
    Expert,
    ImportBatch,
    InspectionItem,
    Inspector,
    LeavePeriod,
    RegulatedUnit,
    RiskRating,
)
from .tables import ExpertTable, ImportBatchTable, InspectorTable, ItemTable, UnitTable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_URLS = {
    ImportKind.UNIT: ("directory:unit_list", "检查对象"),
    ImportKind.INSPECTOR: ("directory:inspector_list", "执法检查人员"),
    ImportKind.ITEM: ("directory:item_list", "抽查事项"),
    ImportKind.EXPERT: ("directory:expert_list", "专家库"),
}
MODE_HELP = {
    ImportKind.INSPECTOR: (
        "新增导入：执法证号已存在则报错；更新导入：已存在的按执法证号更新、新证号新增，空白单元格表示不修改"
    ),
    ImportKind.ITEM: (
        "新增导入：本辖区已有该事项编码则报错，新事项为草稿；更新导入：草稿按事项编码更新、新编码新增草稿，"
        "空白单元格表示不修改；已发布的事项不能修改，请在事项详情页新建版本"
    ),
    ImportKind.EXPERT: (
        "按资质证书编号识别，未填写时第三方机构按统一社会信用代码、专家按姓名+工作单位识别。"
        "新增导入：已存在则报错；更新导入：已存在的更新、其余新增，空白单元格表示不修改"
    ),
}


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _form_page(request, form, title, **extra):
    return render(request, "core/form_page.html", {"form": form, "title": title, **extra})


class DirectoryListView(ScopedListView):
    """List page with 导入/导出/下载模板 buttons (shown per permission)."""

    template_name = "directory/list_page.html"
    import_kind = ""
    export_url_name = ""

    def get_extra_context(self):
        user, meta = self.request.user, self.model._meta
        kind = self.import_kind
        return {
            "import_url_name": f"directory:{kind}_import"
            if kind and user.has_perm(f"directory.import_{meta.model_name}")
            else "",
            "template_url_name": f"directory:{kind}_template" if kind else "",
            "export_url_name": self.export_url_name if user.has_perm(f"directory.export_{meta.model_name}") else "",
        }


def _export(request, name: str):
    """Export the filtered list: at once when small, else as a background job (我的任务)."""
    spec = directory_jobs.EXPORTS[name]
    require_perm(request.user, spec.model, "export")
    filters = directory_jobs.filters_of(request.GET)
    queryset = directory_jobs.export_queryset(spec, request.user, filters)
    if queryset.count() > directory_jobs.inline_rows():
        job = jobs.start(
            user=request.user, kind=directory_jobs.EXPORT, title=f"导出{spec.filename}",
            params={"export": name, "filters": filters},
        )  # fmt: skip
        messages.info(request, "导出数据较多，已在后台生成，完成后在本页下载")
        return redirect(job)
    filename, content = directory_jobs.export_file(spec, user=request.user, queryset=queryset, filters=filters)
    return xlsx_response(content, filename)


# --- units -------------------------------------------------------------------------------------------


class UnitListView(DirectoryListView):
    model = RegulatedUnit
    filterset_class = UnitFilterSet
    table_class = UnitTable
    title = "检查对象名录库"
    create_url_name = "directory:unit_create"
    import_kind = ImportKind.UNIT
    export_url_name = "directory:unit_export"

    def get_queryset(self):
        return selectors.unit_list(self.request.user)


@login_required
def unit_export(request):
    return _export(request, "unit")


@login_required
def unit_detail(request, pk: int):
    require_perm(request.user, RegulatedUnit, "view")
    unit = get_object_or_404(selectors.unit_list(request.user), pk=pk)
    context = {
        "unit": unit,
        "title": unit.name,
        "lines": unit.business_lines.all(),
        "tags": unit.tags.all(),
        "ratings": unit.ratings.all(),
        "violations": unit.violations.all(),
        "inspections": unit.inspections.all()[:50],
        "conflicts": unit.conflicts.select_related("inspector"),
        "history": selectors.history(unit),
        "can_change": request.user.has_perm("directory.change_regulatedunit"),
        "can_set_risk": request.user.has_perm("directory.add_riskrating"),
    }
    return render(request, "directory/unit_detail.html", context)


def _unit_form_data(form):
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("business_lines", "tags")}
    return data, form.cleaned_data["business_lines"], form.cleaned_data["tags"]


@login_required
def unit_create(request):
    require_perm(request.user, RegulatedUnit, "add")
    form = UnitEditForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, lines, tags = _unit_form_data(form)
        result = service_call(
            request, lambda: services.unit_create(user=request.user, data=data, business_lines=lines, tags=tags),
            form=form,
        )  # fmt: skip
        if result:
            messages.success(request, f"已新增检查对象 {result.value.name}")
            return redirect("directory:unit_detail", pk=result.value.pk)
    return _form_page(request, form, "新增检查对象")


@login_required
def unit_edit(request, pk: int):
    require_perm(request.user, RegulatedUnit, "change")
    unit = get_object_or_404(selectors.unit_list(request.user, "change"), pk=pk)
    form = UnitEditForm(request.POST or None, instance=form_instance(unit), user=request.user)
    form.fields["credit_code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data, lines, tags = _unit_form_data(form)
        data.pop("credit_code", None)
        call = lambda: services.unit_update(  # noqa: E731
            user=request.user, unit=unit, data=data, business_lines=lines, tags=tags,
            expected_version=form.expected_version,
        )  # fmt: skip
        if service_call(request, call, form=form):
            messages.success(request, "已保存")
            return redirect("directory:unit_detail", pk=unit.pk)
    return _form_page(request, form, f"编辑检查对象：{unit.name}")


@login_required
def unit_risk_add(request, pk: int):
    require_perm(request.user, RiskRating, "add")
    unit = get_object_or_404(selectors.unit_list(request.user, "change"), pk=pk)
    form = RiskRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if service_call(request, lambda: services.unit_set_risk(user=request.user, unit=unit, **form.cleaned_data),
                        form=form):  # fmt: skip
            messages.success(request, "已记录信用风险分类")
            return redirect("directory:unit_detail", pk=unit.pk)
    return _form_page(request, form, f"信用风险分类：{unit.name}")


# --- inspectors ----------------------------------------------------------------------------------------


class InspectorListView(DirectoryListView):
    model = Inspector
    filterset_class = InspectorFilterSet
    table_class = InspectorTable
    title = "执法检查人员名录库"
    create_url_name = "directory:inspector_create"
    import_kind = ImportKind.INSPECTOR
    export_url_name = "directory:inspector_export"

    def get_queryset(self):
        return selectors.inspector_list(self.request.user)


@login_required
def inspector_export(request):
    return _export(request, "inspector")


@login_required
def inspector_detail(request, pk: int):
    require_perm(request.user, Inspector, "view")
    inspector = get_object_or_404(selectors.inspector_list(request.user), pk=pk)
    context = {
        "inspector": inspector,
        "title": inspector.name,
        "specialties": inspector.specialties.all(),
        "tags": inspector.tags.all(),
        "leaves": inspector.leaves.all(),
        "conflicts": inspector.conflicts.select_related("unit"),
        "history": selectors.history(inspector),
        "today": timezone.localdate(),
        "can_change": request.user.has_perm("directory.change_inspector"),
        "can_declare": _may_declare(request.user, inspector),
        "can_delete_leave": _may_declare(request.user, inspector, "change"),
        "can_delete_conflict": request.user.has_perm("directory.approve_conflictdeclaration"),
    }
    return render(request, "directory/inspector_detail.html", context)


def _may_declare(user, inspector, action: str = "add") -> bool:
    """Whether the leave/回避 buttons show: the permission, and for an 执法人员 only on their own record."""
    if not user.has_perm(f"directory.{action}_leaveperiod"):
        return False
    try:
        services.check_own_declarations(user=user, inspector=inspector)
    except PermissionDenied:
        return False
    return True


def _inspector_form_data(form):
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("specialties", "tags")}
    return data, form.cleaned_data["specialties"], form.cleaned_data["tags"]


@login_required
def inspector_create(request):
    require_perm(request.user, Inspector, "add")
    form = InspectorEditForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, specialties, tags = _inspector_form_data(form)
        result = service_call(
            request, lambda: services.inspector_save(user=request.user, data=data, specialties=specialties, tags=tags),
            form=form,
        )  # fmt: skip
        if result:
            messages.success(request, f"已新增执法人员 {result.value.name}")
            return redirect("directory:inspector_detail", pk=result.value.pk)
    return _form_page(request, form, "新增执法检查人员")


@login_required
def inspector_edit(request, pk: int):
    require_perm(request.user, Inspector, "change")
    inspector = get_object_or_404(selectors.inspector_list(request.user, "change"), pk=pk)
    form = InspectorEditForm(request.POST or None, instance=form_instance(inspector), user=request.user)
    if request.method == "POST" and form.is_valid():
        data, specialties, tags = _inspector_form_data(form)
        call = lambda: services.inspector_save(  # noqa: E731
            user=request.user, inspector=inspector, data=data, specialties=specialties, tags=tags,
            expected_version=form.expected_version,
        )  # fmt: skip
        if service_call(request, call, form=form):
            messages.success(request, "已保存")
            return redirect("directory:inspector_detail", pk=inspector.pk)
    return _form_page(request, form, f"编辑执法人员：{inspector.name}")


@login_required
def leave_add(request, pk: int):
    require_perm(request.user, LeavePeriod, "add")
    inspector = get_object_or_404(selectors.inspector_list(request.user), pk=pk)
    services.check_own_declarations(user=request.user, inspector=inspector)
    form = LeavePeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call = lambda: services.leave_add(user=request.user, inspector=inspector, **form.cleaned_data)  # noqa: E731
        if service_call(request, call, form=form):
            messages.success(request, "已登记不可选派期间")
            return redirect("directory:inspector_detail", pk=inspector.pk)
    return _form_page(request, form, f"登记不可选派期间：{inspector.name}")


@login_required
@require_POST
def leave_delete(request, pk: int):
    require_perm(request.user, LeavePeriod, "change")
    leave = get_object_or_404(LeavePeriod.objects.restrict(request.user, "view"), pk=pk)
    services.leave_delete(user=request.user, leave=leave)
    messages.success(request, "已删除")
    return redirect("directory:inspector_detail", pk=leave.inspector_id)


@login_required
def conflict_add(request, pk: int):
    require_perm(request.user, ConflictDeclaration, "add")
    inspector = get_object_or_404(selectors.inspector_list(request.user), pk=pk)
    services.check_own_declarations(user=request.user, inspector=inspector)
    form = ConflictDeclarationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "unit_code"}
        call = lambda: services.conflict_add(  # noqa: E731
            user=request.user, inspector=inspector, unit=form.instance.unit, **data
        )
        if service_call(request, call, form=form):
            messages.success(request, "已登记回避申报")
            return redirect("directory:inspector_detail", pk=inspector.pk)
    return _form_page(request, form, f"回避申报：{inspector.name}")


@login_required
@require_POST
def conflict_delete(request, pk: int):
    require_perm(request.user, ConflictDeclaration, "approve")
    declaration = get_object_or_404(ConflictDeclaration.objects.restrict(request.user, "view"), pk=pk)
    services.conflict_delete(user=request.user, declaration=declaration)
    messages.success(request, "已撤销回避申报")
    return redirect("directory:inspector_detail", pk=declaration.inspector_id)


# --- experts -------------------------------------------------------------------------------------------


class ExpertListView(DirectoryListView):
    model = Expert
    filterset_class = ExpertFilterSet
    table_class = ExpertTable
    title = "专家库"
    create_url_name = "directory:expert_create"
    import_kind = ImportKind.EXPERT
    export_url_name = "directory:expert_export"

    def get_queryset(self):
        return selectors.expert_list(self.request.user)


@login_required
def expert_export(request):
    return _export(request, "expert")


def _expert_form(request, expert=None):
    form = ExpertEditForm(request.POST or None, instance=form_instance(expert), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("specialties", "tags")}
        call = lambda: services.expert_save(  # noqa: E731
            user=request.user, expert=expert, data=data,
            specialties=form.cleaned_data["specialties"], tags=form.cleaned_data["tags"],
            **({"expected_version": form.expected_version} if expert else {}),
        )  # fmt: skip
        if service_call(request, call, form=form):
            messages.success(request, "已保存")
            return redirect("directory:expert_list")
    return _form_page(request, form, f"编辑：{expert.name}" if expert else "新增专家/第三方机构")


@login_required
def expert_create(request):
    require_perm(request.user, Expert, "add")
    return _expert_form(request)


@login_required
def expert_edit(request, pk: int):
    require_perm(request.user, Expert, "change")
    return _expert_form(request, get_object_or_404(selectors.expert_list(request.user, "change"), pk=pk))


# --- inspection items ---------------------------------------------------------------------------------


class ItemListView(DirectoryListView):
    model = InspectionItem
    filterset_class = ItemFilterSet
    table_class = ItemTable
    title = "抽查事项清单"
    create_url_name = "directory:item_create"
    import_kind = ImportKind.ITEM
    export_url_name = "directory:item_export"
    template_name = "directory/item_list.html"

    def get_queryset(self):
        return selectors.item_list(self.request.user)


class ItemClaimListView(ScopedListView):
    """认领: published items of the levels above, with a 认领 button each."""

    model = InspectionItem
    filterset_class = ItemFilterSet
    table_class = ItemTable
    title = "认领上级抽查事项"
    template_name = "directory/item_claim_list.html"
    action = "add"

    def get_queryset(self):
        return selectors.claimable_items(self.request.user)

    def get(self, request, *args, **kwargs):
        require_perm(request.user, InspectionItem, "add")
        filterset = self.filterset_class(request.GET or None, queryset=self.get_queryset(), request=request)
        return render(
            request, self.template_name, {"filter": filterset, "items": filterset.qs[:500], "title": self.title}
        )


@login_required
def item_export(request):
    return _export(request, "item")


@login_required
def item_detail(request, pk: int):
    require_perm(request.user, InspectionItem, "view")
    item = get_object_or_404(selectors.item_list(request.user), pk=pk)
    versions = InspectionItem.objects.filter(region=item.region, code=item.code).order_by("-version")
    context = {
        "item": item,
        "title": str(item),
        "versions": versions,
        "claims": item.claims.restrict(request.user, "view").select_related("region"),
        "history": selectors.history(item),
        "can_change": item.is_editable and request.user.has_perm("directory.change_inspectionitem"),
        "can_publish": item.is_editable and request.user.has_perm("directory.publish_inspectionitem"),
        "can_new_version": item.status == "published"
        and request.user.has_perm("directory.add_inspectionitem")
        and not hasattr(item, "next_version"),
    }
    return render(request, "directory/item_detail.html", context)


@login_required
def item_create(request):
    require_perm(request.user, InspectionItem, "add")
    form = InspectionItemEditForm(request.POST or None, user=request.user, initial={"region": request.user.region})
    if request.method == "POST" and form.is_valid():
        result = service_call(
            request, lambda: services.item_create(user=request.user, data=form.cleaned_data), form=form
        )
        if result:
            messages.success(request, "已新增抽查事项（草稿）")
            return redirect("directory:item_detail", pk=result.value.pk)
    return _form_page(request, form, "新增抽查事项")


@login_required
def item_edit(request, pk: int):
    require_perm(request.user, InspectionItem, "change")
    item = get_object_or_404(selectors.item_list(request.user, "change"), pk=pk)
    if not item.is_editable:
        messages.error(request, "已发布的抽查事项不可修改，请创建新版本")
        return redirect("directory:item_detail", pk=pk)
    form = InspectionItemEditForm(request.POST or None, instance=form_instance(item), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("code", "region")}
        call = lambda: services.item_update(  # noqa: E731
            user=request.user, item=item, data=data, expected_version=form.expected_version
        )
        if service_call(request, call, form=form):
            messages.success(request, "已保存")
            return redirect("directory:item_detail", pk=pk)
    return _form_page(request, form, f"编辑抽查事项：{item}")


def _item_action(request, pk: int, action: str, fn, success: str):
    require_perm(request.user, InspectionItem, action)
    item = get_object_or_404(selectors.item_list(request.user, "view"), pk=pk)
    result = service_call(request, lambda: fn(user=request.user, item=item))
    if not result:
        return redirect("directory:item_detail", pk=pk)
    messages.success(request, success)
    return redirect("directory:item_detail", pk=result.value.pk)


@login_required
@require_POST
def item_publish(request, pk: int):
    return _item_action(request, pk, "publish", services.item_publish, "已发布")


@login_required
@require_POST
def item_new_version(request, pk: int):
    return _item_action(request, pk, "add", services.item_new_version, "已创建新版本（草稿）")


@login_required
@require_POST
def item_claim(request, pk: int):
    require_perm(request.user, InspectionItem, "add")
    item = get_object_or_404(selectors.claimable_items(request.user), pk=pk)
    result = service_call(
        request, lambda: services.item_claim(user=request.user, item=item, region=request.user.region)
    )
    if not result:
        return redirect("directory:item_claim_list")
    messages.success(request, f"已认领：{item.name}（草稿，可调整比例后发布）")
    return redirect("directory:item_detail", pk=result.value.pk)


# --- import -------------------------------------------------------------------------------------------


def _kind_model(kind: str):
    if kind not in IMPORTERS:
        raise PermissionDenied("未知的导入类型")
    return IMPORTERS[kind].model


@login_required
def import_template(request, kind: str):
    _kind_model(kind)
    title = KIND_URLS[kind][1]
    lists = selectors.import_template_lists(kind, request.user)
    content = template_xlsx(
        COLUMNS[kind], title=title, allowed=lists, example=selectors.import_template_example(kind, lists)
    )
    return xlsx_response(content, f"{title}导入模板.xlsx")


@login_required
def import_upload(request, kind: str):
    model = _kind_model(kind)
    require_perm(request.user, model, "import")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if kind in MODE_HELP:
        form.fields["mode"].help_text = MODE_HELP[kind]
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_bytes():
            form.add_error("file", f"文件过大（{upload.size / 1048576:.1f} MB），上限为 {max_bytes() / 1048576:.0f} MB")
        else:
            mode, data = form.cleaned_data["mode"], upload.read()
            if len(data) > directory_jobs.inline_upload_bytes():
                params = {"kind": kind, "mode": mode, "filename": upload.name,
                          "stored": directory_jobs.stash_upload(data, upload.name)}  # fmt: skip
                title = f"读取并校验{KIND_URLS[kind][1]}导入文件 {upload.name}"
                job = jobs.start(user=request.user, kind=directory_jobs.IMPORT_PREPARE, title=title, params=params)
                return redirect(job)
            batch = services.import_prepare(user=request.user, kind=kind, mode=mode, data=data, filename=upload.name)
            return redirect("directory:import_detail", pk=batch.pk)
    list_url, label = KIND_URLS[kind]
    context = {"form": form, "title": f"导入{label}", "kind": kind, "list_url": list_url}
    return render(request, "directory/import_upload.html", context)


def _batch_for(request, pk: int, action: str = "view") -> ImportBatch:
    """A batch in the user's region; viewing needs `view` on the target (纪检 can audit imports),
    committing or cancelling needs `import`."""
    batch = get_object_or_404(ImportBatch.objects.restrict(request.user, "view"), pk=pk)
    require_perm(request.user, batch.target_model, action)
    return batch


def _int_param(request, name: str, default: int = 1) -> int:
    text = request.GET.get(name, "")
    # str.isdigit() also accepts "²" and other digits int() refuses: only ASCII 0-9 count.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else default


@login_required
def import_detail(request, pk: int):
    """预览 (dry run) or result of one batch: counts, every error, every valid row marked 新增/变更/无变化 (50 a
    page; the row list alone is returned to htmx paging), the change report once committed, re-upload when
    invalid."""
    batch = _batch_for(request, pk)
    list_url, label = KIND_URLS[batch.kind]
    rows = import_preview.page(batch, request.GET.get("action", "all"), _int_param(request, "page"))
    numbers = import_preview.counts(batch)
    context = {
        "batch": batch,
        "title": f"{label}导入 #{batch.pk}",
        "list_url": list_url,
        "preview": rows,
        "valid_rows": numbers["all"],
        "filters": [
            (key, text, numbers[key]) for key, text in import_preview.LABELS.items() if key == "all" or numbers[key]
        ],  # fmt: skip
        "errors": batch.errors[:2000],
        "report": batch.report[:2000] if batch.status == ImportStatus.COMMITTED else [],
        "can_commit": batch.status == ImportStatus.READY and batch.created_by_id == request.user.pk,
    }
    if request.htmx and request.htmx.target == "preview-rows":
        return render(request, "directory/_import_rows.html", context)
    if batch.status == ImportStatus.INVALID and request.user.has_perm(
        f"directory.import_{batch.target_model._meta.model_name}"
    ):
        form = ImportUploadForm(initial={"mode": batch.mode})
        if batch.kind in MODE_HELP:
            form.fields["mode"].help_text = MODE_HELP[batch.kind]
        context.update(reupload=form, kind=batch.kind)
    return render(request, "directory/import_detail.html", context)


@login_required
def import_errors(request, pk: int):
    batch = _batch_for(request, pk)
    table = None
    if batch.stored_file and default_storage.exists(batch.stored_file):
        try:
            with default_storage.open(batch.stored_file) as handle:
                table = read_table(handle.read(), batch.file_name)
        except SpreadsheetError:
            table = None
    return xlsx_response(errors_xlsx(table, batch.errors), f"错误明细_{batch.pk}.xlsx")


@login_required
@require_POST
def import_commit(request, pk: int):
    batch = _batch_for(request, pk, "import")
    if batch.rows_total > directory_jobs.inline_rows() and batch.status == ImportStatus.READY:
        title = f"导入{KIND_URLS[batch.kind][1]}：{batch.file_name}（批次 #{batch.pk}）"
        result = service_call(
            request, lambda: jobs.start(user=request.user, kind=directory_jobs.IMPORT_COMMIT, title=title,
                                        params={"batch": batch.pk}, region=batch.region_code),
        )  # fmt: skip
        return redirect(result.value) if result.ok else redirect("directory:import_detail", pk=pk)
    result = service_call(
        request, lambda: services.import_commit(user=request.user, batch=batch), prefix="导入失败，未写入任何数据："
    )
    if not result:
        return redirect("directory:import_detail", pk=pk)
    batch = result.value
    messages.success(
        request,
        f"导入完成：新增 {batch.count_create}，更新 {batch.count_update}，"
        f"注销/停业 {batch.count_close}，无变化 {batch.count_unchanged}",
    )
    return redirect("directory:import_detail", pk=pk)


@login_required
@require_POST
def import_cancel(request, pk: int):
    batch = _batch_for(request, pk, "import")
    if service_call(request, lambda: services.import_cancel(user=request.user, batch=batch)):
        messages.info(request, "已取消该导入批次")
    return redirect("directory:import_detail", pk=pk)


class ImportBatchListView(ScopedListView):
    model = ImportBatch
    filterset_class = ImportBatchFilterSet
    table_class = ImportBatchTable
    title = "导入记录"

    def get_queryset(self):
        qs = super().get_queryset().select_related("created_by")
        return qs.defer("payload", "report", "errors", "warnings")


# --- business lines (专业类别, system administrators) ------------------------------------------------


@login_required
def business_line_list(request):
    require_perm(request.user, BusinessLine, "change")
    lines = BusinessLine.objects.annotate(
        unit_count=Count("units", distinct=True), item_count=Count("items", distinct=True)
    ).order_by("order", "code")
    return render(request, "directory/business_line_list.html", {"lines": lines, "title": "专业类别维护"})


@login_required
def business_line_edit(request, pk=None):
    require_perm(request.user, BusinessLine, "change" if pk else "add")
    line = get_object_or_404(BusinessLine, pk=pk) if pk else None
    initial = {} if line else {"order": (BusinessLine.objects.aggregate(m=Max("order"))["m"] or 0) + 1}
    form = BusinessLineForm(request.POST or None, instance=form_instance(line), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not (line and k == "code")}
        if service_call(
            request, lambda: services.business_line_save(user=request.user, line=line, data=data), form=form
        ):
            messages.success(request, "专业类别已保存。")
            return redirect("directory:business_line_list")
    title = f"编辑专业类别：{line.name}" if line else "新增专业类别"
    return render(request, "core/form_page.html", {"form": form, "title": title})
