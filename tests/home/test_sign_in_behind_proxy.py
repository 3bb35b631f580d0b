"""Failed sign-ins counted per client behind the load balancer, never against the rightful
person: each person signs in with their own browser (a Client) through the trusted proxy,
which names them in X-Forwarded-For."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client

from tests.home.test_accounts import PASSWORD, verified_user

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"
TOO_MANY = "Too many failed login attempts"


@pytest.fixture(autouse=True)
def behind_the_load_balancer(settings):
    settings.IDEATORI_TRUSTED_PROXIES = ["10.0.0.0/24"]


def person(address: str, *, peer: str = PROXY) -> Client:
    """A browser at ``address``, reaching the site through ``peer``."""
    return Client(REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=address)


def sign_in(browser: Client, email: str, password: str = PASSWORD, **extra):
    return browser.post("/en/accounts/login/", {"login": email, "password": password}, **extra)


def is_signed_in(browser: Client) -> bool:
    return "_auth_user_id" in browser.session


def test_failed_sign_ins_count_the_client_not_the_proxy():
    verified_user("nurse@example.org")
    guesser = person("203.0.113.66")
    for number in range(10):
        sign_in(guesser, f"someone-{number}@example.org", "wrong")

    refused = sign_in(guesser, "nurse@example.org")
    nurse = person("198.51.100.10")
    signed_in = sign_in(nurse, "nurse@example.org")

    assert TOO_MANY in refused.content.decode()
    assert not is_signed_in(guesser)
    assert signed_in["Location"] == "/"
    assert is_signed_in(nurse)


def test_ten_people_failing_from_ten_addresses_do_not_lock_out_an_eleventh():
    verified_user("nurse@example.org")
    for number in range(10):
        response = sign_in(person(f"198.51.100.{number + 20}"), "nurse@example.org", "wrong")
        assert "The email address and/or password you specified are not correct." in (
            response.content.decode()
        )

    nurse = person("198.51.100.10")
    response = sign_in(nurse, "nurse@example.org")

    assert response.status_code == 302
    assert is_signed_in(nurse)


def test_without_trusting_the_proxy_everyone_behind_it_is_one_address(settings):
    settings.IDEATORI_TRUSTED_PROXIES = []
    verified_user("nurse@example.org")
    for number in range(10):
        sign_in(person(f"198.51.100.{number + 20}"), f"someone-{number}@example.org", "wrong")

    nurse = person("198.51.100.10")
    response = sign_in(nurse, "nurse@example.org")

    assert TOO_MANY in response.content.decode()
    assert not is_signed_in(nurse)


def test_thirty_guesses_at_the_coordinators_account_do_not_stop_the_coordinator():
    coordinator = verified_user("coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    guessers = [person(f"203.0.113.{number}") for number in (61, 62, 63)]
    for guess in range(30):
        sign_in(guessers[guess % 3], "coordinator@example.org", f"guess-{guess}")

    at_their_desk = person("198.51.100.10")
    response = at_their_desk.post(
        "/en/accounts/login/?next=/admin/",
        {"login": "coordinator@example.org", "password": PASSWORD, "next": "/admin/"},
    )
    # The guessers stay stopped, even when one of them finds the password.
    found = sign_in(guessers[0], "coordinator@example.org")

    assert response["Location"] == "/admin/"
    assert is_signed_in(at_their_desk)
    assert TOO_MANY in found.content.decode()
    assert not is_signed_in(guessers[0])


def test_a_password_reset_lets_the_owner_in_after_guesses_from_their_own_address():
    verified_user("nurse@example.org")
    office = "198.51.100.10"  # one address for the whole building
    for guess in range(5):
        sign_in(person(office), "nurse@example.org", f"guess-{guess}")
    nurse = person(office)
    assert TOO_MANY in sign_in(nurse, "nurse@example.org").content.decode()

    nurse.post("/en/accounts/password/reset/", {"email": "nurse@example.org"})
    link = re.search(
        r"http://localhost(/en/accounts/password/reset/key/\S+/)", mail.outbox[-1].body
    )
    form_page = nurse.get(link.group(1), follow=True)
    nurse.post(
        form_page.redirect_chain[-1][0],
        {"password1": "another-long-new-password-7", "password2": "another-long-new-password-7"},
    )
    response = sign_in(nurse, "nurse@example.org", "another-long-new-password-7")

    assert response.status_code == 302
    assert is_signed_in(nurse)


@pytest.mark.parametrize(
    "forwarded_for",
    ["not-an-address", "", " , ,", "300.1.2.3", "203.0.113.7, garbage", "203.0.113.7;rm", "\t"],
)
def test_a_malformed_forwarded_for_counts_at_the_proxys_address(forwarded_for):
    verified_user("nurse@example.org")
    for number in range(10):
        response = sign_in(person(forwarded_for), f"someone-{number}@example.org", "wrong")
        assert response.status_code == 200

    through_proxy = sign_in(person(forwarded_for), "nurse@example.org")
    nurse = person("198.51.100.10")
    signed_in = sign_in(nurse, "nurse@example.org")

    assert TOO_MANY in through_proxy.content.decode()
    assert is_signed_in(nurse), signed_in.content.decode()[:200]


def test_forwarded_for_from_an_untrusted_address_is_ignored():
    verified_user("nurse@example.org")
    for number in range(10):
        sign_in(person(f"198.51.100.{number}", peer="192.0.2.50"), f"x{number}@example.org", "x")

    # The same direct caller, whatever address it claims, is refused; others are not.
    refused = sign_in(person("198.51.100.200", peer="192.0.2.50"), "nurse@example.org")
    nurse = person("198.51.100.10")
    sign_in(nurse, "nurse@example.org")

    assert TOO_MANY in refused.content.decode()
    assert is_signed_in(nurse)


@pytest.mark.parametrize(
    ("peer", "believed"),
    [("10.0.0.2", True), ("192.0.2.50", False), ("::ffff:10.0.0.2", True), ("", False)],
)
def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(settings, peer, believed):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    browser = Client(REMOTE_ADDR=peer, HTTP_X_FORWARDED_PROTO="https")

    response = browser.get("/favicon.ico")

    if believed:
        assert response["Location"] == "/static/img/favicon-32.png"
    else:
        assert response["Location"] == "https://testserver/favicon.ico"
