import re

import pytest

pytestmark = pytest.mark.django_db


def test_an_incoming_request_id_is_kept_and_echoed(client):
    response = client.get("/favicon.ico", HTTP_X_REQUEST_ID="lb-4f1c2a9e-7d3b")

    assert response["X-Request-ID"] == "lb-4f1c2a9e-7d3b"


def test_a_request_without_an_id_gets_a_new_one_each_time(client):
    first = client.get("/favicon.ico")["X-Request-ID"]
    second = client.get("/favicon.ico")["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


@pytest.mark.parametrize("incoming", ["", "two words", "x" * 201, 'id"}{', "äö"])
def test_a_request_id_that_is_not_a_token_is_replaced(client, incoming):
    response = client.get("/favicon.ico", HTTP_X_REQUEST_ID=incoming)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_health_check_and_error_pages_carry_the_request_id(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="probe-1")["X-Request-ID"] == "probe-1"
    assert client.get("/en/no-such-page/", HTTP_X_REQUEST_ID="nf-1")["X-Request-ID"] == "nf-1"
