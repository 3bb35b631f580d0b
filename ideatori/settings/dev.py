from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Serve static files from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Like production: background work queued in the database for the worker that make run starts.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Security keys over plain HTTP on this machine (the demo); production has HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
