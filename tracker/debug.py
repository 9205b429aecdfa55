"""The debug page and error mails without secrets."""

import re

from django.views.debug import SafeExceptionReporterFilter

# user:password@ inside a URL (database, broker, cache, result backend, SMTP …).
_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:@/\s]*):(?P<password>[^@/\s]+)@", re.I)


class SecretsExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter (names with KEY, SECRET, PASS, TOKEN … hidden) that also hides every
    password written into a URL, whatever the setting or environment variable is called
    (``DATABASE_URL``, ``CELERY_BROKER_URL``, ``CACHE_URL`` …), and ``*_URL`` and ``*_DSN`` settings'
    user names with it."""

    hidden_settings = re.compile(SafeExceptionReporterFilter.hidden_settings.pattern + "|DSN", flags=re.I)

    def cleanse_setting(self, key, value):
        value = super().cleanse_setting(key, value)
        if isinstance(value, str):
            return _CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:{self.cleansed_substitute}@", value)
        return value
