"""Errors raised by fairdraw.

Every error carries a stable machine code (English, upper snake case) and a
Chinese message meant for end users.  ``str(err)`` gives ``"CODE: 中文说明"``.
"""

from __future__ import annotations


class FairdrawError(Exception):
    """Base error: invalid input or an impossible request."""

    def __init__(self, code: str, message_zh: str, **detail: object) -> None:
        super().__init__(f"{code}: {message_zh}")
        self.code = code
        self.message_zh = message_zh
        self.detail = detail


class MalformedInput(FairdrawError):
    """Input bytes / records do not follow the canonical format (verifier exit code 2)."""
