from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db import models
        from django.db.models.signals import post_delete, post_save
        from rest_framework.serializers import ModelSerializer

        from api import schema  # noqa: F401 - registers OpenAPI extensions
        from api.authentication import forget_kept_tokens
        from api.fields import LongTextField
        from projects.core.models import ApiToken, Organization

        # A kept token holds its user and their organization: any change of the three stales it.
        for model in (ApiToken, get_user_model(), Organization):
            for signal in (post_save, post_delete):
                signal.connect(forget_kept_tokens, sender=model, dispatch_uid=f"forget-kept-tokens-{model.__name__}")

        # Every text field of every model serializer has a length limit (docs/api.md, "Limits").
        ModelSerializer.serializer_field_mapping[models.TextField] = LongTextField
