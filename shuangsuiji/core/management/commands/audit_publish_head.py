"""Publish the audit chain head as a signed file (run daily from a systemd timer / cron, see docs/production.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuangsuiji.core import anchoring
from shuangsuiji.core.audit import check_chain
from shuangsuiji.core.models import ObjectChange


class Command(BaseCommand):
    help = "校验审计链（含此前发布的全部链尾），并把当前链尾写成 Ed25519 签名文件，供纪检留存"

    def add_arguments(self, parser):
        parser.add_argument("--key-file", default=None, help="签名私钥文件（默认：AUDIT_SIGNING_KEY_FILE）")
        parser.add_argument("--dir", default=None, help="链尾文件目录（默认：AUDIT_HEADS_DIR）")
        parser.add_argument("--generate-key", action="store_true", help="生成签名私钥文件（已存在时拒绝）并输出公钥")

    def handle(self, *args, key_file=None, dir=None, generate_key=False, **options):
        key_file = key_file or settings.AUDIT_SIGNING_KEY_FILE
        directory = Path(dir or settings.AUDIT_HEADS_DIR)
        try:
            if generate_key:
                if not key_file:
                    raise anchoring.HeadFileError("请用 --key-file 或 AUDIT_SIGNING_KEY_FILE 指定私钥文件路径")
                key = anchoring.generate_key(Path(key_file))
                self.stdout.write(f"已生成签名私钥：{key_file}（仅发布任务的账户可读，勿放入数据库或备份目录）")
                self.stdout.write(anchoring.public_pem(key.public_key()).decode())
                self.stdout.write(f"公钥指纹（SHA-256）：{anchoring.fingerprint(key.public_key())}（请书面交纪检留存）")
                return
            key = anchoring.load_private_key(key_file)
            public = key.public_key()
            anchoring.write_public_key(directory, public)
            earlier = anchoring.read_heads(directory, public) if directory.is_dir() else []
        except anchoring.HeadFileError as exc:
            raise CommandError(str(exc)) from None
        earlier = [h for h in earlier if anchoring.HEAD_NAME_RE.match(h.path.name)]
        bad = [h for h in earlier if not h.ok]
        for head in bad:
            self.stderr.write(f"链尾文件 {head.path.name}：{head.error}")
        report = check_chain([h.anchor() for h in earlier if h.ok])
        for problem in report.problems:
            self.stderr.write(f"记录 #{problem.row_id} [{problem.kind}] {problem.detail}")
        if bad or not report.ok:
            raise CommandError(f"审计链校验失败，未发布新的链尾：{len(report.problems) + len(bad)} 处异常")
        head_time = None
        if report.head_id is not None:
            head_time = ObjectChange.objects.filter(pk=report.head_id).values_list("time", flat=True).first()
        now = timezone.now()
        document = anchoring.sign_head(report, key, now=now, head_time=head_time)
        path = anchoring.write_head(directory, document, now=now)
        self.stdout.write(
            f"已发布链尾：第 {report.head_seq} 条（#{report.head_id or 0}）{report.head_hash} → {path}"
            f"（此前 {len(earlier)} 个链尾均在链中）"
        )
