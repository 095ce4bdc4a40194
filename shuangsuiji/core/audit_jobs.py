"""Background work of core: 全链校验 of the audit trail (the web counterpart of `manage.py audit_verify`)."""

from __future__ import annotations

from . import anchoring, audit, jobs
from .models import ObjectChange
from .selectors import sees_whole_audit_chain

AUDIT_VERIFY = "core.audit_verify"


@jobs.register(AUDIT_VERIFY, unit="条")
def audit_verify(job, *, user, progress):
    """Verify the whole chain and every head published into AUDIT_HEADS_DIR; the report is kept on the job."""
    from django.core.exceptions import PermissionDenied

    if not jobs.is_system(user) and not sees_whole_audit_chain(user):
        raise PermissionDenied("只有省、市级系统管理员或纪检人员可以校验整条审计链")
    progress(0, ObjectChange.objects.count(), phase="逐条重算哈希")
    try:
        heads, _, error = (*anchoring.published_heads(), "")
    except anchoring.HeadFileError as exc:
        heads, error = [], str(exc)
    report = audit.check_chain([h.anchor() for h in heads if h.ok], progress=progress)
    progress(report.rows, report.rows)
    bad_files = [h for h in heads if not h.ok]
    count = len(report.problems) + len(bad_files)
    outcome = f"发现 {count} 处异常" if count else "未发现异常"
    audit.log_event(ObjectChange.Action.WORKFLOW, user=user, message=f"审计链校验：{outcome}")
    lines = [f"{f'记录 #{p.row_id}：' if p.row_id else ''}{p.detail}" for p in report.problems[:500]]
    lines += [f"链尾文件 {h.path.name}：{h.error}" for h in bad_files]
    lines += [f"已发布链尾 {c.anchor.label}：{c.detail}" for c in report.heads if c.ok]
    if error:
        lines.append(error)
    head = f"当前链尾：第 {report.head_seq} 条（#{report.head_id or 0}） {report.head_hash}"
    text = (
        f"审计链校验发现 {count} 处异常（共校验 {report.rows} 条）。{head}" if count
        else f"审计链完整：共 {report.rows} 条记录，未发现修改、删除或插入。{head}"
    )  # fmt: skip
    return jobs.Outcome(text=text, data={"ok": not count, "problems": count, "rows": report.rows, "lines": lines})
