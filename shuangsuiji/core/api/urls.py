"""`/api/v1/`: one router; each app's `api/urls.py` exposes `register(router)`."""

import importlib
import importlib.util

from django.apps import apps
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
for config in apps.get_app_configs():
    module_name = f"{config.name}.api.urls"
    if config.name.startswith("shuangsuiji.") and config.name != "shuangsuiji.core":
        if importlib.util.find_spec(f"{config.name}.api") and importlib.util.find_spec(module_name):
            module = importlib.import_module(module_name)
            if hasattr(module, "register"):
                module.register(router)
from . import core_endpoints  # noqa: E402

core_endpoints.register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
    path("", include(router.urls)),
]
