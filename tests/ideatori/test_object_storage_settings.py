"""STORAGES from the environment (ideatori.object_storage): folders unless buckets are named."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ideatori.object_storage import FILE_SYSTEM_BACKEND, S3_BACKEND, object_storages

STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


def storages_for(**env):
    return object_storages(env, private_root=Path("/srv/private"), staticfiles_backend=STATIC)


def test_without_buckets_both_stores_are_folders_and_attachments_have_no_url():
    result = storages_for()

    assert result["default"] == {"BACKEND": FILE_SYSTEM_BACKEND}
    assert result["attachments"] == {
        "BACKEND": FILE_SYSTEM_BACKEND,
        "OPTIONS": {"location": "/srv/private", "base_url": None},
    }
    assert result["staticfiles"] == {"BACKEND": STATIC}


def test_buckets_from_the_environment():
    result = storages_for(
        IDEATORI_S3_ENDPOINT_URL="https://s3.example.org",
        IDEATORI_S3_ACCESS_KEY_ID="key",
        IDEATORI_S3_SECRET_ACCESS_KEY="secret",
        IDEATORI_S3_REGION="eu-north-1",
        IDEATORI_S3_PRIVATE_BUCKET="ideatori-attachments",
        IDEATORI_S3_PUBLIC_BUCKET="ideatori-media",
        IDEATORI_S3_PUBLIC_URL="https://cdn.example.org/media/",
        IDEATORI_S3_TIMEOUT="3",
    )

    private, public = result["attachments"]["OPTIONS"], result["default"]["OPTIONS"]
    assert result["attachments"]["BACKEND"] == result["default"]["BACKEND"] == S3_BACKEND
    assert private["bucket_name"] == "ideatori-attachments"
    assert private["default_acl"] is None and private["querystring_auth"] is True
    assert public["bucket_name"] == "ideatori-media" and public["querystring_auth"] is False
    assert public["custom_domain"] == "cdn.example.org/media"
    assert public["url_protocol"] == "https:"
    assert "custom_domain" not in private
    for options in (private, public):
        assert options["endpoint_url"] == "https://s3.example.org"
        assert (options["access_key"], options["secret_key"]) == ("key", "secret")
        assert options["region_name"] == "eu-north-1"
        assert options["client_config"].connect_timeout == 3.0
        assert options["client_config"].s3 == {"addressing_style": "path"}


def test_only_the_private_bucket_keeps_media_in_the_folder():
    result = storages_for(IDEATORI_S3_PRIVATE_BUCKET="ideatori-attachments")

    assert result["attachments"]["BACKEND"] == S3_BACKEND
    assert result["default"] == {"BACKEND": FILE_SYSTEM_BACKEND}


@pytest.mark.parametrize(
    ("env", "named"),
    [
        (
            {"IDEATORI_S3_PRIVATE_BUCKET": "files", "IDEATORI_S3_PUBLIC_BUCKET": "files"},
            "IDEATORI_S3_PRIVATE_BUCKET",
        ),
        (
            {"IDEATORI_S3_PUBLIC_BUCKET": "media", "IDEATORI_S3_PUBLIC_URL": "cdn.example.org"},
            "IDEATORI_S3_PUBLIC_URL",
        ),
        ({"IDEATORI_S3_PRIVATE_BUCKET": "files", "IDEATORI_S3_TIMEOUT": "soon"}, "TIMEOUT"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(env, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        storages_for(**env)
