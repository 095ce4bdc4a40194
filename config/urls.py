from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for by themselves: the shipped icon under STATIC_URL."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.ico")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("", include("shuangsuiji.core.urls")),
    path("accounts/", include("shuangsuiji.accounts.urls")),
    path("regions/", include("shuangsuiji.regions.urls")),
    path("directory/", include("shuangsuiji.directory.urls")),
    path("plans/", include("shuangsuiji.plans.urls")),
    path("draws/", include("shuangsuiji.draws.urls")),
    path("gs/", include("shuangsuiji.disclosure.urls")),
    path("dashboards/", include("shuangsuiji.dashboards.urls")),
    path("inspections/", include("shuangsuiji.inspections.urls")),
    path("cases/", include("shuangsuiji.cases.urls")),
    path("paperwork/", include("shuangsuiji.paperwork.urls")),
    path("api/v1/", include("shuangsuiji.core.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "shuangsuiji.core.views.bad_request"
handler404 = "shuangsuiji.core.views.not_found"
