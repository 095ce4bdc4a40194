"""One error shape for the whole of `/api/v1/` (issue #18), in Chinese:

    {"detail": "一句话说明", "code": "invalid", "errors": [{"field": "units[2].credit_code", "message": "…"}]}

`errors` is empty unless fields were at fault. Service-layer refusals (Django's ValidationError and
PermissionDenied), Django's Http404 (whose default text names the model in English) and DRF's own exceptions
all come out this way; the OpenAPI schema documents it as `Error` on every operation (core/api/schema.py).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler

NOT_FOUND = "未找到该记录（或不在您的管辖范围内）"
DETAILS = {
    "not_found": NOT_FOUND,
    "not_authenticated": "未提供身份凭证：请在 Authorization 头中使用“Token <令牌>”",
    "authentication_failed": "身份凭证无效或已吊销",
    "permission_denied": "您没有此操作的权限",
    "method_not_allowed": "此接口不支持该请求方法",
    "unsupported_media_type": "不支持的请求体格式：请使用 application/json",
    "parse_error": "请求体不是有效的 JSON",
}


def _flatten(data, prefix: str = "") -> list[dict]:
    """DRF's nested error dicts/lists → [{"field": "units[2].credit_code", "message": "…"}]."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = key if key != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(data, list):
        if all(isinstance(v, (str, exceptions.ErrorDetail)) for v in data):
            out += [{"field": prefix, "message": str(v)} for v in data]
        else:
            for index, value in enumerate(data):
                if value:
                    out += _flatten(value, f"{prefix}[{index}]")
    else:
        out.append({"field": prefix, "message": str(data)})
    return out


def error_body(detail: str, code: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "code": code, "errors": errors or []}


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        # our own 404 texts are Chinese and say what is missing; Django's default names the model in English
        text = str(exc)
        exc = exceptions.NotFound(text if text and not text.isascii() else NOT_FOUND)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or DETAILS["permission_denied"])
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = errors[0]["message"] if errors else "提交的数据有误"
        count = f"（{len(errors)} 处）" if len(errors) > 1 else ""
        response.data = error_body(f"提交的数据有误{count}：{first}", "invalid", errors)
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
        detail = str(exc.detail) if hasattr(exc, "detail") else str(exc)
        if isinstance(exc, exceptions.Throttled):
            detail = f"请求过于频繁，请 {exc.wait:.0f} 秒后再试" if exc.wait else "请求过于频繁，请稍后再试"
        elif code == "parse_error":
            detail = f"{DETAILS[code]}（{detail}）"
        elif code in DETAILS and detail == str(getattr(type(exc), "default_detail", "")):
            detail = DETAILS[code]  # DRF's generic text → ours; specific texts (ours, Chinese) are kept
        response.data = error_body(detail, code)
    return response
