from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.core.permissions import SYSTEM


class Command(BaseCommand):
    help = "为系统账号签发接口令牌（只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="用途，如：省级平台数据交换")
        parser.add_argument("--days", type=int, default=365, help="有效天数，0 表示不过期")

    def handle(self, *args, username, name, days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        token, key = token_issue(user=SYSTEM, owner=user, name=name, days=days or None)
        self.stdout.write(f"令牌（请妥善保存，只显示这一次）：{key}")
        self.stdout.write(f"使用方法：Authorization: Token {key}")
