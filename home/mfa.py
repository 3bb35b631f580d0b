"""A second factor (allauth's MFA): who must have one, and what counts as having used it.

Coordinators and administrators (``permissions.must_use_mfa``) reach the admin only from a
session in which a second factor was used: a code or security key at sign-in (allauth's
stage records it), an authenticator set up in this session (proving its code), or a sign-in
through the organisation's identity provider that asserted one (``sso.idp_asserted_mfa``,
recorded here at sign-in). Without an authenticator they are sent to set one up first; with
one but a session that did not use it, to confirm it.
"""

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa import signals as mfa_signals
from allauth.mfa import stages as mfa_stages
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .permissions import must_use_mfa
from .sso import id_token_claims, idp_asserted_mfa

ADMIN_PREFIX = "/admin/"
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def used_second_factor(request) -> bool:
    """Whether this session's sign-in (or what followed it) used a second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


class AuthenticateStage(mfa_stages.AuthenticateStage):
    """allauth's "enter your code" step of signing in, skipped when the organisation's
    identity provider asserted that the person used a second factor there; that assertion is
    recorded as this session's second factor."""

    def handle(self):
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None and idp_asserted_mfa(id_token_claims(sociallogin)):
            record_authentication(
                self.request, self.login.user, "mfa", type="idp", provider=sociallogin.provider.id
            )
            return None, True
        return super().handle()


class AdminRequiresMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.IDEATORI_ADMIN_REQUIRES_MFA
            and request.path.startswith(ADMIN_PREFIX)
            and must_use_mfa(request.user)
            and not used_second_factor(request)
        ):
            query = urlencode({"next": request.get_full_path()})
            if has_second_factor(request.user):
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
            # allauth shows the recovery codes after the set-up, not where one was going.
            messages.info(
                request,
                _(
                    "Coordinators and administrators use a second factor. Set up an "
                    "authenticator app and save your recovery codes, then go back to the admin."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


@receiver(mfa_signals.authenticator_added)
def record_new_second_factor(sender, request, user, authenticator, **kwargs):
    """Setting up an authenticator proves it with a code or the key itself: this session
    has then used a second factor."""
    if authenticator.type in SECOND_FACTORS:
        record_authentication(request, user, "mfa", type=authenticator.type, id=authenticator.pk)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Coordinators and administrators keep at least one second factor."""
        if authenticator.type not in SECOND_FACTORS or not must_use_mfa(authenticator.user):
            return True
        others = Authenticator.objects.filter(
            user=authenticator.user, type__in=SECOND_FACTORS
        ).exclude(pk=authenticator.pk)
        return others.exists()

    def get_totp_issuer(self) -> str:
        from .accounts import organisation_name

        return organisation_name() or super().get_totp_issuer()
