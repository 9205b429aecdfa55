"""Many new rows of one model written at once: ``bulk_create``'s rows, sent to PostgreSQL by COPY.

Django 5.2 sends a bulk insert's columns as arrays that psycopg quotes into the statement in
Python, a regular expression per value (an import's change records, large JSON, spent a third of
their insert there). COPY sends the same rows, each value dumped by psycopg's C dumpers. The
values are those ``bulk_create`` writes (each field's ``pre_save`` and ``get_db_prep_save``; times
set on insert one moment for the whole batch), and the statement is logged as a query is, so pinned
query counts see it.
"""

import contextlib
import datetime
import functools
import uuid
from decimal import Decimal

from django.contrib.gis.db.models import GeometryField
from django.db import connection, models
from django.db.backends.utils import CursorDebugWrapper
from django.utils import timezone

# Fields whose value of exactly this type (or None) COPY writes as the field would prepare it:
# ``pre_save`` reads the attribute and ``get_db_prep_save`` returns the value unchanged (a time only
# when aware: a naive one is made aware) or, for a number, wrapped in psycopg's sized integer, which
# COPY writes as the same text. Preparing each value through the field cost 3-4 µs (94,000 of them
# for an import's 2,000 reports). Subclasses first: the first class a field is matched by.
_TAKEN_AS_IS = {
    models.UUIDField: uuid.UUID,
    models.CharField: str,
    models.TextField: str,
    models.DecimalField: Decimal,
    models.DateTimeField: datetime.datetime,
    models.DateField: datetime.date,
    models.BooleanField: bool,
    models.AutoField: int,
    models.BigAutoField: int,
    models.IntegerField: int,
}
_PREPARING = ("pre_save", "to_python", "get_prep_value", "get_db_prep_value", "get_db_prep_save")


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
    stamped = [field.attname for field in fields if _stamped(field)]
    if stamped:
        # One time for the batch (the transaction's rows are written at one moment), as the fields'
        # ``pre_save`` would set each; ``bulk_create`` asks the clock once per field and row.
        now = timezone.now()
        for obj in objs:
            for attname in stamped:
                setattr(obj, attname, now)
    taken_as_is = [
        (field, field.attname, datetime.datetime if field.attname in stamped else _taken_as_is(field))
        for field in fields
    ]
    quote = connection.ops.quote_name
    statement = f"COPY {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    with connection.cursor() as cursor:
        logged = cursor.debug_sql(statement) if isinstance(cursor, CursorDebugWrapper) else contextlib.nullcontext()
        with logged, cursor.cursor.copy(statement) as copy:
            for obj in objs:
                copy.write_row([_prepared(obj, field, attname, kind) for field, attname, kind in taken_as_is])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _prepared(obj, field, attname: str, kind: type | None):
    if kind is not None:
        value = getattr(obj, attname)
        if value is None or (type(value) is kind and (kind is not datetime.datetime or value.tzinfo is not None)):
            return value
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


def _prepares_as(field, base) -> bool:
    """Whether ``field`` prepares its values with ``base``'s own methods (a subclass may not)."""
    return all(getattr(type(field), name) is getattr(base, name) for name in _PREPARING)


def _set_on_insert(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


@functools.cache
def _stamped(field) -> bool:
    """Whether ``field`` is a time set on insert whose value, once set, is sent as it is."""
    times = models.DateTimeField
    return _set_on_insert(field) and isinstance(field, times) and _prepares_as(field, times)


@functools.cache
def _taken_as_is(field) -> type | None:
    """The type of value ``field`` (a key: the field it points to) sends as it is, or None."""
    if _set_on_insert(field):
        return None
    if isinstance(field, models.ForeignKey):
        return _taken_as_is(field.target_field) if _prepares_as(field, models.ForeignKey) else None
    for base, kind in _TAKEN_AS_IS.items():
        if isinstance(field, base):
            return kind if _prepares_as(field, base) else None
    return None
