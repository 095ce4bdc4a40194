import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand

from shuangsuiji.core.backup import create_backup


class Command(BaseCommand):
    help = "备份整个平台：数据库全部数据 + 上传文件，生成 .tar.gz"

    def add_arguments(self, parser):
        parser.add_argument("target", nargs="?", default=f"backup-{dt.datetime.now():%Y%m%d-%H%M%S}.tar.gz")

    def handle(self, *args, target, **options):
        manifest = create_backup(Path(target))
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"已备份到 {target}：{rows} 行数据，{len(manifest['files'])} 个文件，"
            f"审计链尾 #{manifest['audit_head']['id']}"
        )
