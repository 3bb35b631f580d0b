"""How allauth's e-mails read: in the recipient's language, links to the site's public
address, the organisation named in the subject and the text saying what the site is; and
which account holds an address."""

from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

from .addresses import public_url, site_root_url
from .models import SiteSettings


def organisation_name() -> str:
    """The organisation's name in the active language, from the default site's settings."""
    site = Site.objects.filter(is_default_site=True).first()
    return SiteSettings.for_site(site).name_here() if site else ""


class AccountAdapter(DefaultAccountAdapter):
    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return public_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return public_url(path.replace("UID-KEY", quote(key)))

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth counts failed sign-ins per account under this key (``login_failed``'s
        ``/key`` rate) and a password reset clears it. Keyed by the client's address too, so
        that guesses from elsewhere never lock the account's owner out: a guesser is stopped
        per address (and by the per-address limit over all accounts), and someone locked out
        by a guesser at their own address gets back in through a password reset."""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"

    def get_login_stages(self) -> list[str]:
        """allauth's, with its second-factor step replaced by ours, which an identity
        provider's assertion of a second factor satisfies (``home.mfa``)."""
        return [
            "home.mfa.AuthenticateStage" if path == "allauth.mfa.stages.AuthenticateStage" else path
            for path in super().get_login_stages()
        ]

    def format_email_subject(self, subject: str) -> str:
        return f"{organisation_name()}: {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """In the language the person chose in their profile, else the page's language."""
        user = get_user_model().objects.filter(email__iexact=email).first()
        profile = getattr(user, "profile", None) if user is not None else None
        language = profile.language if profile is not None else translation.get_language()
        with translation.override(language):
            context = context | {
                "organisation": organisation_name(),
                "site_url": site_root_url(),
            }
            super().send_mail(template_prefix, email, context)


def account_for_email(email: str):
    """The account that holds ``email`` (any letter case): as one of its allauth addresses,
    verified or not, or as its user's e-mail. None when nobody has it."""
    holds = Q(emailaddress__email__iexact=email) | Q(email__iexact=email)
    return get_user_model().objects.filter(holds).order_by("pk").first()


def create_verified_account(*, email: str, password: str):
    """A new account whose address is already verified (the caller has verified it, e.g. by
    a link sent to it): the address is the account's primary one and no confirmation e-mail is
    sent. The username is made from the address, as allauth's sign-up makes it."""
    adapter = get_adapter()
    user = adapter.new_user(None)
    user.email = email
    adapter.populate_username(None, user)
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user
