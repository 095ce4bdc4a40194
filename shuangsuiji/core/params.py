"""Query-string parameters that views read directly (not through a form or filterset).

A malformed value is a 400 with a Chinese message naming the parameter (handler400 shows it), never a 500.
"""

from django.core.exceptions import BadRequest


class InvalidParameter(BadRequest):
    """A query parameter the user can fix; its message is shown on the 400 page."""


def int_param(request, name: str, *, label: str, default: int, minimum: int, maximum: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdecimal()) or not minimum <= int(raw) <= maximum:
        raise InvalidParameter(f"参数“{label}”须为 {minimum} 至 {maximum} 之间的整数")
    return int(raw)


def id_param(request, name: str, *, label: str) -> int | None:
    """An optional object id; anything but a positive integer is refused."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdecimal()) or not 0 < int(raw) < 2**63:
        raise InvalidParameter(f"参数“{label}”无效")
    return int(raw)
