"""Production settings with the one view that fails (tests/urls_failing.py), for tests that
start gunicorn as production does and need a 500."""

from ideatori.settings.production import *  # noqa: F403

ROOT_URLCONF = "tests.urls_failing"
