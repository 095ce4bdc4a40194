"""The OpenAPI schema is the contract (issue #18): every operation documents each status it can return.

drf-spectacular documents the success responses the views declare; this post-processing hook adds the
responses the framework produces around them, all with the one error body (`Error`, core/api/exceptions.py):
400 (bad filter, page or body), 401 (no or bad token), 403 (role or region), 404 (unknown id or page; detail
routes and paginated lists), 429 (throttling). 405 is produced for methods a path does not list. Integer
parameters carry the 64-bit range the server accepts, string parameters exclude the NUL byte it refuses.
"""

NO_NUL = "^[^\\x00]*$"
ERROR_REF = {"$ref": "#/components/schemas/Error"}
STANDARD = {
    "400": "请求参数或请求体有误（不支持的查询参数、格式错误、校验未通过）",
    "401": "未提供或提供了无效的身份凭证（Token）",
    "403": "角色无此权限，或对象不在本辖区",
    "404": "记录不存在、不在本辖区，或页码超出范围",
    "429": "请求过于频繁（限流）",
}


def add_error_responses(result, generator, request, public):
    schemas = result.get("components", {}).get("schemas", {})
    assert "Error" in schemas, "core.api.serializers.ErrorSerializer must be referenced by a view (units/sync is)"
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("type") == "integer":  # numbers beyond 64 bits are refused (core.middleware)
                    schema.setdefault("minimum", -(2**63))
                    schema.setdefault("maximum", 2**63 - 1)
                elif schema.get("type") == "string" and "enum" not in schema and "pattern" not in schema:
                    schema["pattern"] = NO_NUL  # a NUL byte anywhere in a request is refused (core.middleware)
            responses = operation.setdefault("responses", {})
            for status, description in STANDARD.items():
                if status == "401" and not operation.get("security", True):
                    continue
                responses.setdefault(status, {"description": description,
                                              "content": {"application/json": {"schema": ERROR_REF}}})  # fmt: skip
    return result
