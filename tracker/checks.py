"""Deployment checks of the tracker, shown by ``manage.py check --deploy``.

The embedded defaults (SpatiaLite, kombu's filesystem broker, mail printed to the console)
make ``make run`` work with nothing installed; in production each one is a mistake that
nothing else reports: several web and worker processes fight over one SQLite file, tasks
queue up in a folder one host can see, and notifications are printed instead of sent.
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Warning, register

# Mail backends that never deliver.
_UNDELIVERED_MAIL = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}


@register("tracker", deploy=True)
def check_production_services(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    warnings = []
    if settings.DATABASES["default"]["ENGINE"].endswith(("spatialite", "sqlite3")):
        warnings.append(
            Warning(
                "DEBUG is off but the database is SpatiaLite (the embedded demo database).",
                hint="Set DATABASE_URL=postgres://… (PostgreSQL with PostGIS); see docs/production.md.",
                id="tracker.W001",
            )
        )
    if settings.CELERY_BROKER_URL.split("://", 1)[0] in {"filesystem", "tracker-fs"}:
        warnings.append(
            Warning(
                "DEBUG is off but the Celery broker is the filesystem transport (the embedded demo broker).",
                hint="Set CELERY_BROKER_URL=redis://… (or amqp://…); see docs/production.md.",
                id="tracker.W002",
            )
        )
    if settings.EMAIL_BACKEND in _UNDELIVERED_MAIL:
        warnings.append(
            Warning(
                f"DEBUG is off but e-mail goes to {settings.EMAIL_BACKEND}: notifications are never delivered.",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST.",
                id="tracker.W003",
            )
        )
    return warnings


@register("tracker", deploy=True)
def check_pdf_font(app_configs=None, **kwargs):
    if Path(settings.PDF_FONT_PATH).is_file():
        return []
    return [
        Warning(
            f"The PDF font {settings.PDF_FONT_PATH} is missing: review packs cannot be built.",
            hint="Install the Debian package fonts-wqy-zenhei, or set PDF_FONT_PATH to a CJK TrueType font.",
            id="tracker.W004",
        )
    ]
