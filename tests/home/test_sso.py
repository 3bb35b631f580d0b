"""Signing in through the organisation's identity provider: a real OpenID Connect provider
(django-oauth-toolkit in a second process, tests.oidc_provider), never a mock of allauth."""

import logging
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Site

from home.models import SiteSettings
from tests.factories import UserFactory
from tests.oidc_provider.fixture import (
    PROVIDER_ID,
    running_identity_provider,
    sign_in_at_provider,
)

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-unusual-password-42"
CALLBACK = f"http://testserver/en/accounts/oidc/{PROVIDER_ID}/login/callback/"
PEOPLE = [
    {"username": "maija", "email": "maija.juror@city.example", "password": PASSWORD,
     "first_name": "Maija", "last_name": "Meikäläinen"},
    {"username": "kaisa", "email": "kaisa.coordinator@city.example", "password": PASSWORD,
     "first_name": "Kaisa", "last_name": "Koordinaattori"},
    {"username": "uuno", "email": "uuno.unverified@city.example", "password": PASSWORD,
     "verified": False},
    {"username": "noora", "email": "noora.new@city.example", "password": PASSWORD,
     "first_name": "Noora", "last_name": "Uusi"},
]  # fmt: skip


@pytest.fixture(scope="module")
def provider():
    with running_identity_provider(redirect_uris=[CALLBACK], people=PEOPLE) as running:
        yield running


