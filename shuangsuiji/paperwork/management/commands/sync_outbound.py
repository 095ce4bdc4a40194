"""Push published results to the provincial platform through the configured channel (run from cron every
15 minutes; docs/production.md). A receiver that is down gets everything when it is back, nothing twice."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.paperwork.services import sync_configured


class Command(BaseCommand):
    help = "向省级平台上报已公示的检查结果（按配置的接口地址或交换目录）"

    def handle(self, *args, **options):
        try:
            out = sync_configured(user=SYSTEM)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"向省级平台上报检查结果：送达 {out['delivered']} 条，发送失败 {out['failed']} 条")
        if out["failed"]:
            raise CommandError(f"有 {out['failed']} 条发送失败，已记录，下次运行时重试")
