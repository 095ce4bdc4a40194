"""Role × region matrix over the whole URL map (issue #7): for every named route, who MAY reach it and
who may NOT.

Roles (accounts/roles.py), all on the demo data (`manage.py load_demo`, loaded at the suite's frozen instant):

    anon          not logged in                              → 302 to the login page (401/403 for the API)
    admin         系统管理员, 高青 370322
    approver      科室负责人/审批人, 高青
    inspector     执法人员, 高青
    oversight     监督员/纪检 (read-only), 高青
    clerk         内勤, 高青: reads like oversight, enters results from the paper record with scanned signatures
    other_county  系统管理员 of 沂源 370323: the most privileged role, so every refusal is the region's doing;
                  never reaches a 高青 object (403/404) and list pages show no 高青 row
    city          科室负责人/审批人 of 淄博市 370300: sees both counties

Every route the matrix declares is requested by every role (pages with GET, workflow endpoints with
POST, both for refused roles). A role outside `allow` must get 403/404 (405 for the other method) and
must not change anything: every write is audited, so the audit-log count and the workflow statuses of
the objects the routes act on must be unchanged. A role inside `allow` must not be refused (no 401/403/
404/405, no redirect to the login page); its POSTs run inside the test transaction and are rolled back.

A named route that the matrix does not declare fails `test_matrix_declares_every_named_route`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from conftest import FROZEN_AT

ROLES = ("anon", "admin", "approver", "inspector", "oversight", "clerk", "other_county", "city")
LOGGED_IN = frozenset(ROLES) - {"anon"}
PUBLIC = frozenset(ROLES)

# On one 高青 object (the other county is always refused):
GQ_VIEW = frozenset({"admin", "approver", "inspector", "oversight", "clerk", "city"})  # view / export
GQ_EDIT = frozenset({"admin", "approver", "inspector", "city"})  # add / change / enter
GQ_APPROVE = frozenset({"admin", "approver", "city"})  # approve / publish / draw / import
GQ_ADMIN = frozenset({"admin"})  # delete / manage
# Pages without an object (lists, new-forms, exports): the other county reaches them, scoped to its own rows.
ANY = LOGGED_IN
EDITORS = GQ_EDIT | {"other_county"}
APPROVERS = GQ_APPROVE | {"other_county"}
ADMINS = frozenset({"admin", "other_county"})
NOT_INSPECTOR = LOGGED_IN - {"inspector", "clerk"}  # 执法人员 and 内勤 may not see users or the audit log
GQ_ENTER = GQ_EDIT | {"clerk"}  # result entry (内勤 transcribe the paper record)
# Role review (issue #11): 执法人员 do not set risk classes, maintain the inspector directory or other inspectors'
# leave and 回避, create plans or write the 抽查事项清单; removing a 回避 declaration takes an approver.
GQ_EDIT_NOT_INSPECTOR = GQ_EDIT - {"inspector"}
EDITORS_NOT_INSPECTOR = EDITORS - {"inspector"}
NONE: frozenset = frozenset()

# Text that must not appear on a page the other county may open (codes and names of 高青 rows).
GQ_MARKERS = ("370322", "高青")


@dataclass(frozen=True)
class Route:
    url: Callable  # world -> path
    allow: frozenset
    method: str = "get"  # "get": a page (GET renders it); "post": a POST-only endpoint
    data: dict | Callable | None = None  # POST body (world -> dict when callable)
    api: bool = False  # token authentication instead of a session
    post_allowed: bool = True  # also POST as the allowed roles (rolled back); False when that needs setup
    leak_check: bool = True  # the other county's 200 pages must not mention 高青 (templates: example text)
    login_redirect_ok: bool = False  # e.g. logout sends everybody to the login page
    sample: tuple = ()  # expensive pages: request only these allowed roles (the same check runs for all)


def r(name, allow, *, args=None, method="get", **kw) -> Route:
    """Route by URL name; `args(world)` returns the reverse() kwargs."""
    return Route(url=lambda w: reverse(name, kwargs=args(w) if args else None), allow=allow, method=method, **kw)


def pk(attr):
    return lambda w: {"pk": getattr(w, attr)}


MATRIX: dict[str, Route] = {
    # --- core: home, audit trail, working-day calendar ---------------------------------------------
    "core:home": r("core:home", ANY),
    "core:audit_list": r("core:audit_list", NOT_INSPECTOR),
    "core:audit_detail": r("core:audit_detail", GQ_VIEW - {"inspector", "clerk"}, args=pk("audit_entry")),
    # The whole chain's size and head are system-wide: only province/city admins or 纪检 and superusers
    # (none of the matrix roles; tests/test_core_audit_anchoring.py covers the allowed side).
    "core:audit_verify": r("core:audit_verify", NONE, method="post"),
    "core:audit_heads": r("core:audit_heads", NONE),
    "core:audit_head_download": Route(
        url=lambda w: reverse("core:audit_head_download", args=["public_key.pem"]), allow=NONE
    ),
    # 我的任务: a user sees their own jobs; the world's job belongs to the 高青 administrator (region
    # administrators of 高青 would see it too; the other county's administrator does not)
    "core:job_list": r("core:job_list", ANY),
    "core:job_detail": r("core:job_detail", GQ_ADMIN, args=pk("job")),
    "core:job_progress": r("core:job_progress", GQ_ADMIN, args=pk("job")),
    "core:job_download": r("core:job_download", GQ_ADMIN, args=pk("job")),
    "core:job_retry": r("core:job_retry", GQ_ADMIN, method="post", args=pk("job")),
    "core:holiday_list": r("core:holiday_list", ANY),
    # The calendar is national data (issue #11): only a province-level administrator or a superuser changes it —
    # none of the matrix roles (the province is exercised in core/tests/test_calendar_proposals.py); county and
    # city administrators propose changes, which the province accepts or rejects.
    "core:holiday_add": r(
        "core:holiday_add", NONE, method="post", data={"date": "2031-01-02", "name": "越权测试", "is_workday": ""}
    ),
    "core:holiday_delete": r("core:holiday_delete", NONE, method="post", args=pk("holiday")),
    "core:calendar_year_confirm": r(
        "core:calendar_year_confirm", NONE, method="post", data={"year": "2031", "source": "越权测试"}
    ),
    "core:calendar_propose": r(
        "core:calendar_propose",
        ADMINS,
        method="post",
        data={"kind": "set_day", "date": "2031-01-05", "source": "测试依据", "reason": "测试理由"},
    ),  # fmt: skip
    "core:calendar_proposal_decide": r(
        "core:calendar_proposal_decide", NONE, method="post", args=pk("calendar_proposal"), data={"decision": "accept"}
    ),
    # --- accounts ------------------------------------------------------------------------------------
    "accounts:login": r("accounts:login", PUBLIC),
    "accounts:logout": r("accounts:logout", PUBLIC, method="post", login_redirect_ok=True),
    "accounts:password_change": r("accounts:password_change", ANY),
    "accounts:user_list": r("accounts:user_list", NOT_INSPECTOR),
    "accounts:user_create": r("accounts:user_create", ADMINS),
    "accounts:user_edit": r("accounts:user_edit", GQ_ADMIN, args=pk("gq_user")),
    "accounts:organization_list": r("accounts:organization_list", ANY),
    "accounts:organization_create": r("accounts:organization_create", ADMINS),
    "regions:region_list": r("regions:region_list", ANY),
    # --- directory: 一单两库 --------------------------------------------------------------------------
    # 专业类别 are national data: every system administrator maintains them (issue #15 point 7)
    "directory:business_line_list": r("directory:business_line_list", ADMINS),
    "directory:business_line_create": r("directory:business_line_create", ADMINS),
    "directory:business_line_edit": r(
        "directory:business_line_edit", ADMINS, args=lambda w: {"pk": w.business_line}, leak_check=False
    ),
    "directory:unit_list": r("directory:unit_list", ANY),
    "directory:unit_create": r("directory:unit_create", EDITORS),
    "directory:unit_export": r("directory:unit_export", ANY, sample=("oversight", "other_county")),
    "directory:unit_template": r("directory:unit_template", ANY, leak_check=False),
    "directory:unit_import": r("directory:unit_import", APPROVERS),
    "directory:unit_detail": r("directory:unit_detail", GQ_VIEW, args=pk("unit")),
    "directory:unit_edit": r("directory:unit_edit", GQ_EDIT, args=pk("unit")),
    "directory:unit_risk_add": r("directory:unit_risk_add", GQ_EDIT_NOT_INSPECTOR, args=pk("unit")),
    "directory:inspector_list": r("directory:inspector_list", ANY),
    "directory:inspector_create": r("directory:inspector_create", EDITORS_NOT_INSPECTOR),
    "directory:inspector_export": r("directory:inspector_export", ANY),
    "directory:inspector_template": r("directory:inspector_template", ANY, leak_check=False),
    "directory:inspector_import": r("directory:inspector_import", APPROVERS),
    "directory:inspector_detail": r("directory:inspector_detail", GQ_VIEW, args=pk("inspector")),
    # w.inspector, w.leave and w.conflict belong to a colleague of the 执法人员 (own ones: test_inspector_declares_own)
    "directory:inspector_edit": r("directory:inspector_edit", GQ_EDIT_NOT_INSPECTOR, args=pk("inspector")),
    "directory:leave_add": r("directory:leave_add", GQ_EDIT_NOT_INSPECTOR, args=pk("inspector")),
    "directory:conflict_add": r("directory:conflict_add", GQ_EDIT_NOT_INSPECTOR, args=pk("inspector")),
    "directory:leave_delete": r("directory:leave_delete", GQ_EDIT_NOT_INSPECTOR, method="post", args=pk("leave")),
    "directory:conflict_delete": r("directory:conflict_delete", GQ_APPROVE, method="post", args=pk("conflict")),
    "directory:expert_list": r("directory:expert_list", ANY),
    "directory:expert_create": r("directory:expert_create", EDITORS),
    "directory:expert_export": r("directory:expert_export", ANY),
    "directory:expert_template": r("directory:expert_template", ANY, leak_check=False),
    "directory:expert_import": r("directory:expert_import", APPROVERS),
    "directory:expert_edit": r("directory:expert_edit", GQ_EDIT, args=pk("expert")),
    "directory:item_list": r("directory:item_list", ANY),
    "directory:item_create": r("directory:item_create", EDITORS_NOT_INSPECTOR),
    "directory:item_export": r("directory:item_export", ANY),
    "directory:item_template": r("directory:item_template", ANY, leak_check=False),
    "directory:item_import": r("directory:item_import", APPROVERS),
    "directory:item_claim_list": r("directory:item_claim_list", EDITORS_NOT_INSPECTOR),
    "directory:item_detail": r("directory:item_detail", GQ_VIEW, args=pk("item")),
    "directory:item_edit": r("directory:item_edit", GQ_EDIT, args=pk("draft_item")),
    "directory:item_publish": r("directory:item_publish", GQ_APPROVE, method="post", args=pk("draft_item")),
    "directory:item_new_version": r(
        "directory:item_new_version", GQ_EDIT_NOT_INSPECTOR, method="post", args=pk("item")
    ),
    # a province item: every county may claim it, so only the role decides
    "directory:item_claim": r("directory:item_claim", EDITORS_NOT_INSPECTOR, method="post", args=pk("province_item")),
    "directory:import_list": r("directory:import_list", ANY),
    "directory:import_detail": r("directory:import_detail", GQ_VIEW, args=pk("batch")),
    "directory:import_errors": r("directory:import_errors", GQ_VIEW, args=pk("batch")),
    "directory:import_commit": r("directory:import_commit", GQ_APPROVE, method="post", args=pk("batch")),
    "directory:import_cancel": r("directory:import_cancel", GQ_APPROVE, method="post", args=pk("batch")),
    # --- plans and tasks -------------------------------------------------------------------------------
    "plans:plan_list": r("plans:plan_list", ANY),
    "plans:plan_create": r("plans:plan_create", EDITORS_NOT_INSPECTOR),
    "plans:plan_detail": r("plans:plan_detail", GQ_VIEW, args=pk("plan")),
    "plans:plan_edit": r("plans:plan_edit", GQ_EDIT, args=pk("plan")),
    # 调整 a published plan needs `publish` (every action: test_plan_transitions_need_their_permission)
    "plans:plan_transition": r(
        "plans:plan_transition",
        GQ_APPROVE,
        method="post",
        args=lambda w: {"pk": w.plan, "action": "revise"},
        data={"text": "越权调整测试"},
    ),
    "plans:plan_version": r("plans:plan_version", GQ_VIEW, args=lambda w: {"pk": w.plan, "version": w.plan_version}),
    "plans:task_create": r("plans:task_create", GQ_EDIT, args=lambda w: {"plan_pk": w.plan}),
    "plans:task_preview": r("plans:task_preview", GQ_VIEW, method="post", args=lambda w: {"plan_pk": w.plan}),
    "plans:task_list": r("plans:task_list", ANY),
    "plans:task_ready": r("plans:task_ready", ANY),
    "plans:task_detail": r("plans:task_detail", GQ_VIEW, args=pk("task")),
    "plans:task_edit": r("plans:task_edit", GQ_EDIT, args=pk("task")),
    "plans:task_delete": r("plans:task_delete", GQ_ADMIN, method="post", args=pk("task")),
    "plans:task_item_add": r("plans:task_item_add", GQ_EDIT, method="post", args=pk("task")),
    "plans:task_item_remove": r(
        "plans:task_item_remove", GQ_EDIT, method="post", args=lambda w: {"pk": w.task, "item_pk": w.task_item}
    ),
    "plans:stratum_rule_save": r(
        "plans:stratum_rule_save", GQ_EDIT, method="post", args=pk("task"), data={"stratum": "A", "rate": "50"}
    ),
    "plans:stratum_rule_delete": r(
        "plans:stratum_rule_delete", GQ_EDIT, method="post", args=lambda w: {"pk": w.task, "rule_pk": w.rule}
    ),
    "plans:task_suggest": r("plans:task_suggest", GQ_EDIT, method="post", args=pk("task"), data={"source": "gaoqing"}),
    # --- draws -----------------------------------------------------------------------------------------
    "draws:draw_list": r("draws:draw_list", ANY),
    "draws:record_pdf_batch": r("draws:record_pdf_batch", ANY, method="post"),
    "draws:draw_start": r("draws:draw_start", GQ_APPROVE, args=lambda w: {"task_pk": w.undrawn_task}),
    "draws:draw_detail": r("draws:draw_detail", GQ_VIEW, args=pk("draw")),
    "draws:draw_values": r("draws:draw_values", GQ_APPROVE, method="post", args=pk("committed_draw")),
    # allowed roles would fetch drand over the network; the demo draws use 快乐8 (404 for everyone allowed)
    "draws:draw_fetch_drand": r(
        "draws:draw_fetch_drand", GQ_APPROVE, method="post", args=pk("committed_draw"), post_allowed=False
    ),
    "draws:draw_witness": r(
        "draws:draw_witness",
        GQ_APPROVE,
        method="post",
        args=pk("committed_draw"),
        data={"name": "越权", "organization": "测试", "role": "discipline"},
    ),
    # On-site draw (issue #17): a witness is invited by a clerk; only the invited login (the 纪检 user of the
    # world's pending witness) commits, reveals and confirms; any viewer in scope sees the witness page.
    "draws:witness_tool": r("draws:witness_tool", PUBLIC),
    "draws:witness_invite": r(
        "draws:witness_invite",
        GQ_APPROVE,
        method="post",
        args=lambda w: {"task_pk": w.undrawn_task},
        data={"name": "越权", "organization": "测试", "role": "public"},
    ),  # fmt: skip
    "draws:witness_page": r("draws:witness_page", GQ_VIEW, args=pk("witness")),
    "draws:witness_commit": r(
        "draws:witness_commit",
        frozenset({"oversight"}),
        method="post",
        args=pk("witness"),
        data={"commitment": "ab" * 32},
    ),  # fmt: skip
    "draws:witness_reveal": r(
        "draws:witness_reveal", frozenset({"oversight"}), method="post", args=pk("witness"), data={"secret": "越权"}
    ),
    "draws:witness_confirm": r("draws:witness_confirm", frozenset({"oversight"}), method="post", args=pk("witness")),
    "draws:source_enter": r(
        "draws:source_enter",
        GQ_APPROVE,
        method="post",
        args=pk("committed_source"),
        data={"numbers": "01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20", "announcement_ref": "越权录入"},
    ),  # fmt: skip
    "draws:source_confirm": r(
        "draws:source_confirm",
        GQ_APPROVE,
        method="post",
        args=pk("committed_source"),
        data={"numbers": "01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20"},
    ),  # fmt: skip
    "draws:source_announcement": r("draws:source_announcement", GQ_VIEW, args=pk("announced_source")),
    "draws:draw_lock": r("draws:draw_lock", GQ_APPROVE, method="post", args=pk("draw")),
    "draws:draw_cancel": r(
        "draws:draw_cancel", GQ_APPROVE, method="post", args=pk("draw"), data={"reason": "越权作废"}
    ),
    "draws:draw_verify": r("draws:draw_verify", GQ_VIEW, method="post", args=pk("draw")),
    "draws:draw_file": r("draws:draw_file", GQ_VIEW, args=lambda w: {"pk": w.draw, "kind": "manifest"}),
    "draws:draw_record": r("draws:draw_record", GQ_VIEW, args=pk("draw")),
    # 化名对照 (salts): 纪检 sees all, an inspector only their own entry (tests: draws/tests/test_pseudonyms.py)
    "draws:draw_roster_key": r("draws:draw_roster_key", frozenset({"oversight", "inspector"}), args=pk("draw")),
    # WeasyPrint takes a second a page: the read-only role stands for all (same `_draw` check as draw_record)
    "draws:draw_record_pdf": r("draws:draw_record_pdf", GQ_VIEW, args=pk("draw"), sample=("oversight",)),
    "draws:target_substitute": r(
        "draws:target_substitute", GQ_APPROVE, method="post", args=pk("target"), data={"reason": "越权递补"}
    ),
    "draws:target_cancel": r(
        "draws:target_cancel", GQ_APPROVE, method="post", args=pk("target"), data={"reason": "越权取消"}
    ),
    # after the draw (issue #15 point 6): 更换执法人员, its sign-off beyond 15% of the groups, experts
    "draws:inspector_replace": r(
        "draws:inspector_replace", GQ_APPROVE, method="post", args=pk("target"),
        data=lambda w: {"inspector": w.target_member, "reason_kind": "illness", "reason": "越权更换执法人员"},
    ),  # fmt: skip
    "draws:inspector_change_decide": r(
        "draws:inspector_change_decide", GQ_APPROVE, method="post", args=pk("inspector_change"),
        data={"approve": "1", "note": "越权签批"},
    ),  # fmt: skip
    "draws:expert_draw": r("draws:expert_draw", GQ_APPROVE, method="post", args=pk("target")),
    "draws:expert_designate": r(
        "draws:expert_designate", GQ_APPROVE, method="post", args=pk("target"),
        data=lambda w: {"expert": w.expert, "reason": "越权指定专家"},
    ),  # fmt: skip
    # --- 公示门户 /gs/: public ---------------------------------------------------------------------------
    "disclosure:home": r("disclosure:home", PUBLIC),
    "disclosure:item_list": r("disclosure:item_list", PUBLIC),
    "disclosure:item_detail": r("disclosure:item_detail", PUBLIC, args=pk("item")),
    "disclosure:plan_list": r("disclosure:plan_list", PUBLIC),
    "disclosure:plan_detail": r("disclosure:plan_detail", PUBLIC, args=pk("plan")),
    "disclosure:task_list": r("disclosure:task_list", PUBLIC),
    "disclosure:task_detail": r("disclosure:task_detail", PUBLIC, args=lambda w: {"code": w.task_code}),
    "disclosure:draw_list": r("disclosure:draw_list", PUBLIC),
    "disclosure:draw_detail": r("disclosure:draw_detail", PUBLIC, args=lambda w: {"code": w.draw_code}),
    "disclosure:draw_verify": r("disclosure:draw_verify", PUBLIC, args=lambda w: {"code": w.draw_code}),
    "disclosure:draw_file": r("disclosure:draw_file", PUBLIC, args=lambda w: {"code": w.draw_code, "kind": "manifest"}),
    "disclosure:result_search": r("disclosure:result_search", PUBLIC),
    "disclosure:commitment_log": r("disclosure:commitment_log", PUBLIC),
    "disclosure:verifier_download": r("disclosure:verifier_download", PUBLIC),
    "disclosure:draw_replacements": r(
        "disclosure:draw_replacements", PUBLIC, args=lambda w: {"code": w.draw_code}
    ),
    "disclosure:draw_unit_proof": Route(
        url=lambda w: reverse("disclosure:draw_unit_proof", kwargs={"code": w.draw_code, "unit_id": w.draw_unit_code}),
        allow=PUBLIC,
    ),
    "disclosure:penalty_list": r("disclosure:penalty_list", PUBLIC),
    "disclosure:result_objection": r(
        "disclosure:result_objection", PUBLIC, args=lambda w: {"pk": w.result_published}, post_allowed=False
    ),
    # --- dashboards (scoped to the user's own region; see test_dashboards_refuse_another_county) ----------
    "dashboards:kpi": r("dashboards:kpi", ANY),
    "dashboards:monthly_report": r("dashboards:monthly_report", ANY),
    "dashboards:fairness": r("dashboards:fairness", ANY),
    "dashboards:work_summary": r("dashboards:work_summary", ANY),
    "dashboards:ledger": r("dashboards:ledger", ANY),
    "dashboards:task_report": r("dashboards:task_report", GQ_VIEW, args=pk("task")),
    # --- inspections -------------------------------------------------------------------------------------
    "inspections:result_list": r("inspections:result_list", ANY),
    "inspections:result_export": r("inspections:result_export", ANY),
    "inspections:publish_queue": r("inspections:publish_queue", APPROVERS),
    "inspections:progress": r("inspections:progress", ANY),
    "inspections:result_detail": r("inspections:result_detail", GQ_VIEW, args=pk("result_draft")),
    "inspections:result_save": r("inspections:result_save", GQ_ENTER, method="post", args=pk("result_draft")),
    # Signing is the assigned officer's own act: others with the right to enter get a message (object check).
    "inspections:result_sign": r("inspections:result_sign", GQ_ENTER, method="post", args=pk("result_draft")),
    "inspections:result_sign_paper": r(
        "inspections:result_sign_paper", GQ_APPROVE | {"clerk"}, method="post", args=pk("result_draft")
    ),
    "inspections:result_return": r(
        "inspections:result_return",
        GQ_APPROVE,
        method="post",
        args=pk("result_submitted"),
        data={"reason": "越权退回"},
    ),
    "inspections:result_publish": r(
        "inspections:result_publish", GQ_APPROVE, method="post", args=pk("result_submitted")
    ),
    "inspections:result_correct": r("inspections:result_correct", GQ_APPROVE, args=pk("result_published")),
    "inspections:attachment_upload": r(
        "inspections:attachment_upload", GQ_ENTER, method="post", args=pk("result_draft")
    ),
    "inspections:attachment_download": r("inspections:attachment_download", GQ_VIEW, args=pk("attachment")),
    "inspections:attachment_delete": r("inspections:attachment_delete", GQ_ENTER, method="post", args=pk("attachment")),
    # 检查类型 (issue #15 point 1): importing an upper-level task takes `import` (科室负责人, administrators);
    # a non-random check (投诉举报…) is recorded by anyone who adds (执法人员 too)
    "inspections:upper_task_import": r("inspections:upper_task_import", APPROVERS),
    "inspections:upper_task_template": r("inspections:upper_task_template", ANY, leak_check=False),
    "inspections:non_random_create": r("inspections:non_random_create", EDITORS),
    # 作废 a mistaken record (issue #15 point 1): an import by whoever imports, a non-random record by whoever draws
    # (科室负责人, administrators), never by the 执法人员 who recorded it
    "inspections:record_cancel": r(
        "inspections:record_cancel", GQ_APPROVE, method="post", args=pk("recorded_draw"), data={"reason": "越权作废"}
    ),
    # 检查表: 科室负责人 and administrators (issue #15 point 4)
    "inspections:checklist_list": r("inspections:checklist_list", APPROVERS),
    "inspections:checklist_create": r("inspections:checklist_create", APPROVERS),
    "inspections:checklist_edit": r("inspections:checklist_edit", GQ_APPROVE, args=pk("checklist")),
    # --- cases -------------------------------------------------------------------------------------------
    "cases:case_list": r("cases:case_list", ANY),
    "cases:case_create": r("cases:case_create", GQ_EDIT, args=lambda w: {"result_pk": w.result_published}),
    "cases:case_detail": r("cases:case_detail", GQ_VIEW, args=pk("case_rectify")),
    "cases:case_recheck": r("cases:case_recheck", GQ_EDIT, method="post", args=pk("case_rectify")),
    "cases:case_decide": r("cases:case_decide", GQ_EDIT, method="post", args=pk("case_penalty")),
    "cases:case_publish": r("cases:case_publish", GQ_APPROVE, method="post", args=pk("case_penalty")),
    "cases:case_close": r("cases:case_close", GQ_EDIT, method="post", args=pk("case_rectify")),
    "cases:case_receipt": r(
        "cases:case_receipt",
        GQ_EDIT,
        method="post",
        args=pk("case_rectify"),
        data={"receipt_on": "2026-06-15", "feedback_due": "2026-07-15"},
    ),
    "cases:risk_review": r(
        "cases:risk_review",
        GQ_APPROVE,
        method="post",
        args=pk("risk_proposal"),
        data={"decision": "reject", "note": "权限测试"},
    ),
    "cases:objection_list": r("cases:objection_list", ANY),
    "cases:objection_answer": r(
        "cases:objection_answer",
        GQ_APPROVE,
        method="post",
        args=pk("objection"),
        data={"status": "rejected", "answer": "权限测试"},
    ),
    "cases:case_feedback": r(
        "cases:case_feedback",
        GQ_EDIT,
        method="post",
        args=pk("case_rectify"),
        data={"feedback_on": "2026-06-15", "note": "已处理"},
    ),
    # --- paperwork: 执法文书 (issuing a number is a write: POST, add on the result's region) -------------
    "paperwork:index": r("paperwork:index", ANY),
    "paperwork:numbering_rules": r(
        "paperwork:numbering_rules",
        ANY,
        data={"kind": "notice", "prefix": "越权", "width": "3"},
        sample=("admin",),
    ),
    "paperwork:gsxt_export": r("paperwork:gsxt_export", ANY),
    # 省级平台上报: publish (approvers and administrators of any county see their own scope's figures)
    "paperwork:outbound": r("paperwork:outbound", APPROVERS),
    "paperwork:print_download": r("paperwork:print_download", GQ_VIEW, args=pk("document_print")),
    "paperwork:case_card_export": r("paperwork:case_card_export", ANY),
    "paperwork:task_documents": r("paperwork:task_documents", GQ_VIEW, args=pk("task")),
    "paperwork:task_batch": r(
        "paperwork:task_batch",
        GQ_EDIT,
        method="post",
        args=pk("task"),
        data={"kind": "notice", "fmt": "docx"},
        sample=("inspector",),
    ),
    "paperwork:result_document": r(
        "paperwork:result_document",
        GQ_EDIT,
        method="post",
        args=pk("result_published"),
        data={"kind": "record", "fmt": "docx"},
    ),
    # --- API /api/v1/ (token authentication; read-only viewsets answer POST with 403/405) -----------------
    "favicon": r("favicon", PUBLIC),
    "api_schema": r("api_schema", PUBLIC),
    "api_docs": r("api_docs", PUBLIC),
    "api_redoc": r("api_redoc", PUBLIC),
    "api-root": r("api-root", ANY, api=True),
    "regulatedunit-list": r("regulatedunit-list", ANY, api=True),
    "regulatedunit-detail": r("regulatedunit-detail", GQ_VIEW, api=True, args=lambda w: {"credit_code": w.unit_code}),
    "regulatedunit-sync": r(
        "regulatedunit-sync",
        APPROVERS,
        api=True,
        method="post",
        post_allowed=False,
        data=lambda w: {"mode": "update", "source": "越权测试", "units": [w.sync_record]},
    ),
    "inspector-list": r("inspector-list", ANY, api=True),
    "inspector-detail": r("inspector-detail", GQ_VIEW, api=True, args=pk("inspector")),
    "expert-list": r("expert-list", ANY, api=True),
    "expert-detail": r("expert-detail", GQ_VIEW, api=True, args=pk("expert")),
    "inspectionitem-list": r("inspectionitem-list", ANY, api=True),
    "inspectionitem-detail": r("inspectionitem-detail", GQ_VIEW, api=True, args=pk("item")),
    "annualplan-list": r("annualplan-list", ANY, api=True),
    "annualplan-detail": r("annualplan-detail", GQ_VIEW, api=True, args=pk("plan")),
    "task-list": r("task-list", ANY, api=True),
    "task-detail": r("task-detail", GQ_VIEW, api=True, args=pk("task")),
    "draw-list": r("draw-list", ANY, api=True),
    "draw-detail": r("draw-detail", GQ_VIEW, api=True, args=pk("draw")),
    "draw-files": r("draw-files", GQ_VIEW, api=True, args=lambda w: {"pk": w.draw, "kind": "manifest"}),
    "inspectorchange-list": r("inspectorchange-list", ANY, api=True),
    "inspectorchange-detail": r("inspectorchange-detail", GQ_VIEW, api=True, args=pk("inspector_change")),
    "expertattachment-list": r("expertattachment-list", ANY, api=True),
    "expertattachment-detail": r("expertattachment-detail", GQ_VIEW, api=True, args=pk("expert_attachment")),
    "inspectionresult-list": r("inspectionresult-list", ANY, api=True),
    "uppertask-list": r(
        "uppertask-list",
        APPROVERS,
        api=True,
        method="post",
        post_allowed=False,
        data=lambda w: {
            "plan": w.plan,
            "name": "越权导入",
            "upper_level": "city",
            "upper_task_no": "越权-1",
            "window_start": "2026-07-01",
            "window_end": "2026-08-01",
            "units": [{"credit_code": w.unit_code}],
        },
    ),  # fmt: skip
    "inspectionresult-detail": r("inspectionresult-detail", GQ_VIEW, api=True, args=pk("result_published")),
    "followupcase-list": r("followupcase-list", ANY, api=True),
    "followupcase-detail": r("followupcase-detail", GQ_VIEW, api=True, args=pk("case_rectify")),
    "region-list": r("region-list", ANY, api=True),
    "region-detail": r("region-detail", GQ_VIEW, api=True, args=lambda w: {"code": "370322"}),
    "organization-list": r("organization-list", ANY, api=True),
    "organization-detail": r("organization-detail", GQ_VIEW, api=True, args=pk("gq_org")),
    "objectchange-list": r("objectchange-list", NOT_INSPECTOR, api=True),
    "objectchange-detail": r("objectchange-detail", GQ_VIEW - {"inspector", "clerk"}, api=True, args=pk("audit_entry")),
}

SKIP_NAMESPACES = ("admin",)  # Django admin: superusers only, its own login


def named_routes(patterns=None, namespace=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from named_routes(entry.url_patterns, f"{namespace}:{ns}".strip(":") if ns else namespace)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                yield f"{namespace}:<unnamed {entry.pattern}>"
            else:
                yield f"{namespace}:{entry.name}" if namespace else entry.name


def test_matrix_declares_every_named_route():
    found = {name for name in named_routes() if not name.startswith(SKIP_NAMESPACES)}
    missing = sorted(found - MATRIX.keys())
    stale = sorted(MATRIX.keys() - found)
    assert not missing, f"routes without a permission matrix entry (declare who may reach them): {missing}"
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


# --- the data: the demo, loaded once per module inside a transaction that is rolled back ------------------


def committed_but_not_drawn(users, bureau):
    """The matrix's own draw waiting for its public value: next year's 高青 plan, published, one task frozen
    against tomorrow's 快乐8 draw (not the demo's waiting draw, which depends on the day the demo loads)."""
    from shuangsuiji.draws import services as draw_services
    from shuangsuiji.plans import testing

    _plan, task = testing.published_plan_with_task(
        author=users["inspector"], approver=users["approver"], organization=bureau, year=FROZEN_AT.year + 1
    )
    day = FROZEN_AT.date() + dt.timedelta(days=1)
    sources = draw_services.build_sources(lottery={"game": "kl8", "issue": f"{day:%Y}{day:%j}", "draw_date": day})
    draw = draw_services.draw_freeze(user=users["approver"], task=task, sources=sources)
    assert draw.status == "committed"
    return draw


def build_world() -> SimpleNamespace:
    from shuangsuiji.accounts.models import Organization, User
    from shuangsuiji.accounts.roles import Role
    from shuangsuiji.accounts.tokens import token_issue
    from shuangsuiji.cases.models import FollowUpCase
    from shuangsuiji.core.models import CalendarProposal, HolidayOverride, ObjectChange
    from shuangsuiji.core.permissions import SYSTEM
    from shuangsuiji.directory import services as directory_services
    from shuangsuiji.directory.choices import ImportMode, ImportStatus
    from shuangsuiji.directory.models import (
        BusinessLine,
        ConflictDeclaration,
        Expert,
        InspectionItem,
        Inspector,
        LeavePeriod,
        RegulatedUnit,
    )
    from shuangsuiji.directory.tests.factories import UNIT_HEADERS, csv_bytes, unit_row
    from shuangsuiji.draws import services as draw_services
    from shuangsuiji.draws.models import Draw, DrawTarget, ExpertAttachment, InspectorChange
    from shuangsuiji.inspections.models import ChecklistTemplate, InspectionResult, ResultAttachment
    from shuangsuiji.plans.models import AnnualPlan, Task
    from shuangsuiji.regions.models import Region

    call_command("load_demo", stdout=io.StringIO())
    gq = Region.objects.get(code="370322")
    yy_admin = User(
        username="yy_admin", full_name="沂源管理员", role=Role.ADMIN,
        organization=Organization.objects.get(name="沂源县卫生健康局"),
    )  # fmt: skip
    yy_admin.set_unusable_password()
    yy_admin.save()
    users = {
        "admin": User.objects.get(username="admin"),
        "approver": User.objects.get(username="gq_leader"),
        "inspector": User.objects.get(username="gq_inspector"),
        "oversight": User.objects.get(username="gq_jijian"),
        "clerk": User.objects.get(username="gq_clerk"),
        "other_county": yy_admin,
        "city": User.objects.get(username="zb_leader"),
    }
    assert users["approver"].role == Role.APPROVER and users["oversight"].role == Role.OVERSIGHT
    sessions, tokens = {}, {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        tokens[role] = token_issue(user=SYSTEM, owner=user, name="权限矩阵测试")[1]

    admin = users["admin"]
    plan = AnnualPlan.objects.get(region=gq, status="published")
    draw = Draw.objects.filter(region=gq, status="locked").order_by("pk").first()
    drawn_task_ids = Draw.objects.values_list("task_id", flat=True)
    task = draw.task
    results = InspectionResult.objects.filter(region=gq)
    draft = results.filter(status="draft").first()
    attachment = ResultAttachment.objects.create(
        result=draft, file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="permission-matrix.pdf"),
        original_name="检查笔录.pdf", content_type="application/pdf", size=15, sha256="0" * 64, uploaded_by=admin,
    )  # fmt: skip
    checklist = ChecklistTemplate.objects.create(name="高青县通用检查表（权限测试）", region=gq)
    announced = draw.sources.order_by("position").first()
    announced.announcement_name, announced.announcement_sha256 = "开奖公告.pdf", "0" * 64
    announced.announcement_file.save("permission-matrix.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    batch = directory_services.import_prepare(
        user=admin, kind="unit", mode=ImportMode.CREATE,
        data=csv_bytes(UNIT_HEADERS, [unit_row(990001)]), filename="permission-matrix.csv",
    )  # fmt: skip
    assert batch.status == ImportStatus.READY, batch.errors
    unit = RegulatedUnit.objects.filter(region=gq, status="active").order_by("pk").first()
    cases = FollowUpCase.objects.filter(region=gq, status="open")
    committed_draw = committed_but_not_drawn(users, Organization.objects.get(name="高青县卫生健康局"))
    from shuangsuiji.cases.models import ResultObjection, RiskProposal

    penalty_case = cases.filter(kind="penalty").first()
    risk_proposal = RiskProposal.objects.filter(case=penalty_case, status="pending").first()
    risk_proposal = risk_proposal or RiskProposal.objects.create(
        case=penalty_case, unit=penalty_case.unit, region=penalty_case.region, proposed_level="C", reason="权限测试",
    )  # fmt: skip
    objection = ResultObjection.objects.create(
        result=results.filter(status="published").order_by("pk").first(), region=gq, contact_name="权限测试",
        contact_phone="13800000000", reason="权限矩阵测试异议内容",
    )  # fmt: skip
    from shuangsuiji.paperwork import services as paperwork_services

    paperwork_services.document_file(user=admin, kind="notice", fmt="docx",
                                     result=results.filter(status="published").order_by("pk").first())  # fmt: skip
    document_print = paperwork_services.DocumentPrint.objects.order_by("-pk").first()
    colleagues = Inspector.objects.filter(organization__region=gq).exclude(user=users["inspector"])
    first_target = DrawTarget.objects.filter(draw=draw, role="selected", status="active").order_by("pk").first()
    member = first_target.assignments.order_by("pk").first()
    inspector_change = InspectorChange.objects.create(  # awaiting the approver's sign-off (issue #15 point 6)
        draw=draw, target=first_target, out_inspector=member.inspector, out_id=member.inspector_code,
        out_name=member.inspector_name, in_inspector=member.inspector, in_id=member.inspector_code,
        in_name=member.inspector_name, position=1, reason_kind="illness", reason="权限矩阵测试",
        status="pending", requested_by=users["inspector"], requested_at=FROZEN_AT,
    )  # fmt: skip
    expert_attachment = ExpertAttachment.objects.filter(target__draw__region=gq).order_by("pk").first()
    expert_attachment = expert_attachment or ExpertAttachment.objects.create(
        target=first_target, expert=Expert.objects.filter(region=gq).order_by("pk").first(), expert_key="ZJ0",
        expert_name="权限矩阵测试", mode="designated", reason="权限矩阵测试", created_by=admin, created_at=FROZEN_AT,
    )  # fmt: skip
    undrawn_task = Task.objects.filter(plan=plan).exclude(pk__in=drawn_task_ids).first()
    w = SimpleNamespace(
        users=users, sessions=sessions, tokens=tokens,
        unit=unit.pk, unit_code=unit.credit_code,
        sync_record={"credit_code": unit.credit_code, "name": "越权改名", "region": "370322", "status": "closed"},
        yy_unit=RegulatedUnit.objects.filter(region__code="370323").order_by("pk").first().pk,
        inspector=colleagues.order_by("pk").first().pk,
        leave=LeavePeriod.objects.filter(inspector__in=colleagues).first().pk,
        conflict=ConflictDeclaration.objects.filter(inspector__in=colleagues).first().pk,
        own_inspector=Inspector.objects.get(user=users["inspector"]).pk,
        expert=Expert.objects.filter(region=gq).order_by("pk").first().pk,
        item=InspectionItem.objects.filter(region=gq, status="published").order_by("pk").first().pk,
        draft_item=InspectionItem.objects.filter(region=gq, status="draft").order_by("pk").first().pk,
        province_item=InspectionItem.objects.filter(region__code="370000", status="published").order_by("pk")
        .first().pk,
        batch=batch.pk,
        plan=plan.pk, plan_version=plan.versions.order_by("version").first().version,
        task=task.pk, task_code=task.code,
        task_item=task.items.first().pk, rule=task.stratum_rules.first().pk,
        undrawn_task=undrawn_task.pk,
        witness=draw_services.witness_invite(
            user=users["approver"], task=undrawn_task, witness_user=users["oversight"]
        ).pk,
        draw=draw.pk, draw_code=draw.code,
        recorded_draw=Draw.objects.get(region=gq, origin="recorded", task__check_reason="referral").pk,
        draw_unit_code=DrawTarget.objects.filter(draw=draw).order_by("pk").first().unit_code,
        committed_draw=committed_draw.pk,
        committed_source=committed_draw.sources.order_by("position").first().pk,
        announced_source=announced.pk,
        target=first_target.pk, target_member=member.inspector_id, inspector_change=inspector_change.pk,
        expert_attachment=expert_attachment.pk,
        result_draft=draft.pk,
        result_submitted=results.filter(status="submitted").first().pk,
        result_published=results.filter(status="published").order_by("pk").first().pk,
        attachment=attachment.pk, checklist=checklist.pk, document_print=document_print.pk,
        business_line=BusinessLine.objects.get(code="zyy").pk,
        case_rectify=cases.filter(kind="rectify").first().pk, case_penalty=cases.filter(kind="penalty").first().pk,
        risk_proposal=risk_proposal.pk, objection=objection.pk,
        audit_entry=ObjectChange.objects.filter(region_code="370322").order_by("pk").first().pk,
        holiday=HolidayOverride.objects.create(date="2031-01-03", is_workday=False, name="权限测试").pk,
        calendar_proposal=CalendarProposal.objects.create(
            kind="set_day", date="2031-01-04", source="权限测试", reason="权限测试", region_code="370322",
            proposed_by=users["admin"],
        ).pk,
        gq_user=users["inspector"].pk,
        gq_org=Organization.objects.get(name="高青县卫生健康局").pk,
        job=_finished_job(users["admin"]).pk,
    )  # fmt: skip
    return w


def _finished_job(owner):
    """A finished export job of the 高青 administrator, with its result file."""
    from shuangsuiji.core import jobs
    from shuangsuiji.core.testing import run_jobs

    job = jobs.start(user=owner, kind="directory.export", title="导出检查对象名录", params={"export": "unit"})
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.stored_file
    return job


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(FROZEN_AT, tick=False):  # the tests' frozen clock
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            data = build_world()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield data
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def state(w) -> dict:
    """Everything a refused request could have changed: the audit log (every write is audited) plus the
    workflow status and row counts of what the routes act on."""
    from django.apps import apps

    from shuangsuiji.core.models import ObjectChange

    def status(label, pk, field="status"):
        return apps.get_model(label).objects.filter(pk=pk).values_list(field, flat=True).first()

    snapshot = {
        "audit": ObjectChange.objects.count(),
        "plan": (status("plans.AnnualPlan", w.plan), status("plans.AnnualPlan", w.plan, "version")),
        "draw": status("draws.Draw", w.draw),
        "committed_draw": status("draws.Draw", w.committed_draw),
        "recorded_draw": status("draws.Draw", w.recorded_draw),
        "witness": [status("draws.DrawWitness", w.witness, f) for f in ("commitment", "confirmed_at")],
        "committed_source": [status("draws.PublicSource", w.committed_source, f) for f in
                             ("value", "entered_by", "confirmed_by", "announcement_ref")],
        "target": status("draws.DrawTarget", w.target),
        "inspector_change": status("draws.InspectorChange", w.inspector_change),
        "results": [status("inspections.InspectionResult", getattr(w, a)) for a in
                    ("result_draft", "result_submitted", "result_published")],
        "cases": [status("cases.FollowUpCase", w.case_rectify), status("cases.FollowUpCase", w.case_penalty),
                  status("cases.FollowUpCase", w.case_penalty, "decided_on")],
        "item": status("directory.InspectionItem", w.draft_item),
        "batch": status("directory.ImportBatch", w.batch),
        "unit": (status("directory.RegulatedUnit", w.unit), status("directory.RegulatedUnit", w.unit, "name")),
        "calendar_proposal": status("core.CalendarProposal", w.calendar_proposal),
    }  # fmt: skip
    for label in (
        "accounts.User", "accounts.Organization", "core.HolidayOverride", "core.CalendarYear", "core.CalendarProposal",
        "directory.RegulatedUnit", "directory.RiskRating", "directory.Inspector", "directory.LeavePeriod",
        "directory.ConflictDeclaration", "directory.Expert", "directory.InspectionItem", "directory.ImportBatch",
        "plans.AnnualPlan", "plans.Task", "plans.TaskItem", "plans.TaskStratumRule", "draws.Draw",
        "draws.DrawWitness", "draws.TargetChange", "draws.InspectorChange", "draws.ExpertAttachment",
        "draws.InspectorAssignment", "inspections.ChecklistTemplate", "inspections.ResultAttachment",
        "inspections.ResultSignature", "cases.FollowUpCase",
    ):  # fmt: skip
        snapshot[label] = apps.get_model(label).objects.count()
    return snapshot


def client_for(w, role: str, route: Route) -> Client:
    if role == "anon":
        return Client()
    if route.api:
        return Client(HTTP_AUTHORIZATION=f"Token {w.tokens[role]}")
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[role]
    return client


def send(client: Client, method: str, url: str, route: Route, w, *, empty: bool = False):
    if method == "get":
        return client.get(url)
    data = {} if empty else route.data(w) if callable(route.data) else (route.data or {})
    if route.api:
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def roles_to_check(route: Route):
    if route.allow == PUBLIC:  # the portal and API docs: anonymous and one logged-in visitor suffice
        return ("anon", "other_county")
    return ROLES


def leaked_markers(response) -> list[str]:
    """高青 codes or names in a page, JSON document or spreadsheet."""
    content_type = response["Content-Type"]
    if content_type.startswith(("text/html", "application/json", "text/csv")):
        text = response.content.decode("utf-8", "replace")
    elif "spreadsheetml" in content_type:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        text = "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)
    else:
        return []
    return [m for m in GQ_MARKERS if m in text]


def check_allowed(w, role, route, url) -> list[str]:
    problems = []
    methods = [route.method] if route.method == "get" or route.post_allowed else []
    for method in methods:
        savepoint = transaction.savepoint_create()  # every allowed role sees the same data
        try:
            response = send(route_client(w, role, route), method, url, route, w)
        finally:
            transaction.savepoint_rollback(savepoint)
        code = response.status_code
        if code in (401, 403, 404, 405) or code >= 500 or (to_login(response) and not route.login_redirect_ok):
            problems.append(f"{role} may reach {method.upper()} {url} but got {code}")
        elif role == "other_county" and method == "get" and code == 200 and route.leak_check and route.allow != PUBLIC:
            leaked = leaked_markers(response)
            if leaked:
                problems.append(f"{role} sees 高青 data on {url}: {leaked}")
        if method == "get" and code == 200 and role not in ("anon", "other_county"):
            problems += unusable_buttons(w, role, url, response)
    return problems


POST_TARGET = re.compile(
    r'<form\b[^>]*\bmethod="post"[^>]*>|\bformaction="([^"]*)"|\bhx-post="([^"]*)"', re.IGNORECASE
)
FORM_ACTION = re.compile(r'\baction="([^"]*)"', re.IGNORECASE)


def post_targets(html: str, page_url: str) -> set[str]:
    """The paths a page's forms and buttons POST to (a form without an action posts to the page itself)."""
    targets = set()
    for match in POST_TARGET.finditer(html):
        if match.group(0).lower().startswith("<form"):
            action = FORM_ACTION.search(match.group(0))
            targets.add(action.group(1) if action and action.group(1) else page_url)
        else:
            targets.add(match.group(1) or match.group(2))
    return {unescape(t).split("?", 1)[0] for t in targets if t and not t.startswith(("http:", "https:", "#"))}


