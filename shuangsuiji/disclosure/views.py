"""公示门户 /gs/: anyone, no login. Only published data (disclosure.selectors); personal data masked, inspectors shown
only by their roster pseudonym (化名编号, fairdraw spec §4.2.1), never by name or 执法证号.

Pages: 首页, 抽查事项清单, 年度抽查计划 (every version), 抽查任务, 随机抽取 (commitment, public values,
seed, result, verification, a unit's self-check, byte-exact files), 抽查结果查询.
"""

from __future__ import annotations

import dataclasses
import json
import re

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from shuangsuiji import fairdraw as fd
from shuangsuiji.core.formats import local_date
from shuangsuiji.directory.models import BusinessLine
from shuangsuiji.draws import selectors as draw_selectors
from shuangsuiji.draws.choices import FILE_NAMES, DrawStatus, FileKind, TargetRole
from shuangsuiji.draws.downloads import draw_file_response, replacements_response
from shuangsuiji.draws.files import DrawFileCorrupted
from shuangsuiji.draws.presentation import HASH_HELP, commitment_strata, result_strata
from shuangsuiji.draws.selectors import commitment_of
from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.plans.choices import TaskKind

from . import selectors, verification, verifier_app
from .caching import cached_page
from .masking import mask_name
from .paging import CappedPaginator

PAGE_SIZE = 20
REGION_RE = re.compile(r"^\d{6}$")
public = require_safe  # the portal only answers GET/HEAD


def _params(request) -> dict:
    g = request.GET
    year = g.get("year", "")
    region = g.get("region", "")
    return {
        "q": g.get("q", "").strip()[:100],
        "year": int(year) if year.isascii() and year.isdecimal() and 2000 <= int(year) <= 2100 else None,
        "region": region if REGION_RE.match(region) else "",
    }


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _portal_settings() -> dict:
    """Footer lines a deployment sets (主办单位, 联系方式, ICP备案号, 网站标识码); empty values hide their line."""
    return {
        "sponsor": settings.PORTAL_SPONSOR, "contact": settings.PORTAL_CONTACT,
        "icp": settings.PORTAL_ICP, "gov_id": settings.PORTAL_GOV_ID,
    }  # fmt: skip


def _common(request, **extra) -> dict:
    params = _params(request)
    this_year = timezone.localdate().year
    return {
        "params": params,
        "regions": selectors.regions_with_public_data(),
        "years": list(range(this_year, this_year - 6, -1)),
        "querystring": request.GET.copy(),
        "results_available": selectors.results_available(),
        "portal": _portal_settings(),
        **extra,
    }


@public
@cached_page
def home(request):
    draws = selectors.draws()[:8]
    return render(request, "disclosure/home.html", _common(
        request, title="首页", draws=draws, plans=selectors.plans()[:5],
        item_count=selectors.items().count(), draw_count=selectors.draw_count(),
    ))  # fmt: skip


@public
@cached_page
def item_list(request):
    p = _params(request)
    line = request.GET.get("line", "")
    rows = selectors.items(q=p["q"], region=p["region"], line=line)
    return render(request, "disclosure/item_list.html", _common(
        request, title="随机抽查事项清单", page=_page(request, rows), lines=BusinessLine.objects.filter(active=True),
        line=line,
    ))  # fmt: skip


@public
@cached_page
def item_detail(request, pk):
    item = selectors.items().filter(pk=pk).first()
    if item is None:
        raise Http404("该事项未公布")
    return render(request, "disclosure/item_detail.html", _common(request, title=item.name, item=item))


@public
@cached_page
def plan_list(request):
    p = _params(request)
    rows = selectors.plans(year=p["year"], region=p["region"])
    return render(
        request, "disclosure/plan_list.html", _common(request, title="年度抽查工作计划", page=_page(request, rows))
    )


@public
@cached_page
def plan_detail(request, pk):
    plan = selectors.plan(pk)
    if plan is None:
        raise Http404("该计划未公布")
    wanted = request.GET.get("version", "")
    version = next((v for v in plan.versions if str(v.version) == wanted), plan.latest)
    draws = {d.task.code: d for d in selectors.draws().filter(task__plan_id=plan.plan.pk)}
    return render(request, "disclosure/plan_detail.html", _common(
        request, title=version.snapshot.get("title", str(plan.plan)), plan=plan, version=version, draws=draws,
    ))  # fmt: skip


