"""allauth's providers of the organisation's sign-in, made from the environment ``base.py``
hands in: OpenID Connect with ``IDEATORI_OIDC_SERVER_URL``, SAML with
``IDEATORI_SAML_IDP_ENTITY_ID``, neither without them (the README's table lists the rest)."""

from collections.abc import Mapping
from importlib.util import find_spec

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

OIDC_PROVIDER_ID = "organisation"
SAML_PROVIDER_ID = "organisation-saml"


def oidc_apps(env: Mapping[str, str]) -> list[dict]:
    if not env.get("IDEATORI_OIDC_SERVER_URL"):
        return []
    for name in ("IDEATORI_OIDC_CLIENT_ID", "IDEATORI_OIDC_CLIENT_SECRET"):
        if not env.get(name):
            raise ImproperlyConfigured(f"{name} is needed with IDEATORI_OIDC_SERVER_URL.")
    settings = {"server_url": env["IDEATORI_OIDC_SERVER_URL"], "oauth_pkce_enabled": True}
    # Providers that never send email_verified (Microsoft Entra ID) vouch for their own
    # organisation's domains: addresses in these count as verified.
    domains = [d.strip() for d in env.get("IDEATORI_OIDC_VERIFIED_EMAIL_DOMAINS", "").split(",")]
    if any(domains):
        settings["verified_email"] = [d for d in domains if d]
    return [
        {
            "provider_id": OIDC_PROVIDER_ID,
            "name": env.get("IDEATORI_OIDC_NAME") or _("Organisation sign-in"),
            "client_id": env["IDEATORI_OIDC_CLIENT_ID"],
            "secret": env["IDEATORI_OIDC_CLIENT_SECRET"],
            "settings": settings,
        }
    ]


def saml_apps(env: Mapping[str, str]) -> list[dict]:
    if not env.get("IDEATORI_SAML_IDP_ENTITY_ID"):
        return []
    if find_spec("onelogin") is None or find_spec("xmlsec") is None:
        raise ImproperlyConfigured(
            "IDEATORI_SAML_IDP_ENTITY_ID is set but python3-saml and xmlsec are not installed."
        )
    if not env.get("IDEATORI_SAML_IDP_METADATA_URL") and not (
        env.get("IDEATORI_SAML_IDP_SSO_URL") and env.get("IDEATORI_SAML_IDP_X509CERT")
    ):
        raise ImproperlyConfigured(
            "IDEATORI_SAML_IDP_METADATA_URL, or IDEATORI_SAML_IDP_SSO_URL and "
            "IDEATORI_SAML_IDP_X509CERT, are needed with IDEATORI_SAML_IDP_ENTITY_ID."
        )
    return [
        {
            "provider_id": SAML_PROVIDER_ID,
            "name": env.get("IDEATORI_SAML_NAME") or _("Organisation sign-in (SAML)"),
            "client_id": SAML_PROVIDER_ID,
            "settings": {
                "attribute_mapping": {
                    "uid": env.get(
                        "IDEATORI_SAML_UID_ATTRIBUTE",
                        "http://schemas.microsoft.com/identity/claims/objectidentifier",
                    ),
                    "email": env.get(
                        "IDEATORI_SAML_EMAIL_ATTRIBUTE",
                        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                    ),
                    # The attribute by which the provider vouches for the address; without it
                    # no existing account is matched by address.
                    "email_verified": env.get(
                        "IDEATORI_SAML_EMAIL_VERIFIED_ATTRIBUTE",
                        "http://schemas.auth0.com/email_verified",
                    ),
                    "first_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
                    "last_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
                },
                "idp": {
                    "entity_id": env["IDEATORI_SAML_IDP_ENTITY_ID"],
                    "metadata_url": env.get("IDEATORI_SAML_IDP_METADATA_URL", ""),
                    "sso_url": env.get("IDEATORI_SAML_IDP_SSO_URL", ""),
                    "x509cert": env.get("IDEATORI_SAML_IDP_X509CERT", ""),
                },
                "sp": {"entity_id": env.get("IDEATORI_SAML_SP_ENTITY_ID", "")},
                # Only signed assertions, checked strictly; no sign-in the site did not ask for.
                "advanced": {
                    "strict": True,
                    "want_assertion_signed": True,
                    "reject_idp_initiated_sso": True,
                    "reject_deprecated_algorithm": True,
                },
            },
        }
    ]


def sso_providers(env: Mapping[str, str]) -> dict:
    """SOCIALACCOUNT_PROVIDERS for ``env``."""
    return {
        "openid_connect": {"APPS": oidc_apps(env), "OAUTH_PKCE_ENABLED": True},
        "saml": {"APPS": saml_apps(env)},
    }
