"""The content of each 执法文书, built from the data, and its two renderings (PDF through WeasyPrint with the
bundled CJK font; editable Word through python-docx).

A document is first built as a `Body` (agency, title, number, blocks); the HTML template and the Word writer
both walk the same blocks, so the PDF and the .docx always say the same thing. Layouts follow the headings of
the 卫生行政执法文书规范 family as documented in official-formats.md (§2 现场检查记录, §3 卫生监督意见书,
§4 检查通知书 after the 随机抽查通知书 model, §5 移送/抄告); the issuing agency's full name heads each one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone

from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.formats import local_date
from shuangsuiji.core.printing import render_pdf
from shuangsuiji.draws.choices import TargetStatus
from shuangsuiji.draws.models import InspectorAssignment
from shuangsuiji.inspections.choices import CheckMethod
from shuangsuiji.inspections.models import ChecklistTemplate, InspectionResult

from .choices import BIANHAO_KINDS, DocKind

DEFAULT_TITLES = {
    DocKind.NOTICE: "检查通知书",
    DocKind.RECORD: "现场检查记录表",
    DocKind.OPINION: "卫生监督意见书",
    DocKind.TRANSFER: "案件移送函",
    DocKind.NOTIFY: "抄告函",
}
BLANK = "＿＿＿＿＿＿"
DATE_BLANK = "　　年　　月　　日"


@dataclass
class Block:
    kind: str  # heading | para | fields | table | signatures | note | pagebreak
    text: str = ""
    rows: list = field(default_factory=list)
    headers: list = field(default_factory=list)


@dataclass
class Body:
    agency: str
    title: str
    number_label: str
    number: str
    blocks: list[Block]


def agency_name(organization: Organization) -> str:
    return organization.full_name


def issuing_organization(result: InspectionResult) -> Organization:
    """The task's lead department; an internal 科室 issues in the name of the body it belongs to."""
    org = result.draw.task.lead_organization
    while org.kind == Organization.Kind.SECTION and org.parent_id:
        org = org.parent
    return org


def task_results(task) -> list[InspectionResult]:
    """Results of the task's live draw, active targets only, in the draw's order."""
    return list(
        InspectionResult.objects.filter(draw__task=task, target__status=TargetStatus.ACTIVE)
        .exclude(draw__status="cancelled")
        .select_related("unit", "target", "draw__task__lead_organization__region", "region")
        .order_by("target__stratum", "target__rank")
    )


def _d(value) -> str:
    return local_date(value) if value else DATE_BLANK


def _group(result) -> list[tuple[str, str]]:
    return list(
        InspectorAssignment.objects.filter(target=result.target).order_by("inspector_code")
        .values_list("inspector_name", "inspector_code")
    )  # fmt: skip


def _items(task) -> list[str]:
    names = []
    for ti in task.items.select_related("item").order_by("order", "pk"):
        name = ti.item_name or (ti.item.name if ti.item_id else "")
        if name:
            names.append(name)
    return names


def _checklist_rows(result) -> list[list[str]]:
    """The answered checklist; a result not yet entered prints the applicable questions with blank answers."""
    answers = list(result.answers.select_related("question").order_by("order", "pk"))
    if answers:
        return [[str(n), a.section, a.text, (a.question.basis if a.question_id else ""),
                 a.get_value_display() if a.value else ("" if a.kind == "text" else "□符合 □不符合 □不适用"),
                 a.note] for n, a in enumerate(answers, start=1)]  # fmt: skip
    code = result.region.code
    items = [ti.item_id for ti in result.draw.task.items.all() if ti.item_id]
    templates = [t for t in ChecklistTemplate.objects.filter(active=True).select_related("region", "item")
                 if code.startswith(t.region.scope_prefix) and (t.item_id is None or t.item_id in items)]  # fmt: skip
    templates.sort(key=lambda t: (t.item_id is not None, items.index(t.item_id) if t.item_id in items else 0))
    rows, n = [], 0
    for t in templates:
        for q in t.questions.all():
            n += 1
            rows.append([str(n), t.item.name if t.item_id else t.name, q.text, q.basis,
                         "" if q.kind == "text" else "□符合 □不符合 □不适用", ""])  # fmt: skip
    return rows


def _unit_fields(unit, *, party="被检查人") -> Block:
    return Block("fields", rows=[
        (party, unit.name), ("统一社会信用代码", unit.credit_code),
        ("地址", unit.address or BLANK), ("法定代表人/负责人", unit.legal_rep or BLANK),
        ("联系电话", unit.contact_phone or BLANK), ("卫生许可证号", unit.licence_no or "无"),
    ])  # fmt: skip


def build(doc) -> Body:
    """The `Body` of an issued document (`IssuedDocument`)."""
    result = doc.result
    task = result.draw.task
    builder = {
        DocKind.NOTICE: _notice, DocKind.RECORD: _record, DocKind.OPINION: _opinion,
        DocKind.TRANSFER: _transfer, DocKind.NOTIFY: _notify,
    }[doc.kind]  # fmt: skip
    agency = agency_name(doc.organization)
    blocks = builder(doc, result, task, agency)
    label = "编号" if doc.kind in BIANHAO_KINDS else "文号"
    return Body(agency=agency, title=doc.title, number_label=label, number=doc.number, blocks=blocks)


