"""Chinese text of an assignment problem, rendered from its code, unit and detail (spec Appendix A).

Format 3 manifests compare only ``{"code", "unit_id", "detail"}``; people read this text.  Format 2
manifests carried it as ``message``, so the verifier of stored draws needs it byte for byte; a test
checks that it equals what the engine writes (``assign.Problem.message_zh``) for every vector.
"""

from __future__ import annotations

from collections.abc import Mapping


def problem_message(code: str, unit_id: str, d: Mapping) -> str:
    if code == "TOO_FEW_ELIGIBLE":
        x = d["excluded"]
        return (
            f"检查对象 {unit_id}：检查组需要 {d['required']} 名执法人员，但符合条件的只有 {d['eligible']} 名"
            f"（名录共 {d['roster']} 名；执法证在检查期间无效 {x['certificate']} 名，申报回避 {x['conflict']} 名，"
            f"不符合地区规则 {x['region']} 名，工作量上限为 0 的 {x['no_capacity']} 名）。"
        )
    if code == "NO_SPECIALIST":
        n = d["specialists_in_roster"]
        why = (
            f"名录中该专业共 {n} 名，均因执法证无效、回避、地区规则或工作量上限被排除"
            if n
            else "名录中没有该专业的执法人员"
        )
        return (
            f"检查对象 {unit_id}：检查组至少需要 1 名“{d['specialty']}”专业的执法人员，"
            f"但符合条件的执法人员中没有该专业人员（{why}）。"
        )
    if code == "CAPACITY":
        return (
            f"检查对象 {unit_id}：无法组成 {d['required']} 人检查组——其可调配的 {d['inspectors_involved']} 名执法人员"
            f"（含通过与其他检查组调换可腾出的人员）已全部达到工作量上限（合计 {d['capacity_involved']} 人次），"
            f"而相关的 {d['tasks_involved']} 个检查对象共需 {d['required'] * d['tasks_involved']} 人次。"
            "请增加执法人员、提高工作量上限或调整地区规则。"
        )
    raise ValueError(f"unknown problem code {code!r}")
