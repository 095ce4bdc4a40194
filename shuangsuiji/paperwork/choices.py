"""Kinds of enforcement documents (卫生行政执法文书, official-formats §2–§5)."""

from django.db import models


class DocKind(models.TextChoices):
    NOTICE = "notice", "检查通知书"
    RECORD = "record", "现场检查记录表"
    OPINION = "opinion", "卫生监督意见书"
    TRANSFER = "transfer", "案件移送函"
    NOTIFY = "notify", "抄告函"


# Default number parts when an office has not configured a rule (87号 第4条: 地区简称+卫+类别+性质+〔年份〕+序号;
# the 卫生监督意见书 and the 现场检查记录 carry a 编号 "年份—序号" instead of a 文号).
DEFAULT_MARKS = {
    DocKind.NOTICE: "卫监告",
    DocKind.RECORD: "",
    DocKind.OPINION: "",
    DocKind.TRANSFER: "卫监移",
    DocKind.NOTIFY: "卫监抄",
}
WENHAO_PATTERN = "{前缀}〔{年份}〕{序号}号"
BIANHAO_PATTERN = "{前缀}{年份}—{序号}"
DEFAULT_PATTERNS = {
    DocKind.NOTICE: WENHAO_PATTERN,
    DocKind.RECORD: BIANHAO_PATTERN,
    DocKind.OPINION: BIANHAO_PATTERN,
    DocKind.TRANSFER: WENHAO_PATTERN,
    DocKind.NOTIFY: WENHAO_PATTERN,
}
# Kinds printed with "编号：" (a 编号), the others carry a 文号 under the agency name.
BIANHAO_KINDS = frozenset({DocKind.RECORD, DocKind.OPINION})
# Which follow-up case kind a document needs (None: the result alone).
CASE_KIND_OF = {DocKind.TRANSFER: "transfer", DocKind.NOTIFY: "notify"}