def _issued_on(doc) -> str:
    return local_date(timezone.localtime(doc.issued_at).date())


def _notice(doc, result, task, agency) -> list[Block]:
    unit = result.unit
    group = _group(result)
    items = _items(task) or [task.name]
    return [
        Block("para", f"{unit.name}（统一社会信用代码：{unit.credit_code}）："),
        Block(
            "para",
            (
                "根据《中华人民共和国行政许可法》《国务院办公厅关于推广随机抽查规范事中事后监管的通知》及本机关“双随机、一公开”"
                f"抽查工作计划，经随机抽取，本机关决定对你单位进行抽查检查（抽查任务编号：{task.code}，抽取编号：{result.draw.code}）。"
            ),
        ),  # fmt: skip
        Block("heading", "一、抽查检查事项"),
        *[Block("para", f"（{n}）{name}；") for n, name in enumerate(items, start=1)],
        Block("heading", "二、检查时间和检查方法"),
        Block(
            "para",
            f"本机关将于{_d(task.window_start)}至{_d(task.window_end)}期间对你单位进行检查。"
            f"检查方法：{'、'.join(m.label for m in CheckMethod)}。",
        ),  # fmt: skip
        Block("heading", "三、需要准备的资料"),
        Block(
            "para",
            "（1）营业执照、卫生许可证等证照；（2）从业人员健康合格证明及培训记录；（3）卫生管理制度及相关记录；"
            "（4）检验检测报告等其他与抽查事项有关的资料。",
        ),  # fmt: skip
        Block("heading", "四、执法人员"),
        Block("table", headers=["姓名", "执法证号"], rows=[list(g) for g in group] or [[BLANK, BLANK], [BLANK, BLANK]]),
        Block("para", "执法人员将出示执法证件。你单位认为执法人员与你单位有直接利害关系的，有权申请回避。"),
        Block(
            "para", "请你单位务必配合检查。对于不配合检查的，本机关将依法采取相应监管措施，并将不配合情况向社会公开。"
        ),
        Block("fields", rows=[("联系人", BLANK), ("联系电话", BLANK)]),
        Block("signatures", rows=[("", f"{agency}（公章）"), ("", _issued_on(doc))]),
    ]


def _record(doc, result, task, agency) -> list[Block]:
    group = _group(result)
    while len(group) < 2:
        group.append((BLANK, BLANK))
    checked = _d(result.checked_on)
    findings = result.findings or ("未发现问题。" if result.category == "1" else BLANK)
    disposal = result.get_disposal_display() if result.disposal else BLANK
    if result.disposal_note:
        disposal = f"{disposal}：{result.disposal_note}"
    return [
        _unit_fields(result.unit),
        Block(
            "fields",
            rows=[
                ("检查机关", agency),
                ("检查地点", result.unit.address or BLANK),
                ("检查时间", f"{checked}　　时　　分至　　时　　分"),
                ("抽查任务", f"{task.code} {task.name}"),
                ("抽取编号", result.draw.code),
                ("执法人员及执法证号", "；".join(f"{n}（{c}）" for n, c in group)),
            ],
        ),  # fmt: skip
        Block("para", "执法人员已出示执法证件，告知被检查人检查事由及申请回避的权利。被检查人□申请 □不申请回避。"),
        Block("heading", "检查内容及情况"),
        Block(
            "table", headers=["序号", "检查事项", "检查内容", "依据", "检查情况", "说明"], rows=_checklist_rows(result)
        ),
        Block("heading", "发现问题情况"),
        Block("para", findings),
        Block("heading", "处置情况"),
        Block("para", disposal),
        Block("para", "被检查人意见：以上记录属实。"),
        Block(
            "signatures",
            rows=[
                ("执法人员（签名）", f"{group[0][0]}　　{DATE_BLANK}"),
                ("执法人员（签名）", f"{group[1][0]}　　{DATE_BLANK}"),
                ("被检查人（签名）", f"　　　　　　{DATE_BLANK}"),
            ],
        ),  # fmt: skip
        Block(
            "note",
            "被检查人拒绝签名的，由执法人员注明拒签事由并邀请见证人签名。本记录一式两份，一份留存执法案卷，一份交被检查人。",
        ),
    ]


