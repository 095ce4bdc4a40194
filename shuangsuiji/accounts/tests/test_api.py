import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from shuangsuiji.accounts.models import ApiToken
from shuangsuiji.accounts.tokens import token_issue, token_revoke
from shuangsuiji.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_token_is_stored_hashed_and_scoped(client, admin_user_gq, admin_yy, orgs):
    token, key = token_issue(user=SYSTEM, owner=admin_user_gq, name="省平台")
    assert key not in token.key_hash and len(token.key_hash) == 64
    response = client.get("/api/v1/organizations/", **auth(key))
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert names == {"高青县卫生健康局", "高青县卫生监督所"}  # never 沂源
    other = client.get(f"/api/v1/organizations/{orgs['yiyuan'].pk}/", **auth(key))
    assert other.status_code == 404


def test_bad_expired_and_revoked_tokens_are_refused(client, admin_user_gq):
    assert client.get("/api/v1/regions/", **auth("nope")).status_code == 401
    token, key = token_issue(user=SYSTEM, owner=admin_user_gq, name="x")
    assert client.get("/api/v1/regions/", **auth(key)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert client.get("/api/v1/regions/", **auth(key)).status_code == 401
    token2, key2 = token_issue(user=SYSTEM, owner=admin_user_gq, name="y")
    token_revoke(user=SYSTEM, token=token2)
    assert client.get("/api/v1/regions/", **auth(key2)).status_code == 401


def test_anonymous_gets_401_and_inspector_cannot_read_audit(client, inspector_gq):
    assert client.get("/api/v1/audit/").status_code == 401
    _, key = token_issue(user=SYSTEM, owner=inspector_gq, name="x")
    assert client.get("/api/v1/audit/", **auth(key)).status_code == 403
    assert client.get("/api/v1/regions/370322/", **auth(key)).status_code == 200
    assert client.get("/api/v1/regions/370323/", **auth(key)).status_code == 404


def test_audit_is_read_only_through_the_api(client, oversight_gq):
    _, key = token_issue(user=SYSTEM, owner=oversight_gq, name="纪检")
    assert client.get("/api/v1/audit/", **auth(key)).status_code == 200
    assert client.post("/api/v1/audit/", {}, **auth(key)).status_code in (403, 405)


def test_schema_and_offline_docs(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"openapi" in schema.content
    docs = client.get("/api/v1/docs/").text
    assert "swagger-ui" in docs and "cdn" not in docs.lower()


def test_create_api_token_command(capsys, admin_user_gq):
    call_command("create_api_token", "gq_admin", "--name", "审管联动")
    out = capsys.readouterr().out
    assert "Authorization: Token ssj_" in out
    assert ApiToken.objects.get().name == "审管联动"


def test_api_root_lists_endpoints_for_a_token(client, inspector_gq):
    _, key = token_issue(user=SYSTEM, owner=inspector_gq, name="x")
    response = client.get("/api/v1/", **auth(key))
    assert response.status_code == 200 and "regions" in response.json()


def test_openapi_schema_is_valid_and_covers_every_endpoint_family():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    for path in ["/api/v1/units/", "/api/v1/units/sync/", "/api/v1/inspectors/", "/api/v1/items/", "/api/v1/plans/",
                 "/api/v1/tasks/", "/api/v1/draws/", "/api/v1/draws/{id}/files/{kind}/", "/api/v1/results/",
                 "/api/v1/cases/", "/api/v1/audit/"]:  # fmt: skip
        assert f"{path}:" in schema, path
