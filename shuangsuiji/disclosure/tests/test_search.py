"""Issue 17: the public result search finds any part of a unit name, on SQLite (FTS5 trigram) and
PostgreSQL (pg_trgm GIN index), for queries of every length; credit codes still match exactly."""

import pytest
from django.db import connection
from django.urls import reverse

from shuangsuiji.disclosure import search, selectors
from shuangsuiji.inspections.models import InspectionResult

from .conftest import publish

pytestmark = pytest.mark.django_db

NAMES = ["高青县永盛美容美发店", "高青县丽人美容院", "淄博丽人口腔门诊部", "丽人宾馆", "高青县ABC健身会所"]
UNPUBLISHED = "高青县丽人洗浴中心"


@pytest.fixture
def named(locked):
    """Five published results with real-world names, and one unpublished result with a matching name."""
    results = sorted(locked["results"], key=lambda r: r.pk)
    publish(results[:5])
    for result, name in zip(results, [*NAMES, UNPUBLISHED], strict=False):
        InspectionResult.objects.filter(pk=result.pk).update(unit_name=name)
    return {InspectionResult.objects.get(pk=r.pk).unit_name: r for r in results[:6]}


def found(q: str) -> set[str]:
    return set(selectors.results(q=q).values_list("unit_name", flat=True))


def test_issue_17_queries_in_the_middle_of_names(named):
    assert found("丽人") == {"高青县丽人美容院", "淄博丽人口腔门诊部", "丽人宾馆"}
    assert found("永盛美容") == {"高青县永盛美容美发店"}
    assert found("美发") == {"高青县永盛美容美发店"}
    assert found("美容") == {"高青县永盛美容美发店", "高青县丽人美容院"}
    assert found("口腔门诊") == {"淄博丽人口腔门诊部"}
    assert found("abc健身") == found("ABC健身") == {"高青县ABC健身会所"}  # Latin letters: any case
    assert found("洗浴") == set() and UNPUBLISHED not in found("丽人")  # never an unpublished result
    assert found("丽人美发") == found("不存在的单位名称") == set()


def test_every_substring_of_a_name_finds_it(named):
    for name in NAMES:
        for start in range(len(name)):
            for end in range(start + 1, len(name) + 1):
                assert name in found(name[start:end]), (name, name[start:end])


def test_special_characters_are_literal(named):
    for q in ('"', '丽人"', "%", "_", "丽%人", "丽_人", "'", "OR", "NEAR(丽人)", "丽人*", "-丽人"):
        assert found(q) == set(), q


def test_page_search_by_name_part_and_credit_code(client, named):
    url = reverse("disclosure:result_search")
    body = client.get(url, {"q": "丽人"}).content.decode()
    assert all(name in body for name in ("高青县丽人美容院", "淄博丽人口腔门诊部", "丽人宾馆"))
    assert UNPUBLISHED not in body and "高青县永盛美容美发店" not in body
    assert "单位名称中的任意几个字" in body  # the form says so
    result = named["丽人宾馆"]
    body = client.get(url, {"q": result.target.unit_code.lower()}).content.decode()
    assert "丽人宾馆" in body and "高青县丽人美容院" not in body


def test_renamed_and_deleted_rows_leave_the_index(named):
    result = named["丽人宾馆"]
    InspectionResult.objects.filter(pk=result.pk).update(unit_name="高青县福瑞宾馆")
    assert found("丽人宾馆") == set() and found("福瑞宾") == {"高青县福瑞宾馆"}
    InspectionResult.objects.filter(pk=named["淄博丽人口腔门诊部"].pk).delete()
    assert found("口腔门诊") == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 trigram table")
