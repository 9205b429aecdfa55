"""Adds ChangeRecord.scope_id (and its index) where an early 0001 left it out.

0001 was edited after it had been applied: the first version had no ``scope_id`` on
ChangeRecord, so a database made with it (an early ``var/tracker.sqlite3``) lacks the column
while the migration state says it exists. This migration looks at the table and adds only
what is missing; on any database made with today's 0001 it does nothing. It changes no state.
"""

from django.db import migrations


def _columns(connection, table):
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, table)}


def _has_index_on(connection, table, column):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return any(info["index"] and info["columns"] == [column] for info in constraints.values())


def add_missing_scope_id(apps, schema_editor):
    model = apps.get_model("core", "ChangeRecord")
    field = model._meta.get_field("scope_id")
    table = model._meta.db_table
    connection = schema_editor.connection
    quote = schema_editor.quote_name

    if field.column not in _columns(connection, table):
        if connection.vendor == "postgresql":
            # ALTER TABLE … ADD COLUMN with the default '' for the existing rows (then dropped)
            # and the field's indexes (the varchar_pattern_ops one too), as AddField does.
            schema_editor.add_field(model, field)
            return
        # SQLite: Django's add_field would rebuild the table from a model without the column,
        # which the migration state no longer has. SQLite adds a NOT NULL column in place when
        # it has a default; the default ('') stays in the table definition and is harmless.
        definition, params = schema_editor.column_sql(model, field, include_default=True)
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} ADD COLUMN {quote(field.column)} {definition}", params or None
        )
    if not _has_index_on(connection, table, field.column):
        for statement in schema_editor._field_indexes_sql(model, field):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(add_missing_scope_id, migrations.RunPython.noop, elidable=False),
    ]
