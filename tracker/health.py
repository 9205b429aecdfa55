"""``/healthz``: the state of the database and the broker, for load balancers and operators."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

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


@never_cache
def healthz(request):
    state = {"database": _database_state(), "broker": _broker_state()}
    healthy = all(part["ok"] for part in state.values())
    state["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(state, status=200 if healthy else 503)
