"""Login, logout and failed logins go to the audit trail (等保: 安全审计)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from shuangsuiji.core import audit
from shuangsuiji.core.middleware import mark_seen
from shuangsuiji.core.models import ObjectChange


def _region(user) -> str:
    return user.region.code if user is not None and getattr(user, "region", None) else ""


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    mark_seen(request)
    audit.log_event(ObjectChange.Action.LOGIN, message="登录成功", user=user, region_code=_region(user))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.log_event(ObjectChange.Action.LOGOUT, message="退出登录", user=user, region_code=_region(user))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    name = str(credentials.get("username", ""))[:150]
    audit.log_event(ObjectChange.Action.LOGIN_FAILED, message=f"登录失败：用户名 {name}", data={"username": name})
