"""SAML responses the way the organisation's identity provider sends them: an assertion signed
with xmlsec by a key made here, whose certificate the site is configured to trust, posted to
the site's assertion consumer service after the site started the sign-in. A valid one signs
the person in; an expired one, one for another audience, one signed with another key and one
posted a second time are refused with the sign-in-failure page, logged under ``ideatori.sso``,
and nobody is signed in."""

import base64
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.internal.statekit import STATES_SESSION_KEY
from allauth.socialaccount.models import SocialAccount
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.contrib.auth import get_user_model
from django.test import Client
from freezegun import freeze_time
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from ideatori.settings.sso import SAML_PROVIDER_ID, sso_providers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HOST = "127.0.0.1"
IDP_ENTITY_ID = "https://idp.city.example/saml"
ACS_PATH = f"/en/accounts/saml/{SAML_PROVIDER_ID}/acs/"
ACS_URL = f"http://{HOST}{ACS_PATH}"
# Without IDEATORI_SAML_SP_ENTITY_ID the site names itself by its metadata address.
SP_ENTITY_ID = f"http://{HOST}/en/accounts/saml/{SAML_PROVIDER_ID}/metadata/"
UID = "http://schemas.microsoft.com/identity/claims/objectidentifier"
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
EMAIL_VERIFIED = "http://schemas.auth0.com/email_verified"


@dataclass(frozen=True)
class SigningKey:
    """An identity provider's RSA key and its self-signed certificate, both PEM."""

    key_pem: str
    cert_pem: str

    @classmethod
    def generate(cls, name: str) -> "SigningKey":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return cls(key_pem, cert.public_bytes(serialization.Encoding.PEM).decode())

    @property
    def cert_body(self) -> str:
        """The certificate as the site's IDEATORI_SAML_IDP_X509CERT holds it."""
        return "".join(line for line in self.cert_pem.splitlines() if "-----" not in line)


@pytest.fixture(scope="module")
def idp_key():
    return SigningKey.generate("idp.city.example")


@pytest.fixture(scope="module")
def other_key():
    return SigningKey.generate("idp.city.example (an impostor's key)")


@pytest.fixture(autouse=True)
def saml_configured(settings, idp_key):
    settings.SOCIALACCOUNT_PROVIDERS = sso_providers(
        {
            "IDEATORI_SAML_IDP_ENTITY_ID": IDP_ENTITY_ID,
            "IDEATORI_SAML_IDP_SSO_URL": f"{IDP_ENTITY_ID}/sso",
            "IDEATORI_SAML_IDP_X509CERT": idp_key.cert_body,
            "IDEATORI_SAML_NAME": "City SAML",
        }
    )


@pytest.fixture
def client(client):
    """python3-saml wants a host with a dot (or an address) and reads HTTP_HOST itself."""
    client.defaults["HTTP_HOST"] = HOST
    return client


def instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_response(
    key: SigningKey,
    *,
    in_response_to: str,
    email: str,
    uid: str = "3f1c2a9e-maija",
    audience: str = SP_ENTITY_ID,
    issued: datetime | None = None,
    lifetime: timedelta = timedelta(minutes=5),
    confirmation_expires: bool = True,
) -> str:
    """A SAML Response (base64, as the browser posts it) whose assertion is signed with
    ``key``; ``issued`` and ``lifetime`` set IssueInstant/NotBefore and NotOnOrAfter."""
    issued = issued or datetime.now(UTC)
    stamp, until = instant(issued), instant(issued + lifetime)
    assertion_id = f"_{uuid.uuid4().hex}"
    confirmation_until = f'NotOnOrAfter="{until}"' if confirmation_expires else ""
    assertion = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
ID="{assertion_id}" Version="2.0" IssueInstant="{stamp}">
<saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer>
<saml:Subject>
<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{uid}</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
<saml:SubjectConfirmationData {confirmation_until} Recipient="{ACS_URL}" \
InResponseTo="{in_response_to}"/>
</saml:SubjectConfirmation>
</saml:Subject>
<saml:Conditions NotBefore="{stamp}" NotOnOrAfter="{until}">
<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
</saml:Conditions>
<saml:AuthnStatement AuthnInstant="{stamp}" SessionIndex="_{uuid.uuid4().hex}">
<saml:AuthnContext><saml:AuthnContextClassRef>\
urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport\
</saml:AuthnContextClassRef></saml:AuthnContext>
</saml:AuthnStatement>
<saml:AttributeStatement>
<saml:Attribute Name="{UID}"><saml:AttributeValue>{uid}</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="{EMAIL}"><saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="{EMAIL_VERIFIED}"><saml:AttributeValue>true</saml:AttributeValue>\
</saml:Attribute>
</saml:AttributeStatement>
</saml:Assertion>"""
    signed = OneLogin_Saml2_Utils.add_sign(assertion, key.key_pem, key.cert_pem)
    signed = signed.decode() if isinstance(signed, bytes) else signed
    signed = signed.split("?>", 1)[-1] if signed.startswith("<?xml") else signed
    response = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" \
xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_{uuid.uuid4().hex}" Version="2.0" \
IssueInstant="{stamp}" Destination="{ACS_URL}" InResponseTo="{in_response_to}">
<saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
{signed.strip()}
</samlp:Response>"""
    return base64.b64encode(response.encode()).decode()


