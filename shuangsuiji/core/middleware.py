"""Request context (request id + user for the audit trail) and the idle-session timeout."""

import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_user: ContextVar[object | None] = ContextVar("user", default=None)


def current_request_id() -> str:
    return _request_id.get()


def current_user():
    return _user.get()


NUL_MESSAGE = "请求中含有不允许的控制字符（NUL），请检查输入后重试"
RANGE_MESSAGE = "请求中的数值超出允许范围，请检查输入后重试"
INT64 = 2**63
_LONG_INTEGER = re.compile(r"\s*[-+]?\d{19,}\s*", re.ASCII)  # may not fit a 64-bit integer column


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


def _has_huge_integer(query) -> bool:
    """A purely numeric value beyond the signed 64-bit range: every id, count and number field of the platform
    is a 64-bit column (统一社会信用代码 and 身份证号 have 18 characters), and lookups with such a value end in
    an overflow error in the database driver instead of a form error."""

    def huge(value: str) -> bool:
        if not _LONG_INTEGER.fullmatch(value):
            return False
        digits = value.strip().lstrip("+-").lstrip("0")
        return len(digits) > 19 or not -INT64 <= int(value) < INT64  # int() of thousands of digits is refused

    return any(huge(value) for _key, values in query.lists() for value in values)


class MalformedInputMiddleware:
    """Refuse input no view can use, before it reaches a database query and ends as a 500.

    - A NUL byte in the path, query string or form fields: 400 (in Chinese). No field of the platform may hold
      one and PostgreSQL refuses it in any string literal (lookups, login throttling, filters).
      File contents are not inspected; JSON bodies go through the serializers' own NUL validation.
    - A numeric query or form value beyond the 64-bit range (see `_has_huge_integer`): 400.
    - An `<int:...>` route parameter beyond the 64-bit range of the database's integer columns: 404 (no such
      object), instead of an overflow error in the lookup.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        form = request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
        if "\x00" in request.path or _has_nul(request.GET) or (form and _has_nul(request.POST)):
            return self.reject(request, NUL_MESSAGE)
        if _has_huge_integer(request.GET) or (form and _has_huge_integer(request.POST)):
            return self.reject(request, RANGE_MESSAGE)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -(2**63) <= value < 2**63:
                raise Http404("对象不存在")
        return None

    @staticmethod
    def reject(request, message):
        if request.path.startswith("/api/"):
            body = {"detail": message, "code": "invalid", "errors": []}  # the API's one error shape
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        return HttpResponseBadRequest(render_to_string("400.html", {"message": message}))


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


LAST_SEEN = "last_seen"


def mark_seen(request) -> None:
    """Start the idle clock (called on login, so the first request after it is already measured)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    """Log out a session idle for more than SESSION_IDLE_SECONDS (等保: 连接超时自动退出).

    The clock starts at login (`mark_seen` from the user_logged_in signal); an authenticated session without
    it predates that rule and is treated as expired rather than trusted for another idle period.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if not isinstance(last, int) or now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, "长时间未操作，已自动退出，请重新登录")
                return redirect_to_login(request.get_full_path())
            request.session[LAST_SEEN] = now
        return self.get_response(request)
