"""Production settings, loaded as production loads them: in a fresh interpreter."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "ideas.example.org",
    "DJANGO_SITE_URL": "https://ideas.example.org",
}


def production_env(**env_overrides: str | None) -> dict[str, str]:
    """This process's environment with production settings, GOOD_ENV and an in-memory
    database, without the variables of another set-up; a variable given as None is removed."""
    optional = (
        "DJANGO_",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_",
        "FRONTEND_CACHE",
        "GUNICORN_",
        "PAGE_CACHE_",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(optional)}
    env |= GOOD_ENV | {
        "DJANGO_SETTINGS_MODULE": "ideatori.settings.production",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    for name, value in env_overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_manage(*args: str, **env_overrides: str | None) -> subprocess.CompletedProcess:
    """manage.py under ``production_env(**env_overrides)``."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(**env_overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def printed_setting(expression: str, **env_overrides: str | None) -> str:
    result = run_manage(
        "shell", "-c", f"from django.conf import settings; print({expression})", **env_overrides
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_SECRET_KEY", None),
        ("DJANGO_SECRET_KEY", ""),
        ("DJANGO_SECRET_KEY", "   "),
        ("DJANGO_ALLOWED_HOSTS", None),
        ("DJANGO_ALLOWED_HOSTS", ""),
        ("DJANGO_ALLOWED_HOSTS", " , "),
        ("DJANGO_SITE_URL", None),
        ("DJANGO_SITE_URL", ""),
    ],
)
def test_production_refuses_to_start_without_required_variable(variable, value):
    result = run_manage("check", **{variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The environment variable {variable} is required" in result.stderr


def test_production_passes_the_deployment_checklist_with_its_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_load_the_demo():
    result = run_manage("load_demo")

    assert result.returncode != 0
    assert "load_demo refuses to run with production settings" in result.stderr


def test_database_url_selects_postgresql():
    printed = printed_setting(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']",
        DATABASE_URL="postgres://ideatori:secret@db.internal:5432/ideatori",
    )
    assert printed == "django.db.backends.postgresql ideatori"


def test_without_database_url_the_default_is_an_sqlite_file():
    printed = printed_setting("settings.DATABASES['default']['NAME']", DATABASE_URL=None)
    assert printed == str(ROOT / "db.sqlite3")


@pytest.mark.parametrize(
    ("variable", "value", "expression", "expected"),
    [
        (
            "REDIS_URL",
            "redis://cache.internal:6379/1",
            "' '.join(settings.CACHES['default'][key] for key in"
            " ('BACKEND', 'LOCATION', 'KEY_PREFIX'))",
            # Two sites that share one Redis keep their keys apart by their hosts.
            "home.cache_backend.ForgivingRedisCache redis://cache.internal:6379/1"
            " ideas.example.org",
        ),
        (
            "FRONTEND_CACHE_PURGE_URL",
            "http://cdn.internal/purge",
            # home.page_cache purges; frontend_cache's own signal handlers stay unconnected.
            "str('wagtail.contrib.frontend_cache' in settings.INSTALLED_APPS) + ' '"
            " + settings.WAGTAILFRONTENDCACHE['cdn']['LOCATION']",
            "False http://cdn.internal/purge",
        ),
        (
            "PAGE_CACHE_SECONDS",
            "900",
            "str(settings.IDEATORI_PAGE_CACHE_SECONDS) + ' '"
            " + str(settings.IDEATORI_PAGE_CACHE_BROWSER_SECONDS)",
            "900 60",
        ),
        (
            "EMAIL_HOST",
            "smtp.internal",
            "settings.EMAIL_BACKEND + ' ' + settings.IDEATORI_EMAIL_TRANSPORT"
            " + ' ' + settings.EMAIL_HOST",
            "home.outbox.OutboxBackend django.core.mail.backends.smtp.EmailBackend smtp.internal",
        ),
        (
            "DJANGO_CSRF_TRUSTED_ORIGINS",
            "https://ideas.example.org, https://idea.example.org",
            "','.join(settings.CSRF_TRUSTED_ORIGINS)",
            "https://ideas.example.org,https://idea.example.org",
        ),
    ],
)
def test_optional_production_variables_switch_components(variable, value, expression, expected):
    assert printed_setting(expression, **{variable: value}) == expected


def test_without_optional_variables_components_are_embedded():
    printed = printed_setting(
        "settings.CACHES['default']['BACKEND'], settings.EMAIL_BACKEND, "
        "settings.IDEATORI_EMAIL_TRANSPORT, "
        "'WAGTAILFRONTENDCACHE' in dir(settings)"
    )
    assert printed.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "home.outbox.OutboxBackend",
        "django.core.mail.backends.console.EmailBackend",
        "False",
    ]


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DJANGO_TRUSTED_PROXIES", "10.0.0.300"), ("DJANGO_LOG_FORMAT", "xml")],
)
def test_production_refuses_to_start_with_a_bad_value(variable, value):
    result = run_manage("check", **{variable: value})

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {variable}: " in result.stderr


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_deployment_check_warns_that_rate_limits_are_per_process_without_redis():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", GUNICORN_WORKERS="3")

    assert result.returncode != 0
    assert "(home.W001) gunicorn runs 3 processes" in result.stderr
    assert "rate limits (failed sign-ins, password resets) are counted per process" in (
        result.stderr
    )


def test_deployment_check_warns_when_redis_does_not_answer():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
    )

    assert result.returncode != 0
    assert "(home.W002) The Redis in REDIS_URL does not answer" in result.stderr


def test_without_redis_gunicorn_defaults_to_one_process():
    assert printed_setting("settings.IDEATORI_WEB_WORKERS", REDIS_URL=None) == "1"
