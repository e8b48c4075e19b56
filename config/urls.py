from django.contrib import admin
from django.urls import path

from dingdan.api.api import api
from dingdan.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
