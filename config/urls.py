from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from dingdan.api.api import api
from dingdan.core.views import healthz

handler500 = "dingdan.core.views.server_error"  # a database out of reach is 503, even in a middleware

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("track/", include("dingdan.backoffice.public.urls")),
    path("app/", include("dingdan.backoffice.urls")),
    path("", RedirectView.as_view(url="/app/", permanent=False)),
]
