"""Withdraw penalty information whose publicity period has ended (run daily; each withdrawal is audited)."""

from django.core.management.base import BaseCommand

from shuangsuiji.cases.services import penalties_withdraw_expired
from shuangsuiji.core.permissions import SYSTEM


class Command(BaseCommand):
    help = "撤下公示期满的行政处罚信息"

    def handle(self, *args, **options):
        count = penalties_withdraw_expired(user=SYSTEM)
        self.stdout.write(f"已撤下公示期满的行政处罚信息 {count} 条")