def unusable_buttons(w, role: str, page_url: str, response) -> list[str]:
    """Issue #17: a page shows no button whose POST the role may not make (the server would refuse it). Judged
    where the matrix knows the answer: a POST-only endpoint of the matrix on the very object of its row (who may
    post depends on the object: a paper witness's confirmation is the clerk's, a login witness's their own).
    The other county's pages show its own objects, which are not the matrix's rows."""
    if not response["Content-Type"].startswith("text/html"):
        return []
    problems = []
    for path in post_targets(response.content.decode("utf-8", "replace"), page_url.split("?", 1)[0]):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        target = MATRIX.get(match.view_name)
        if target is None or target.method != "post" or target.api or path != target.url(w).split("?", 1)[0]:
            continue
        if role not in target.allow:
            problems.append(f"{role} sees a button on {page_url} that posts to {match.view_name}, which it may not use")
    return problems


def check_refused(w, role, route, url) -> list[str]:
    problems = []
    main = route.method
    attempts = [(main, False), ("post" if main == "get" else "get", False)]
    if main == "post" and route.data:
        attempts.append(("post", True))  # the permission check must come before the form's validation
    before = state(w)
    for method, empty in attempts:
        response = send(route_client(w, role, route), method, url, route, w, empty=empty)
        code = response.status_code
        if role == "anon":
            ok = to_login(response) or (route.api and code in (401, 403))
        else:
            ok = code in ((403, 404) if method == main else (403, 404, 405))
        if not ok:
            where = f" → {response['Location']}" if code == 302 else ""
            body = " (empty body)" if empty else ""
            problems.append(f"{role} must not reach {method.upper()} {url}{body}, got {code}{where}")
    after = state(w)
    if after != before:
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        problems.append(f"{role} changed state through {url}: {changed}")
    return problems


