import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_wsgi_application()
# What is loaded by now (Django, the apps, the URLs) lives as long as the process: moved out of
# the collector's way, a full collection no longer walks it. Measured on the corridor page at
# 100,000 projects: a full collection every ten requests took about 110 ms (p95 188 -> 86 ms).
gc.freeze()
