"""A changed agreement is a new version: ``supersedes`` names the earlier one, and the earlier one's
status becomes "superseded" when the new one comes into force."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0002_exact_measured_values"),
    ]

    operations = [
        migrations.AddField(
            model_name="compensationagreement",
            name="supersedes",
            field=models.OneToOneField(
                blank=True,
                help_text=(
                    "The earlier version of this agreement. A confirmed settlement freezes the terms it used, so "
                    "a change of terms is a new version; the settlements keep pointing at the version they used."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="superseded_by",
                to="compensation.compensationagreement",
                verbose_name="supersedes",
            ),
        ),
        migrations.AlterField(
            model_name="compensationagreement",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("in_force", "In force"),
                    ("expired", "Expired"),
                    ("terminated", "Terminated"),
                    ("superseded", "Superseded by a new version"),
                ],
                db_index=True,
                default="draft",
                max_length=12,
                verbose_name="status",
            ),
        ),
    ]