def route_client(w, role, route) -> Client:
    cache.clear()  # API throttling counters
    return client_for(w, role, route)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_route_permissions(world, name):
    route = MATRIX[name]
    url = route.url(world)
    problems = []
    for role in roles_to_check(route):
        if role not in route.allow:
            problems += check_refused(world, role, route, url)
        elif not route.sample or role in route.sample:
            problems += check_allowed(world, role, route, url)
    assert not problems, "\n".join(problems)


# --- what one matrix row cannot say ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action, status, allowed",
    [
        ("submit", "draft", GQ_EDIT),
        ("return", "submitted", GQ_APPROVE),
        ("approve", "submitted", GQ_APPROVE),
        ("publish", "approved", GQ_APPROVE),
        ("revise", "published", GQ_APPROVE),
    ],
)
def test_plan_transitions_need_their_permission(world, action, status, allowed):
    """Each workflow step of the annual plan checks its own permission before anything else."""
    from shuangsuiji.plans.models import AnnualPlan

    AnnualPlan.objects.filter(pk=world.plan).update(status=status, version=99)  # 公布 creates version 99
    url = reverse("plans:plan_transition", kwargs={"pk": world.plan, "action": action})
    route = MATRIX["plans:plan_transition"]
    for role in sorted(LOGGED_IN - allowed):
        before = state(world)
        response = client_for(world, role, route).post(url, {"text": "越权测试"})
        assert response.status_code in (403, 404), f"{role} {action}: {response.status_code}"
        assert state(world) == before
    for role in sorted(allowed):
        savepoint = transaction.savepoint_create()
        try:
            response = client_for(world, role, route).post(url, {"text": "测试"})
        finally:
            transaction.savepoint_rollback(savepoint)
        assert response.status_code == 302 and not to_login(response), f"{role} {action}: {response.status_code}"


