"""Outbound sync to the provincial platform through a pluggable adapter.

An adapter has `channel` and `send(records) -> None` (raises `DeliveryError` on failure). Two are provided:

* `FileDropAdapter(folder)` writes one JSON file per batch (`<key-of-first>-<n>.json`, written to a temporary
  name and renamed, so a reader never sees half a file);
* `HttpJsonAdapter(url, token=..., retries=3, backoff=0.5, sleep=time.sleep)` POSTs
  `{"records": [...]}` with an `Idempotency-Key` header (SHA-256 of the batch's record keys); it retries
  connection errors and 5xx with exponential back-off, and treats 409 (already received) as delivered.

Every record carries its own idempotency key, SHA-256 of ("result", id, version): sending the same version
again is recognisable by the receiver, a correction (new version) is a new record. `OutboundDelivery` keeps
what was delivered; `sync_results` sends what is pending or failed, so a receiver that was down gets
everything when it is back, and nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


class DeliveryError(Exception):
    pass


def record_key(result) -> str:
    return hashlib.sha256(f"result:{result.pk}:v{result.version}".encode()).hexdigest()


def batch_key(keys: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()


class FileDropAdapter:
    channel = "file"

    def __init__(self, folder):
        self.folder = Path(folder)

    def send(self, records: list[dict]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            key = batch_key([r["idempotency_key"] for r in records])
            body = json.dumps({"idempotency_key": key, "records": records}, ensure_ascii=False, indent=1)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".part")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(body)
            os.replace(tmp, self.folder / f"{key}.json")
        except OSError as exc:
            raise DeliveryError(f"写入交换目录失败：{exc}") from exc


class HttpJsonAdapter:
    channel = "http"

    def __init__(self, url: str, *, token: str = "", retries: int = 3, backoff: float = 0.5, timeout: float = 10,
                 sleep=time.sleep):  # fmt: skip
        self.url, self.token, self.retries, self.backoff, self.timeout, self.sleep = (
            url, token, retries, backoff, timeout, sleep,
        )  # fmt: skip

    def send(self, records: list[dict]) -> None:
        key = batch_key([r["idempotency_key"] for r in records])
        body = json.dumps({"records": records}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                    if 200 <= response.status < 300:
                        return
                    error = f"HTTP {response.status}"
            except urllib.error.HTTPError as exc:
                if exc.code == 409:  # the receiver already has this batch
                    return
                error = f"HTTP {exc.code}"
                if exc.code < 500:
                    break  # a client error does not heal by retrying
            except (urllib.error.URLError, OSError) as exc:
                error = f"连接失败：{getattr(exc, 'reason', exc)}"
        raise DeliveryError(f"省级平台接收失败（{error}）")


def configured_adapter():
    """The deployment's channel to the provincial platform (settings, docs/production.md), or None:
    OUTBOUND_SYNC_URL (HTTP JSON, with OUTBOUND_SYNC_TOKEN as bearer token) or OUTBOUND_SYNC_DIR (file drop)."""
    from django.conf import settings

    url = getattr(settings, "OUTBOUND_SYNC_URL", "")
    if url:
        return HttpJsonAdapter(url, token=getattr(settings, "OUTBOUND_SYNC_TOKEN", ""))
    folder = getattr(settings, "OUTBOUND_SYNC_DIR", "")
    if folder:
        return FileDropAdapter(folder)
    return None


CHANNEL_LABELS = {"http": "接口推送（HTTP JSON）", "file": "交换目录（文件）"}
