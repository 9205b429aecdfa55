"""Measured values, detection limits and limits to 10 decimal places (Hg class I is 0.00005 mg/L and
0.0000501 must be kept as given, not rounded to 0.00005); rule parameters stored as decimal text."""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models


def _text(value):
    """Numbers in the parameters as decimal text (a float by its shortest text: 0.85, not 0.8499…)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, dict):
        return {key: _text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [item if isinstance(item, int) else _text(item) for item in value]
    return value


def parameters_as_text(apps, schema_editor):
    SettlementRule = apps.get_model("compensation", "SettlementRule")
    for rule in SettlementRule.objects.filter(kind="improvement_index"):
        params = rule.parameters or {}
        cleaned = {key: (value if key == "baseline_years" else _text(value)) for key, value in params.items()}
        if cleaned != params:
            SettlementRule.objects.filter(pk=rule.pk).update(parameters=cleaned)


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="measurement",
            name="detection_limit",
            field=models.DecimalField(
                blank=True,
                decimal_places=10,
                max_digits=18,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100000")),
                ],
                verbose_name="detection limit",
            ),
        ),
        migrations.AlterField(
            model_name="measurement",
            name="value",
            field=models.DecimalField(
                decimal_places=10,
                max_digits=18,
                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                verbose_name="value",
            ),
        ),
        migrations.AlterField(
            model_name="qualitylimit",
            name="limit",
            field=models.DecimalField(decimal_places=10, max_digits=18, verbose_name="limit"),
        ),
        migrations.AlterField(
            model_name="qualitylimit",
            name="upper_limit",
            field=models.DecimalField(
                blank=True,
                decimal_places=10,
                help_text="For ranges (pH).",
                max_digits=18,
                null=True,
                verbose_name="upper limit",
            ),
        ),
        migrations.RunPython(parameters_as_text, migrations.RunPython.noop),
    ]
