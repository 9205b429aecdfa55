"""The Celery app. Tasks live in the domain apps (``projects.*.tasks``)."""

import gc
import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

# The embedded broker: kombu's filesystem transport, writing messages atomically.
TRANSPORT_ALIASES["tracker-fs"] = "tracker.kombu_fs:Transport"

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_filesystem_broker_folders(sender, **kwargs):
    """kombu does not create its folders itself; without them it fails at the first send."""
    from tracker.kombu_fs import ensure_folders

    ensure_folders(sender.conf.broker_transport_options)


@worker_process_init.connect  # each child of the prefork pool, after the fork
@worker_ready.connect  # the main process, where the solo pool runs its tasks
def freeze_what_is_loaded(**kwargs):
    """As the web processes do (tracker/wsgi.py): what is loaded by now lives as long as the
    process, so a full collection no longer walks it. An import's batches set off full
    collections over Django and every task module: in process, 5,000 reports 741-947 -> 1,259-1,316
    rows/s (full collections 1.2 -> 0.3 s)."""
    gc.freeze()
