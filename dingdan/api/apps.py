from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dingdan.api"
    label = "api"
