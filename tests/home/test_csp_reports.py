"""The endpoint browsers send Content-Security-Policy violations to: one log line per
violation, in either of the two shapes browsers use; junk, floods and oversize bodies refused
with a 4xx and nothing logged."""

import json
import logging

import pytest
from django.test import Client

REPORT_URI_BODY = {
    "csp-report": {
        "document-uri": "https://ideas.example.org/en/my/ideas/7/",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'; script-src 'self' 'nonce-abc'",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "column-number": 5,
        "source-file": "https://ideas.example.org/en/my/ideas/7/",
        "status-code": 200,
        "script-sample": "alert(1)",
    }
}
REPORT_TO_BODY = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "https://ideas.example.org/en/jury/",
        "user_agent": "Chromium",
        "body": {
            "documentURL": "https://ideas.example.org/en/jury/",
            "effectiveDirective": "img-src",
            "blockedURL": "https://tracker.example.com/pixel.gif",
            "disposition": "enforce",
            "lineNumber": None,
            "sample": "",
            "statusCode": 200,
        },
    },
    {"type": "deprecation", "url": "https://ideas.example.org/en/", "body": {"id": "x"}},
    {
        "type": "csp-violation",
        "url": "https://ideas.example.org/en/",
        "body": {
            "documentURL": "https://ideas.example.org/en/",
            "effectiveDirective": "style-src-attr",
            "blockedURL": "inline",
            "sourceFile": "https://ideas.example.org/static/x.js",
            "lineNumber": 3,
        },
    },
]


@pytest.fixture
def browser():
    """A client as a browser posts reports: no CSRF token, no cookie."""
    return Client(enforce_csrf_checks=True)


def post(client, body, content_type="application/csp-report", **extra):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.generic("POST", "/csp-report/", data, content_type=content_type, **extra)


def violations(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ideatori.csp" and hasattr(r, "csp")]


def test_a_report_uri_violation_is_logged_with_its_fields(browser, caplog):
    caplog.set_level(logging.INFO, logger="ideatori.csp")

    response = post(browser, REPORT_URI_BODY)

    assert response.status_code == 204
    [record] = violations(caplog)
    assert record.levelname == "WARNING"
    assert record.getMessage() == (
        "CSP violation: script-src-elem blocked inline on "
        "https://ideas.example.org/en/my/ideas/7/ (https://ideas.example.org/en/my/ideas/7/:12)"
    )
    assert record.csp == {
        "document": "https://ideas.example.org/en/my/ideas/7/",
        "directive": "script-src-elem",
        "blocked": "inline",
        "source": "https://ideas.example.org/en/my/ideas/7/",
        "line": "12",
        "column": "5",
        "disposition": "enforce",
        "sample": "alert(1)",
    }


def test_report_to_violations_are_logged_one_line_each_and_other_reports_ignored(browser, caplog):
    caplog.set_level(logging.INFO, logger="ideatori.csp")

    response = post(browser, REPORT_TO_BODY, content_type="application/reports+json")

    assert response.status_code == 204
    records = violations(caplog)
    assert [(r.csp["directive"], r.csp["blocked"]) for r in records] == [
        ("img-src", "https://tracker.example.com/pixel.gif"),
        ("style-src-attr", "inline"),
    ]
    assert records[0].csp["line"] == ""
    assert records[1].csp["source"] == "https://ideas.example.org/static/x.js"


def test_an_older_browsers_report_naming_only_the_violated_directive_is_logged(browser, caplog):
    caplog.set_level(logging.INFO, logger="ideatori.csp")
    report = {
        "csp-report": {"document-uri": "http://x/en/", "violated-directive": "img-src 'self'"}
    }

    response = post(browser, report)

    assert response.status_code == 204
    assert [r.csp["directive"] for r in violations(caplog)] == ["img-src"]


def test_long_values_are_cut_for_the_log(browser, caplog):
    caplog.set_level(logging.INFO, logger="ideatori.csp")
    report = {"csp-report": {**REPORT_URI_BODY["csp-report"], "script-sample": "x" * 5000}}

    assert post(browser, report).status_code == 204
    [record] = violations(caplog)
    assert len(record.csp["sample"]) == 300


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"   ", "application/csp-report", 400),
        (b"not json at all", "application/csp-report", 400),
        (b"\xff\xfe\x00garbage", "application/csp-report", 400),
        (b"[" * 100_00 + b"]" * 100_00, "application/csp-report", 413),
        (b"[" * 5000 + b"]" * 5000, "application/csp-report", 400),
        (b"42", "application/csp-report", 400),
        (b"[]", "application/reports+json", 400),
        (b"[1, 2, 3]", "application/reports+json", 400),
        (b'{"csp-report": "a string"}', "application/csp-report", 400),
        (b'{"csp-report": {"blocked-uri": "inline"}}', "application/csp-report", 400),
        (b'{"something": "else"}', "application/json", 400),
        (b'[{"type": "csp-violation", "body": {"blockedURL": "x"}}]', "application/json", 400),
        (b'{"csp-report": {}}', "text/plain", 415),
        (b"a=b", "application/x-www-form-urlencoded", 415),
    ],
)
def test_junk_is_refused_cleanly_and_nothing_logged(browser, caplog, body, content_type, status):
    caplog.set_level(logging.INFO, logger="ideatori.csp")

    response = post(browser, body, content_type=content_type)

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/plain")
    assert violations(caplog) == []


def test_a_body_over_the_limit_is_refused_unread(browser, caplog, settings):
    settings.IDEATORI_CSP_REPORT_MAX_BYTES = 1024
    caplog.set_level(logging.INFO, logger="ideatori.csp")
    report = {"csp-report": {**REPORT_URI_BODY["csp-report"], "original-policy": "x" * 2000}}

    response = post(browser, report)

    assert response.status_code == 413
    assert violations(caplog) == []


def test_only_post_is_answered(browser):
    response = browser.get("/csp-report/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_a_flood_from_one_address_is_cut_off_and_said_once(browser, caplog, settings):
    settings.IDEATORI_CSP_REPORTS_PER_MINUTE = 3
    caplog.set_level(logging.INFO, logger="ideatori.csp")

    statuses = [post(browser, REPORT_URI_BODY).status_code for _ in range(6)]
    other = post(browser, REPORT_URI_BODY, REMOTE_ADDR="192.0.2.9").status_code

    assert statuses == [204, 204, 204, 429, 429, 429]
    assert other == 204
    assert len(violations(caplog)) == 4
    dropping = [r for r in caplog.records if "dropping the rest" in r.getMessage()]
    assert len(dropping) == 1
