"""The OpenAPI schema is the contract (issue #18).

Schemathesis generates requests from the published schema (`/api/v1/schema/`) for every operation and sends
them to a live test server, once as a 高青 and once as a 沂源 county token, with all of its checks on (no
server error, status codes, content types, headers and bodies as documented, schema-invalid input rejected,
unsupported methods answered 405, …). As 沂源, no response may contain 高青's data.

One documented exception: `positive_data_acceptance` on `POST /units/sync/`. JSON Schema cannot express the
rules the server must still apply to a well-formed record — the credit code's check character (GB 32100), that
the region is a county within the caller's jurisdiction, that business-line codes exist — so a schema-valid
record may rightly be refused (400, naming record and field). `test_generated_client_syncs_and_downloads`
sends records that pass them. `POST /upper-tasks/` likewise (issue #15): each unit must be in the caller's
检查对象名录库, each 执法证号 in its 执法人员名录库, the plan in its jurisdiction, the window in the plan year
(inspections/tests/test_task_types_views.py sends accepted imports). The same holds for PATCH on detail
endpoints (issue #19): a change is validated by the edit page's form (choices of the record's region, dates inside
windows, codes that must exist), and it needs the version it is based on — tests/test_edit_conflicts.py sends
accepted changes.
"""

import hashlib

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.core.permissions import SYSTEM

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

GQ_MARKERS = ("370322", "高青")
EXAMPLES = 20  # per operation and county; fixed seed (derandomize)
NOT_EXPRESSIBLE = {"/api/v1/units/sync/", "/api/v1/upper-tasks/"}  # see the module docstring; every PATCH too


@pytest.fixture
def api_world(regions, orgs, approver_gq, admin_yy, inspector_gq):
    import datetime as dt

    from django.utils import timezone

    from shuangsuiji.inspections.testing import locked_draw
    from shuangsuiji.plans import testing

    region = regions["370322"]
    testing.make_units(region, 12)
    testing.make_units(regions["370323"], 5, name="沂源单位")
    testing.make_inspectors(orgs["gaoqing_agency"], 4)
    item = testing.make_item(region)
    _plan, task = testing.published_plan_with_task(
        author=inspector_gq, approver=approver_gq, organization=orgs["gaoqing"], item=item
    )
    draw = locked_draw(task, approver_gq, now=timezone.make_aware(dt.datetime(2026, 3, 1, 10, 0)))
    return {
        "gaoqing": token_issue(user=SYSTEM, owner=approver_gq, name="契约测试")[1],
        "yiyuan": token_issue(user=SYSTEM, owner=admin_yy, name="契约测试")[1],
        "draw": draw,
    }


def _runner(operation, tokens, excluded):
    """Hypothesis test of one operation: every generated request as both counties, all checks."""
    from hypothesis import given

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    def run(case):
        for county in ("gaoqing", "yiyuan"):
            response = case.call_and_validate(
                headers={"Authorization": f"Token {tokens[county]}"}, excluded_checks=excluded
            )
            if county == "yiyuan":
                leaked = [m for m in GQ_MARKERS if m in response.text]
                text = response.text
                around = [text[max(0, text.find(m) - 300) : text.find(m) + 100] for m in leaked]
                assert not leaked, f"{case.method} {case.formatted_path}: 沂源 sees {leaked}: {around}"

    return run


def test_api_conforms_to_its_schema(live_server, api_world):
    from schemathesis.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        partial = operation.method.upper() == "PATCH" or operation.path in NOT_EXPRESSIBLE
        excluded = [positive_data_acceptance] if partial else []
        try:
            _runner(operation, api_world, excluded)()
        except Exception as exc:  # collect every operation's failure, then fail once with all of them
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)


def test_generated_client_syncs_and_downloads(live_server, api_world, tmp_path):
    """A Python client generated from the schema alone (openapi-python-client) syncs units and downloads a
    draw's files byte for byte."""
    import importlib
    import json
    import subprocess
    import sys
    import urllib.request

    spec = tmp_path / "openapi.json"
    spec.write_bytes(urllib.request.urlopen(f"{live_server.url}/api/v1/schema/?format=json").read())
    out = tmp_path / "client"
    subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec), "--output-path", str(out),
         "--meta", "none"],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    sys.path.insert(0, str(tmp_path))
    try:
        package = out.name
        client_mod = importlib.import_module(f"{package}.client")
        client = client_mod.AuthenticatedClient(base_url=live_server.url, token=api_world["gaoqing"], prefix="Token")
        sync = importlib.import_module(f"{package}.api.units.units_sync_create")
        models = importlib.import_module(f"{package}.models")
        from shuangsuiji.plans.testing import credit_code

        body = models.UnitSyncRequest.from_dict({
            "mode": "create", "source": "生成的客户端",
            "units": [{"credit_code": credit_code("370322", 9001), "name": "客户端新增宾馆", "region": "370322",
                       "business_lines": ["ggcs"]}],
        })  # fmt: skip
        result = sync.sync_detailed(client=client, body=body)
        assert result.status_code == 200, result.content.decode()
        assert json.loads(result.content)["created"] == 1

        files = importlib.import_module(f"{package}.api.draws.draws_files_retrieve")
        draw = api_world["draw"]
        for kind in ("pool", "roster", "commitment", "manifest"):
            kind_enum = getattr(models, "DrawsFilesRetrieveKind", None)
            response = files.sync_detailed(id=draw.pk, kind=kind_enum(kind) if kind_enum else kind, client=client)
            assert response.status_code == 200
            row = draw.files.get(kind=kind)
            assert hashlib.sha256(response.content).hexdigest() == row.sha256
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "client" or m.startswith("client.")]:
            del sys.modules[name]
