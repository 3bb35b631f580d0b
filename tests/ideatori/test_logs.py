"""Logs as production writes them: gunicorn started with gunicorn.conf.py and production
settings on loopback, the background worker started as its container starts it."""

import json
import re
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from tests.home.test_production_settings import run_manage
from tests.ideatori.servers import gunicorn

HOST = "ideas.example.org"
# The default trusted proxy is this machine, as a load balancer beside gunicorn would be.
THROUGH_THE_PROXY = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_every_log_line_of_a_failing_request_is_json_with_its_request_id(tmp_path, static_root):
    log = tmp_path / "gunicorn.log"
    with gunicorn(log, DJANGO_LOG_FORMAT="json", DJANGO_STATIC_ROOT=static_root) as url:
        status, headers = get(f"{url}/en/fail/", THROUGH_THE_PROXY)

    records = [json.loads(line) for line in log.read_text().splitlines()]
    request_id = headers["X-Request-ID"]
    about_the_request = [r for r in records if "/en/fail/" in json.dumps(r)]
    error = next(r for r in about_the_request if r["logger"] == "django.request")
    access = next(r for r in about_the_request if r["logger"] == "gunicorn.access")
    assert status == 500
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert [r["logger"] for r in about_the_request] == ["django.request", "gunicorn.access"]
    assert {r["request_id"] for r in about_the_request} == {request_id}
    assert {r["client"] for r in about_the_request} == {"203.0.113.7"}
    assert error["level"] == "ERROR"
    assert error["message"] == "Internal Server Error: /en/fail/"
    assert error["traceback"].startswith("Traceback (most recent call last):")
    assert "RuntimeError: A failure the error page must hide." in error["traceback"]
    assert (access["method"], access["path"], access["status"]) == ("GET", "/en/fail/", 500)
    assert {"Starting gunicorn 27.0.1", "Shutting down: Master"} <= {r["message"] for r in records}
    for record in records:
        assert {"time", "level", "logger", "message", "request_id", "client"} <= record.keys()
        assert datetime.fromisoformat(record["time"]).utcoffset() == timedelta(0)


def test_an_incoming_request_id_reaches_the_response_and_every_line(tmp_path, static_root):
    log = tmp_path / "gunicorn.log"
    with gunicorn(log, DJANGO_LOG_FORMAT="json", DJANGO_STATIC_ROOT=static_root) as url:
        status, headers = get(f"{url}/en/fail/", THROUGH_THE_PROXY | {"X-Request-ID": "lb-7f3a"})

    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert status == 500
    assert headers["X-Request-ID"] == "lb-7f3a"
    assert [r["logger"] for r in records if r["request_id"] == "lb-7f3a"] == [
        "django.request",
        "gunicorn.access",
    ]


def test_logs_are_readable_text_by_default(tmp_path, static_root):
    log = tmp_path / "gunicorn.log"
    with gunicorn(log, DJANGO_STATIC_ROOT=static_root) as url:
        _, headers = get(f"{url}/en/fail/", THROUGH_THE_PROXY)

    text = log.read_text()
    request_id = headers["X-Request-ID"]
    assert not text.lstrip().startswith("{")
    assert f"ERROR django.request [{request_id} 203.0.113.7] Internal Server Error" in text
    assert f'INFO gunicorn.access [{request_id} 203.0.113.7] "GET /en/fail/ HTTP/1.1" 500' in text
    assert "RuntimeError: A failure the error page must hide." in text


def test_the_background_workers_lines_are_json(production_database):
    worker = run_manage(
        "db_worker", "--batch", DATABASE_URL=production_database, DJANGO_LOG_FORMAT="json"
    )

    lines = (worker.stdout + worker.stderr).splitlines()
    records = [json.loads(line) for line in lines]
    assert worker.returncode == 0
    assert [r["logger"] for r in records] == ["django_tasks_db", "django_tasks_db"]
    assert records[0]["message"].startswith("Starting worker")
