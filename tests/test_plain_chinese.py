"""No English word reaches a Chinese user (issue #17).

Every page of the URL map (the permission matrix's routes, requested as a role that may open them, on the demo
data) is rendered and its user-visible text — text nodes plus the attributes a user reads (placeholder, title,
aria-label, alt, button values) — is scanned for Latin words outside an allow-list of terms that are written in
Latin letters in Chinese official use too (units, file formats, standards). Times must read
``2026年11月27日 23:33``, never an ISO timestamp, and dates ``2026年3月30日``, never ``2026-03-30`` (date inputs
carry ISO values, which are not read as text here).
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

from tests.test_url_permissions import MATRIX, PUBLIC, route_client, world  # noqa: F401

# Latin words a Chinese user legitimately reads in this product.
ALLOWED = {
    word.lower()
    for word in (
        # file formats, encodings and sizes
        "Excel", "xlsx", "xls", "ods", "csv", "tsv", "PDF", "Word", "docx", "JSON", "jsonl", "JPG", "PNG", "MB", "KB",
        "GBK", "UTF", "zip", "pyz",
        # standards, protocols and marks written in Latin letters in Chinese official use
        "SHA", "SM", "GB", "ICP", "IP", "ID", "API", "URL", "KPI", "CA", "QR", "CMA", "KTV", "drand", "Ed25519", "PEM",
        "OpenAPI", "Python", "JavaScript", "chinesecalendar", "quicknet",
    )
}
GLUE = "./_:@-"
WORD = re.compile(r"[A-Za-z][A-Za-z]+")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# a bare date 2026-03-30 (dates read 2026年3月30日); codes such as 2026-370322-01 do not match
ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{1,2}-\d{1,2}(?![\d-])")
# code, command lines and machine values are shown verbatim on purpose (e.g. the verifier's command line)
SKIPPED = ("script", "style", "template", "code", "pre", "kbd", "samp")
READ_ATTRS = {"placeholder", "title", "aria-label", "alt"}


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self._skip += 1
        attrs = dict(attrs)
        for name in READ_ATTRS:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(p.strip() for p in parser.parts if p.strip())


def data_words() -> set[str]:
    """Latin letters the office itself typed or the system issued as identifiers — login names, item and
    business-line codes, unit and file names, token prefixes: data shown back, not words the software writes."""
    from shuangsuiji.accounts.models import ApiToken, User
    from shuangsuiji.directory.models import BusinessLine, ImportBatch, InspectionItem, RegulatedUnit

    strings = [
        *User.objects.values_list("username", flat=True),
        *InspectionItem.objects.values_list("code", flat=True),
        *BusinessLine.objects.values_list("code", flat=True),
        *RegulatedUnit.objects.values_list("name", flat=True),
        *ImportBatch.objects.values_list("file_name", flat=True),
        *ApiToken.objects.values_list("prefix", flat=True),
    ]
    return {word for value in strings for word in WORD.findall(value or "")}


def english_words(text: str, data: set[str] = frozenset()) -> list[str]:
    # codes such as 91370322MA3C..., file names (pool.tsv), addresses (www.cwl.gov.cn) and module paths are
    # identifiers, not words: skip tokens glued to digits or to . / _ : @ -
    words = []
    for match in WORD.finditer(text):
        start, end = match.span()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before.isdigit() or after.isdigit() or before in GLUE or after in GLUE:
            continue
        if match.group().lower() not in ALLOWED and match.group() not in data:
            words.append(match.group())
    return words


def document_text(response) -> str:
    """What a person reads: a page's visible text, a PDF's text, a spreadsheet's header rows (its data rows are
    the office's own data)."""
    kind = response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if kind.startswith("application/pdf"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheetml" in kind:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        cells = []
        for sheet in book:
            cells.append(sheet.title)
            for row in sheet.iter_rows(max_row=3, values_only=True):
                cells.extend(str(v) for v in row if isinstance(v, str))
        return "\n".join(cells)
    return visible_text(body.decode())


# Files people uploaded (scanned lottery announcements, photos, signed records) come back as they were sent.
UPLOADED = {"inspections:attachment_download", "draws:source_announcement"}
PAGES = sorted(
    name for name, route in MATRIX.items()
    if route.method == "get" and not route.api and route.allow and not name.startswith(("api", "schema"))
    and name not in UPLOADED
)  # fmt: skip


def viewer(route):
    if route.allow == PUBLIC:  # the portal and the login page: as the public sees them
        return "anon"
    for role in ("admin", "city", "approver", "oversight", "inspector", "anon"):
        if role in route.allow:
            return role
    return next(iter(route.allow))


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_speak_chinese(world, name):  # noqa: F811
    route = MATRIX[name]
    response = route_client(world, viewer(route), route).get(route.url(world))
    kind = response["Content-Type"]
    readable = kind.startswith(("text/html", "application/pdf")) or "spreadsheetml" in kind
    if response.status_code != 200 or not readable:
        pytest.skip(f"{name}: a data file, not a page or document ({response.status_code} {kind})")
    text = document_text(response)
    found = sorted(set(english_words(text, data_words())))
    assert not found, f"{name}: English on the page: {found}"
    assert not ISO_TIME.findall(text), f"{name}: raw times on the page: {ISO_TIME.findall(text)[:5]}"
    if "spreadsheetml" not in kind:  # spreadsheets are for machines too (import templates, national exports)
        assert not ISO_DATE.findall(text), f"{name}: dates not in Chinese style: {ISO_DATE.findall(text)[:5]}"


PORTAL_PAGES = [name for name in PAGES if MATRIX[name].allow == PUBLIC and name.startswith("disclosure:")]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_every_portal_page_prints_the_commitment_log_head(world, name):  # noqa: F811
    """Issue #14: the public commitment log's current head is in the footer of every portal page."""
    from shuangsuiji.draws import selectors as draw_selectors

    route = MATRIX[name]
    response = route_client(world, "anon", route).get(route.url(world))
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        pytest.skip(f"{name}: not an HTML page")
    head = draw_selectors.log_head()
    assert head is not None, "the demo world has logged commitments"
    footer = re.search(r'<div class="gs-log-head small" id="log-head">(.*?)</div>', response.content.decode(), re.S)
    assert footer, f"{name}: no commitment log head in the footer"
    assert f"共 {head.seq} 条" in footer.group(1) and head.entry_hash in footer.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_described_by_points_at_rendered_ids(world, name):  # noqa: F811
    """aria-describedby must name elements on the page (issue #18: help texts were never rendered with their ids)."""
    route = MATRIX[name]
    response = route_client(world, viewer(route), route).get(route.url(world))
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        pytest.skip(f"{name}: not an HTML page")
    html = response.content.decode()
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    missing = {ref for refs in described for ref in refs.split() if ref not in ids}
    assert not missing, f"{name}: aria-describedby names missing ids {sorted(missing)}"

