"""Enumerations and the workflow transition map of a draw (抽取)."""

from django.db import models


class DrawStatus(models.TextChoices):
    COMMITTED = "committed", "已公布承诺，待公开随机值"
    DRAWN = "drawn", "已抽取，待锁定"
    LOCKED = "locked", "已锁定公示"
    CANCELLED = "cancelled", "已作废"


class DrawOrigin(models.TextChoices):
    """How a draw record's targets were decided: drawn here (verifiable), or recorded from elsewhere (issue #15)."""

    DRAWN = "drawn", "本级随机抽取"
    IMPORTED = "imported", "上级下达（上级抽取，本级导入）"
    RECORDED = "recorded", "非随机检查登记"


LIVE_STATUSES = (DrawStatus.COMMITTED, DrawStatus.DRAWN, DrawStatus.LOCKED)

# action -> (allowed source statuses, target status)
DRAW_TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "run": (frozenset({DrawStatus.COMMITTED}), DrawStatus.DRAWN),
    "lock": (frozenset({DrawStatus.DRAWN}), DrawStatus.LOCKED),
    "cancel": (frozenset({DrawStatus.COMMITTED, DrawStatus.DRAWN, DrawStatus.LOCKED}), DrawStatus.CANCELLED),
}


class HashSuite(models.TextChoices):
    """The hash suite named in a commitment (fairdraw spec §2.3); the label is what public pages show."""

    SHA256 = "sha256", "SHA-256"
    SM3 = "sm3", "SM3（国密）"


HASH_NAMES = {HashSuite.SHA256: "SHA-256", HashSuite.SM3: "SM3"}  # as the spec's formulas write them
HASH_EXPLANATIONS = {
    HashSuite.SHA256: "本次抽取的承诺哈希、号池与名录摘要、随机种子和随机键都用国际通用的 SHA-256 算法计算。",
    HashSuite.SM3: "本次抽取的承诺哈希、号池与名录摘要、随机种子和随机键都用国家密码管理局发布的 SM3 算法"
    "（GB/T 32905-2016）计算。",
}


class SourceKind(models.TextChoices):
    LOTTERY = "lottery", "彩票开奖号码"
    DRAND = "drand", "drand 公共随机信标"
    WITNESS = "witness", "监督人承诺—揭示随机数"


class LotteryGame(models.TextChoices):
    KL8 = "kl8", "中国福利彩票快乐8"
    SSQ = "ssq", "中国福利彩票双色球"
    DLT = "dlt", "中国体育彩票超级大乐透"


# game -> groups of (count, lowest, highest); numbers within a group are distinct.
LOTTERY_RULES = {
    LotteryGame.KL8: [(20, 1, 80)],
    LotteryGame.SSQ: [(6, 1, 33), (1, 1, 16)],
    LotteryGame.DLT: [(5, 1, 35), (2, 1, 12)],
}
LOTTERY_DRAW_TIME = {  # Beijing time the numbers are announced
    LotteryGame.KL8: (21, 30), LotteryGame.SSQ: (21, 15), LotteryGame.DLT: (21, 25),
}  # fmt: skip

# Where anyone can check a lottery result: (official site, its address).
LOTTERY_CHECK_SITES = {
    LotteryGame.KL8: ("中国福利彩票官网", "https://www.cwl.gov.cn/"),
    LotteryGame.SSQ: ("中国福利彩票官网", "https://www.cwl.gov.cn/"),
    LotteryGame.DLT: ("中国体育彩票官网", "https://www.lottery.gov.cn/"),
}

# drand quicknet (research-algorithms §1.3): round r is produced at genesis + (r-1)·period.
# The chain's public key (for the BLS check) is fairdraw.drand.QUICKNET.
DRAND_QUICKNET = {
    "chain": "quicknet",
    "chain_hash": "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    "genesis": 1692803367,
    "period": 3,
}
DRAND_PUBLIC_URL = "https://api.drand.sh/{chain_hash}/public/{round}"


class TargetRole(models.TextChoices):
    SELECTED = "selected", "抽中"
    SUBSTITUTE = "substitute", "候补"


class TargetStatus(models.TextChoices):
    ACTIVE = "active", "待检查"
    STANDBY = "standby", "候补未启用"
    REPLACED = "replaced", "已被替补"
    CANCELLED = "cancelled", "已取消检查"


class TargetChangeKind(models.TextChoices):
    SUBSTITUTE = "substitute", "递补"
    CANCEL = "cancel", "取消检查"


class InspectorChangeReason(models.TextChoices):
    ILLNESS = "illness", "生病"
    LEAVE = "leave", "请假、休假或外出学习"
    CONFLICT = "conflict", "抽取后发现应当回避"
    OTHER = "other", "其他原因"


# What the portal and the public replacements file say of a replacement's reason: an illness or a leave is a
# person's own (health) information, so the public reads one fixed wording for every reason but 回避, which is
# what makes the change a matter of the rules; the staff pages and the record keep the kind and the account.
PUBLIC_CHANGE_REASON = {
    InspectorChangeReason.ILLNESS: "因故不能参加检查",
    InspectorChangeReason.LEAVE: "因故不能参加检查",
    InspectorChangeReason.OTHER: "因故不能参加检查",
    InspectorChangeReason.CONFLICT: "抽取后发现应当回避",
}


class InspectorChangeStatus(models.TextChoices):
    APPLIED = "applied", "已更换"
    PENDING = "pending", "待审批人签批"
    REJECTED = "rejected", "审批人未同意"


# At most this share of a task's groups may have a member replaced without the approver's sign-off.
REPLACEMENT_FREE_SHARE = (15, 100)


class ExpertMode(models.TextChoices):
    RANDOM = "random", "随机抽取"
    DESIGNATED = "designated", "指定（写明理由）"


class WitnessRole(models.TextChoices):
    DISCIPLINE = "discipline", "纪检监察人员"
    LEGAL = "legal", "法制审核人员"
    NOTARY = "notary", "公证人员"
    PUBLIC = "public", "群众/企业代表"
    OTHER = "other", "其他监督人"


class FileKind(models.TextChoices):
    POOL = "pool", "号池快照"
    ROSTER = "roster", "执法人员名录"
    COMMITMENT = "commitment", "抽取承诺"
    MANIFEST = "manifest", "抽取结果清单"
    # Opens the roster's committed 回避 pairs (fairdraw spec §4.2.2): staff and oversight only, never public.
    CONFLICT_KEY = "conflict_key", "回避声明密钥（不公开）"


FILE_NAMES = {
    FileKind.POOL: ("pool.tsv", "text/tab-separated-values; charset=utf-8"),
    FileKind.ROSTER: ("roster.json", "application/json"),
    FileKind.COMMITMENT: ("commitment.json", "application/json"),
    FileKind.MANIFEST: ("manifest.json", "application/json"),
    FileKind.CONFLICT_KEY: ("conflict-key.json", "application/json"),
}


# The verifier's verdicts in plain Chinese (its own output keeps the status word a script can test).
VERDICT_ZH = {"VERIFIED": "核验通过", "DIFFERENT": "不一致", "MALFORMED": "文件格式错误", "CORRUPTED": "文件校验失败"}
