import pytest
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db


def test_healthz_ok_when_database_answers_and_migrations_are_applied(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": True,
        "migrations": True,
        "worker": "never seen",
        "scheduler": "never seen",
        "storage": {"attachments": True, "media": True},
        "cache": True,
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_the_workers_heartbeat_without_judging_by_it(client):
    from datetime import timedelta

    from django.utils import timezone

    from home.heartbeat import WORKER, beat

    beat(WORKER, process="worker@a:1", now=timezone.now() - timedelta(seconds=42))
    beat(WORKER, process="worker@b:2", now=timezone.now() - timedelta(hours=3))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker"] == "last seen 42 s ago"
    assert response.json()["scheduler"] == "never seen"


def test_healthz_503_when_a_migration_is_not_applied(client):
    app, name = MigrationLoader(connection).graph.leaf_nodes("ideas")[0]
    MigrationRecorder(connection).record_unapplied(app, name)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() | {"worker": "", "scheduler": ""} == {
        "status": "unavailable",
        "database": True,
        "migrations": False,
        "worker": "",
        "scheduler": "",
        "storage": {"attachments": True, "media": True},
        "cache": True,
    }


def test_healthz_503_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": False,
        "migrations": False,
        "worker": "unknown",
        "scheduler": "unknown",
        "storage": {"attachments": True, "media": True},
        "cache": True,
    }


def test_healthz_answers_head_and_refuses_writes(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_a_host_that_is_not_allowed_and_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["ideas.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", HTTP_HOST="172.18.0.5:8000")
    page = client.get("/favicon.ico", HTTP_HOST="172.18.0.5:8000")

    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] is True
    assert page.status_code == 400