@pytest.mark.django_db
def test_other_county_reaches_its_own_rows_and_city_sees_both(world):
    """The 404s of the other county come from scope, not from a broken page: its own unit opens."""
    from shuangsuiji.directory.models import RegulatedUnit

    route = MATRIX["directory:unit_detail"]
    for role, unit, expected in (
        ("other_county", world.yy_unit, 200),
        ("other_county", world.unit, 404),
        ("city", world.yy_unit, 200),
        ("city", world.unit, 200),
        ("admin", world.yy_unit, 404),
    ):
        response = client_for(world, role, route).get(reverse("directory:unit_detail", kwargs={"pk": unit}))
        assert response.status_code == expected, (role, unit)

    api = MATRIX["regulatedunit-list"]
    counts = {}
    for role in ("admin", "other_county", "city"):
        response = client_for(world, role, api).get(reverse("regulatedunit-list"))
        assert response.status_code == 200
        counts[role] = response.json()["count"]
    assert counts["admin"] == RegulatedUnit.objects.filter(region__code="370322").count()
    assert counts["other_county"] == RegulatedUnit.objects.filter(region__code="370323").count()
    assert counts["city"] == counts["admin"] + counts["other_county"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["dashboards:kpi", "dashboards:monthly_report", "dashboards:fairness", "dashboards:work_summary",
             "dashboards:ledger"]
)  # fmt: skip
def test_dashboards_refuse_another_county(world, name):
    route = MATRIX[name]
    url = reverse(name) + "?region=370322"
    assert client_for(world, "other_county", route).get(url).status_code == 403
    ok = (200, 302) if name == "dashboards:fairness" else (200,)  # the fairness report starts a background job
    assert client_for(world, "city", route).get(url).status_code in ok
    assert client_for(world, "city", route).get(reverse(name) + "?region=370323").status_code in ok


