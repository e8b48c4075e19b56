from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("<str:token>/", views.track, name="track"),
]
