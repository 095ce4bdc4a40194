"""Demo: follow-up of the published 高青 results that the inspections demo (order 300) hands over in
context["demo_followups"]: a closed 责令整改, a few 立案处罚 with published penalties, one 移送; one 责令整改
past its deadline without re-check and one penalty decision past its 7-working-day publication deadline
(overdue to-dos on the home page).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.core.registry import demo_loader

from . import services as case_services


@demo_loader(350, "后续处置")
def load_cases(context, stdout):
    later = context.get("demo_followups")
    if not later:
        stdout.write("  没有待后续处置的演示检查结果，跳过")
        return
    rng = context["rng"]
    today = timezone.localdate()
    leader = User.objects.get(username="gq_leader")
    for kind, result, day in later:
        if kind == "E":
            case = case_services.case_open(
                user=leader,
                result=result,
                kind="rectify",
                data={
                    "deadline": day + dt.timedelta(days=7),
                    "document_no": f"高卫监意〔{day:%Y}〕{rng.randint(10, 99)}号",
                    "description": "立即整改顾客用品用具清洗消毒",
                },
            )
            recheck = min(day + dt.timedelta(days=7), today)
            case_services.case_recheck(
                user=leader, case=case, recheck_on=recheck, recheck_result="rectified", note="复查时已整改到位"
            )
        elif kind == "E_overdue":
            case_services.case_open(
                user=leader,
                result=result,
                kind="rectify",
                data={
                    "deadline": max(day, today - dt.timedelta(days=3)),
                    "description": "限期整改（演示：逾期未复查）",
                },
            )
        elif kind.startswith("penalty"):
            case = case_services.case_open(
                user=leader,
                result=result,
                kind="penalty",
                data={"case_no": f"高卫罚〔{day:%Y}〕{rng.randint(100, 199)}号"},
            )
            decided = min(day + dt.timedelta(days=2), today)
            case_services.case_decide(
                user=leader,
                case=case,
                decision="警告，并处罚款人民币贰仟元整",
                decided_on=decided,
                penalty_amount=Decimal("2000"),
            )
            if kind == "penalty":
                case_services.case_publish_penalty(user=leader, case=case)
        elif kind == "transfer":
            case_services.case_open(
                user=leader,
                result=result,
                kind="transfer",
                data={
                    "receiver": "高青县公安局",
                    "receiver_kind": "judiciary",
                    "sent_on": day,
                    "description": "涉嫌非法行医，移送公安机关",
                },
            )
    stdout.write(f"  后续处置：{len(later)} 件")
