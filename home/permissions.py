"""Who may do what in the site shell's part of the admin.

The Coordinators group is the site's: home's migration 0002 creates it. ``ideas.permissions``
answers the same question for teams and ideas (``is_coordinator``); a test holds the two to
the same truth table, since the shell may not import ``ideas``.
"""

COORDINATORS_GROUP = "Coordinators"


def is_coordinator(user) -> bool:
    """A superuser, or a member of the Coordinators group."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_ideatori_is_coordinator", None)
    if cached is None:
        cached = user.groups.filter(name=COORDINATORS_GROUP).exists()
        user._ideatori_is_coordinator = cached
    return cached


def can_edit_email_texts(user) -> bool:
    """Coordinators write the texts of the automatic e-mails, in every language."""
    return is_coordinator(user)


def can_view_audit_trail(user) -> bool:
    """Administrators (superusers) read the audit trail. Coordinators do not: it records
    their own reads of ideas and exports of scores, and the logins people mistyped."""
    return user.is_authenticated and user.is_active and user.is_superuser


JURORS_GROUP = "Jurors"


def must_use_mfa(user) -> bool:
    """Coordinators and administrators read every idea and every juror's scores: they need a
    second factor before the admin. Everyone else may add one."""
    return is_coordinator(user)


def must_use_sso(user, *, sso_required: bool) -> bool:
    """Whether ``user`` may sign in only through the organisation's identity provider: when
    the site settings require it, for coordinators and jurors. Administrators (superusers)
    keep their password and second factor, so that an identity provider that is down or
    misconfigured never locks the site's owners out."""
    if not sso_required or not user.is_authenticated or user.is_superuser:
        return False
    return user.groups.filter(name__in=[COORDINATORS_GROUP, JURORS_GROUP]).exists()
