"""Request context (request id + user for the audit trail) and the idle-session timeout."""

import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_user: ContextVar[object | None] = ContextVar("user", default=None)


def current_request_id() -> str:
    return _request_id.get()


def current_user():
    return _user.get()


class RequestContextMiddleware:
    """Tag each request with a UUID (X-Request-ID) and remember its user for audit records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = str(uuid.uuid4())
        id_token = _request_id.set(request.id)
        user_token = _user.set(getattr(request, "user", None))
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(id_token)
            _user.reset(user_token)
        response["X-Request-ID"] = request.id
        if getattr(request, "htmx", False) or "HX-Request" in request.headers:
            response["Vary"] = ", ".join(filter(None, [response.get("Vary", ""), "HX-Request"]))
        return response


class IdleTimeoutMiddleware:
    """Log out a session idle for more than SESSION_IDLE_SECONDS (等保: 连接超时自动退出)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen", now)
            if now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, "长时间未操作，已自动退出，请重新登录")
                return redirect_to_login(request.get_full_path())
            request.session["last_seen"] = now
        return self.get_response(request)