@pytest.fixture(autouse=True)
def organisation_sign_in(provider, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider.app_settings()
    provider.issue("signed")
    yield


def verified_user(email: str, **fields):
    user = UserFactory(email=email, password=PASSWORD, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def start_sign_in(client, next_url: str = "/en/jury/") -> str:
    """Press the organisation's sign-in button: the site sends the browser to the provider."""
    response = client.post(f"/en/accounts/oidc/{PROVIDER_ID}/login/", {"next": next_url})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def come_back(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in_with_provider(client, provider, email: str, next_url: str = "/en/jury/"):
    callback = sign_in_at_provider(provider, start_sign_in(client, next_url), email)
    return come_back(client, callback)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_sso_signs_in_the_account_holding_the_verified_address_and_links_it(client, provider):
    juror = verified_user("maija.juror@city.example")
    juror.groups.add(Group.objects.get(name="Jurors"))

    response = sign_in_with_provider(client, provider, "maija.juror@city.example")

    assert response.status_code == 302
    assert response["Location"] == "/en/jury/"
    assert signed_in_user_id(client) == str(juror.pk)
    linked = SocialAccount.objects.get(user=juror)
    assert linked.provider == PROVIDER_ID
    assert get_user_model().objects.filter(email__iexact="maija.juror@city.example").count() == 1


def test_sso_gives_someone_new_an_account_with_the_verified_address(client, provider):
    response = sign_in_with_provider(client, provider, "noora.new@city.example", "/en/")

    user = get_user_model().objects.get(email="noora.new@city.example")
    assert response["Location"] == "/en/"
    assert signed_in_user_id(client) == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified
    assert user.first_name == "Noora"


def test_sso_never_matches_an_account_by_an_address_the_provider_does_not_verify(client, provider):
    holder = verified_user("uuno.unverified@city.example")

    sign_in_with_provider(client, provider, "uuno.unverified@city.example")

    assert signed_in_user_id(client) != str(holder.pk)
    assert not SocialAccount.objects.filter(user=holder).exists()


def test_sso_matches_an_address_in_a_domain_the_settings_vouch_for(client, provider, settings):
    """Entra ID sends no email_verified: IDEATORI_OIDC_VERIFIED_EMAIL_DOMAINS vouches."""
    settings.SOCIALACCOUNT_PROVIDERS = provider.app_settings(
        IDEATORI_OIDC_VERIFIED_EMAIL_DOMAINS="city.example"
    )
    holder = verified_user("uuno.unverified@city.example")

    sign_in_with_provider(client, provider, "uuno.unverified@city.example")

    assert signed_in_user_id(client) == str(holder.pk)
    assert SocialAccount.objects.filter(user=holder).exists()


@pytest.mark.parametrize("issued", ["unsigned", "expired", "other-audience", "foreign-key"])
def test_sso_refuses_a_bad_id_token_logs_it_and_signs_nobody_in(client, provider, caplog, issued):
    juror = verified_user("maija.juror@city.example")
    provider.issue(issued)

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = sign_in_with_provider(client, provider, "maija.juror@city.example")

    assert response.status_code == 401
    assert "could not sign you in" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()
    assert not get_user_model().objects.exclude(pk=juror.pk).exists()
    refusals = [r for r in caplog.records if r.name == "ideatori.sso"]
    assert refusals and "id_token" in refusals[0].getMessage()


def test_sso_refuses_a_replayed_sign_in_and_logs_it(client, provider, caplog):
    juror = verified_user("maija.juror@city.example")
    callback = sign_in_at_provider(provider, start_sign_in(client), "maija.juror@city.example")
    assert come_back(client, callback)["Location"] == "/en/jury/"
    client.post("/en/accounts/logout/")
    assert signed_in_user_id(client) is None

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        replayed = come_back(client, callback)

    assert "could not sign you in" in replayed.content.decode()
    assert signed_in_user_id(client) is None
    assert any(r.name == "ideatori.sso" for r in caplog.records)
    assert SocialAccount.objects.filter(user=juror).count() == 1


def test_sso_replayed_code_is_refused_by_the_provider_in_a_new_sign_in(client, provider, caplog):
    """The same code under a fresh state (an attacker's own session): refused, since the
    provider exchanges a code once and for the PKCE challenge it was issued for."""
    verified_user("maija.juror@city.example")
    callback = sign_in_at_provider(provider, start_sign_in(client), "maija.juror@city.example")
    come_back(client, callback)
    code = dict(part.split("=", 1) for part in urlsplit(callback).query.split("&"))["code"]

    attacker = client.__class__()
    fresh = start_sign_in(attacker)
    state = dict(part.split("=", 1) for part in urlsplit(fresh).query.split("&"))["state"]
    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = attacker.get(
            f"/en/accounts/oidc/{PROVIDER_ID}/login/callback/?code={code}&state={state}"
        )

    assert "could not sign you in" in response.content.decode()
    assert signed_in_user_id(attacker) is None
    assert any(r.name == "ideatori.sso" for r in caplog.records)


@pytest.mark.parametrize(
    ("issued", "reaches_admin"), [("mfa", True), ("signed", False)], ids=["amr-mfa", "no-amr"]
)
def test_sso_asserting_a_second_factor_satisfies_the_admins_mfa(
    client, provider, settings, issued, reaches_admin
):
    settings.IDEATORI_ADMIN_REQUIRES_MFA = True
    coordinator = verified_user("kaisa.coordinator@city.example")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    provider.issue(issued)

    sign_in_with_provider(client, provider, "kaisa.coordinator@city.example", "/admin/")
    response = client.get("/admin/")

    assert signed_in_user_id(client) == str(coordinator.pk)
    if reaches_admin:
        assert response.status_code == 200
        assert "Dashboard" in response.content.decode()
    else:
        assert response["Location"].startswith("/en/accounts/2fa/totp/activate")


@pytest.fixture
def sso_required():
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.require_sso_for_staff = True
    site_settings.save()


@pytest.mark.parametrize("group", ["Jurors", "Coordinators"])
def test_password_sign_in_refused_for_staff_when_sso_required(client, sso_required, group):
    person = verified_user("maija.juror@city.example")
    person.groups.add(Group.objects.get(name=group))

    response = client.post(
        "/en/accounts/login/", {"login": "maija.juror@city.example", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    page = response.content.decode()
    assert "sign in with the organisation" in page
    assert 'value="maija.juror@city.example"' in page
    assert f"/en/accounts/oidc/{PROVIDER_ID}/login/" in page


def test_sso_still_signs_in_staff_when_sso_required(client, provider, sso_required):
    juror = verified_user("maija.juror@city.example")
    juror.groups.add(Group.objects.get(name="Jurors"))

    sign_in_with_provider(client, provider, "maija.juror@city.example")

    assert signed_in_user_id(client) == str(juror.pk)


@pytest.mark.parametrize("who", ["team member", "administrator"])
def test_password_sign_in_kept_for_others_when_sso_required(client, sso_required, who):
    person = verified_user("nurse@example.org", is_superuser=who == "administrator")

    client.post("/en/accounts/login/", {"login": "nurse@example.org", "password": PASSWORD})

    assert signed_in_user_id(client) == str(person.pk)


def test_sso_requirement_ignored_when_no_provider_is_configured(client, settings, sso_required):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}, "saml": {"APPS": []}}
    juror = verified_user("maija.juror@city.example")
    juror.groups.add(Group.objects.get(name="Jurors"))

    client.post("/en/accounts/login/", {"login": "maija.juror@city.example", "password": PASSWORD})

    assert signed_in_user_id(client) == str(juror.pk)


@pytest.mark.parametrize(
    ("issued", "asked_for_code"), [("mfa", False), ("signed", True)], ids=["amr-mfa", "no-amr"]
)
def test_sso_asks_a_person_with_an_authenticator_for_a_code_unless_the_provider_asserted_one(
    client, provider, settings, issued, asked_for_code
):
    from allauth.mfa.totp.internal.auth import TOTP

    settings.IDEATORI_ADMIN_REQUIRES_MFA = True
    coordinator = verified_user("kaisa.coordinator@city.example")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    TOTP.activate(coordinator, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    provider.issue(issued)

    response = sign_in_with_provider(client, provider, coordinator.email, "/admin/")

    if asked_for_code:
        assert response["Location"] == "/en/accounts/2fa/authenticate/"
        assert signed_in_user_id(client) is None
    else:
        assert response["Location"] == "/admin/"
        assert signed_in_user_id(client) == str(coordinator.pk)
        assert "Dashboard" in client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    ("claims", "acr_values", "expected"),
    [
        ({}, [], False),
        ({"amr": ["pwd"]}, [], False),
        ({"amr": ["pwd", "mfa"]}, [], True),
        ({"amr": ["otp"]}, [], True),
        ({"amr": ["hwk"]}, [], True),
        ({"amr": "mfa"}, [], True),
        ({"acr": "urn:city:loa:high"}, [], False),
        ({"acr": "urn:city:loa:high"}, ["urn:city:loa:high"], True),
        ({"acr": "urn:city:loa:low"}, ["urn:city:loa:high"], False),
    ],
)
def test_idp_asserted_mfa_truth_table(settings, claims, acr_values, expected):
    from home.sso import idp_asserted_mfa

    settings.IDEATORI_OIDC_MFA_ACR_VALUES = acr_values

    assert idp_asserted_mfa(claims) is expected
