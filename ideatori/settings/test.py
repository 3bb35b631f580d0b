import os
import tempfile
from pathlib import Path

from ideatori.object_storage import object_storages

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
IDEATORI_ENVIRONMENT = "test"

# Fast hashing: the suite creates many users and never needs real password strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Django's test set-up puts locmem in EMAIL_BACKEND, bypassing the outbox; the outbox's own
# tests put it back, with the transport below or a real SMTP server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
IDEATORI_EMAIL_TRANSPORT = "django.core.mail.backends.locmem.EmailBackend"
# A file, not memory: the browser tests' live server then gives every thread its own
# connection instead of sharing one across threads and async contexts.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"ideatori-test-{os.getpid()}.sqlite3")
    }
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Off: most tests change rows and read the page again; tests/home/test_page_cache.py turns it on.
IDEATORI_PAGE_CACHE_SECONDS = 0
# Uploads in a throwaway folder per test process.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="ideatori-test-media-"))
IDEATORI_PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="ideatori-test-private-"))
STORAGES = object_storages(
    {},  # the file system, whatever the environment says; the object-storage tests set buckets
    private_root=IDEATORI_PRIVATE_MEDIA_ROOT,
    staticfiles_backend="django.contrib.staticfiles.storage.StaticFilesStorage",
)
IDEATORI_SITE_URL = ""

# Serve static files from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
WAGTAILADMIN_BASE_URL = "http://testserver"

# The suite's coordinators reach the admin through force_login, without a second factor;
# the tests of the rule (tests/home/test_mfa.py, the SSO and MFA journey) turn it on.
IDEATORI_ADMIN_REQUIRES_MFA = False
