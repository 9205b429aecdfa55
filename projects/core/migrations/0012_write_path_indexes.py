"""A change record's indexes no read needs: its own index on the record type, the leading column of
(content_type, object_id, id), which the same reads use; and the pattern-matching twins Django adds
on PostgreSQL beside the event's and the scope's indexes (no read matches them by a prefix). A
change record's indexes are written twice: at its insert and again when the commit numbers it.
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
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0011_number_changes_at_once'),
    ]

    operations = [
        migrations.AlterField(
            model_name='changerecord',
            name='content_type',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='record type'),
        ),
        pattern_index("core_changerecord", "event"),
        pattern_index("core_changerecord", "scope_id"),
    ]
