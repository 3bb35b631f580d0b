"""Settings shared by every environment.

Environment variables are read here and in ``production.py`` only; nothing else in the
project looks at ``os.environ``.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

INSTALLED_APPS = [
    # Before the apps whose models it translates: names a coordinator gives (units, the
    # organisation) get a column per language.
    "modeltranslation",
    "home",
    "ideas",
    "judging",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.api.v2",
    "rest_framework",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # Before anything reads the client's address, the scheme or the Host header.
    "ideatori.middleware.TrustedProxyMiddleware",
    "ideatori.middleware.RequestIdMiddleware",
    "ideatori.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "home.memo.RequestMemoMiddleware",
    "ideatori.middleware.APIURLConfMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "home.sessions.StrictSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "ideatori.urls"
WSGI_APPLICATION = "ideatori.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "judging.context_processors.jury",
            ],
        },
    },
]

FORM_RENDERER = "home.forms.SiteFormRenderer"

# SQLite file by default; DATABASE_URL selects PostgreSQL (or another SQLite file).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves the web server, the worker and the scheduler at once:
    # readers never wait for a writer (WAL), and a writer waits its turn instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts: e-mail is the login; the address must be verified before the first sign-in.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# allauth's e-mails in the recipient's language, with the site's public address.
ACCOUNT_ADAPTER = "home.accounts.AccountAdapter"
# Failed sign-ins: 10 a minute from one client address, and 5 in 5 minutes on one account
# from one address (home.accounts keys allauth's per-account count by the address too), so
# that nobody's guesses lock the rightful person out; a password reset clears the count.
# The other limits are allauth's defaults. They count in the cache, which REDIS_URL shares
# between processes and servers. allauth reads the client's address from REMOTE_ADDR, which
# TrustedProxyMiddleware sets from X-Forwarded-For only for IDEATORI_TRUSTED_PROXIES.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ALLAUTH_TRUSTED_PROXY_COUNT = 0
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
# The Wagtail admin signs people in through the same, rate-limited form.
WAGTAILADMIN_LOGIN_URL = "account_login"

# Coordinators and jurors hold sensitive material: their sessions end after 30 minutes
# without a request and 12 hours after signing in, whatever they do.
IDEATORI_STRICT_SESSION_GROUPS = ["Coordinators", "Jurors"]
IDEATORI_STRICT_SESSION_IDLE_SECONDS = 30 * 60
IDEATORI_STRICT_SESSION_MAX_SECONDS = 12 * 60 * 60

# Languages: English is the default; Finnish and Swedish are the city's official languages.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fi", "Suomi"),
    ("sv", "Svenska"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILLOCALIZE_JQUERY_ENABLED = False

# Every date a round has is entered and shown in Helsinki time; the database stores UTC.
TIME_ZONE = "Europe/Helsinki"
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Idea attachments: never under MEDIA_URL, served only through a view that checks permission.
IDEATORI_PRIVATE_MEDIA_ROOT = Path(
    os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media")
)
# An Office or OpenDocument attachment that unpacks to more than this is refused (a zip bomb).
IDEATORI_ATTACHMENT_MAX_UNZIPPED = (
    int(os.environ.get("ATTACHMENT_MAX_UNZIPPED_MB", "100")) * 1024 * 1024
)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Addresses or networks of the proxies in front (the load balancer) whose X-Forwarded-For and
# X-Forwarded-Proto are believed (ideatori.proxies); none in development.
IDEATORI_TRUSTED_PROXIES: list[str] = []
# gunicorn's processes per server (production sets it from gunicorn.conf.py's rule).
IDEATORI_WEB_WORKERS = 1

# Local memory by default; REDIS_URL shares the cache between app servers.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that went away fails a request in seconds instead of hanging a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work runs at once in the tests; development and production queue it in the
# database for the worker (manage.py run_worker), and manage.py run_schedule runs the jobs.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Finished task results (they hold e-mail addresses and ids) are pruned after this many days.
IDEATORI_TASK_RESULTS_DAYS = int(os.environ.get("TASK_RESULTS_DAYS", "14"))

# Every e-mail goes into the outbox (home.outbox) and the worker delivers it through the
# transport, retrying for IDEATORI_OUTBOX_RETRY_HOURS while the mail server is away.
EMAIL_BACKEND = "home.outbox.OutboxBackend"
IDEATORI_EMAIL_TRANSPORT = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
IDEATORI_OUTBOX_RETRY_HOURS = int(os.environ.get("EMAIL_RETRY_HOURS", "48"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ideatori <ideatori@localhost>")

# Large page forms (a round with many criteria) exceed Django's default of 1000 fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "Ideatori"
# The site's public address: applied to the default Wagtail Site on every migrate, which is
# where page URLs, the sitemap, the API, the feed and e-mail links read it (home.addresses).
IDEATORI_SITE_URL = os.environ.get("DJANGO_SITE_URL", "").strip().rstrip("/")
WAGTAILADMIN_BASE_URL = IDEATORI_SITE_URL or "http://127.0.0.1:8000"
# Finnish, Swedish and English full-text search on PostgreSQL; Wagtail's own elsewhere.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "home.search"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# The label used wherever a date of a round is shown, so that readers know which clock it is.
IDEATORI_TIME_ZONE_LABEL = _("Helsinki time")

# Set to "production" by production settings; commands that must never run there check it.
IDEATORI_ENVIRONMENT = "development"
