import importlib
import random

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.demo import DEMO_PASSWORD, DEMO_USERS, load_accounts
from shuangsuiji.accounts.models import User
from shuangsuiji.core.registry import DEMO_LOADERS


class Command(BaseCommand):
    help = "载入演示数据（淄博市高青县/沂源县：机构、用户，以及各模块的演示数据），可重复执行"

    def handle(self, *args, **options):
        for config in apps.get_app_configs():  # each app's demo.py registers its loader
            if config.name.startswith("shuangsuiji.") and importlib.util.find_spec(f"{config.name}.demo"):
                importlib.import_module(f"{config.name}.demo")
        # Every date of the demo is relative to the day it is loaded (context["today"]): plan year, draws, results.
        context = {"rng": random.Random(20261123), "today": timezone.localdate()}
        with transaction.atomic():
            context["orgs"] = load_accounts()
            for _order, label, loader in sorted(DEMO_LOADERS, key=lambda item: item[0]):
                self.stdout.write(f"载入演示数据：{label}")
                loader(context, self.stdout)
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {DEMO_PASSWORD}）："))
        for username, full_name, role, org_key in DEMO_USERS:
            self.stdout.write(f"  {username:14s} {full_name}（{role.label}，{context['orgs'][org_key].name}）")
        linked = User.objects.filter(inspector__isnull=False).exclude(username__in=[u[0] for u in DEMO_USERS])
        if linked.exists():
            names = "、".join(f"{u.username}（{u.full_name}）" for u in linked.order_by("username")[:6])
            self.stdout.write(f"  检查组执法人员账号（录入、签名检查结果）：{names} 等 {linked.count()} 个")
