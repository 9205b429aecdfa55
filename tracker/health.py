"""``/healthz``: the state of the database and the broker, for load balancers and operators."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from projects.core.middleware import DATABASE_ERRORS
from tracker.celery import app as celery_app


def _database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported as such
        return {"ok": False, "error": str(exc)[:200]}


def broker_url() -> str:
    return celery_app.conf.broker_url


def _broker_state() -> dict:
    try:
        # A fresh connection to the configured URL, not one from the pool.
        with celery_app.connection_for_write(url=broker_url()) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
        return {"ok": True, "transport": str(transport)}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)[:200]}


def _is_staff(request) -> bool:
    try:
        return bool(request.user.is_authenticated and request.user.is_staff)
    except DATABASE_ERRORS:  # the session's user cannot be read while the database is down
        return False


@never_cache
def healthz(request):
    """200 or 503 with ``status`` for anyone (load balancers); the parts' details (database vendor,
    errors naming hosts and ports, broker transport) only to signed-in staff."""
    parts = {"database": _database_state(), "broker": _broker_state()}
    healthy = all(part["ok"] for part in parts.values())
    state = {"status": "ok" if healthy else "unavailable"}
    if _is_staff(request):
        state.update(parts)
    else:
        state.update({name: {"ok": part["ok"]} for name, part in parts.items()})
    return JsonResponse(state, status=200 if healthy else 503)