@public
@cached_page
def task_list(request):
    p = _params(request)
    kind = request.GET.get("kind", "")
    rows = selectors.tasks(year=p["year"], region=p["region"], q=p["q"], kind=kind)
    return render(request, "disclosure/task_list.html", _common(
        request, title="抽查任务", page=_page(request, rows), kinds=TaskKind.choices, kind=kind,
    ))  # fmt: skip


@public
@cached_page
def task_detail(request, code):
    task = selectors.task(code)
    if task is None:
        raise Http404("该任务未公布")
    return render(request, "disclosure/task_detail.html", _common(
        request, title=task.data.get("name", code), task=task, task_list=[task.data],
        draws=selectors.draws().filter(task__code=code), outcomes=selectors.task_outcomes(code),
    ))  # fmt: skip


@public
@cached_page
def draw_list(request):
    p = _params(request)
    status = request.GET.get("status", "")
    rows = selectors.draws(year=p["year"], region=p["region"], q=p["q"], status=status)
    return render(request, "disclosure/draw_list.html", _common(
        request, title="随机抽取公示", page=_page(request, rows), statuses=DrawStatus.choices, status=status,
    ))  # fmt: skip


def _draw_or_404(code):
    draw = selectors.draw(code)
    if draw is None:
        raise Http404("该抽取未公布")
    return draw


LEGACY_ROSTER = (
    "本次抽取使用旧版执法人员名录格式（含执法证号和回避声明），名录、抽取结果清单和更换记录不再公开；"
    "纪检监督人员可在系统内核验"
)
# a roster that fails its SHA-256 check: the public learns that, not the storage path or the staff's instructions
DAMAGED_ROSTER = (
    "执法人员名录文件校验失败（SHA-256 不一致），暂不公开名录、抽取结果清单和更换记录；"
    "系统已记录该错误，待管理员从备份恢复"
)


def _public_roster(draw) -> tuple[dict | None, str]:
    """(the committed roster, "") when the portal publishes it: a fairdraw-roster/2 names inspectors by pseudonym and
    commits their 回避 pairs as salted hashes (fairdraw spec §4.2.1, §4.2.2). Else (None, why not): an older roster
    names them by 执法证号 and carries their 回避 declarations in clear, so neither it nor the files naming its ids
    (manifest, replacements) are published; nor is anything of a roster that fails its SHA-256 check."""
    try:
        data = draw.file_bytes(FileKind.ROSTER)
    except DrawFileCorrupted:
        return None, DAMAGED_ROSTER
    roster = json.loads(data) if data else None
    if roster is not None and roster.get("format") != fd.conflicts.ROSTER_FORMAT_V2:
        return None, LEGACY_ROSTER
    return roster, ""


def _withheld(message: str) -> HttpResponse:
    """A file the portal does not serve: 404 for an older roster's files, 500 for a damaged roster (as a damaged
    file is answered elsewhere); never cached, so a restored or re-published file is served at once."""
    response = HttpResponse(message, status=500 if message == DAMAGED_ROSTER else 404,
                            content_type="text/plain; charset=utf-8")  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


