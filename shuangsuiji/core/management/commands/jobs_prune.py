"""Delete the result files of background jobs finished more than --days ago (default 30); the job rows stay
(“我的任务” then says the file was cleaned up and offers to run the job again)."""

import datetime as dt

from django.core.management.base import BaseCommand

from shuangsuiji.core import jobs


class Command(BaseCommand):
    help = "删除完成超过指定天数的后台任务结果文件（任务记录保留）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="完成超过多少天（默认 30）")

    def handle(self, *args, days: int, **options):
        removed = jobs.prune_files(older_than=dt.timedelta(days=max(days, 0)))
        self.stdout.write(f"已删除 {removed} 个后台任务结果文件")
