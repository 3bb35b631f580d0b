"""Django's ``STORAGES`` from the environment: folders on this machine by default, S3-compatible
buckets (django-storages' S3 backend) when the variables name them.

- ``attachments``: the teams' files. A private bucket (``IDEATORI_S3_PRIVATE_BUCKET``): objects
  are written without an ACL, so the bucket's own policy (private) governs them, and no URL to
  them is ever given out; the permission-checked views stream them.
- ``default``: public media (Wagtail images and renditions, documents). A public bucket
  (``IDEATORI_S3_PUBLIC_BUCKET``), whose URLs are unsigned, under ``IDEATORI_S3_PUBLIC_URL``
  (a CDN or the bucket's public address) when given.
"""

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
FILE_SYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"


def _value(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip()


def s3_connection(env: Mapping[str, str]) -> dict:
    """The options both buckets share: where the endpoint is, the key, and short timeouts so
    that a store that does not answer refuses an upload in seconds, not minutes."""
    try:
        timeout = float(_value(env, "IDEATORI_S3_TIMEOUT") or "5")
    except ValueError as error:
        raise ImproperlyConfigured("IDEATORI_S3_TIMEOUT must be a number of seconds.") from error
    options = {
        "client_config": Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": 2, "mode": "standard"},
            signature_version="s3v4",
            # Path-style addresses (endpoint/bucket/key) work with every S3-compatible server.
            s3={"addressing_style": _value(env, "IDEATORI_S3_ADDRESSING_STYLE") or "path"},
        ),
        # Files above 2 MB are spooled to disk while they pass through a view.
        "max_memory_size": 2 * 1024 * 1024,
        "file_overwrite": False,
    }
    for option, name in (
        ("endpoint_url", "IDEATORI_S3_ENDPOINT_URL"),
        ("access_key", "IDEATORI_S3_ACCESS_KEY_ID"),
        ("secret_key", "IDEATORI_S3_SECRET_ACCESS_KEY"),
        ("region_name", "IDEATORI_S3_REGION"),
    ):
        if _value(env, name):
            options[option] = _value(env, name)
    return options


def object_storages(
    env: Mapping[str, str], *, private_root: Path, staticfiles_backend: str
) -> dict[str, dict]:
    """``STORAGES`` for these environment variables."""
    private_bucket = _value(env, "IDEATORI_S3_PRIVATE_BUCKET")
    public_bucket = _value(env, "IDEATORI_S3_PUBLIC_BUCKET")
    if private_bucket and private_bucket == public_bucket:
        raise ImproperlyConfigured(
            "IDEATORI_S3_PRIVATE_BUCKET and IDEATORI_S3_PUBLIC_BUCKET name the same bucket; "
            "attachments need a bucket of their own that is never public."
        )
    result = {
        "default": {"BACKEND": FILE_SYSTEM_BACKEND},
        "attachments": {
            "BACKEND": FILE_SYSTEM_BACKEND,
            # No base_url: attachments have no address of their own, only the views'.
            "OPTIONS": {"location": str(private_root), "base_url": None},
        },
        "staticfiles": {"BACKEND": staticfiles_backend},
    }
    if private_bucket:
        result["attachments"] = {
            "BACKEND": S3_BACKEND,
            "OPTIONS": {
                **s3_connection(env),
                "bucket_name": private_bucket,
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
            },
        }
    if public_bucket:
        options = {
            **s3_connection(env),
            "bucket_name": public_bucket,
            "default_acl": None,
            "querystring_auth": False,
        }
        public_url = _value(env, "IDEATORI_S3_PUBLIC_URL").rstrip("/")
        if public_url:
            parts = urlsplit(public_url)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                raise ImproperlyConfigured(
                    "IDEATORI_S3_PUBLIC_URL must be an address such as "
                    "https://media.example.org (the CDN or the public bucket)."
                )
            options["custom_domain"] = f"{parts.netloc}{parts.path}"
            options["url_protocol"] = f"{parts.scheme}:"
        result["default"] = {"BACKEND": S3_BACKEND, "OPTIONS": options}
    return result
