import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache

from home.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-unusual-password-42"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def verified_user(email: str = "nurse@example.org"):
    from allauth.account.models import EmailAddress

    user = UserFactory(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_sign_up_needs_the_emailed_link_before_signing_in(client):
    response = client.post(
        "/en/accounts/signup/",
        {"email": "psychologist@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    user = get_user_model().objects.get(email="psychologist@example.org")
    assert "_auth_user_id" not in client.session
    assert [message.to for message in mail.outbox] == [["psychologist@example.org"]]
    signed_in = client.post(
        "/en/accounts/login/", {"login": "psychologist@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert signed_in["Location"].startswith("/en/accounts/confirm-email/")

    link = re.search(r"http://localhost(/en/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    client.post(link.group(1))

    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.emailaddress_set.get().verified


def test_signing_in_uses_the_email_address(client):
    user = verified_user()

    response = client.post(
        "/en/accounts/login/", {"login": "nurse@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_failed_sign_ins_are_rate_limited(client):
    verified_user()
    for _ in range(5):
        client.post("/en/accounts/login/", {"login": "nurse@example.org", "password": "wrong"})

    response = client.post(
        "/en/accounts/login/", {"login": "nurse@example.org", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_sends_people_to_the_sites_sign_in(client):
    response = client.get("/admin/pages/")

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=/admin/pages/")


@pytest.mark.parametrize(
    ("next_url", "kept"),
    [("/admin/pages/", "/admin/pages/"), ("https://evil.example/", "/admin/")],
)
def test_admin_login_page_redirects_to_the_rate_limited_sign_in(client, next_url, kept):
    from urllib.parse import parse_qs, urlparse

    response = client.get("/admin/login/", {"next": next_url})

    location = urlparse(response["Location"])
    assert response.status_code == 302
    assert location.path == "/en/accounts/login/"
    assert parse_qs(location.query)["next"] == [kept]


def test_coordinator_signs_in_to_the_admin_through_the_site(client):
    user = verified_user("coordinator@example.org")
    user.groups.add(Group.objects.get(name="Coordinators"))

    response = client.post(
        "/en/accounts/login/?next=/admin/",
        {"login": "coordinator@example.org", "password": PASSWORD, "next": "/admin/"},
    )

    assert response["Location"] == "/admin/"
    assert "Dashboard" in client.get("/admin/").content.decode()


def age_session(client, *, idle: int, signed_in: int) -> None:
    session = client.session
    now = int(time.time())
    session[LAST_SEEN_AT] = now - idle
    session[SIGNED_IN_AT] = now - signed_in
    session.save()


@pytest.mark.parametrize(
    ("idle", "signed_in", "signed_out"),
    [
        (29 * 60, 60 * 60, False),
        (31 * 60, 60 * 60, True),
        (60, 11 * 60 * 60, False),
        (60, 12 * 60 * 60 + 1, True),
    ],
    ids=["idle-29min", "idle-31min", "age-11h", "age-12h"],
)
def test_coordinator_session_ends_when_idle_or_old(
    client, coordinator, idle, signed_in, signed_out
):
    client.force_login(coordinator)
    client.get("/en/")
    age_session(client, idle=idle, signed_in=signed_in)

    response = client.get("/admin/")

    assert ("_auth_user_id" not in client.session) is signed_out
    if signed_out:
        assert response["Location"].startswith("/en/accounts/login/?next=/admin/")


def test_team_member_session_is_not_cut_short(client):
    member = UserFactory()
    client.force_login(member)
    client.get("/en/")
    age_session(client, idle=5 * 60 * 60, signed_in=20 * 60 * 60)

    client.get("/en/")

    assert client.session["_auth_user_id"] == str(member.pk)


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = verified_user()

    client.post("/en/accounts/password/reset/", {"email": "nurse@example.org"})
    link = re.search(
        r"http://localhost(/en/accounts/password/reset/key/\S+/)", mail.outbox[-1].body
    )
    form_page = client.get(link.group(1), follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": "another-long-new-password-7", "password2": "another-long-new-password-7"},
    )

    user.refresh_from_db()
    assert user.check_password("another-long-new-password-7")