def start_sign_in(client) -> str:
    """Press the organisation's SAML button: the site sends the browser to the identity
    provider with an AuthnRequest, whose id the provider's answer must carry back."""
    response = client.post(f"/en/accounts/saml/{SAML_PROVIDER_ID}/login/", {"next": "/en/"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{IDP_ENTITY_ID}/sso?SAMLRequest=")
    (request_id,) = client.session[STATES_SESSION_KEY]
    return request_id


def post_to_acs(client, saml_response: str):
    """What the browser does with the identity provider's auto-submitting form: post to the
    assertion consumer service, then follow the site's redirects."""
    response = client.post(ACS_PATH, {"SAMLResponse": saml_response})
    while response.status_code == 302 and urlsplit(response["Location"]).path.startswith(
        "/en/accounts/saml/"
    ):
        response = client.get(response["Location"])
    return response


def verified_user(email: str):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def refusals(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "ideatori.sso"]


def assert_refused(client, response, caplog, reason: str, people_before: int):
    assert response.status_code == 401
    assert "could not sign you in" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()
    assert get_user_model().objects.count() == people_before
    assert any(reason in message for message in refusals(caplog)), refusals(caplog)


def test_saml_valid_signed_response_signs_in_the_account_holding_the_verified_address(
    client, idp_key
):
    maija = verified_user("maija.juror@city.example")
    request_id = start_sign_in(client)

    response = post_to_acs(
        client, signed_response(idp_key, in_response_to=request_id, email=maija.email)
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert client.session["_auth_user_id"] == str(maija.pk)
    account = SocialAccount.objects.get()
    assert (account.user, account.provider, account.uid) == (
        maija,
        SAML_PROVIDER_ID,
        "3f1c2a9e-maija",
    )
    assert get_user_model().objects.count() == 1


def test_saml_each_new_response_signs_in_again(client, idp_key):
    """Only a spent assertion is refused: the next sign-in brings a new one, which is let in."""
    maija = verified_user("maija.juror@city.example")
    for _ in range(2):
        client.logout()
        fresh = signed_response(idp_key, in_response_to=start_sign_in(client), email=maija.email)

        assert post_to_acs(client, fresh)["Location"] == "/en/"
        assert client.session["_auth_user_id"] == str(maija.pk)
    assert SocialAccount.objects.get().user == maija


def test_saml_expired_response_is_refused_logged_and_signs_nobody_in(client, idp_key, caplog):
    maija = verified_user("maija.juror@city.example")
    request_id = start_sign_in(client)
    # Issued an hour ago and valid for five minutes: past any allowance for clock drift.
    expired = signed_response(
        idp_key,
        in_response_to=request_id,
        email=maija.email,
        issued=datetime.now(UTC) - timedelta(hours=1),
    )

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = post_to_acs(client, expired)

    assert_refused(client, response, caplog, "expired", people_before=1)


def test_saml_response_for_another_audience_is_refused_logged_and_signs_nobody_in(
    client, idp_key, caplog
):
    maija = verified_user("maija.juror@city.example")
    request_id = start_sign_in(client)
    elsewhere = signed_response(
        idp_key,
        in_response_to=request_id,
        email=maija.email,
        audience="https://another-service.city.example/saml/metadata/",
    )

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = post_to_acs(client, elsewhere)

    assert_refused(client, response, caplog, "audience", people_before=1)


def test_saml_response_signed_with_another_key_is_refused_logged_and_signs_nobody_in(
    client, other_key, caplog
):
    maija = verified_user("maija.juror@city.example")
    request_id = start_sign_in(client)
    forged = signed_response(other_key, in_response_to=request_id, email=maija.email)

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = post_to_acs(client, forged)

    assert_refused(client, response, caplog, "Signature validation failed", people_before=1)


def test_saml_replayed_response_is_refused_logged_and_signs_nobody_in(client, idp_key, caplog):
    maija = verified_user("maija.juror@city.example")
    request_id = start_sign_in(client)
    captured = signed_response(idp_key, in_response_to=request_id, email=maija.email)
    assert post_to_acs(client, captured)["Location"] == "/en/"
    client.logout()
    SocialAccount.objects.all().delete()

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = post_to_acs(client, captured)

    assert_refused(client, response, caplog, "already been used", people_before=1)


def test_saml_response_replayed_into_a_new_sign_in_is_refused_logged_and_signs_nobody_in(
    client, idp_key, caplog
):
    """Whoever captured a response starts a sign-in of their own and posts it: the site
    asked for something else, and the assertion was spent."""
    maija = verified_user("maija.juror@city.example")
    captured = signed_response(idp_key, in_response_to=start_sign_in(client), email=maija.email)
    assert post_to_acs(client, captured)["Location"] == "/en/"
    client.logout()
    SocialAccount.objects.all().delete()
    start_sign_in(client)

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = post_to_acs(client, captured)

    assert_refused(client, response, caplog, "already been used", people_before=1)


def test_saml_response_to_a_sign_in_started_in_another_browser_is_refused_and_logged(
    client, idp_key, caplog
):
    """A response taken from someone's browser before it was used, posted from another
    browser that started a sign-in of its own: it does not answer that sign-in."""
    maija = verified_user("maija.juror@city.example")
    victims_browser = Client(HTTP_HOST=HOST)
    taken = signed_response(
        idp_key, in_response_to=start_sign_in(victims_browser), email=maija.email
    )
    start_sign_in(client)

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = post_to_acs(client, taken)

    assert_refused(client, response, caplog, "did not start", people_before=1)


def test_saml_assertion_is_remembered_as_long_as_python3_saml_would_accept_it(
    client, idp_key, caplog
):
    """Valid five minutes (its SubjectConfirmationData's NotOnOrAfter, which python3-saml
    holds to the second): replayed in the last of those seconds it is still known."""
    maija = verified_user("maija.juror@city.example")
    with freeze_time() as clock:
        captured = signed_response(idp_key, in_response_to=start_sign_in(client), email=maija.email)
        assert post_to_acs(client, captured)["Location"] == "/en/"
        client.logout()
        SocialAccount.objects.all().delete()
        clock.tick(timedelta(minutes=5) - timedelta(seconds=5))
        start_sign_in(client)

        with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
            response = post_to_acs(client, captured)

    assert_refused(client, response, caplog, "already been used", people_before=1)


def test_saml_response_the_site_did_not_ask_for_is_refused_and_logged(client, idp_key, caplog):
    """IdP-initiated sign-in: a signed, valid response answering no request of the site."""
    maija = verified_user("maija.juror@city.example")
    unasked = signed_response(idp_key, in_response_to="", email=maija.email)

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = post_to_acs(client, unasked)

    assert_refused(client, response, caplog, "refused", people_before=1)


def test_saml_assertion_that_never_expires_is_refused_and_logged(client, idp_key, caplog):
    """No NotOnOrAfter in the SubjectConfirmationData: python3-saml would accept it forever,
    so it could never be forgotten as spent."""
    maija = verified_user("maija.juror@city.example")
    request_id = start_sign_in(client)
    everlasting = signed_response(
        idp_key, in_response_to=request_id, email=maija.email, confirmation_expires=False
    )

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = post_to_acs(client, everlasting)

    assert_refused(client, response, caplog, "has no NotOnOrAfter", people_before=1)


def test_saml_response_is_refused_and_logged_while_the_cache_does_not_answer(
    client, idp_key, caplog, settings, monkeypatch
):
    """The cache that remembers used assertions is Redis, and it refuses connections (nothing
    listens on its port): a replay cannot be told, so the sign-in is refused, saying why."""
    import socket

    from home import cache_backend

    monkeypatch.setattr(cache_backend, "_paused_until", 0.0)
    maija = verified_user("maija.juror@city.example")
    request_id = start_sign_in(client)
    response_xml = signed_response(idp_key, in_response_to=request_id, email=maija.email)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "home.cache_backend.ForgivingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }

    with caplog.at_level(logging.WARNING, logger="ideatori.sso"):
        response = post_to_acs(client, response_xml)

    assert_refused(
        client, response, caplog, "the cache that remembers used assertions does not answer", 1
    )
