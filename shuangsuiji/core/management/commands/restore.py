from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.core.backup import RestoreError, restore_backup


class Command(BaseCommand):
    help = "从备份恢复（目标须为已执行 migrate 的空库）；恢复后核对行数、文件哈希和审计链"

    def add_arguments(self, parser):
        parser.add_argument("source")

    def handle(self, *args, source, **options):
        try:
            manifest = restore_backup(Path(source))
        except RestoreError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已恢复：{sum(manifest['rows'].values())} 行数据，{len(manifest['files'])} 个文件；审计链校验通过"
        )
