"""Byte-exact download of a draw's files (pool, roster, commitment, manifest) — staff UI, public portal and API.

The file is streamed (`FileResponse`) from a verified copy: bytes that no longer match the SHA-256
recorded when the file was written are refused with a clear message, never served.
"""

from django.http import FileResponse, Http404, HttpResponse

from .choices import FILE_NAMES
from .files import DrawFileCorrupted
from .models import Draw


def draw_file_response(draw: Draw, kind: str) -> HttpResponse:
    if kind not in FILE_NAMES:
        raise Http404
    row = draw.files.filter(kind=kind).first()
    if row is None:
        raise Http404("该文件尚未生成")
    try:
        handle = row.open_verified()
    except DrawFileCorrupted as exc:
        response = HttpResponse(exc.message, status=500, content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response
    name, content_type = FILE_NAMES[kind]
    response = FileResponse(handle, as_attachment=True, filename=f"{draw.code}-{name}", content_type=content_type)
    response["Content-Length"] = str(row.size)
    response["X-Content-SHA256"] = row.sha256
    return response
