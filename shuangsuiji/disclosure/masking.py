"""Masking of personal data on the public portal (个人信息去标识化).

Rules: a person's name keeps its first and last character (张*明, 李*); certificate numbers keep
the first 4 and last 4 characters (3701****1234); phone numbers and legal representatives are
never shown at all. Unit names and credit codes of legal entities are public and not masked.
"""

from __future__ import annotations


def mask_name(name: str) -> str:
    """张三 → 张*, 张三明 → 张*明, 欧阳小明 → 欧**明."""
    name = (name or "").strip()
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_cert(cert_no: str) -> str:
    """37030001234 → 3703****1234; short numbers keep at most a third of their characters."""
    cert_no = (cert_no or "").strip()
    if len(cert_no) >= 9:
        return cert_no[:4] + "****" + cert_no[-4:]
    if len(cert_no) >= 5:
        return cert_no[:1] + "*" * (len(cert_no) - 2) + cert_no[-1:]
    return "*" * len(cert_no)


def mask_person(name: str, cert_no: str = "") -> str:
    """张*明（3703****1234）."""
    masked = mask_name(name)
    return f"{masked}（{mask_cert(cert_no)}）" if cert_no else masked
