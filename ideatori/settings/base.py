"""Settings shared by every environment.

Environment variables are read here and in ``production.py`` only; nothing else in the
project looks at ``os.environ``.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ideatori.object_storage import object_storages

from .sso import sso_providers

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

INSTALLED_APPS = [
    # Before the apps whose models it translates: names a coordinator gives (units, the
    # organisation) get a column per language.
    "modeltranslation",
    "home",
    "ideas",
    "judging",
    "privacy",
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
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "csp",
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
    # Stores anonymous visitors' public pages (home.page_cache): its response step runs last.
    "home.page_cache.UpdatePageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: pages get a policy (and request.csp_nonce), static files need none.
    "ideatori.headers.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "home.memo.RequestMemoMiddleware",
    "ideatori.middleware.APIURLConfMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Answers a stored page once the language is known, before the session or the database.
    "home.page_cache.FetchFromPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After allauth's: coordinators and administrators set up a second factor before the admin.
    "home.mfa.AdminRequiresMFAMiddleware",
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
# The password form refuses staff whom the site settings send to the organisation's sign-in.
ACCOUNT_FORMS = {"login": "home.forms.LoginForm"}

# Staff sign in with the organisation's identity provider (home.sso): OpenID Connect, SAML or
# both, each enabled when its variables are given. An existing account is signed in by the
# address the provider asserts as verified, and the provider is linked to it; an address it
# does not assert as verified is never matched. Someone new gets an account at once.
SOCIALACCOUNT_ADAPTER = "home.sso.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_STORE_TOKENS = False


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Comma-separated "amr" (RFC 8176) and "acr" values of an ID token that count as a second
# factor (home.sso.idp_asserted_mfa).
IDEATORI_OIDC_MFA_AMR_VALUES = _env_list("IDEATORI_OIDC_MFA_AMR") or ["mfa", "otp", "hwk"]
IDEATORI_OIDC_MFA_ACR_VALUES = _env_list("IDEATORI_OIDC_MFA_ACR")
SOCIALACCOUNT_PROVIDERS = sso_providers(os.environ)

# A second factor: an authenticator app (TOTP), a security key (WebAuthn) and recovery codes.
# Coordinators and administrators must have one before the admin (home.mfa); anyone may add one.
MFA_ADAPTER = "home.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
# Security keys need HTTPS, except on this machine in development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
IDEATORI_ADMIN_REQUIRES_MFA = True

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

# Public media in "default", the teams' files in "attachments": folders here, or S3-compatible
# buckets when IDEATORI_S3_PRIVATE_BUCKET / IDEATORI_S3_PUBLIC_BUCKET name them.
STORAGES = object_storages(
    os.environ,
    private_root=IDEATORI_PRIVATE_MEDIA_ROOT,
    staticfiles_backend="django.contrib.staticfiles.storage.StaticFilesStorage",
)

# Addresses or networks of the proxies in front (the load balancer) whose X-Forwarded-For and
# X-Forwarded-Proto are believed (ideatori.proxies); none in development.
IDEATORI_TRUSTED_PROXIES: list[str] = []
# gunicorn's processes and threads per server (production sets them from gunicorn.conf.py's
# rule), the app servers and background processes sharing the database, and its
# max_connections when it cannot be asked: the deployment check of connections (home.checks).
IDEATORI_WEB_WORKERS = 1
IDEATORI_WEB_THREADS = 1
IDEATORI_WEB_SERVERS = 1
IDEATORI_BACKGROUND_PROCESSES = 2
IDEATORI_DATABASE_MAX_CONNECTIONS: int | None = None

# Local memory by default; REDIS_URL shares the cache between app servers.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "home.cache_backend.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            # Keys carry the site's host: a staging and a production site that share one Redis
            # must not serve each other's routed pages, menus, settings or figures.
            "KEY_PREFIX": urlsplit(os.environ.get("DJANGO_SITE_URL", "")).netloc,
            # A Redis that went away costs a request two seconds, not a worker (and, with the
            # forgiving backend, not the page either).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The page cache (home.page_cache): anonymous visitors' public pages are kept this many
# seconds in the cache above and by a CDN (s-maxage), and purged when they change; browsers
# keep them PAGE_CACHE_BROWSER_SECONDS (max-age). PAGE_CACHE_SECONDS=0 turns it off.
IDEATORI_PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
IDEATORI_PAGE_CACHE_BROWSER_SECONDS = int(os.environ.get("PAGE_CACHE_BROWSER_SECONDS", "60"))
CACHE_MIDDLEWARE_ALIAS = "default"
# The CDN is purged with each translation's own address: frontend_cache must not rewrite
# one address into every language's prefix.
WAGTAILFRONTENDCACHE_LANGUAGES: list[str] = []

# Background work runs at once in the tests; development and production queue it in the
# database for the worker (manage.py run_worker), and manage.py run_schedule runs the jobs.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Finished task results (they hold e-mail addresses and ids) are pruned after this many days.
IDEATORI_TASK_RESULTS_DAYS = int(os.environ.get("TASK_RESULTS_DAYS", "14"))
# Retention (privacy.services.apply_retention): unawarded ideas, their files, revisions and
# reviews go this many years after their round's results; delivered and failed e-mails this
# many days after they were sent or given up.
IDEATORI_RETENTION_IDEA_YEARS = int(os.environ.get("RETENTION_IDEA_YEARS", "5"))
IDEATORI_RETENTION_EMAIL_DAYS = int(os.environ.get("RETENTION_EMAIL_DAYS", "90"))

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

# Security headers (README, "Security headers"). Public, team, juror and sign-in pages run no
# script and apply no style but the site's own files and the elements given the request's
# nonce; nothing may frame them. Images may be data: URIs (HDS's icons are). Forms post to
# the site, and to the identity provider's origins (DJANGO_CSP_FORM_ACTION) when sign-in
# goes there: browsers hold a form's redirects to form-action too.
IDEATORI_CSP_REPORT_URL = "/csp-report/"
IDEATORI_CSP_FORM_ACTION = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSP_FORM_ACTION", "").split(",")
    if origin.strip()
]
for _origin in IDEATORI_CSP_FORM_ACTION:
    # An origin only: a keyword or a wildcard here would open every form to anywhere.
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", _origin):
        raise ImproperlyConfigured(
            f"DJANGO_CSP_FORM_ACTION: {_origin!r} is not an origin such as "
            "https://login.example.org."
        )
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, *IDEATORI_CSP_FORM_ACTION],
        "frame-ancestors": [NONE],
        "report-uri": IDEATORI_CSP_REPORT_URL,
        "report-to": "csp",
    }
}
# The Wagtail admin: every path under /admin/ (wagtail-localize's and this project's screens
# included) and the page previews it frames; ideatori.headers picks it. Wagtail 8 still writes
# inline <script> elements (date and time choosers, inline panels, page listings and
# reports' set-up) and its scripts add <style> elements: without 'unsafe-inline' Chromium
# refuses both on the page editor, wagtail-localize's editor, the explorer, the reports and
# the jury screen. So inline scripts and styles are allowed there and nowhere else; no eval,
# no other origin. The admin frames its own previews; blob: shows images chosen for upload.
IDEATORI_CSP_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
    }
}
# No Wagtail "update available" call home from the admin's dashboard (connect-src is 'self'),
# and no Gravatar (img-src is the site): an avatar is the one uploaded, else Wagtail's default.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The browser features no page of the site uses are switched off for it and anything it
# frames; WebAuthn (security keys for multi-factor sign-in) stays on for the site itself.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "gamepad": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "local-fonts": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-create": "self",
    "publickey-credentials-get": "self",
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
# Violation reports (home.views.csp_report): bodies over this size are refused unread, and
# one client address is heard this many times a minute; the rest are dropped.
IDEATORI_CSP_REPORT_MAX_BYTES = 16 * 1024
IDEATORI_CSP_REPORTS_PER_MINUTE = 60

# Set to "production" by production settings; commands that must never run there check it.
IDEATORI_ENVIRONMENT = "development"
