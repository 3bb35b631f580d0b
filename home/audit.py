"""The audit trail: who signed in, failed to or signed out, opened an idea, downloaded a file,
exported scores or ideas, changed their second factor — when and from which address.

``record`` writes one ``AuditEntry`` with one INSERT and never breaks what it records: when
the entry cannot be written, the failure is logged (logger ``ideatori.audit``) and the
action goes on. The address is the request's ``REMOTE_ADDR``, which
``ideatori.middleware.TrustedProxyMiddleware`` sets to the client's own address when the
request came through a trusted proxy (``X-Forwarded-For`` is believed from nobody else).

Administrators read the trail under *Reports → Audit trail* (``home.wagtail_hooks``);
erasures, which ``wagtail.log_actions.log`` writes as Wagtail log entries
(``ideatori.person_erased``), show there beside these.
"""

import logging

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import registry as log_actions

from ideatori.proxies import parse_address

from .models import AuditEntry

logger = logging.getLogger("ideatori.audit")

SIGNED_IN = "ideatori.signed_in"
SIGN_IN_FAILED = "ideatori.sign_in_failed"
SIGNED_OUT = "ideatori.signed_out"
EXPORTED = "ideatori.exported"
ATTACHMENT_DOWNLOADED = "ideatori.attachment_downloaded"
IDEA_OPENED = "ideatori.idea_opened"
MFA_ADDED = "ideatori.mfa_added"
MFA_REMOVED = "ideatori.mfa_removed"
MFA_RESET = "ideatori.mfa_reset"

# The longest attempted login kept: an e-mail address is at most 254 characters.
LOGIN_LENGTH = 254

# What a download, an opening or an export names in ``data``, in the reader's language.
ROLES = {
    "member": _("team member"),
    "juror": _("juror"),
    "coordinator": _("coordinator"),
}
TABLES = {
    "ranking": _("the ranking"),
    "reviews": _("the reviews"),
    "ideas": _("the ideas"),
    "audit": _("the audit trail"),
    "report": _("the round's report"),
    "internal_report": _("the round's internal report"),
    "packet": _("the jury packet"),
}
PLACES = {
    "admin": _("the admin"),
    "team_page": _("the team's page"),
    "history": _("the idea's history"),
}
AUTHENTICATORS = {
    "totp": _("authenticator app"),
    "webauthn": _("security key"),
    "recovery_codes": _("recovery codes"),
}


def _named(names: dict, value) -> str:
    return str(names.get(value, value or ""))


class Formatter(LogFormatter):
    """A message made from the entry's ``data`` with ``template``."""

    template = ""

    def format_message(self, log_entry):
        return self.template % self.values(log_entry.data or {})

    def values(self, data: dict) -> dict:
        return {}


class SignedIn(Formatter):
    label = _("Sign in")
    template = _("Signed in")

    def format_message(self, log_entry):
        methods = (log_entry.data or {}).get("methods")
        if methods:
            return _("Signed in with %(methods)s") % {"methods": ", ".join(methods)}
        return str(self.template)


class SignInFailed(Formatter):
    label = _("Fail to sign in")
    template = _("Failed to sign in as “%(login)s”")

    def values(self, data):
        return {"login": data.get("login", "")}


class SignedOut(Formatter):
    label = _("Sign out")
    template = _("Signed out")


class Exported(Formatter):
    label = _("Export")
    template = _("Exported %(table)s as %(format)s")

    def values(self, data):
        return {
            "table": _named(TABLES, data.get("table")),
            "format": str(data.get("format", "")).upper(),
        }


class AttachmentDownloaded(Formatter):
    label = _("Download an attachment")
    template = _("Downloaded an attachment of idea %(idea)s as %(role)s")

    def values(self, data):
        return {"idea": data.get("idea", ""), "role": _named(ROLES, data.get("role"))}


class IdeaOpened(Formatter):
    label = _("Open an idea")
    template = _("Opened the idea in %(place)s as %(role)s")

    def values(self, data):
        return {"place": _named(PLACES, data.get("place")), "role": _named(ROLES, data.get("role"))}


class MfaAdded(Formatter):
    label = _("Add a second factor")
    template = _("Added a second factor: %(authenticator)s")

    def values(self, data):
        return {"authenticator": _named(AUTHENTICATORS, data.get("authenticator"))}


class MfaRemoved(MfaAdded):
    label = _("Remove a second factor")
    template = _("Removed a second factor: %(authenticator)s")


class MfaReset(MfaAdded):
    label = _("Renew a second factor")
    template = _("Renewed a second factor: %(authenticator)s")


FORMATTERS = {
    SIGNED_IN: SignedIn,
    SIGN_IN_FAILED: SignInFailed,
    SIGNED_OUT: SignedOut,
    EXPORTED: Exported,
    ATTACHMENT_DOWNLOADED: AttachmentDownloaded,
    IDEA_OPENED: IdeaOpened,
    MFA_ADDED: MfaAdded,
    MFA_REMOVED: MfaRemoved,
    MFA_RESET: MfaReset,
}


