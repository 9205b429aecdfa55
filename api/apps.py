from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self):
        from django.db import models
        from rest_framework.serializers import ModelSerializer

        from api import schema  # noqa: F401 - registers OpenAPI extensions
        from api.fields import LongTextField

        # Every text field of every model serializer has a length limit (docs/api.md, "Limits").
        ModelSerializer.serializer_field_mapping[models.TextField] = LongTextField
