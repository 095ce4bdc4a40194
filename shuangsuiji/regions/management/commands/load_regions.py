from pathlib import Path

from django.core.management.base import BaseCommand

from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.regions.services import DATA_VERSION, regions_load_csv, regions_load_gbt2260


class Command(BaseCommand):
    help = (
        "更新行政区划：默认按随附的 GB/T 2260 全国省、市、县数据和乡镇（街道）代码新增、更名（已有代码不删除）；"
        "也可导入自备 CSV（code,name）"
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", nargs="?", help="自备的 CSV 文件（code,name）；不填则使用随附的全国数据")
        parser.add_argument("--no-towns", action="store_true", help="不导入乡镇（街道）")
        parser.add_argument("--prefix", default="", help="只导入该代码前缀（如 37 山东省、3703 淄博市）")

    def handle(self, *args, csv=None, no_towns=False, prefix="", **options):
        if csv:
            count = regions_load_csv(Path(csv), user=SYSTEM)
            self.stdout.write(f"已导入/核对 {count} 个行政区划")
            return
        counts = regions_load_gbt2260(user=SYSTEM, towns=not no_towns, prefix=prefix)
        self.stdout.write(
            f"行政区划数据（{DATA_VERSION}）：新增 {counts['regions_created']} 个、"
            f"更名 {counts['regions_renamed']} 个；"
            f"乡镇（街道）新增 {counts['towns_created']} 个、更名 {counts['towns_renamed']} 个；"
            f"数据中没有的既有代码 {counts['regions_not_in_data']} 个（保留）"
        )