def register_actions(actions) -> None:
    """For the ``register_log_actions`` hook: the actions and the model that holds them."""
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)
    # Nothing is logged *about* an audit entry; this lists the model among the log models,
    # so that Wagtail's site history and the audit trail read it.
    actions.register_model(AuditEntry, AuditEntry)


def client_address(request) -> str | None:
    """The client's address as the trusted-proxy middleware left it, or None."""
    address = parse_address(request.META.get("REMOTE_ADDR", "")) if request is not None else None
    return str(address) if address is not None else None


def record(
    *,
    action: str,
    request=None,
    user=None,
    instance=None,
    label: str = "",
    data: dict | None = None,
) -> AuditEntry | None:
    """Write one audit entry: ``user`` did ``action`` (on ``instance``) from the request's
    address. ``user`` defaults to the request's signed-in user; ``label`` to the instance's
    name. Returns the entry, or None when it could not be written (logged, never raised).

    One INSERT: Wagtail's ``BaseLogEntry.save`` would first read the user and content type
    rows again to validate them, so the entry is inserted directly and its action checked
    here. Inside a transaction a savepoint keeps a failed INSERT from breaking the caller's.
    """
    try:
        if not log_actions.action_exists(action):
            raise ValueError(f"the audit action {action!r} is not registered")
        if user is None and getattr(request, "user", None) is not None:
            user = request.user if request.user.is_authenticated else None
        entry = AuditEntry(
            action=action,
            timestamp=timezone.now(),
            user_id=user.pk if user is not None else None,
            address=client_address(request),
            label=label or (str(instance) if instance is not None else ""),
            data=data or {},
        )
        if instance is not None:
            entry.content_type = ContentType.objects.get_for_model(
                instance, for_concrete_model=False
            )
            entry.object_id = str(instance.pk)
        if connection.in_atomic_block:
            with transaction.atomic():
                AuditEntry.objects.bulk_create([entry])
        else:
            AuditEntry.objects.bulk_create([entry])
        return entry
    except Exception:
        logger.exception("The audit entry %s could not be written", action)
        return None


# --- sign-ins, failed sign-ins and sign-outs: Django's signals, which allauth sends too -------


def sign_in_methods(request) -> list[str]:
    """How the person proved who they are, as allauth noted it in the session before
    signing them in: ``password``, ``socialaccount:<provider>``, ``mfa:totp`` … — never the
    uid, login or code that came with it."""
    session = getattr(request, "session", None)
    methods = []
    for step in (session.get("account_authentication_methods") or []) if session else []:
        detail = step.get("provider") or step.get("type")
        methods.append(f"{step.get('method', '')}:{detail}" if detail else step.get("method", ""))
    return methods


@receiver(user_logged_in, dispatch_uid="ideatori.audit.signed_in")
def signed_in(sender, request, user, **kwargs) -> None:
    methods = sign_in_methods(request)
    data = {"methods": methods} if methods else {}
    record(action=SIGNED_IN, request=request, user=user, instance=user, data=data)


@receiver(user_login_failed, dispatch_uid="ideatori.audit.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    """The login that was tried, never the password (Django has starred it out already; only
    the login is read here)."""
    login = next(
        (str(credentials[key]) for key in ("email", "login", "username") if credentials.get(key)),
        "",
    )[:LOGIN_LENGTH]
    record(action=SIGN_IN_FAILED, request=request, label=login, data={"login": login})


@receiver(user_logged_out, dispatch_uid="ideatori.audit.signed_out")
def signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(action=SIGNED_OUT, request=request, user=user, instance=user)


# --- second factors: allauth.mfa's signals, when its app is installed --------------------------


def _authenticator_receiver(action: str):
    def receiver_(sender, request, user, authenticator, **kwargs) -> None:
        record(
            action=action,
            request=request,
            user=user,
            instance=user,
            data={"authenticator": getattr(authenticator, "type", "")},
        )

    return receiver_


MFA_RECEIVERS = {
    "authenticator_added": _authenticator_receiver(MFA_ADDED),
    "authenticator_removed": _authenticator_receiver(MFA_REMOVED),
    "authenticator_reset": _authenticator_receiver(MFA_RESET),
}


def connect_mfa_signals() -> bool:
    """Record MFA changes if ``allauth.mfa`` is installed (its signals module needs its
    models). Called from ``HomeConfig.ready``; answers whether it connected."""
    if not apps.is_installed("allauth.mfa"):
        return False
    from allauth.mfa import signals

    for name, handler in MFA_RECEIVERS.items():
        getattr(signals, name).connect(handler, dispatch_uid=f"ideatori.audit.{name}")
    return True