def _draw_context(request, draw) -> dict:
    commitment = commitment_of(draw)
    public_result = selectors.result_is_public(draw)
    manifest = verification.manifest_of(draw) if public_result else None
    targets = list(selectors.draw_targets(draw)) if public_result else []
    roster, withheld = _public_roster(draw) if public_result else (None, "")
    # inspectors appear only by pseudonym (their id in the committed roster), never by name or 执法证号: the official
    # public columns carry no 检查人员, and a pseudonym linked to a name would tell whom the manifest's 回避 pairs name
    ids = draw_selectors.roster_ids(fd.parse_roster(roster))[0] if roster else {}
    for t in targets:
        members = list(t.assignments.all())
        t.group_size = len(members)
        t.group_ids = [ids.get(a.inspector_id, "—") for a in members]
    code = request.GET.get("code", "").strip()
    check = None
    if code and manifest is not None:
        check = verification.self_check(draw, code, manifest=manifest)
    return {
        "draw": draw,
        "task": draw.task,
        "commitment": commitment,
        "commitment_strata": commitment_strata(draw, commitment),
        "sources": [_public_source(s) for s in draw.sources.select_related("entered_by", "confirmed_by")],
        "public_result": public_result,
        "withheld_until": selectors.targets_withheld_until(draw),
        "manifest": manifest,
        "result": result_strata(draw, manifest, targets) if manifest else None,
        "hash_help": HASH_HELP,
        "selected_targets": [t for t in targets if t.role == TargetRole.SELECTED],
        "changes": draw.changes.select_related("target", "substitute") if public_result else [],
        # after the draw (issue #15 point 6): member replacements by the committed random order, experts
        "inspector_changes": _public_inspector_changes(draw, ids=not withheld) if public_result else [],
        "expert_attachments": (
            [
                {
                    "unit_name": a.target.unit_name,
                    "kind": a.expert.get_kind_display(),
                    "name": mask_name(a.expert_name) if a.expert.kind == "expert" else a.expert_name,
                    "mode": a.mode,
                    "reason": a.reason,
                    "position": a.position,
                    "candidates": a.candidates,
                }
                for a in draw_selectors.expert_attachments(draw)
            ]
            if public_result
            else []
        ),  # fmt: skip
        "witnesses": [
            {
                "name": mask_name(w.name),
                "organization": w.organization,
                "role": w.get_role_display(),
                "kind": w.kind_label,
                "gave_secret": bool(w.source_id),
                "confirmed_at": w.confirmed_at,
            }
            for w in draw.witnesses.select_related("source")
        ],
        "oversight_confirmed_at": getattr(draw_selectors.oversight_confirmation(draw), "confirmed_at", None),
        "has_oversight_witness": draw_selectors.has_oversight_witness(draw),
        "files": _public_files(draw, public_result, withheld=bool(withheld)),
        "withheld": withheld,
        "check_code": code,
        "check": check,
        "check_proof_url": (
            reverse("disclosure:draw_unit_proof", args=[draw.code, check.code])
            if check and check.in_pool and "pool_merkle_root" in commitment
            else ""
        ),
        "check_proof_hashes": max(1, (draw.unit_total - 1).bit_length()),
    }


def _public_inspector_changes(draw, *, ids: bool) -> list[dict]:
    """更换执法人员 for the portal: roster ids (pseudonyms) only, no names, so anyone can re-check the rule; `ids`
    False (an older roster, whose ids are 执法证号): no ids at all."""
    return [
        {"at": c.requested_at, "unit_name": c.target.unit_name, "unit_code": c.target.unit_code,
         "out_id": c.out_id if ids else "", "in_id": c.in_id if ids else "",
         "position": c.position, "passed": c.passed_summary, "seq": c.seq,
         "skipped": c.public_skipped if ids else [],
         "reason": c.public_reason, "status": c.get_status_display(),
         "signed": bool(c.decided_by_id)}
        for c in draw_selectors.inspector_changes(draw)
    ]  # fmt: skip


def _public_source(source) -> dict:
    """A public random source for the portal: who entered / confirmed it (names masked), where it was
    announced and how anyone can check it."""
    return {
        "kind": source.kind, "description": source.description, "available_at": source.available_at,
        "value": source.value, "signature": source.signature, "announcement_ref": source.announcement_ref,
        "entered_by": mask_name(str(source.entered_by)) if source.entered_by else "",
        "entered_at": source.entered_at,
        "confirmed_by": mask_name(str(source.confirmed_by)) if source.confirmed_by else "",
        "confirmed_at": source.confirmed_at, "check_hint": source.check_hint,
    }  # fmt: skip


def _public_kinds(public_result: bool, withheld: bool) -> list[str]:
    """The draw's files the portal serves: the commitment; once the result is public the pool, and the roster and
    manifest unless the roster is withheld (`_public_roster`)."""
    if not public_result:
        return [FileKind.COMMITMENT]
    return [FileKind.COMMITMENT, FileKind.POOL] + ([] if withheld else [FileKind.ROSTER, FileKind.MANIFEST])


