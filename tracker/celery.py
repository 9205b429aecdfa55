"""The Celery app. Tasks live in the domain apps (``projects.*.tasks``)."""

import os

from celery import Celery
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