def _opinion(doc, result, task, agency) -> list[Block]:
    case = doc.case or result.cases.filter(kind="rectify").order_by("pk").first()
    opinion = []
    if result.findings:
        opinion.append(f"经查，你单位存在以下问题：{result.findings}")
    if case is not None and case.description:
        opinion.append(f"责令改正意见：{case.description}")
    if case is not None and case.deadline:
        opinion.append(f"改正期限：请于{local_date(case.deadline)}前改正完毕，逾期将依法处理。")
    if not opinion:
        opinion.append(result.disposal_note or BLANK)
    return [
        Block(
            "fields",
            rows=[
                ("被监督人", result.unit.name),
                ("法定代表人/负责人", result.unit.legal_rep or BLANK),
                ("地址", result.unit.address or BLANK),
                ("联系电话", result.unit.contact_phone or BLANK),
            ],
        ),  # fmt: skip
        Block("heading", "监督意见："),
        *[Block("para", text) for text in opinion],
        Block(
            "signatures",
            rows=[
                ("被监督人签收", f"　　　　　　{DATE_BLANK}"),
                ("卫生行政机关名称并盖章", f"{agency}　　{_issued_on(doc)}"),
            ],
        ),  # fmt: skip
        Block("note", "备注：本意见书一式两联，第一联留存执法案卷，第二联交被监督人。"),
    ]


def _transfer(doc, result, task, agency) -> list[Block]:
    case = doc.case
    return [
        Block("para", f"{case.receiver or BLANK}："),
        Block("para", f"本机关在“双随机、一公开”抽查（任务编号：{task.code}）中发现下列案件，依法移送你单位处理。"),
        _unit_fields(result.unit, party="当事人"),
        Block(
            "fields",
            rows=[
                ("案件来源", f"随机抽查（{task.name}，抽取编号 {result.draw.code}）"),
                ("检查日期", _d(result.checked_on)),
                ("违法事实", result.findings or BLANK),
                ("移送理由及依据", case.description or BLANK),
                ("已采取措施", result.get_disposal_display() if result.disposal else "无"),
                ("附件", f"1. 现场检查记录表（{_related_number(result, DocKind.RECORD)}）；2. 其他证据材料　　份"),
                ("移送日期", _d(case.sent_on)),
            ],
        ),  # fmt: skip
        Block("signatures", rows=[("经办人", BLANK), ("", f"{agency}（公章）"), ("", _issued_on(doc))]),
        Block("heading", "接收回执"),
        Block("fields", rows=[("接收机关", case.receiver or BLANK), ("接收人", BLANK), ("接收日期", DATE_BLANK)]),
    ]


def _notify(doc, result, task, agency) -> list[Block]:
    case = doc.case
    return [
        Block("para", f"{case.receiver or BLANK}："),
        Block(
            "para", f"本机关在“双随机、一公开”抽查（任务编号：{task.code}）中发现下列情况，涉及你单位职责，特此抄告。"
        ),
        Block(
            "fields",
            rows=[
                ("被检查对象", result.unit.name),
                ("统一社会信用代码", result.unit.credit_code),
                ("检查日期", _d(result.checked_on)),
                ("发现的问题", result.findings or BLANK),
                ("涉及的法律依据", case.description or BLANK),
                ("附件", f"现场检查记录表（{_related_number(result, DocKind.RECORD)}）"),
            ],
        ),  # fmt: skip
        Block("para", "请将处理情况反馈本机关。"),
        Block("signatures", rows=[("", f"{agency}（公章）"), ("", _issued_on(doc))]),
        Block("heading", "处理情况反馈"),
        Block("fields", rows=[("反馈单位", case.receiver or BLANK), ("处理情况", BLANK), ("反馈日期", DATE_BLANK)]),
    ]


def _related_number(result, kind) -> str:
    doc = result.documents.filter(kind=kind, case__isnull=True).first()
    return f"编号：{doc.number}" if doc else "见案卷"


# ------------------------------------------------------------------ rendering


def html(bodies: list[Body]) -> str:
    return render_to_string("paperwork/document.html", {"bodies": bodies})


def pdf(bodies: list[Body]) -> bytes:
    return render_pdf(html(bodies))


def docx(bodies: list[Body]) -> bytes:
    """Editable Word file: the same blocks, one section per document (page break between documents)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")

    def centered(text, size, bold=False):
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.font.size = bold, Pt(size)
        return p

    for index, body in enumerate(bodies):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        centered(body.agency, 14, bold=True)
        document.add_heading(body.title, level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
        p = document.add_paragraph(f"{body.number_label}：{body.number}")
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for block in body.blocks:
            if block.kind == "heading":
                document.add_heading(block.text, level=2)
            elif block.kind in ("para", "note"):
                document.add_paragraph(block.text)
            elif block.kind in ("fields", "signatures"):
                table = document.add_table(rows=0, cols=2)
                table.style = "Table Grid"
                for label, value in block.rows:
                    cells = table.add_row().cells
                    cells[0].text, cells[1].text = label, value
            elif block.kind == "table":
                table = document.add_table(rows=1, cols=len(block.headers))
                table.style = "Table Grid"
                for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
                    cell.text = header
                for row in block.rows:
                    for cell, value in zip(table.add_row().cells, row, strict=True):
                        cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render(bodies: list[Body], fmt: str) -> bytes:
    if fmt == "pdf":
        return pdf(bodies)
    if fmt == "docx":
        return docx(bodies)
    raise ValueError(fmt)