@pytest.mark.django_db
def test_inspector_declares_own_leave_and_conflict(world):
    """The refusals of leave_add/conflict_add above are about a colleague: on their own record the 执法人员 may."""
    route = MATRIX["directory:leave_add"]
    for name in ("directory:leave_add", "directory:conflict_add"):
        response = client_for(world, "inspector", route).get(reverse(name, kwargs={"pk": world.own_inspector}))
        assert response.status_code == 200, name


@pytest.mark.django_db
def test_a_button_the_role_may_not_use_is_found(world):
    """The check behind 'buttons a user cannot use are not shown' (issue #17) finds such a button: a form, a
    formaction or an hx-post naming a POST endpoint of the matrix on its row's object."""
    from django.http import HttpResponse

    route = MATRIX["draws:witness_confirm"]  # only the witness (纪检) confirms their own record
    url = route.url(world)
    for html in (f'<form method="post" action="{url}"><button>确认</button></form>',
                 f'<form method="post"><button formaction="{url}">确认</button></form>',
                 f'<button hx-post="{url}">确认</button>'):  # fmt: skip
        page = HttpResponse(html, content_type="text/html; charset=utf-8")
        assert unusable_buttons(world, "approver", "/draws/", page) == [
            "approver sees a button on /draws/ that posts to draws:witness_confirm, which it may not use"
        ]
        assert unusable_buttons(world, "oversight", "/draws/", page) == []
