"""The draw record PDF carries the project's own CJK font (static/fonts/), whatever fonts the machine has.

Fontconfig is pointed at a configuration that sees only DejaVu (or nothing, where DejaVu is not installed).
WeasyPrint loads that configuration afresh for every document, so the environment variable set here
applies to the renders in this test and to nothing else.
"""

import datetime as dt
import logging
import re
import zlib
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.core.printing import render_pdf
from shuangsuiji.draws.testing import locked_draw

pytestmark = pytest.mark.django_db

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
PRINT_FONT = b"Noto-Sans-SC-Print"


@pytest.fixture
def dejavu_only(tmp_path, monkeypatch):
    fonts = f"<dir>{DEJAVU}</dir>" if DEJAVU.is_dir() else ""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig>{fonts}<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    monkeypatch.delenv("FONTCONFIG_PATH", raising=False)
    return conf


def font_names(pdf: bytes) -> set[bytes]:
    """The /FontName of every embedded font (subset prefix removed); fonts sit in compressed streams."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            chunks.append(zlib.decompressobj().decompress(pdf[match.end() : match.end() + 2_000_000]))
        except zlib.error:
            continue
    return {name.split(b"+", 1)[-1] for name in re.findall(rb"/FontName\s*/([^\s/<>\[\]()]+)", b"".join(chunks))}


def notdef_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint") and "notdef" in r.getMessage()]


def test_record_pdf_embeds_the_shipped_cjk_font_without_system_fonts(client, gq, approver_gq, dejavu_only, caplog):
    draw = locked_draw(gq["task"], approver_gq, now=timezone.make_aware(dt.datetime(2026, 6, 15, 10, 0)))
    login(client, approver_gq)
    caplog.set_level(logging.WARNING, logger="weasyprint")

    response = client.get(reverse("draws:draw_record_pdf", args=[draw.pk]))

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert notdef_warnings(caplog) == []  # every character of the record has a glyph
    names = font_names(response.content)
    assert {PRINT_FONT, PRINT_FONT + b"-Bold"} <= names, names  # the shipped font, both weights, is embedded
    assert {n for n in names if not n.startswith((PRINT_FONT, b"DejaVu"))} == set(), names  # and no other font

    # The control: the same record without the print stylesheet has no CJK font under this fontconfig.
    html = client.get(reverse("draws:draw_record", args=[draw.pk])).text
    assert '<p class="record-agency">山东省淄博市高青县卫生健康局</p>' in html  # the agency's full name heads it
    html = re.sub(r'<link rel="stylesheet" href="[^"]*print\.css">', "", html)
    caplog.clear()
    render_pdf(html)
    assert notdef_warnings(caplog), "the test fontconfig should see no CJK font"
