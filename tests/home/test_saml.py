"""SAML sign-in, configured from the environment: what the site asks of the identity
provider, and an unsigned response refused. Signed responses (valid, expired, for another
audience, signed with another key, replayed) are in test_saml_responses.py."""

import base64
import logging
from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ImproperlyConfigured

from ideatori.settings.sso import SAML_PROVIDER_ID, sso_providers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
# A throwaway self-signed certificate body: the site only needs one to parse.
CERTIFICATE = (
    "MIIBszCCAVmgAwIBAgIUUd6t9b0aTtO6lQmWrQp0n3hyh3swCgYIKoZIzj0EAwIwLzEtMCsGA1UEAwwkaWRw"
    "LmNpdHkuZXhhbXBsZSB0ZXN0IGNlcnRpZmljYXRlMB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFow"
)
HOST = "127.0.0.1"
ENVIRONMENT = {
    "IDEATORI_SAML_IDP_ENTITY_ID": "https://idp.city.example/saml",
    "IDEATORI_SAML_IDP_SSO_URL": "https://idp.city.example/saml/sso",
    "IDEATORI_SAML_IDP_X509CERT": CERTIFICATE,
    "IDEATORI_SAML_NAME": "City SAML",
}


@pytest.fixture
def saml_configured(settings):
    settings.SOCIALACCOUNT_PROVIDERS = sso_providers(ENVIRONMENT)


@pytest.fixture
def client(client):
    """python3-saml wants a host with a dot (or an address) and reads HTTP_HOST itself."""
    client.defaults["HTTP_HOST"] = HOST
    return client


def test_saml_is_off_without_its_settings():
    assert sso_providers({})["saml"]["APPS"] == []


def test_saml_needs_the_providers_address_and_certificate_or_metadata():
    with pytest.raises(ImproperlyConfigured, match="IDEATORI_SAML_IDP_METADATA_URL"):
        sso_providers({"IDEATORI_SAML_IDP_ENTITY_ID": "https://idp.city.example/saml"})


def test_saml_metadata_asks_for_signed_assertions(client, saml_configured):
    response = client.get(f"/en/accounts/saml/{SAML_PROVIDER_ID}/metadata/")

    assert response.status_code == 200
    metadata = response.content.decode()
    assert 'WantAssertionsSigned="true"' in metadata
    assert f"/en/accounts/saml/{SAML_PROVIDER_ID}/acs/" in metadata


def test_saml_offered_on_the_sign_in_page(client, saml_configured):
    page = client.get("/en/accounts/login/").content.decode()

    assert "Sign in with City SAML" in page
    assert f"/en/accounts/saml/{SAML_PROVIDER_ID}/login/" in page


def unsigned_response(email: str) -> str:
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (now + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    acs = f"http://{HOST}/en/accounts/saml/{SAML_PROVIDER_ID}/acs/"
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"
 IssueInstant="{stamp}" Destination="{acs}">
 <saml:Issuer>https://idp.city.example/saml</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 <saml:Assertion ID="_a1" Version="2.0" IssueInstant="{stamp}">
  <saml:Issuer>https://idp.city.example/saml</saml:Issuer>
  <saml:Subject><saml:NameID>{email}</saml:NameID>
   <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
    <saml:SubjectConfirmationData NotOnOrAfter="{later}" Recipient="{acs}"/>
   </saml:SubjectConfirmation></saml:Subject>
  <saml:Conditions NotBefore="{stamp}" NotOnOrAfter="{later}"/>
  <saml:AuthnStatement AuthnInstant="{stamp}" SessionIndex="_s1"><saml:AuthnContext>
   <saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef>
  </saml:AuthnContext></saml:AuthnStatement>
  <saml:AttributeStatement>
   <saml:Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress">
    <saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute>
   <saml:Attribute Name="http://schemas.microsoft.com/identity/claims/objectidentifier">
    <saml:AttributeValue>someone</saml:AttributeValue></saml:Attribute>
  </saml:AttributeStatement>
 </saml:Assertion>
</samlp:Response>"""
    return base64.b64encode(xml.encode()).decode()


def test_saml_unsigned_response_is_refused_and_signs_nobody_in(client, saml_configured, caplog):
    victim = UserFactory(email="maija.juror@city.example")
    EmailAddress.objects.create(user=victim, email=victim.email, verified=True, primary=True)

    with caplog.at_level(logging.WARNING):
        response = client.post(
            f"/en/accounts/saml/{SAML_PROVIDER_ID}/acs/",
            {"SAMLResponse": unsigned_response(victim.email)},
        )
        finished = client.get(response["Location"]) if response.status_code == 302 else response

    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()
    assert "could not sign you in" in finished.content.decode()
    assert any(record.name == "ideatori.sso" for record in caplog.records)
    assert "is not signed" in caplog.text
