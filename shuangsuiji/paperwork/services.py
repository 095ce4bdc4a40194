"""Writes of the paperwork app: issuing a document number (the only write), and batches per task.

`document_issue` takes the next serial of the office's counter for (office, kind, year) under a row lock
(SELECT … FOR UPDATE), formats it with the office's rule and records the document with an audit row. Issuing
the same document again (same kind, result and case) returns the number it already has: a number is never
reused and never changes.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import is_system, region_code_of, require, stored_user

from . import documents
from .choices import CASE_KIND_OF, DEFAULT_MARKS, DocKind
from .models import DocumentCounter, DocumentPrint, IssuedDocument, NumberingRule, print_path

PERM_ISSUE = "paperwork.add_issueddocument"


def _rule(organization, kind: str) -> NumberingRule:
    rule = NumberingRule.objects.filter(organization=organization, kind=kind).first()
    return rule or NumberingRule(organization=organization, kind=kind, prefix=default_prefix(organization, kind))


def default_prefix(organization, kind: str) -> str:
    """地区简称 (the first character of the region name) + the kind's default marks, when no rule is set."""
    mark = DEFAULT_MARKS[kind]
    return f"{organization.region.name[:1]}{mark}" if mark else ""


def format_number(rule: NumberingRule, *, year: int, serial: int) -> str:
    try:
        parts = {"前缀": rule.prefix, "年份": year, "序号": str(serial).zfill(rule.width)}
        return rule.effective_pattern().format(**parts)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(f"文号规则“{rule}”的编号格式有误：{rule.pattern}") from exc


