"""The stand-alone verifier as one file: a zipapp of `shuangsuiji/fairdraw` (standard library only).

    python fairdraw-verify.pyz MANIFEST POOL [--roster ROSTER] [--expect-commitment HASH] [--log commitments.jsonl]
    python fairdraw-verify.pyz proof PROOF.json --commitment COMMITMENT.json

The archive is built deterministically from the running code (sorted names, fixed timestamps and modes), so its
SHA-256, printed on the portal's verify page, is the same on every server running the same release, and anyone
can rebuild it from the source to compare. Tests are left out.
"""

from __future__ import annotations

import functools
import hashlib
import io
import zipfile
from pathlib import Path

from shuangsuiji import fairdraw

FILENAME = "fairdraw-verify.pyz"
MAIN = b'''"""fairdraw/SRV1 verifier (zipapp): verify a draw, or `proof` to check one unit's inclusion proof."""
import sys

if len(sys.argv) > 1 and sys.argv[1] == "proof":
    from shuangsuiji.fairdraw.proof import main

    sys.exit(main(sys.argv[2:]))
from shuangsuiji.fairdraw.verify import main

sys.exit(main(sys.argv[1:]))
'''


def _entries() -> list[tuple[str, bytes]]:
    package = Path(fairdraw.__file__).resolve().parent
    files = [("__main__.py", MAIN), ("shuangsuiji/__init__.py", b"")]
    for path in sorted(package.glob("*.py")):
        files.append((f"shuangsuiji/fairdraw/{path.name}", path.read_bytes()))
    return files


@functools.cache
def verifier_zipapp() -> tuple[bytes, str]:
    """(archive bytes, SHA-256 hex)."""
    buffer = io.BytesIO()
    buffer.write(b"#!/usr/bin/env python3\n")
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in _entries():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    data = buffer.getvalue()
    return data, hashlib.sha256(data).hexdigest()
