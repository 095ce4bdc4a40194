"""Issue #19: two people editing one record never silently overwrite each other.

For every editable record: two users load the same edit form, both submit different changes. The first save goes
through; the second gets the conflict page (who changed it and when, their version beside what was typed, the
input kept, the hidden version moved on); after merging, the second save goes through, the record holds both
changes and the audit trail shows both saves. The same through the API with a stale ETag (409), and a result's
conflict page says before saving whether the signatures will be withdrawn.

Crosses floors (directory, plans, inspections, cases, accounts), hence the top-level tests/ folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from shuangsuiji.accounts.roles import Role
from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.cases import services as case_services
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services as directory_services
from shuangsuiji.directory.models import BusinessLine
from shuangsuiji.directory.tests.factories import make_inspector, make_unit
from shuangsuiji.inspections import services as result_services
from shuangsuiji.inspections.models import ChecklistTemplate
from shuangsuiji.inspections.tests.fixtures import gq, locked, team  # noqa: F401  (fixtures)
from shuangsuiji.plans import services as plan_services
from shuangsuiji.plans import testing as plan_testing

pytestmark = pytest.mark.django_db

CONFLICT = "该记录已被 刘志强 于 2026年6月15日 10:00 修改"  # the frozen clock: 2026-06-15 10:00 Beijing
PASSWORD = "Test-Passw0rd!"


# --- reading a form the way a browser submits it ----------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def data(self, **changes) -> dict:
        out: dict[str, list[str]] = {}
        for name, value in self.fields:
            out.setdefault(name, []).append(value)
        for name, value in changes.items():
            out[name] = value if isinstance(value, list) else [value]
        return out

    def value(self, name: str) -> str:
        values = [v for n, v in self.fields if n == name]
        return values[0] if values else ""


class FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, bool] | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form(a.get("action") or "")
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "reset") or not a.get("name") or "disabled" in a:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.form.fields.append((a["name"], a.get("value", "on")))
                return
            self.form.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self.select, self.options = (a["name"], "multiple" in a), []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name") and "disabled" not in a:
            self.textarea, self.text = a["name"], ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select:
            name, multiple = self.select
            chosen = [v for v, s in self.options if s] or ([] if multiple else [v for v, _ in self.options[:1]])
            self.form.fields.extend((name, v) for v in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.form.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def edit_form(response, action_contains: str = "") -> Form:
    """The form on the page that carries `lock_version` (and whose action contains `action_contains`)."""
    assert response.status_code == 200, response.status_code
    reader = FormReader()
    reader.feed(response.content.decode())
    for form in reader.forms:
        if any(n == "lock_version" for n, _ in form.fields) and (not form.action or action_contains in form.action):
            return form
    raise AssertionError("no edit form with lock_version on the page")


# --- users --------------------------------------------------------------------------------------------


@pytest.fixture
def liu(make_user):
    """刘志强, a section head (系统管理员 of 高青): the one who saves first."""
    user = make_user("liuzq", Role.ADMIN)
    user.full_name = "刘志强"
    user.save()
    return user


@pytest.fixture
def wang(make_user):
    """王芳, a clerk who opened the same record at the same time."""
    user = make_user("wangf", Role.ADMIN)
    user.full_name = "王芳"
    user.save()
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token_issue(user=SYSTEM, owner=user, name='test')[1]}")


def saves_by(obj, since: int) -> list[int | None]:
    rows = ObjectChange.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), id__gt=since, action=ObjectChange.Action.UPDATE
    ).order_by("id")
    return list(rows.values_list("user_id", flat=True))


def last_audit_id() -> int:
    return ObjectChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


# --- the records ----------------------------------------------------------------------------------------


@dataclass
class Case:
    """One editable record: how to build it, its edit page, two different changes and how to merge them."""

    name: str
    build: object  # (ctx) -> obj
    page: object  # (obj) -> url
    first: dict  # 刘志强's change
    second: dict  # 王芳's change
    conflict_row: tuple[str, str]  # (label, their value) that the conflict table must show
    check: object  # (obj) -> None: both changes are in the record
    action: str = ""  # which form on the page (its action contains this)
    users: str = "admins"  # "team": the result's two inspectors instead of two administrators
    needs_team: bool = False


def build_unit(ctx):
    return make_unit(ctx["regions"], 1)


def build_expert(ctx):
    return directory_services.expert_save(
        user=SYSTEM, data={"kind": "expert", "name": "张专家", "region": ctx["regions"]["370322"]},
        specialties=[BusinessLine.objects.get(code="ggcs")],
    )  # fmt: skip


def build_item(ctx):
    return directory_services.item_create(
        user=SYSTEM,
        data={
            "code": "GQ-GGCS-09", "business_line": BusinessLine.objects.get(code="ggcs"), "name": "游泳场所抽查",
            "target": "游泳场所", "legal_basis": "《公共场所卫生管理条例》", "responsible_body": "县卫生健康局",
            "content": "水质检测", "default_ratio": 5, "region": ctx["regions"]["370322"],
        },
    )  # fmt: skip


def build_plan(ctx):
    return plan_services.plan_create(
        user=SYSTEM, year=plan_testing.PLAN_YEAR, title="年度双随机抽查工作计划", organization=ctx["orgs"]["gaoqing"]
    )


def build_task(ctx):
    plan = build_plan(ctx)
    return plan_services.task_create(user=SYSTEM, plan=plan, **plan_testing.task_data(plan, ctx["orgs"]["gaoqing"]))


def build_checklist(ctx):
    template = ChecklistTemplate(region=ctx["regions"]["370322"], name="公共场所检查表")
    return result_services.checklist_save(
        user=SYSTEM, template=template, questions=[{"text": "卫生许可证在有效期内"}, {"text": "从业人员持健康证明"}]
    )


def build_result(ctx):
    return ctx["team"]["result"]


PROBLEM = {
    "category": "A", "problem_reasons": ["H"], "checked_on": dt.date(2026, 3, 2), "methods": ["onsite"],
    "findings": "从业人员未取得健康合格证明", "disposal": "case",
}  # fmt: skip


def build_case(ctx):
    members = ctx["team"]
    result = result_services.result_save(user=members["first"], result=members["result"], data=PROBLEM)
    result_services.result_sign(user=members["first"], result=result)
    result = result_services.result_sign(user=members["second"], result=result)
    return case_services.case_open(user=SYSTEM, result=result, kind="rectify", data={"deadline": dt.date(2026, 3, 16)})


def build_published(ctx):
    case = build_case(ctx)
    return result_services.result_publish(user=SYSTEM, results=[case.result])[0]


def check_correction(result):
    assert (result.findings, result.disposal_note, result.version) == ("刘更正的发现", "王更正的处置说明", 3)


def refreshed(obj):
    obj.refresh_from_db()
    return obj


def check_unit(unit):
    assert (unit.name, unit.address) == ("刘改的单位名称", "王改的地址")


def check_inspector(inspector):
    assert (inspector.position, inspector.phone) == ("科长", "13800000000")


def check_expert(expert):
    assert (expert.employer, expert.title) == ("刘填的工作单位", "主任医师")


def check_item(item):
    assert (item.name, item.content) == ("刘改的事项名称", "王改的检查内容")


def check_plan(plan):
    assert (plan.title, plan.description) == ("刘改的计划名称", "王补充的说明")


def check_task(task):
    assert (task.name, task.note) == ("刘改的任务名称", "王补充的备注")


def check_checklist(template):
    assert template.name == "刘改的检查表"
    questions = list(template.questions.values_list("text", flat=True))
    assert questions == ["卫生许可证在有效期内", "从业人员持健康证明", "王加的一项"]


def check_result(result):
    assert (result.findings, result.disposal_note) == ("刘记录的发现", "王写的处置说明")


def check_case(case):
    assert (case.recheck_result, case.recheck_note) == ("not_rectified", "王写的复查情况")


CASES = [
    Case("unit", build_unit, lambda o: reverse("directory:unit_edit", args=[o.pk]),
         {"name": "刘改的单位名称"}, {"address": "王改的地址"}, ("单位名称", "刘改的单位名称"), check_unit),
    Case("inspector", lambda ctx: make_inspector(ctx["orgs"]["gaoqing_agency"], 1),
         lambda o: reverse("directory:inspector_edit", args=[o.pk]),
         {"position": "科长"}, {"phone": "13800000000"}, ("职务", "科长"), check_inspector),
    Case("expert", build_expert, lambda o: reverse("directory:expert_edit", args=[o.pk]),
         {"employer": "刘填的工作单位"}, {"title": "主任医师"}, ("工作单位", "刘填的工作单位"), check_expert),
    Case("item", build_item, lambda o: reverse("directory:item_edit", args=[o.pk]),
         {"name": "刘改的事项名称"}, {"content": "王改的检查内容"}, ("抽查事项", "刘改的事项名称"), check_item),
    Case("plan", build_plan, lambda o: reverse("plans:plan_edit", args=[o.pk]),
         {"title": "刘改的计划名称"}, {"description": "王补充的说明"}, ("计划名称", "刘改的计划名称"), check_plan),
    Case("task", build_task, lambda o: reverse("plans:task_edit", args=[o.pk]),
         {"name": "刘改的任务名称"}, {"note": "王补充的备注"}, ("任务名称", "刘改的任务名称"), check_task),
    Case("checklist", build_checklist, lambda o: reverse("inspections:checklist_edit", args=[o.pk]),
         {"name": "刘改的检查表"}, {"q-2-text": "王加的一项"},
         ("检查表名称", "刘改的检查表"), check_checklist),
    Case("result", build_result, lambda o: reverse("inspections:result_detail", args=[o.pk]),
         {"findings": "刘记录的发现"}, {"disposal_note": "王写的处置说明"}, ("发现问题情况", "刘记录的发现"),
         check_result, action="/save/", users="team", needs_team=True),
    Case("case", build_case, lambda o: reverse("cases:case_detail", args=[o.pk]),
         {"recheck_on": "2026-06-10", "recheck_result": "not_rectified"},
         {"recheck_on": "2026-06-10", "recheck_result": "partly", "note": "王写的复查情况"},
         ("复查结果", "逾期未整改"), check_case, action="/recheck/", needs_team=True),
    Case("correction", build_published, lambda o: reverse("inspections:result_correct", args=[o.pk]),
         {"findings": "刘更正的发现", "reason": "笔误更正发现问题"},
         {"disposal_note": "王更正的处置说明", "reason": "补充处置说明"},
         ("发现问题情况", "刘更正的发现"), check_correction, needs_team=True),
]  # fmt: skip


@pytest.fixture
def ctx(request, regions, orgs, liu, wang):
    ctx = {"regions": regions, "orgs": orgs, "admins": (liu, wang)}
    plan_testing.ensure_business_lines()
    if request.node.callspec.params["case"].users == "team" or request.node.callspec.params["case"].needs_team:
        members = request.getfixturevalue("team")
        first, second = members["first"], members["second"]
        first.full_name = "刘志强"
        first.save()
        ctx["team"] = members
        if request.node.callspec.params["case"].users == "team":
            ctx["admins"] = (first, second)
    return ctx


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_second_save_gets_the_conflict_page_and_both_changes_survive(ctx, case):
    first_user, second_user = ctx["admins"]
    obj = case.build(ctx)
    since = last_audit_id()
    first, second = logged_in(first_user), logged_in(second_user)
    url = case.page(obj)
    form_first, form_second = edit_form(first.get(url), case.action), edit_form(second.get(url), case.action)
    loaded_version = form_second.value("lock_version")
    assert loaded_version == str(refreshed(obj).lock_version)
    post_url = form_first.action or url

    saved = first.post(post_url, form_first.data(**case.first))
    assert saved.status_code == 302, saved.content.decode()[:3000]

    page = second.post(post_url, form_second.data(**case.second))
    assert page.status_code == 200
    html = page.content.decode()
    assert CONFLICT in html
    assert "对方的版本" in html and "您填写的内容" in html
    label, theirs = case.conflict_row
    assert f'<th scope="row">{label}</th><td class="text-break">{theirs}</td>' in html
    if case.name not in ("case", "checklist"):  # fields named like the model's: the table says who changed what
        assert "<td>对方修改了此项</td>" in html and "<td>仅您修改了此项</td>" in html
    kept = edit_form(page, case.action)
    for name, value in case.second.items():  # what 王芳 typed is still in the form
        assert kept.value(name).replace("\r\n", "\n") == value
    assert kept.value("lock_version") == str(refreshed(obj).lock_version) != loaded_version
    assert refreshed(obj).lock_version == int(loaded_version) + 1  # the refused save wrote nothing

    merged = second.post(kept.action or post_url, kept.data(**case.first))  # 王芳 takes 刘志强's change over
    assert merged.status_code == 302, merged.content.decode()[:3000]
    case.check(refreshed(obj))
    assert saves_by(obj, since) == [first_user.pk, second_user.pk]


def test_conflict_page_warns_that_changed_content_withdraws_the_signatures(ctx_team):
    first_user, second_user, result = ctx_team
    first, second = logged_in(first_user), logged_in(second_user)
    url = reverse("inspections:result_detail", args=[result.pk])
    stale = edit_form(second.get(url), "/save/")
    post_url = stale.action
    saved = first.post(post_url, edit_form(first.get(url), "/save/").data(**PROBLEM_FORM))
    assert saved.status_code == 302
    result_services.result_sign(user=first_user, result=result)
    assert result.signatures.count() == 1

    changed = second.post(post_url, stale.data(**{**PROBLEM_FORM, "findings": "王改写的发现"}))
    html = changed.content.decode()
    assert CONFLICT in html
    signer = result.signatures.get().inspector.name
    assert f"本结果已由 {signer} 签名确认。按您填写的内容保存将改变已签名的内容，保存后这些签名将被撤销" in html

    same = second.post(post_url, stale.data(**PROBLEM_FORM))
    html = same.content.decode()
    assert CONFLICT in html
    assert f"本结果已由 {signer} 签名确认；您填写的内容与已签名的内容一致，保存不会撤销签名" in html
    assert "保存后这些签名将被撤销" not in html
    assert result.signatures.count() == 1  # neither refused save touched them

    kept = edit_form(changed, "/save/")  # saving the changed content after the warning withdraws them, as today
    assert second.post(post_url, kept.data()).status_code == 302
    assert result.signatures.count() == 0
    assert refreshed(result).findings == "王改写的发现"


def test_a_colleague_signing_makes_an_open_form_stale_and_the_page_warns_before_saving(ctx_team):
    first_user, second_user, result = ctx_team
    result_services.result_save(user=second_user, result=result, data=PROBLEM)
    url = reverse("inspections:result_detail", args=[result.pk])
    editor = logged_in(second_user)
    stale = edit_form(editor.get(url), "/save/")
    result_services.result_sign(user=first_user, result=result)  # 刘志强 signs on site; nothing else changes

    page = editor.post(stale.action, stale.data(findings="王补充的发现"))
    html = page.content.decode()
    assert CONFLICT in html
    assert "保存后这些签名将被撤销" in html
    assert result.signatures.count() == 1
    assert editor.post(stale.action, edit_form(page, "/save/").data()).status_code == 302
    assert result.signatures.count() == 0 and refreshed(result).findings == "王补充的发现"


PROBLEM_FORM = {
    "category": "A", "problem_reasons": ["H"], "checked_on": "2026-03-02", "methods": ["onsite"],
    "findings": "从业人员未取得健康合格证明", "disposal": "case",
}  # fmt: skip


@pytest.fixture
def ctx_team(team):  # noqa: F811
    team["first"].full_name = "刘志强"
    team["first"].save()
    return team["first"], team["second"], team["result"]


def test_service_refuses_a_stale_version_with_who_and_when(regions, liu):
    from shuangsuiji.core.concurrency import EditConflict

    unit = make_unit(regions, 1)
    loaded = unit.lock_version
    directory_services.unit_update(user=liu, unit=unit, data={"name": "新名称"}, expected_version=loaded)
    with pytest.raises(EditConflict) as caught:
        directory_services.unit_update(user=liu, unit=unit, data={"address": "新地址"}, expected_version=loaded)
    assert caught.value.messages == [CONFLICT]
    assert caught.value.current.name == "新名称" and caught.value.current_version == loaded + 1
    assert refreshed(unit).address == ""


# --- the API ------------------------------------------------------------------------------------------


@dataclass
class ApiCase:
    name: str
    build: object
    url: object  # (obj) -> detail url
    first: dict
    second: dict
    check: object
    users: str = "admins"


API_CASES = [
    ApiCase("unit", build_unit, lambda o: f"/api/v1/units/{o.credit_code}/",
            {"name": "刘改的单位名称"}, {"address": "王改的地址"}, check_unit),
    ApiCase("inspector", lambda ctx: make_inspector(ctx["orgs"]["gaoqing_agency"], 1),
            lambda o: f"/api/v1/inspectors/{o.pk}/", {"position": "科长"}, {"phone": "13800000000"}, check_inspector),
    ApiCase("expert", build_expert, lambda o: f"/api/v1/experts/{o.pk}/",
            {"employer": "刘填的工作单位"}, {"title": "主任医师"}, check_expert),
    ApiCase("item", build_item, lambda o: f"/api/v1/items/{o.pk}/",
            {"name": "刘改的事项名称"}, {"content": "王改的检查内容"}, check_item),
    ApiCase("plan", build_plan, lambda o: f"/api/v1/plans/{o.pk}/",
            {"title": "刘改的计划名称"}, {"description": "王补充的说明"}, check_plan),
    ApiCase("task", build_task, lambda o: f"/api/v1/tasks/{o.pk}/",
            {"name": "刘改的任务名称"}, {"note": "王补充的备注"}, check_task),
    ApiCase("result", build_result, lambda o: f"/api/v1/results/{o.pk}/",
            {"findings": "刘记录的发现"}, {"disposal_note": "王写的处置说明"}, check_result, users="team"),
]  # fmt: skip


@pytest.fixture
def api_ctx(request, regions, orgs, liu, wang):
    ctx = {"regions": regions, "orgs": orgs, "admins": (liu, wang)}
    plan_testing.ensure_business_lines()
    if request.node.callspec.params["case"].users == "team":
        members = request.getfixturevalue("team")
        members["first"].full_name = "刘志强"
        members["first"].save()
        ctx["team"] = members
        ctx["admins"] = (members["first"], members["second"])
    return ctx


def patch(client, url, body, etag=None):
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.patch(url, body, content_type="application/json", **headers)


@pytest.mark.parametrize("case", API_CASES, ids=[c.name for c in API_CASES])
def test_api_stale_etag_is_a_409_and_both_changes_survive(api_ctx, case):
    first_user, second_user = api_ctx["admins"]
    obj = case.build(api_ctx)
    since = last_audit_id()
    first, second = api_client(first_user), api_client(second_user)
    url = case.url(obj)
    read_first, read_second = first.get(url), second.get(url)
    assert read_first.status_code == 200
    tag = read_first["ETag"]
    assert tag == read_second["ETag"] == f'"{refreshed(obj).lock_version}"'
    assert read_first.json()["lock_version"] == refreshed(obj).lock_version

    saved = patch(first, url, case.first, tag)
    assert saved.status_code == 200, saved.json()
    assert saved["ETag"] == f'"{refreshed(obj).lock_version}"' != tag

    refused = patch(second, url, case.second, read_second["ETag"])
    assert refused.status_code == 409, refused.json()
    body = refused.json()
    assert body["detail"] == CONFLICT
    assert body["changed_by"] == "刘志强" and body["changed_at_text"] == "2026年6月15日 10:00"
    assert body["lock_version"] == refreshed(obj).lock_version
    assert {k: body["current"][k] for k in case.first} == case.first
    assert set(case.first) <= set(body["changed_fields"]) and not set(case.second) & set(body["changed_fields"])
    assert refused["ETag"] == saved["ETag"]

    retried = patch(second, url, case.second, refused["ETag"])
    assert retried.status_code == 200, retried.json()
    case.check(refreshed(obj))
    assert saves_by(obj, since) == [first_user.pk, second_user.pk]


def test_api_version_in_the_body_star_and_missing_version(regions, orgs, liu, wang):
    unit = make_unit(regions, 1)
    url = f"/api/v1/units/{unit.credit_code}/"
    client = api_client(liu)
    loaded = client.get(url).json()["lock_version"]

    missing = patch(client, url, {"name": "无版本"})
    assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]
    assert patch(client, url, {"name": "按请求体版本", "lock_version": loaded}).status_code == 200
    stale = patch(client, url, {"name": "过时", "lock_version": loaded})
    assert stale.status_code == 409 and stale.json()["detail"] == CONFLICT
    assert patch(client, url, {"address": "不论版本"}, "*").status_code == 200
    assert patch(client, url, {"address": "弱标签"}, f'W/"{refreshed(unit).lock_version}"').status_code == 200
    bad = patch(client, url, {"address": "x"}, '"abc"')
    assert bad.status_code == 400 and "版本号无效" in bad.json()["detail"]
    fixed = patch(client, url, {"credit_code": "91370322MA3C000000"}, "*")
    assert fixed.status_code == 400 and "不可修改的字段" in fixed.json()["detail"]
    invalid = patch(client, url, {"region": "999999"}, "*")
    assert invalid.status_code == 400 and "region" in {e["field"] for e in invalid.json()["errors"]}
    assert refreshed(unit).name == "按请求体版本" and refreshed(unit).address == "弱标签"


def test_api_update_is_scoped_and_needs_the_change_permission(regions, orgs, liu, admin_yy, oversight_gq):
    unit = make_unit(regions, 1)
    url = f"/api/v1/units/{unit.credit_code}/"
    assert patch(api_client(admin_yy), url, {"name": "越权"}, "*").status_code == 404
    assert patch(api_client(oversight_gq), url, {"name": "只读"}, "*").status_code == 403
    assert refreshed(unit).name == "单位1"


def test_schema_documents_if_match_and_409(client):
    schema = client.get("/api/v1/schema/").content.decode()
    assert "If-Match" in schema and "'409':" in schema and "EditConflict" in schema


def test_a_unit_import_also_moves_the_version(regions, orgs, liu, wang):
    """Imports write units in bulk (no save()); an edit form opened before still notices the change."""
    unit = make_unit(regions, 1)
    url = reverse("directory:unit_edit", args=[unit.pk])
    editor = logged_in(wang)
    stale = edit_form(editor.get(url))
    synced = api_client(liu).post(
        "/api/v1/units/sync/",
        {"mode": "update", "source": "审批系统", "units": [{"credit_code": unit.credit_code, "name": "导入改名"}]},
        content_type="application/json",
    )
    assert synced.status_code == 200, synced.json()
    page = editor.post(url, stale.data(address="王改的地址"))
    assert page.status_code == 200 and CONFLICT in page.content.decode()
    assert refreshed(unit).name == "导入改名" and refreshed(unit).address == ""


def test_display_values_compare_what_the_page_shows(regions):
    from decimal import Decimal

    from django import forms

    from shuangsuiji.core.concurrency import EMPTY, display_value

    assert display_value(forms.DecimalField(), Decimal("5.00")) == display_value(forms.DecimalField(), Decimal("5"))
    assert display_value(forms.DateField(), dt.date(2026, 3, 2)) == "2026年3月2日"
    assert display_value(forms.BooleanField(), False) == "否"
    assert display_value(forms.CharField(), "") == EMPTY
    choices = forms.MultipleChoiceField(choices=[("onsite", "现场检查"), ("docs", "书面核查")])
    assert display_value(choices, ["onsite", "docs"]) == "现场检查、书面核查"
    region = forms.ModelChoiceField(queryset=type(regions["370322"]).objects.all())
    assert display_value(region, regions["370322"].pk) == display_value(region, regions["370322"]) == "高青县"


def test_case_detail_carries_an_etag(ctx_team, approver_gq):
    first_user, second_user, result = ctx_team
    case = build_case({"team": {"first": first_user, "second": second_user, "result": result}})
    response = api_client(approver_gq).get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == f'"{refreshed(case).lock_version}"' and response.json()["lock_version"] >= 0


def test_api_refuses_a_body_that_is_not_an_object(regions, orgs, liu):
    unit = make_unit(regions, 1)
    response = api_client(liu).patch(
        f"/api/v1/units/{unit.credit_code}/", "[1, 2]", content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400 and response.json()["detail"] == "请求体应为 JSON 对象"


def test_every_save_raises_the_version_also_with_update_fields(regions):
    unit = make_unit(regions, 1)
    start = refreshed(unit).lock_version
    unit.save(update_fields=["name"])
    unit.save(update_fields=[])  # Django's no-op stays one
    assert refreshed(unit).lock_version == unit.lock_version == start + 1
    unit.name = "再改"
    unit.save()
    assert refreshed(unit).lock_version == start + 2


def test_api_reads_and_patches_the_township_by_its_code(regions, orgs, liu):
    """The units API shows the 乡镇（街道） by its 9-digit code and PATCH sets it by code; a township of another
    county is refused by field, nothing saved."""
    from shuangsuiji.regions.models import Township

    unit = make_unit(regions, 1)
    url = f"/api/v1/units/{unit.credit_code}/"
    client = api_client(liu)
    assert client.get(url).json()["township"] is None
    own = Township.objects.filter(county=unit.region, valid=True).order_by("code").first()
    other = Township.objects.exclude(county=unit.region).filter(valid=True).order_by("code").first()
    saved = patch(client, url, {"township": own.code}, "*")
    assert saved.status_code == 200, saved.json()
    assert refreshed(unit).township_id == own.pk and client.get(url).json()["township"] == own.code
    refused = patch(client, url, {"township": other.code}, "*")
    assert refused.status_code == 400 and "township" in {e["field"] for e in refused.json()["errors"]}
    assert refreshed(unit).township_id == own.pk
    cleared = patch(client, url, {"township": None}, "*")
    assert cleared.status_code == 200 and refreshed(unit).township_id is None
