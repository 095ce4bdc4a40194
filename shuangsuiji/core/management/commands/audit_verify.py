from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.core.audit import chain_head, verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链：发现被修改、删除或插入的记录并指出其序号"

    def add_arguments(self, parser):
        parser.add_argument("--expect-head", default=None, help="此前公布/抄送的链尾哈希，用于发现链尾被整体删除")

    def handle(self, *args, expect_head=None, **options):
        count, problems = verify_chain(expected_head=expect_head)
        head_id, head_hash = chain_head()
        for problem in problems:
            self.stderr.write(f"记录 #{problem.row_id} [{problem.kind}] {problem.detail}")
        if problems:
            raise CommandError(f"审计链校验失败：共 {count} 条，{len(problems)} 处异常")
        self.stdout.write(f"审计链完整：共 {count} 条记录。链尾 #{head_id} {head_hash}")
