"""Byte-exact download of a draw's files (pool, roster, commitment, manifest) — staff UI, public portal and API."""

from django.http import Http404, HttpResponse

from .choices import FILE_NAMES
from .models import Draw


def draw_file_response(draw: Draw, kind: str) -> HttpResponse:
    if kind not in FILE_NAMES:
        raise Http404
    content = draw.file_bytes(kind)
    if content is None:
        raise Http404("该文件尚未生成")
    name, content_type = FILE_NAMES[kind]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{draw.code}-{name}"'
    return response