@transaction.atomic
def document_issue(*, user, kind: str, result, case=None, now: dt.datetime | None = None) -> IssuedDocument:
    """The document of `kind` for `result` (and `case`), with its number: the existing one or a new one."""
    require(user, PERM_ISSUE, result)
    if kind not in DocKind.values:
        raise ValidationError(f"文书种类“{kind}”不存在")
    needed = CASE_KIND_OF.get(kind)
    if needed and (case is None or case.kind != needed):
        raise ValidationError(
            f"{DocKind(kind).label}需要一条“{dict(transfer='移送', notify='抄告')[needed]}”后续处置记录"
        )
    if case is not None and case.result_id != result.pk:
        raise ValidationError("后续处置记录不属于该检查结果")
    existing = IssuedDocument.objects.filter(kind=kind, result=result, case=case).first()
    if existing is not None:
        return existing
    organization = documents.issuing_organization(result)
    now = now or timezone.now()
    year = timezone.localtime(now).year
    rule = _rule(organization, kind)
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(
        organization=organization, kind=kind, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    doc = IssuedDocument(
        organization=organization, kind=kind, year=year, serial=counter.last,
        number=format_number(rule, year=year, serial=counter.last),
        title=rule.title or documents.DEFAULT_TITLES[kind], result=result, case=case, issued_at=now,
        issued_by=stored_user(user),
    )  # fmt: skip
    doc.full_clean()
    doc.save()
    audit.log_change(doc, ObjectChange.Action.CREATE, user=user, message=f"编发{doc.title}：{doc.number}")
    return doc


@transaction.atomic
def numbering_rule_save(*, user, organization, kind: str, prefix: str, pattern: str = "", width: int = 3,
                        title: str = "") -> NumberingRule:  # fmt: skip
    """Create or change an office's rule (numbers already issued keep their text)."""
    require(user, "paperwork.change_numberingrule", organization)
    rule = NumberingRule.objects.select_for_update().filter(organization=organization, kind=kind).first()
    before = audit.snapshot(rule) if rule else None
    rule = rule or NumberingRule(organization=organization, kind=kind)
    rule.prefix, rule.pattern, rule.width, rule.title = prefix, pattern, width, title
    rule.full_clean()
    format_number(rule, year=2000, serial=1)  # the pattern must format
    rule.save()
    action = ObjectChange.Action.UPDATE if before else ObjectChange.Action.CREATE
    audit.log_change(rule, action, user=user, before=before)
    return rule


def document_file(*, user, kind: str, result, case=None, fmt: str = "pdf", now=None) -> ContentFile:
    """One document as PDF or Word, its number issued (or reused) first; the printed file is archived."""
    doc = document_issue(user=user, kind=kind, result=result, case=case, now=now)
    body = documents.build(doc)
    content = documents.render([body], fmt)
    _archive_prints(user=user, pairs=[(doc, body)], content=content, fmt=fmt, now=now, in_batch=False)
    return ContentFile(content, name=f"{doc.number or doc.title}.{fmt}")


def content_digest(body) -> str:
    """SHA-256 of what a document says (its blocks, number and heading), independent of the file format and
    of the PDF's creation time: two prints with the same digest say the same thing."""
    import dataclasses
    import hashlib

    return hashlib.sha256(audit.canonical_json(dataclasses.asdict(body)).encode()).hexdigest()


@transaction.atomic
def _archive_prints(*, user, pairs, content: bytes, fmt: str, now=None, in_batch: bool) -> list[DocumentPrint]:
    """印发存档: keep the file handed out (content-addressed: a batch file is stored once for all its documents)
    and one row per document; a reprint whose content differs from the document's previous print says so in
    the audit trail."""
    import hashlib

    from django.core.files.storage import default_storage

    now = now or timezone.now()
    file_sha = hashlib.sha256(content).hexdigest()
    rows, changed = [], []
    for doc, body in pairs:
        row = DocumentPrint(
            document=doc, fmt=fmt, content_sha256=content_digest(body), file_sha256=file_sha, size=len(content),
            in_batch=in_batch, printed_at=now, printed_by=stored_user(user),
        )  # fmt: skip
        last = doc.prints.order_by("-printed_at", "-pk").first()
        if last is not None and last.content_sha256 != row.content_sha256:
            changed.append(f"{doc.title} {doc.number}")
        rows.append(row)
    name = print_path(rows[0], "")
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    for row in rows:
        row.file.name = name
    DocumentPrint.objects.bulk_create(rows)
    message = f"打印执法文书 {len(rows)} 份（{fmt.upper()}，文件 SHA-256 {file_sha[:16]}…）"
    if changed:
        message += "；内容与上次打印不同：" + "、".join(changed[:20]) + ("等" if len(changed) > 20 else "")
    audit.log_event(
        ObjectChange.Action.EXPORT, user=user, message=message, obj=pairs[0][0] if len(pairs) == 1 else None,
        region_code=region_code_of(pairs[0][0]) or "",
        data={"file_sha256": file_sha, "documents": [d.pk for d, _ in pairs], "changed": changed},
    )  # fmt: skip
    return rows


def batch_documents(*, user, task, kind: str = DocKind.RECORD, fmt: str = "pdf", progress=None,
                    now=None) -> ContentFile:  # fmt: skip
    """All documents of `kind` for the task's drawn targets, one file (PDF or Word, a page per document).

    `progress(done, total)` is called after each document; `jobs.task_documents` wraps this for a background
    job as `(task, user, progress=None) -> file`."""
    require(user, PERM_ISSUE, task)
    results = documents.task_results(task)
    if kind in CASE_KIND_OF:
        pairs = [(r, c) for r in results for c in r.cases.filter(kind=CASE_KIND_OF[kind]).order_by("pk")]
    else:
        pairs = [(r, None) for r in results]
    if not pairs:
        raise ValidationError(f"任务“{task.code}”没有可生成{DocKind(kind).label}的检查对象")
    built = []
    for done, (result, case) in enumerate(pairs, start=1):
        doc = document_issue(user=user, kind=kind, result=result, case=case, now=now)
        built.append((doc, documents.build(doc)))
        if progress is not None:
            progress(done, len(pairs))
    content = documents.render([body for _doc, body in built], fmt)
    _archive_prints(user=user, pairs=built, content=content, fmt=fmt, now=now, in_batch=True)
    return ContentFile(content, name=f"{task.code}-{DocKind(kind).label}.{fmt}")


def sync_results(*, user, adapter, results, batch_size: int = 100, now=None) -> dict:
    """Push published results that the channel has not received yet (pending or failed first) through `adapter`.

    Returns {"delivered": n, "failed": n}; failures are kept as FAILED and retried by the next run."""
    from .models import OutboundDelivery
    from .outbound import DeliveryError, record_key

    require(user, "paperwork.publish_issueddocument")
    deliveries = []
    for result in results.filter(status="published").select_related(
        "unit", "draw__task__lead_organization__region__parent"
    ):
        require(user, "paperwork.publish_issueddocument", result)
        key = record_key(result)
        row, _ = OutboundDelivery.objects.get_or_create(
            key=key, defaults={"result": result, "version": result.version, "channel": adapter.channel}
        )
        if row.status != OutboundDelivery.Status.DELIVERED:
            deliveries.append((row, result))
    out = {"delivered": 0, "failed": 0}
    for start in range(0, len(deliveries), batch_size):
        chunk = deliveries[start : start + batch_size]
        records = [{"idempotency_key": row.key, **documents_record(result)} for row, result in chunk]
        try:
            adapter.send(records)
        except DeliveryError as exc:
            for row, _result in chunk:
                row.status, row.attempts, row.last_error = (
                    OutboundDelivery.Status.FAILED,
                    row.attempts + 1,
                    str(exc)[:300],
                )
                row.save(update_fields=["status", "attempts", "last_error"])
            out["failed"] += len(chunk)
            continue
        stamp = now or timezone.now()
        for row, _result in chunk:
            row.status, row.attempts, row.delivered_at, row.last_error = (
                OutboundDelivery.Status.DELIVERED, row.attempts + 1, stamp, "",
            )  # fmt: skip
            row.save(update_fields=["status", "attempts", "delivered_at", "last_error"])
        out["delivered"] += len(chunk)
    audit.log_event(ObjectChange.Action.EXPORT, user=user, message=(
        f"向省级平台上报检查结果：送达 {out['delivered']} 条，失败 {out['failed']} 条（{adapter.channel}）"
    ), data=out)  # fmt: skip
    return out


def sync_configured(*, user, progress=None) -> dict:
    """Push the published results in the user's scope through the deployment's configured channel
    (`outbound.configured_adapter`); the cron command and the 立即上报 job both come here."""
    from shuangsuiji.inspections.models import InspectionResult

    from .outbound import configured_adapter

    require(user, "paperwork.publish_issueddocument")
    adapter = configured_adapter()
    if adapter is None:
        raise ValidationError("尚未配置省级平台上报通道：请系统管理员设置 OUTBOUND_SYNC_URL（接口地址）"
                              "或 OUTBOUND_SYNC_DIR（交换目录）")  # fmt: skip
    results = InspectionResult.objects.all() if is_system(user) else InspectionResult.objects.restrict(user, "view")
    out = sync_results(user=user, adapter=adapter, results=results, now=None)
    if progress is not None:
        progress(out["delivered"] + out["failed"], out["delivered"] + out["failed"])
    return out


def documents_record(result) -> dict:
    from .exports import result_record

    return result_record(result)
