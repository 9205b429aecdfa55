"""Migrations: models and migrations agree, a database made with the first core 0001
(before ``ChangeRecord.scope_id`` was added to it in place) gains the column, and the tables an
import writes carry no index that another of theirs already gives."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from projects.core.choices import ChangeAction
from projects.core.models import ChangeRecord, Corridor
from projects.restoration.models import IndicatorValue, ProgressReport, ReportInvestment

TABLE = ChangeRecord._meta.db_table


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # SystemExit(1) when not


def _columns() -> set[str]:
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, TABLE)}


def _scope_indexes() -> list[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return sorted(name for name, info in constraints.items() if info["index"] and info["columns"] == ["scope_id"])


def _back_to_core_0001() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0001_initial")])  # unapplies core 0002 only: nothing depends on it
    executor.loader.build_graph()
    assert ("core", "0002_changerecord_scope_id_if_missing") not in executor.loader.applied_migrations
    return executor


def _forward(executor: MigrationExecutor) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_database_made_with_the_first_core_0001_gains_scope_id_and_its_index(transactional_db):
    indexes_before = _scope_indexes()
    assert indexes_before
    executor = _back_to_core_0001()
    # The first 0001 (commit e2c462c) made the table without the column.
    model = executor.loader.project_state(("core", "0001_initial")).apps.get_model("core", "ChangeRecord")
    with connection.schema_editor() as editor:
        editor.remove_field(model, model._meta.get_field("scope_id"))
    assert "scope_id" not in _columns() and _scope_indexes() == []

    _forward(executor)

    assert "scope_id" in _columns()
    assert _scope_indexes() == indexes_before  # the same index (names included) as 0001 makes
    # The ORM reads and writes it: the history of a record kept under another works again.
    corridor = Corridor.objects.first()
    record = ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(Corridor),
        object_id=str(corridor.pk),
        object_repr=str(corridor),
        action=ChangeAction.UPDATE,
        scope_id="scope-1",
    )
    assert ChangeRecord.objects.filter(scope_id="scope-1").get() == record
    assert ChangeRecord.objects.get(pk=record.pk).scope_id == "scope-1"


def test_on_a_database_made_with_todays_core_0001_it_changes_nothing(transactional_db):
    columns, indexes = _columns(), _scope_indexes()
    _forward(_back_to_core_0001())
    assert (_columns(), _scope_indexes()) == (columns, indexes)


# What an imported row writes: every index here is written once per row (a change record's twice:
# at its insert and at its numbering on commit).
WRITE_PATH = [ProgressReport, IndicatorValue, ReportInvestment, ChangeRecord]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Django adds pattern indexes on PostgreSQL only")
@pytest.mark.parametrize("model", WRITE_PATH, ids=lambda model: model._meta.model_name)
def test_the_write_paths_tables_carry_no_index_another_already_gives(db, model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.relname, array_agg(a.attname ORDER BY k.n), bool_or(o.opcname LIKE '%%pattern_ops')
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            CROSS JOIN LATERAL unnest(x.indkey, x.indclass) WITH ORDINALITY AS k(attnum, opclass, n)
            JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
            JOIN pg_opclass o ON o.oid = k.opclass
            WHERE x.indrelid = %s::regclass GROUP BY i.relname""",
            [table],
        )
        indexes = {name: (tuple(columns), pattern) for name, columns, pattern in cursor.fetchall()}
    assert indexes  # the query reads this table's indexes
    assert not [name for name, (_, pattern) in indexes.items() if pattern], "no read matches a prefix"
    led = [
        (name, other)
        for name, (columns, _) in indexes.items()
        for other, (longer, _) in indexes.items()
        if other != name and len(longer) > len(columns) and longer[: len(columns)] == columns
    ]
    assert not led, "an index whose columns lead another's"