def _public_files(draw, public_result: bool, *, withheld: bool) -> list[dict]:
    kinds = _public_kinds(public_result, withheld)
    rows = {f.kind: f for f in draw.files.filter(kind__in=kinds)}
    return [
        {"kind": k, "label": FileKind(k).label, "name": f"{draw.code}-{FILE_NAMES[k][0]}", "sha256": rows[k].sha256,
         "size": rows[k].size}
        for k in kinds if k in rows
    ]  # fmt: skip


@public
@cached_page
def draw_detail(request, code):
    draw = _draw_or_404(code)
    context = _draw_context(request, draw)
    context["title"] = f"随机抽取 {draw.code}"
    return render(request, "disclosure/draw_detail.html", _common(request, **context))


@public
@cached_page
def draw_verify(request, code):
    """验证本次抽取: re-run on the server, and the files + instructions for offline verification."""
    draw = _draw_or_404(code)
    report = verification.verify(draw) if selectors.result_is_public(draw) else None
    context = _draw_context(request, draw)
    if report is not None and context["withheld"] and not report.pending:
        # the verifier's wording may name a roster id, which for an older roster is a 执法证号: the verdict only
        report = dataclasses.replace(report, display=f"服务器重新计算的结论：{report.status_zh}", path=None)
    conflicts = None if context["withheld"] else verification.conflict_summary(draw, context["manifest"])
    context.update(title=f"验证抽取 {draw.code}", report=report, verifier_sha256=verifier_app.verifier_zipapp()[1],
                   conflicts=conflicts)  # fmt: skip
    return render(request, "disclosure/draw_verify.html", _common(request, **context))


@public
def draw_replacements(request, code):
    """更换执法人员 record of a draw (fairdraw-replacements/1), for `python -m shuangsuiji.fairdraw.replace`."""
    draw = _draw_or_404(code)
    if not selectors.result_is_public(draw):
        raise Http404("该抽取结果尚未公开")
    _roster, withheld = _public_roster(draw)
    if withheld:
        return _withheld(withheld)
    return replacements_response(draw)


@public
def draw_file(request, code, kind):
    draw = _draw_or_404(code)
    public_result = selectors.result_is_public(draw)
    if kind not in _public_kinds(public_result, withheld=False):
        raise Http404("该文件尚未公开")
    if kind in (FileKind.ROSTER, FileKind.MANIFEST):
        _roster, withheld = _public_roster(draw)
        if withheld:  # refused once decided: a second read could succeed where this one failed
            return _withheld(withheld)
        # served: the roster read above was a fairdraw-roster/2 whose bytes matched the stored SHA-256, and the
        # download checks the same SHA-256 again, so it sends those bytes or refuses
    response = draw_file_response(draw, kind)
    if response.status_code == 200:  # a served file is immutable; a refusal is never cached (no-store)
        patch_cache_control(response, public=True, max_age=3600)
    return response


def public_followup(case) -> str:
    """后续处置 as published: penalties only once their publication is recorded; no personal data."""
    kind = case.get_kind_display()
    if case.kind == "penalty":
        if not case.published_at:
            return "立案查处中"
        if case.withdrawn_at or (case.publicity_until and case.publicity_until < timezone.localdate()):
            return f"{kind}（公示期已满）"
        amount = f"，罚款 {case.penalty_amount:,.2f} 元" if case.penalty_amount else ""
        return f"{kind}（{case.case_no}{amount}，{local_date(case.decided_on)} 决定）" if case.decided_on else kind
    if case.kind in ("transfer", "notify"):
        return f"{kind}{case.receiver}" if case.receiver else kind
    return f"{kind}（{case.get_status_display()}）"