def test_sqlite_index_heals_after_a_table_rebuild(named):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search.FTS_TABLE}_au")
    InspectionResult.objects.filter(pk=named["丽人宾馆"].pk).update(unit_name="高青县福瑞宾馆")
    assert search.ensure_sqlite_index() is True  # what post_migrate does after every migrate
    assert search.ensure_sqlite_index() is False
    assert found("福瑞宾") == {"高青县福瑞宾馆"} and "丽人宾馆" not in found("丽人")
    InspectionResult.objects.filter(pk=named["高青县丽人美容院"].pk).update(unit_name="高青县泰和美容院")
    assert found("泰和美") == {"高青县泰和美容院"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL pg_trgm index")
@pytest.mark.parametrize(("q", "index"), [("永盛美容", "disclosure_result_name_trgm"),
                                          ("美发", "disclosure_result_name_pairs")])  # fmt: skip
def test_postgresql_name_search_uses_the_trigram_index(named, q, index):
    """The predicate the selector writes is the one the GIN index covers (the planner prefers it on a large
    table; `make bench` prints the plan at 1M rows). The table here is tiny, so the other plans are taken
    away inside the test's transaction (rolled back)."""
    qs = selectors.results(q=q).order_by().values_list("id")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname <> %s"
            " AND indexname NOT LIKE %s AND indexdef NOT LIKE %s",
            ["inspections_inspectionresult", index, "%pkey", "%UNIQUE%"],
        )
        for name in [row[0] for row in cursor.fetchall()]:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


def test_a_specific_name_costs_no_count_and_a_common_one_is_capped(client, named, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from shuangsuiji.disclosure import paging, views

    url = reverse("disclosure:result_search")
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url, {"q": "口腔门诊", "page": "1"}).content.decode()
    assert "淄博丽人口腔门诊部" in body and "共 1 条" in body
    assert not [q for q in queries if q["sql"].upper().startswith("SELECT COUNT(")]
    monkeypatch.setattr(paging.CappedPaginator, "cap", 2)
    page = paging.CappedPaginator(selectors.results(q="高青县"), 1).get_page(1)
    assert page.paginator.capped and page.paginator.count == 2 and page.paginator.num_pages == 2
    assert len(page.object_list) == 1
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    body = client.get(url, {"q": "丽人", "page": "2"}).content.decode()
    assert "超过 2 条，只列出最新的 2 条" in body and "第 2/2 页" in body


@pytest.mark.parametrize("window", [1, 2, 4, 100])
def test_page_through_the_window_equals_the_indexed_query(named, window, monkeypatch):
    """Whether the newest rows hold the page (common query) or not (rare query), the page is the same."""
    from shuangsuiji.disclosure.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "window_size", window)
    for q in ("丽人", "美容", "高青县", "店", "口腔门诊", "abc", "不存在"):
        expected = list(selectors.results(q=q).values_list("pk", flat=True))
        for per_page in (1, 2, 20):
            paginator = CappedPaginator(selectors.results(q=q), per_page, newest=selectors.results(),
                                        match=q)  # fmt: skip
            got = []
            for number in range(1, max(1, -(-len(expected) // per_page)) + 1):
                got += [r.pk for r in paginator.get_page(number)]
            assert got == expected and paginator.count == len(expected), (q, window, per_page)


@pytest.mark.parametrize("window", [1, 3, 100])
def test_window_with_region_year_and_category_equals_the_indexed_query(named, window, monkeypatch):
    """The window (read from the covering index on SQLite, named in the query) keeps the page's other filters:
    region (a join), year and category give the same page as the indexed query."""
    from shuangsuiji.disclosure.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "window_size", window)
    sample = InspectionResult.objects.filter(status="published").select_related("region").first()
    filters = [
        {"region": sample.region.code},
        {"region": "370000"},
        {"region": "110000"},
        {"year": sample.checked_on.year} if sample.checked_on else {},
        {"year": 1999},
        {"category": sample.category},
        {"region": sample.region.code, "category": sample.category},
    ]
    for kw in filters:
        for q in ("丽人", "美容", "店", "不存在"):
            expected = list(selectors.results(q=q, **kw).values_list("pk", flat=True))
            paginator = CappedPaginator(selectors.results(q=q, **kw), 1, newest=selectors.results(**kw), match=q)
            got = []
            for number in range(1, max(1, len(expected)) + 1):
                got += [r.pk for r in paginator.get_page(number)]
            assert got == expected and paginator.count == len(expected), (kw, q, window)
