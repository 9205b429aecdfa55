from django.apps import AppConfig


class TrackerConfig(AppConfig):
    """The project itself: no models, only its system checks (``manage.py check --deploy``)."""

    name = "tracker"
    verbose_name = "Tracker"

    def ready(self):
        from tracker import checks  # noqa: F401 - registers the checks