@public
def draw_unit_proof(request, code, unit_id):
    """包含证明: one unit's row and its Merkle audit path to the committed root (fairdraw spec §3.1)."""
    draw = _draw_or_404(code)
    if not selectors.result_is_public(draw):
        raise Http404("抽取结果尚未公示")
    try:
        proof = verification.unit_proof(draw, unit_id.strip().upper())
    except DrawFileCorrupted as exc:
        raise Http404("文件校验失败") from exc
    if proof is None:
        raise Http404("该检查对象不在本次抽取的号池快照中，或本次承诺没有默克尔根")
    response = HttpResponse(json.dumps(proof, ensure_ascii=False, indent=1), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{draw.code}-{proof["unit_id"]}-proof.json"'
    return response


@public
def verifier_download(request):
    """The Python verifier as one file (zipapp); its SHA-256 is printed on every verify page."""
    data, digest = verifier_app.verifier_zipapp()
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{verifier_app.FILENAME}"'
    response["X-Content-SHA256"] = digest
    return response


@public
def commitment_log(request):
    """承诺公示日志 as JSON lines (fairdraw spec §14): the file `python -m shuangsuiji.fairdraw.verify --log` reads."""
    response = StreamingHttpResponse(draw_selectors.log_lines(), content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="commitments.jsonl"'
    response["Cache-Control"] = "no-cache"
    return response


@public
@cached_page
def result_search(request):
    if not selectors.results_available():
        return render(request, "disclosure/result_search.html", _common(request, title="抽查结果查询", page=None))
    p = _params(request)
    category = request.GET.get("category", "")
    rows = selectors.results(q=p["q"], region=p["region"], year=p["year"], category=category)
    categories = InspectionResult._meta.get_field("category").choices or []
    page = None
    if p["q"] or p["region"] or p["year"]:
        rows = rows.prefetch_related("draw__task__items__item", "cases")
        newest, match = None, None
        if selectors.is_name_query(p["q"]):  # the newest rows, matched by name (disclosure/paging.py)
            newest = selectors.results(region=p["region"], year=p["year"], category=category)
            match = p["q"]
        page = CappedPaginator(rows, PAGE_SIZE, newest=newest, match=match).get_page(request.GET.get("page"))
        for r in page:
            r.public_items = [i.name for i in r.draw.task.items.all()]
            r.public_followup = "；".join(filter(None, (public_followup(c) for c in r.cases.all())))
    return render(request, "disclosure/result_search.html", _common(
        request, title="抽查结果查询", page=page, categories=categories, category=category,
    ))  # fmt: skip


@public
def penalty_list(request):
    """行政处罚信息公示: decisions published within 7 working days, shown until the end of their publicity period."""
    rows = selectors.penalties()
    page = _page(request, rows)
    for c in page:
        c.public_agency = c.result.draw.task.lead_organization.full_name
    return render(request, "disclosure/penalty_list.html", _common(request, title="行政处罚信息公示", page=page))


def objection_rate_limited(request) -> bool:
    """Counts this POST against the visitor's address (django-ratelimit over the shared "default" cache;
    the address is the one the trusted proxies report, as for the login lockout)."""
    from django_ratelimit.core import is_ratelimited

    from shuangsuiji.core.client_ip import client_ip

    return is_ratelimited(request, group="portal.objection", key=lambda _group, req: client_ip(req) or "",
                          rate=settings.PORTAL_OBJECTION_RATE, method="POST", increment=True)  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def result_objection(request, pk):
    """异议: the unit named in a published result objects to it (identified by its 统一社会信用代码); staff answer
    it in 结果异议 and correct the result through the 更正 workflow when it holds. The portal acts as SYSTEM."""
    from django.core.exceptions import ValidationError

    from shuangsuiji.cases.forms import ObjectionForm
    from shuangsuiji.cases.services import objection_lodge
    from shuangsuiji.core.permissions import SYSTEM
    from shuangsuiji.core.viewhelpers import add_form_error

    result = selectors.results().filter(pk=pk).first()
    if result is None:
        raise Http404("该检查结果未公示")
    form = ObjectionForm(request.POST or None)
    done = False
    if request.method == "POST" and objection_rate_limited(request):
        form.is_valid()  # what the visitor typed stays on the page
        form.add_error(
            None,
            "提交过于频繁：同一网络地址每小时最多提交 "
            f"{settings.PORTAL_OBJECTION_RATE.split('/')[0]} 次异议，请稍后再试",
        )
        return render(request, "disclosure/result_objection.html", _common(
            request, title="对检查结果提出异议", result=result, form=form, done=False,
        ), status=429)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            objection_lodge(user=SYSTEM, result=result, **form.cleaned_data)
            done = True
        except ValidationError as exc:
            add_form_error(form, exc)
    return render(request, "disclosure/result_objection.html", _common(
        request, title="对检查结果提出异议", result=result, form=form, done=done,
    ), status=400 if request.method == "POST" and not done else 200)  # fmt: skip
