"""Issue, check and revoke API tokens (接口令牌)."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import require

from .models import ApiToken, User
from .services import OUT_OF_SCOPE


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_issue(*, user, owner: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    """Issue a token that acts as `owner`; return (token, key). The key is shown once and never stored."""
    require(user, "accounts.manage_user", owner.organization.region, scope_message=OUT_OF_SCOPE)
    key = "ssj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=owner,
        name=name,
        prefix=key[:8],
        key_hash=hash_key(key),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=owner, user=user, message=f"签发接口令牌：{name}（{token.prefix}…）"
    )
    return token, key


@transaction.atomic
def token_revoke(*, user, token: ApiToken) -> None:
    require(user, "accounts.manage_user", token.user.organization.region, scope_message=OUT_OF_SCOPE)
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit.log_event(ObjectChange.Action.WORKFLOW, obj=token.user, user=user, message=f"吊销接口令牌：{token}")


def token_user(key: str) -> User | None:
    # one query: the user's organisation and region come along (every API request checks the region scope)
    token = (
        ApiToken.objects.select_related("user__organization__region")
        .filter(key_hash=hash_key(key), revoked=False)
        .first()
    )
    if token is None or (token.expires_at and token.expires_at < timezone.now()) or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # coarse, avoids a write per request
    return token.user
