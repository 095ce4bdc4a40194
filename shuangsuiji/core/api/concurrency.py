"""API updates with optimistic locking (core/concurrency.py): `ETag` on detail reads, `If-Match` on PATCH, 409.

A viewset that mixes in `VersionedUpdateMixin` gets `PATCH /<detail>/`:

* the client sends the version its change is based on: the detail response's `ETag` back as `If-Match`, or the
  record's `lock_version` in the body. Neither: 428 (a blind overwrite is exactly what this prevents).
* the body holds only the fields to change, in the edit form's terms (choices by value, dates ISO, related
  records by the code the read API shows: `region` "370322", `business_lines` ["ggcs"], `tags` ["…"]); the
  other fields keep their current values. It goes through the page's edit form and the same service as the page,
  so validation, permissions, region scope and the audit trail are the page's.
* a stale version: 409 with the Chinese message (“该记录已被 刘志强 于 2026年11月27日 10:32 修改”), who and when,
  the current `lock_version` and the current record, so the client can merge and retry with the new tag.
  (A mismatching If-Match is a 409 too, not RFC 9110's 412: the issue asks for one answer to one situation.)

The ETag is a strong validator, `"<lock_version>"`; a weak `W/"…"` tag is accepted in If-Match as well.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from ..concurrency import VERSION_FIELD, EditConflict, parse_version, time_text
from ..viewhelpers import error_text, form_instance
from .exceptions import error_body
from .serializers import ErrorItemSerializer, ErrorSerializer

PRECONDITION_REQUIRED = 428
NEEDS_VERSION = "请提供修改所依据的版本：请求头 If-Match（取自详情接口的 ETag）或请求体中的 lock_version"

ConflictBody = inline_serializer(
    "EditConflict",
    {
        "detail": serializers.CharField(help_text="如：该记录已被 刘志强 于 2026年11月27日 10:32 修改"),
        "code": serializers.CharField(help_text="conflict"),
        "errors": ErrorItemSerializer(many=True),
        "changed_by": serializers.CharField(),
        "changed_at": serializers.DateTimeField(allow_null=True),
        "changed_at_text": serializers.CharField(),
        "lock_version": serializers.IntegerField(help_text="当前版本号；合并后以它（或响应头 ETag）重新提交"),
        "current": serializers.DictField(help_text="当前记录（与详情接口相同）"),
        "changed_fields": serializers.ListField(
            child=serializers.CharField(),
            allow_null=True,
            help_text="自您所依据的版本以来对方修改的字段（外键为 *_id）；无法确定时为 null",
        ),
    },
)
ErrorBody = ErrorSerializer  # the API's one error shape (core/api/exceptions.py)
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description='详情接口返回的 ETag（如 "3"）；也可在请求体中给出 lock_version。两者都没有时返回 428。',
)  # fmt: skip
ETAG = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200],
    description='记录的当前版本（如 "3"），修改时原样放入 If-Match',
)  # fmt: skip


PATCH_DESCRIPTION = (
    "只提交要修改的字段（取值与编辑页面相同：选项取值、日期 YYYY-MM-DD、关联记录用读取接口显示的代码，"
    '如 region "370322"、business_lines ["ggcs"]），其余字段保持不变；校验、权限、辖区与审计日志与页面相同。'
    "须提供所依据的版本：请求头 If-Match（详情接口的 ETag）或请求体中的 lock_version，否则返回 428。"
    "所依据的版本已被他人修改时返回 409，响应包含修改人、修改时间、当前版本号与当前记录，合并后以新版本重新提交。"
)


def _items(errors: dict) -> list[dict]:
    """{"field": ["msg", …]} → the error shape's items (the form's "__all__" becomes the empty field)."""
    return [
        {"field": name if name != "__all__" else "", "message": str(m)} for name, msgs in errors.items() for m in msgs
    ]


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(header: str, current: int) -> int | None:
    """The version an If-Match header names: `*` = no check (None); of several tags, the current one if listed."""
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if not tags or tags == ["*"]:
        return None
    versions = [parse_version(tag) for tag in tags]
    return current if current in versions else versions[0]


class VersionedReadMixin:
    """ETag (the record's lock_version) on detail reads, for records whose changes are workflow steps in the UI."""

    @extend_schema(parameters=[ETAG])
    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if VERSION_FIELD in response.data:
            response["ETag"] = etag(response.data[VERSION_FIELD])
        return response


class VersionedUpdateMixin(VersionedReadMixin):
    """PATCH on the detail endpoint through the page's edit form and service; ETag on reads.

    A viewset sets `edit_form_class` (the page's form, with `VersionedFormMixin`), `api_lookups` (related fields by
    the slug the read API shows) and implements `perform_edit(obj, form, expected_version)` (calls the service)."""

    edit_form_class = None
    api_lookups: dict[str, str] = {}
    locked_fields: tuple[str, ...] = ()  # shown by the form, fixed once created (e.g. the credit code)

    def edit_form_kwargs(self, obj) -> dict:
        return {"instance": form_instance(obj), "user": self.request.user}

    def perform_edit(self, obj, form, expected_version):  # pragma: no cover - each viewset implements it
        raise NotImplementedError

    def build_edit_form(self, obj, data=None):
        form = self.edit_form_class(data, **self.edit_form_kwargs(obj))
        for name in self.locked_fields:
            if name in form.fields:
                form.fields[name].disabled = True
        for name, slug in self.api_lookups.items():
            if name in form.fields and not form.fields[name].disabled:  # a disabled field keeps its initial (a pk)
                form.fields[name].to_field_name = slug
        return form

    def _slug_value(self, obj, name: str, slug: str):
        value = getattr(obj, name, None)
        if hasattr(value, "all"):  # many-to-many
            return [getattr(related, slug) for related in value.all()]
        return getattr(value, slug) if value is not None else None

    def _form_data(self, obj, payload: dict) -> dict:
        """The form as it stands for `obj`, with the payload's fields put over it."""
        current = self.build_edit_form(obj)
        data = {name: current[name].value() for name in current.fields if name != VERSION_FIELD}
        for name, slug in self.api_lookups.items():
            if name in data and hasattr(obj, name) and not current.fields[name].disabled:
                data[name] = self._slug_value(obj, name, slug)
        data = {name: value for name, value in data.items() if value is not None}
        data.update(payload)
        return data

    def __init_subclass__(cls, **kwargs):
        """Each viewset gets its own documented PATCH (its serializer is the 200 body)."""
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("serializer_class") is None:
            return

        def partial_update(self, request, *args, **kw):
            return VersionedUpdateMixin.update_versioned(self, request, *args, **kw)

        cls.partial_update = extend_schema(
            summary="修改（乐观锁）",
            description=PATCH_DESCRIPTION,
            parameters=[IF_MATCH, ETAG],
            request={"application/json": OpenApiTypes.OBJECT},
            responses={
                200: cls.serializer_class,
                400: OpenApiResponse(ErrorBody, description="填写有误（字段错误为中文，按字段列出）"),
                409: OpenApiResponse(ConflictBody, description="记录已被他人修改（所依据的版本已过时）"),
                428: OpenApiResponse(ErrorBody, description="未提供所依据的版本"),
            },
        )(partial_update)

    def update_versioned(self, request, *args, **kwargs):
        obj = self.get_object()
        if not isinstance(request.data, dict):
            return Response(error_body("请求体应为 JSON 对象", "invalid"), status.HTTP_400_BAD_REQUEST)
        if hasattr(request.data, "lists"):  # form-encoded: one value stays a value, several a list
            payload = {k: v[0] if len(v) == 1 else v for k, v in request.data.lists()}
        else:
            payload = dict(request.data)
        body_version = payload.pop(VERSION_FIELD, None)
        header = request.headers.get("If-Match")
        try:
            if header is not None:
                expected = if_match_version(header, obj.lock_version)
            elif body_version is not None:
                expected = parse_version(body_version)
            else:
                return Response(error_body(NEEDS_VERSION, "precondition_required"), PRECONDITION_REQUIRED)
        except ValidationError as exc:
            return Response(error_body(error_text(exc), "invalid"), status.HTTP_400_BAD_REQUEST)
        form = self.build_edit_form(obj)
        editable = {name for name, field in form.fields.items() if not field.disabled and name != VERSION_FIELD}
        unknown = sorted(set(payload) - editable)
        if unknown:
            return Response(
                error_body(
                    f"不可修改的字段：{'、'.join(unknown)}",
                    "invalid",
                    [{"field": n, "message": "不可修改的字段"} for n in unknown],
                ),
                status.HTTP_400_BAD_REQUEST,
            )  # noqa: E501
        form = self.build_edit_form(obj, self._form_data(obj, payload))
        if not form.is_valid():
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            detail = "；".join(f"{form.fields[n].label if n in form.fields else ''}：{m[0]}" for n, m in errors.items())
            return Response(error_body(f"填写有误：{detail}", "invalid", _items(errors)), status.HTTP_400_BAD_REQUEST)
        try:
            self.perform_edit(obj, form, expected)
        except EditConflict as exc:
            return self.conflict_response(exc)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {}
            return Response(error_body(error_text(exc), "invalid", _items(errors)), status.HTTP_400_BAD_REQUEST)
        fresh = self.get_object()
        response = Response(self.get_serializer(fresh).data)
        response["ETag"] = etag(fresh.lock_version)
        return response

    def conflict_response(self, exc: EditConflict) -> Response:
        current = self.get_serializer(exc.current).data
        body = {
            **error_body(error_text(exc), "conflict"), "changed_by": exc.changed_by, "changed_at": exc.changed_at,
            "changed_at_text": time_text(exc.changed_at), VERSION_FIELD: exc.current_version, "current": current,
            "changed_fields": sorted(exc.their_changes) if exc.their_changes is not None else None,
        }  # fmt: skip
        response = Response(body, status.HTTP_409_CONFLICT)
        response["ETag"] = etag(exc.current_version)
        return response
