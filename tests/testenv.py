"""Test-run environment, loaded as a pytest plugin (``-p tests.testenv``) before Django reads its settings."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghij")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
os.environ.setdefault("STATIC_MANIFEST", "false")
os.makedirs(os.environ["VAR_DIR"], exist_ok=True)
