"""A second factor: who must use one (and the organisation's sign-in), the admin's gate,
signing in with a code, and keeping one's last factor."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache

from home.mfa import MFAAdapter
from home.permissions import must_use_mfa, must_use_sso
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-unusual-password-42"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def admin_requires_mfa(settings):
    settings.IDEATORI_ADMIN_REQUIRES_MFA = True
    cache.clear()


def person(role: str):
    if role == "anonymous":
        return AnonymousUser()
    user = UserFactory(email=f"{role.replace(' ', '-')}@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if role == "administrator":
        user.is_superuser = True
        user.save()
    if role in ("coordinator", "juror and coordinator"):
        user.groups.add(Group.objects.get(name="Coordinators"))
    if role in ("juror", "juror and coordinator"):
        user.groups.add(Group.objects.get(name="Jurors"))
    return user


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", False),
        ("team member", False),
        ("juror", False),
        ("coordinator", True),
        ("juror and coordinator", True),
        ("administrator", True),
    ],
)
def test_must_use_mfa_truth_table(role, expected):
    assert must_use_mfa(person(role)) is expected


@pytest.mark.parametrize(
    ("role", "sso_required", "expected"),
    [
        ("anonymous", True, False),
        ("team member", True, False),
        ("juror", True, True),
        ("coordinator", True, True),
        ("juror and coordinator", True, True),
        ("administrator", True, False),
        ("anonymous", False, False),
        ("team member", False, False),
        ("juror", False, False),
        ("coordinator", False, False),
        ("juror and coordinator", False, False),
        ("administrator", False, False),
    ],
)
def test_must_use_sso_truth_table(role, sso_required, expected):
    assert must_use_sso(person(role), sso_required=sso_required) is expected


def code_now(secret: str = SECRET) -> str:
    from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time

    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def sign_in(client, email: str, next_url: str = "/admin/"):
    return client.post(
        f"/en/accounts/login/?next={next_url}",
        {"login": email, "password": PASSWORD, "next": next_url},
    )


def test_admin_sends_a_coordinator_without_a_second_factor_to_set_one_up(client):
    coordinator = person("coordinator")
    sign_in(client, coordinator.email)

    response = client.get("/admin/pages/")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/totp/activate/"
    assert not Authenticator.objects.filter(user=coordinator).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_coordinator_who_sets_up_totp_reaches_the_admin(client):
    """Transactional: allauth announces the new authenticator when its transaction commits,
    inside the request, as in production."""
    coordinator = person("coordinator")
    sign_in(client, coordinator.email)
    # allauth asks for the password again before a factor is added (within 5 minutes).
    asked = client.get("/en/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/en/accounts/reauthenticate/")
    client.post(asked["Location"], {"password": PASSWORD})
    form = client.get("/en/accounts/2fa/totp/activate/")
    secret = form.context["form"].secret

    activated = client.post("/en/accounts/2fa/totp/activate/", {"code": code_now(secret)})

    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=coordinator, type="totp").exists()
    assert "Dashboard" in client.get("/admin/").content.decode()


def test_coordinator_signs_in_with_a_code_and_reaches_the_admin(client):
    coordinator = person("coordinator")
    TOTP.activate(coordinator, SECRET)

    signed_in = sign_in(client, coordinator.email)
    assert signed_in["Location"] == "/en/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    wrong = client.post("/en/accounts/2fa/authenticate/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    assert "Incorrect code" in wrong.content.decode()

    client.post("/en/accounts/2fa/authenticate/", {"code": code_now()})

    assert client.session["_auth_user_id"] == str(coordinator.pk)
    assert "Dashboard" in client.get("/admin/").content.decode()


def test_admin_asks_a_coordinator_with_a_factor_but_a_session_without_it_to_confirm(client):
    """A session begun before the rule (or otherwise without the code) confirms the code."""
    coordinator = person("coordinator")
    TOTP.activate(coordinator, SECRET)
    client.force_login(coordinator)

    response = client.get("/admin/")

    assert response["Location"] == "/en/accounts/2fa/reauthenticate/?next=%2Fadmin%2F"


@pytest.mark.parametrize("role", ["team member", "juror"])
def test_second_factor_is_optional_for_others(client, role):
    user = person(role)
    sign_in(client, user.email, "/en/my/profile/")

    profile = client.get("/en/my/profile/")
    setup = client.get("/en/accounts/2fa/")

    assert client.session["_auth_user_id"] == str(user.pk)
    assert profile.status_code == 200
    assert "/en/accounts/2fa/" in profile.content.decode()
    assert setup.status_code == 200
    assert "Authenticator App" in setup.content.decode()


def test_coordinator_keeps_their_last_second_factor():
    coordinator = person("coordinator")
    member = person("team member")
    only = TOTP.activate(coordinator, SECRET).instance
    members = TOTP.activate(member, SECRET).instance

    assert MFAAdapter().can_delete_authenticator(only) is False
    assert MFAAdapter().can_delete_authenticator(members) is True
