from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# SQLite has one writer at a time, so insertion order is commit order: a trigger gives each change
# record its position. Django rebuilds a SQLite table to add or alter a column, which drops the
# table's triggers, so the trigger is put back (and any record written meanwhile numbered) after
# every migrate; PostgreSQL keeps its trigger (migration 0004).
SQLITE_NUMBERING = [
    "UPDATE core_changerecord SET seq = id WHERE seq IS NULL",
    "CREATE TRIGGER IF NOT EXISTS core_changerecord_number AFTER INSERT ON core_changerecord "
    "BEGIN UPDATE core_changerecord SET seq = NEW.id WHERE id = NEW.id; END",
]


def number_changes_on_sqlite(using="default", **kwargs):
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if "core_changerecord" not in connection.introspection.table_names(cursor):
            return
        for sql in SQLITE_NUMBERING:
            cursor.execute(sql)


class CoreConfig(AppConfig):
    name = "projects.core"
    label = "core"
    verbose_name = _("Geography, organizations and accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from projects.core import signin

        # Sign-ins and failed sign-ins: counted for the lockout and kept in the history.
        user_login_failed.connect(signin.on_login_failed, dispatch_uid="tracker-sign-in-failed")
        user_logged_in.connect(signin.on_logged_in, dispatch_uid="tracker-signed-in")
        post_migrate.connect(number_changes_on_sqlite, sender=self, dispatch_uid="tracker-number-changes")
