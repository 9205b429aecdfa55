"""Indexes no read needs, off the import's write path.

A report's own index on its project, a value's and an investment's on their report: each is the
leading column of a unique index already there, which the same reads use. A value's and an
investment's time of change: nothing asks for them by it (they come with their report). A report's
status keeps its index, without the pattern-matching twin Django adds on PostgreSQL: no read
matches a status by a prefix. An import writes each of these for every row (in the ninth
session's measure, 2,000 reports with 4,000 values: 40 -> 30 ms and 50 -> 37 ms).
"""

import django.db.models.deletion
from django.db import migrations, models


def pattern_index(table, column):
    """Django's own name for the ``varchar_pattern_ops`` index it adds beside a CharField's index on
    PostgreSQL (for ``LIKE 'prefix%'``), as its schema editor would drop it."""

    def name(schema_editor):
        return schema_editor._create_index_name(table, [column], suffix="_like")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name(schema_editor))}")

    def restore(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name(schema_editor))} "
                f"ON {schema_editor.quote_name(table)} ({schema_editor.quote_name(column)} varchar_pattern_ops)"
            )

    return migrations.RunPython(drop, restore)


class Migration(migrations.Migration):

    dependencies = [
        ('restoration', '0008_reminders'),
    ]

    operations = [
        migrations.AlterField(
            model_name='indicatorvalue',
            name='report',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='values', to='restoration.progressreport', verbose_name='report'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='progressreport',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='restoration.project', verbose_name='project'),
        ),
        migrations.AlterField(
            model_name='reportinvestment',
            name='report',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='investment', to='restoration.progressreport', verbose_name='report'),
        ),
        migrations.AlterField(
            model_name='reportinvestment',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        pattern_index("restoration_progressreport", "status"),
    ]
