"""Many new rows of one model written at once: ``bulk_create``'s rows, sent to PostgreSQL by COPY.

Django 5.2 sends a bulk insert's columns as arrays that psycopg quotes into the statement in
Python, a regular expression per value (an import's change records, large JSON, spent a third of
their insert there). COPY sends the same rows, each value dumped by psycopg's C dumpers. The
values are those ``bulk_create`` writes (each field's ``pre_save`` and ``get_db_prep_save``), and
the statement is logged as a query is, so pinned query counts see it.
"""

import contextlib

from django.contrib.gis.db.models import GeometryField
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper


def insert_many(model, objs: list) -> None:
    """Insert ``objs``, new instances of ``model``, as ``model.objects.bulk_create(objs)`` would,
    except that a key the database generates (an auto-increment id) is not read back: the
    instances keep ``pk`` None. Elsewhere than PostgreSQL, and for a model with a geometry,
    ``bulk_create`` itself."""
    if not objs:
        return
    meta = model._meta
    if connection.vendor != "postgresql" or any(isinstance(f, GeometryField) for f in meta.concrete_fields):
        model.objects.bulk_create(objs)
        return
    fields = [field for field in meta.concrete_fields if not field.db_returning]
    quote = connection.ops.quote_name
    statement = f"COPY {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    with connection.cursor() as cursor:
        logged = cursor.debug_sql(statement) if isinstance(cursor, CursorDebugWrapper) else contextlib.nullcontext()
        with logged, cursor.cursor.copy(statement) as copy:
            for obj in objs:
                copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
