"""Signing in with the organisation's identity provider (allauth's OpenID Connect and SAML).

Two things differ from allauth's defaults:

- An ID token's signature is always checked against the provider's published keys. allauth
  skips the check when it fetched the token itself over TLS (which the OpenID Connect
  specification allows); an unsigned token (``alg: none``) would then pass. Here it is refused,
  as are expired tokens and tokens for another audience (allauth checks those), and a sign-in
  whose state was already used (allauth's state is single-use).
- A SAML assertion is accepted once (``spend_saml_assertion``). allauth already refuses a
  response to a sign-in this browser did not start or already finished (its state is
  single-use), but with a bare 403; here that is the sign-in-failure page, and an assertion
  seen before is refused whichever session posts it.
- A refused sign-in is logged with the provider's reason, and nobody is signed in.

The identity provider's assertion of a second factor (``amr``/``acr``) is read here
(``idp_asserted_mfa``); ``home.mfa`` decides what it satisfies.
"""

import hashlib
import logging
import time

import jwt
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.socialaccount.providers.saml.views import FinishACSView
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.decorators import method_decorator
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from wagtail.models import Site

logger = logging.getLogger("ideatori.sso")
# Public-key signatures an identity provider publishes keys for; never "none" or HMAC.
SIGNING_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}


class VerifiedOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, checking every ID token's signature."""

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as error:
            raise OAuth2Error("Invalid id_token") from error
        # allauth looks the key up by the header's "kid"; without one, or with an algorithm
        # that signs nothing ("none") or with a shared secret, there is nothing to check.
        if header.get("alg") not in SIGNING_ALGORITHMS or not header.get("kid"):
            raise OAuth2Error(f"Unsigned or wrongly signed id_token (alg {header.get('alg')!r})")
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


@login_not_required
def oidc_login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(VerifiedOpenIDConnectAdapter(request, provider_id))(
            request
        )
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def oidc_callback(request, provider_id):
    try:
        return OAuth2CallbackView.adapter_view(VerifiedOpenIDConnectAdapter(request, provider_id))(
            request
        )
    except SocialApp.DoesNotExist:
        raise Http404 from None


class RefusedSAMLResponse(Exception):
    """A SAML response that passed python3-saml's checks but is still not accepted."""


def spend_saml_assertion(auth) -> None:
    """Accept a verified SAML assertion once: remember its id (the assertion's, which its
    signature covers, not the unsigned envelope's) in the shared cache for as long as
    python3-saml would accept it, and raise ``RefusedSAMLResponse`` if it was seen before.

    python3-saml accepts an assertion until its bearer SubjectConfirmationData's NotOnOrAfter,
    and forever without one; SAML's Web SSO profile requires one, so one without is refused.
    """
    expires = auth.get_last_assertion_not_on_or_after()
    if not expires:
        raise RefusedSAMLResponse("the assertion's SubjectConfirmationData has no NotOnOrAfter")
    issuer = auth.get_settings().get_idp_data()["entityId"]
    digest = hashlib.sha256(f"{issuer}\n{auth.get_last_assertion_id()}".encode()).hexdigest()
    # Kept past the expiry by python3-saml's allowance for clock drift, as a margin.
    lifetime = expires - time.time() + OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT
    # cache.add is atomic: of two posts of the same assertion at once, one wins. A cache that
    # cannot be asked cannot tell a replay: refused, and said so (home.cache_backend).
    add = getattr(cache, "add_or_fail", cache.add)
    try:
        added = add(f"ideatori.sso.saml-assertion:{digest}", True, timeout=max(lifetime, 1))
    except Exception as error:  # redis-py's, whatever the cause
        raise RefusedSAMLResponse(
            f"the cache that remembers used assertions does not answer ({error})"
        ) from error
    if not added:
        raise RefusedSAMLResponse("the assertion has already been used")


@method_decorator(login_not_required, name="dispatch")
class SAMLFinishView(FinishACSView):
    """allauth's end of a SAML sign-in, accepting each assertion once, and refusing with the
    sign-in-failure page a response to a sign-in this browser did not start (allauth raises
    PermissionDenied when no stashed state matches the response's InResponseTo)."""

    def get_provider(self, organization_slug):
        provider = super().get_provider(organization_slug)
        read_response = provider.sociallogin_from_response

        def spend_then_read(request, auth):
            # allauth calls this once python3-saml has verified the response.
            spend_saml_assertion(auth)
            return read_response(request, auth)

        provider.sociallogin_from_response = spend_then_read
        self.provider = provider
        return provider

    def dispatch(self, request, organization_slug):
        try:
            return super().dispatch(request, organization_slug)
        except RefusedSAMLResponse as refusal:
            return render_authentication_error(request, self.provider, exception=refusal)
        except PermissionDenied:
            refusal = RefusedSAMLResponse(
                "it answers a sign-in this browser did not start, or already finished"
            )
            return render_authentication_error(request, self.provider, exception=refusal)


saml_finish_acs = SAMLFinishView.as_view()


def idp_asserted_mfa(claims: dict) -> bool:
    """Whether an ID token says the person used a second factor at the identity provider:
    its ``amr`` (authentication methods, RFC 8176) names one of
    ``IDEATORI_OIDC_MFA_AMR_VALUES`` (by default mfa, otp, hwk), or its ``acr`` is one of
    ``IDEATORI_OIDC_MFA_ACR_VALUES`` (none by default: their meaning is the provider's)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(settings.IDEATORI_OIDC_MFA_AMR_VALUES):
        return True
    return claims.get("acr") in set(settings.IDEATORI_OIDC_MFA_ACR_VALUES)


def id_token_claims(sociallogin) -> dict:
    """The verified ID token's claims of an OpenID Connect sign-in; empty for SAML."""
    extra = sociallogin.account.extra_data or {}
    claims = extra.get("id_token") if isinstance(extra, dict) else None
    return claims if isinstance(claims, dict) else {}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        # The log line carries the request id and the client's address (ideatori.logs), and
        # the reason: the exception, or python3-saml's reason for a SAML response.
        reason = exception or (extra_context or {}).get("saml_last_error_reason")
        logger.warning(
            "Sign-in with %s refused: %s%s",
            getattr(provider, "id", provider),
            error,
            f" ({reason})" if reason else "",
        )
        return super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        # The account's name for people, e.g. on team lists: the provider's full name.
        if not user.first_name and not user.last_name and data.get("name"):
            user.first_name = data["name"][:150]
        return user


def sso_required(request) -> bool:
    """Whether the site settings send jurors and coordinators to the organisation's sign-in,
    and there is one to send them to (else nobody could sign in)."""
    from .models import SiteSettings

    # Read afresh, not as pages read the settings (kept per edition of the site): who may
    # sign in with a password must follow a change at once.
    site = Site.find_for_request(request)
    if site is None or not SiteSettings.for_site(site).require_sso_for_staff:
        return False
    return bool(SocialAccountAdapter().list_apps(request))
