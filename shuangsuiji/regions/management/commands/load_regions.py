from pathlib import Path

from django.core.management.base import BaseCommand

from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.regions.services import FIXTURE, regions_load_csv


class Command(BaseCommand):
    help = "导入行政区划代码（CSV：code,name；默认随附的示例区划）"

    def add_arguments(self, parser):
        parser.add_argument("csv", nargs="?", default=str(FIXTURE))

    def handle(self, *args, csv, **options):
        count = regions_load_csv(Path(csv), user=SYSTEM)
        self.stdout.write(f"已导入/核对 {count} 个行政区划")
