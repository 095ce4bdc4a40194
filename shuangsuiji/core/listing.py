"""Generic, htmx-aware list view (NetBox pattern): FilterSet + django-tables2 + template partial.

Subclasses set model, filterset_class, table_class and template_name. The template defines
`{% partialdef results inline %}`; htmx requests (查询/翻页/排序) get only that fragment.
The queryset always goes through `restrict()` so region scope cannot be forgotten.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views import View
from django_tables2 import RequestConfig

from .params import int_param
from .viewhelpers import error_text  # noqa: F401  (re-exported: views import it from here)


def require_perm(user, model, action: str) -> None:
    meta = model._meta
    if not user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}"):
        raise PermissionDenied("您没有此操作的权限")


class ScopedListView(LoginRequiredMixin, View):
    model = None
    filterset_class = None
    table_class = None
    template_name = "core/list_page.html"
    title = ""
    create_url_name = ""  # shown as 新增 when the user may add
    action = "view"
    per_page = 20
    extra_context: dict = {}

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, self.action)

    def get(self, request, *args, **kwargs):
        require_perm(request.user, self.model, self.action)
        filterset = self.filterset_class(request.GET or None, queryset=self.get_queryset(), request=request)
        table = self.table_class(filterset.qs)
        int_param(request, "per_page", label="每页条数", default=self.per_page, minimum=1, maximum=500)  # 400 if bad
        RequestConfig(request, paginate={"per_page": self.per_page}).configure(table)
        template = "core/list_page.html#results" if request.htmx else self.template_name
        meta = self.model._meta
        context = {
            "filter": filterset,
            "table": table,
            "title": self.title or meta.verbose_name_plural,
            "create_url_name": self.create_url_name
            if request.user.has_perm(f"{meta.app_label}.add_{meta.model_name}")
            else "",
            **self.extra_context,
        }
        context.update(self.get_extra_context())
        return render(request, template, context)

    def get_extra_context(self) -> dict:
        return {}
