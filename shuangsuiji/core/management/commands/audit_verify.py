from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.core import anchoring
from shuangsuiji.core.audit import Anchor, check_chain
from shuangsuiji.core.registry import CHAIN_CHECKS


class Command(BaseCommand):
    help = (
        "校验审计日志哈希链：指出被修改、删除或插入的记录；并核对此前公布的链尾仍在链中"
        "（链首到该链尾完整，其后追加的记录不算异常）"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head", action="append", default=[], metavar="HASH",
            help="此前公布/抄送的链尾哈希（可多次指定）",
        )  # fmt: skip
        parser.add_argument("--heads-file", action="append", default=[], help="文本文件：每行一个此前公布的链尾哈希")
        parser.add_argument("--heads", action="append", default=[], help="签名链尾文件或目录（需 --public-key）")
        parser.add_argument("--public-key", default=None, help="纪检留存的签名公钥（PEM）")

    def handle(self, *args, expect_head=(), heads_file=(), heads=(), public_key=None, **options):
        expect_head, heads_file, heads = (
            [v] if isinstance(v, str) else list(v) for v in (expect_head, heads_file, heads)
        )  # call_command(expect_head="...") passes one string
        anchors = [Anchor(hash=h.strip().lower(), label="--expect-head") for h in expect_head]
        try:
            for name in heads_file:
                lines = Path(name).read_text(encoding="utf-8").splitlines()
                anchors += [Anchor(hash=s.strip().lower(), label=Path(name).name) for s in lines if s.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"链尾哈希文件无法读取：{exc}") from None
        bad_files = 0
        if heads:
            if not public_key:
                raise CommandError("核对签名链尾文件需要 --public-key（纪检留存的公钥）")
            try:
                key = anchoring.load_public_key(public_key)
                signed = [head for source in heads for head in anchoring.read_heads(Path(source), key)]
            except anchoring.HeadFileError as exc:
                raise CommandError(str(exc)) from None
            if not signed:
                raise CommandError("没有找到签名链尾文件")
            for head in signed:
                if head.ok:
                    anchors.append(head.anchor())
                else:
                    bad_files += 1
                    self.stderr.write(f"链尾文件 {head.path.name}：{head.error}")
        report = check_chain(anchors)
        for check in report.heads:
            source = f"（{check.anchor.label}）" if check.anchor.label else ""
            line = f"链尾 {check.anchor.hash[:16]}…{source}：{check.detail}"
            (self.stdout if check.ok else self.stderr).write(line)
        for problem in report.problems:
            if problem.kind != "head_missing":
                self.stderr.write(f"记录 #{problem.row_id} [{problem.kind}] {problem.detail}")
        head = f"当前链尾：第 {report.head_seq} 条（#{report.head_id or 0}）{report.head_hash}"
        other_failed = 0
        for check in CHAIN_CHECKS:  # e.g. the public commitment log (draws), with its head
            ok, line = check()
            (self.stdout if ok else self.stderr).write(line)
            other_failed += not ok
        if report.problems or bad_files or other_failed:
            self.stderr.write(head)
            raise CommandError(
                f"审计链校验失败：共 {report.rows} 条，{len(report.problems) + bad_files + other_failed} 处异常"
            )
        self.stdout.write(f"审计链完整：共 {report.rows} 条记录。{head}")
