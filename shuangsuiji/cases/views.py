from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from shuangsuiji.core.listing import ScopedListView, require_perm
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.viewhelpers import error_text, service_call
from shuangsuiji.inspections import selectors as result_selectors

from . import selectors, services
from .choices import CaseKind, CaseStatus
from .filtersets import CaseFilterSet
from .forms import (
    CaseOpenForm,
    CloseForm,
    DecisionForm,
    FeedbackForm,
    ObjectionAnswerForm,
    ReceiptForm,
    RecheckForm,
    RiskReviewForm,
)
from .models import FollowUpCase
from .tables import CaseTable


class CaseListView(ScopedListView):
    model = FollowUpCase
    filterset_class = CaseFilterSet
    table_class = CaseTable
    title = "后续处置"

    def get_queryset(self):
        return selectors.case_list(self.request.user)


def _case(request, pk, action="view") -> FollowUpCase:
    require_perm(request.user, FollowUpCase, action)
    return get_object_or_404(selectors.case_list(request.user, action), pk=pk)


@login_required
def case_create(request, result_pk):
    require_perm(request.user, FollowUpCase, "add")
    result = get_object_or_404(result_selectors.result_list(request.user), pk=result_pk)
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        opened = service_call(
            request,
            lambda: services.case_open(
                user=request.user, result=result, kind=form.cleaned_data["kind"], data=form.data_for_kind()
            ),
            form=form,
        )
        if opened.ok:
            messages.success(request, "后续处置已登记。")
            return redirect("cases:case_detail", pk=opened.value.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"登记后续处置：{result.target.unit_name}"})


@login_required
def case_detail(request, pk):
    case = _case(request, pk)
    user = request.user
    can_change = user.has_perm("cases.change_followupcase") and case.status == CaseStatus.OPEN
    version = {"lock_version": case.lock_version}
    context = {
        "case": case,
        "recheck_form": RecheckForm(initial=version)
        if can_change and case.kind == CaseKind.RECTIFY and not case.recheck_on
        else None,
        "decision_form": DecisionForm(initial=version)
        if can_change and case.kind == CaseKind.PENALTY and not case.decided_on
        else None,
        "close_form": CloseForm(initial=version) if can_change else None,
        "receipt_form": ReceiptForm()
        if can_change and case.kind in (CaseKind.TRANSFER, CaseKind.NOTIFY) and not case.receipt_on
        else None,
        "feedback_form": FeedbackForm()
        if can_change and case.kind in (CaseKind.TRANSFER, CaseKind.NOTIFY) and not case.feedback_on
        else None,
        "can_publish": user.has_perm("cases.publish_followupcase")
        and case.kind == CaseKind.PENALTY
        and case.decided_on
        and not case.published_at,
        "risk_proposal": getattr(case, "risk_proposal", None) if case.kind == CaseKind.PENALTY else None,
        "risk_form": RiskReviewForm() if user.has_perm("cases.approve_followupcase") else None,
        "history": ObjectChange.objects.restrict(user).filter(object_type="cases.followupcase", object_id=str(case.pk))
        if user.has_perm("core.view_objectchange")
        else None,
    }
    return render(request, "cases/case_detail.html", context)


def _post(request, pk, form_class, fn, success, title=""):
    case = _case(request, pk, "change")
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, f"填写有误：{form.errors.as_text()}")
        return redirect("cases:case_detail", pk=pk)
    data = dict(form.cleaned_data) if form else {}
    if hasattr(form, "expected_version"):  # versioned forms (core.concurrency) carry the version they were loaded at
        data["expected_version"] = form.expected_version
    outcome = service_call(request, lambda: fn(case, data), form=form)
    if outcome:
        messages.success(request, success)
    elif form is not None and getattr(form, "conflict", None):
        # changed meanwhile: both versions side by side, input kept
        return render(request, "core/form_page.html", {"form": form, "title": f"{title}：{case}"})
    elif form is not None:
        messages.error(request, error_text(outcome.error))
    return redirect("cases:case_detail", pk=pk)


@login_required
@require_POST
def case_recheck(request, pk):
    call = lambda c, d: services.case_recheck(user=request.user, case=c, **d)  # noqa: E731
    return _post(request, pk, RecheckForm, call, "复查结果已登记。", "复查")


@login_required
@require_POST
def case_decide(request, pk):
    call = lambda c, d: services.case_decide(user=request.user, case=c, **d)  # noqa: E731
    return _post(request, pk, DecisionForm, call, "处罚决定已登记。", "处罚决定")


@login_required
@require_POST
def case_close(request, pk):
    call = lambda c, d: services.case_close(user=request.user, case=c, **d)  # noqa: E731
    return _post(request, pk, CloseForm, call, "处置已完结。", "完结")


@login_required
@require_POST
def case_publish(request, pk):
    require_perm(request.user, FollowUpCase, "publish")
    return _post(
        request, pk, None, lambda c, d: services.case_publish_penalty(user=request.user, case=c), "处罚信息已公示。"
    )


@login_required
@require_POST
def case_receipt(request, pk):
    require_perm(request.user, FollowUpCase, "change")
    return _post(
        request,
        pk,
        ReceiptForm,
        lambda c, d: services.case_transfer_receipt(user=request.user, case=c, **d),
        "已登记回执。",
    )


@login_required
@require_POST
def case_feedback(request, pk):
    require_perm(request.user, FollowUpCase, "change")
    return _post(
        request,
        pk,
        FeedbackForm,
        lambda c, d: services.case_transfer_feedback(user=request.user, case=c, **d),
        "已登记反馈。",
    )


@login_required
@require_POST
def risk_review(request, pk):
    require_perm(request.user, FollowUpCase, "approve")
    proposal = get_object_or_404(selectors.risk_proposals_pending(request.user), pk=pk)
    form = RiskReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"填写有误：{form.errors.as_text()}")
    elif service_call(request, lambda: services.risk_proposal_review(
        user=request.user, proposal=proposal, accept=form.cleaned_data["decision"] == "accept",
        note=form.cleaned_data["note"],
    )):  # fmt: skip
        messages.success(request, "已审核信用风险分类调整建议。")
    return redirect("cases:case_detail", pk=proposal.case_id)


@login_required
def objection_list(request):
    require_perm(request.user, FollowUpCase, "view")
    can_answer = request.user.has_perm("inspections.publish_inspectionresult")
    return render(request, "cases/objection_list.html", {
        "title": "结果异议", "objections": selectors.objections(request.user)[:200],
        "form": ObjectionAnswerForm() if can_answer else None,
    })  # fmt: skip


@login_required
@require_POST
def objection_answer(request, pk):
    from shuangsuiji.inspections.models import InspectionResult

    require_perm(request.user, InspectionResult, "publish")
    objection = get_object_or_404(selectors.objections(request.user), pk=pk)
    form = ObjectionAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"填写有误：{form.errors.as_text()}")
    elif service_call(request, lambda: services.objection_answer(user=request.user, objection=objection,
                                                                  **form.cleaned_data)):  # fmt: skip
        messages.success(request, "已答复异议。")
    return redirect("cases:objection_list")
