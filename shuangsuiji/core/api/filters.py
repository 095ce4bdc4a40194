"""Query parameters of `/api/v1/`: a parameter that is neither a filter of the endpoint nor one of pagination,
format, ordering or search is refused (400, Chinese) instead of being silently ignored: a misspelt filter
would otherwise return (and export) the whole data set."""

from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings


def _filter_param_names(filterset) -> set[str]:
    names = set()
    for name, field in filterset.form.fields.items():
        names.add(name)
        widget = field.widget
        if hasattr(widget, "suffixed") and hasattr(widget, "suffixes"):  # django-filter range widgets
            names.update(widget.suffixed(name, suffix) for suffix in widget.suffixes)
        elif getattr(widget, "widgets_names", None):  # Django MultiWidget
            names.update(name + suffix for suffix in widget.widgets_names)
    return names


class StrictFilterBackend(DjangoFilterBackend):
    def allowed_params(self, request, queryset, view, filterset=False) -> set[str]:
        allowed = {api_settings.URL_FORMAT_OVERRIDE} - {None}
        paginator = getattr(view, "paginator", None)
        for attr in ("page_query_param", "page_size_query_param", "limit_query_param", "offset_query_param",
                     "cursor_query_param"):  # fmt: skip
            value = getattr(paginator, attr, None)
            if value:
                allowed.add(value)
        for backend in getattr(view, "filter_backends", ()):
            for attr in ("ordering_param", "search_param"):
                value = getattr(backend, attr, None)
                if isinstance(value, str):
                    allowed.add(value)
        if filterset is False:
            filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            allowed |= _filter_param_names(filterset)
        return allowed

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)  # built once: checked, then applied
        allowed = self.allowed_params(request, queryset, view, filterset)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            shown = "、".join(name[:50] for name in unknown[:10])
            hint = "、".join(sorted(allowed)) or "无"
            raise ParseError(f"不支持的查询参数：{shown}（此接口可用的查询参数：{hint}）")
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        return filterset.qs
