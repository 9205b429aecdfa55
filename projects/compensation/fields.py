"""Field helpers shared by the compensation models."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def yuan_field(verbose_name, **kwargs) -> models.BigIntegerField:
    """Money in whole yuan (元); 1万 = 10⁴, 1亿 = 10⁸. Never negative."""
    kwargs.setdefault("validators", [MinValueValidator(0)])
    kwargs.setdefault("help_text", _("In yuan (元), a whole number."))
    return models.BigIntegerField(verbose_name, **kwargs)
