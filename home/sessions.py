"""Shorter sessions for the people who can read unpublished ideas and scores."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SIGNED_IN_AT = "ideatori_signed_in_at"
LAST_SEEN_AT = "ideatori_last_seen_at"


def has_strict_session(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return user.groups.filter(name__in=settings.IDEATORI_STRICT_SESSION_GROUPS).exists()


class StrictSessionMiddleware:
    """End a coordinator's or juror's session after the idle and absolute limits of settings.

    The session is flushed and the person sent to sign in again, back to the page they asked for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and has_strict_session(user):
            now = int(time.time())
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last_seen_at = session.get(LAST_SEEN_AT, now)
            idle = now - last_seen_at > settings.IDEATORI_STRICT_SESSION_IDLE_SECONDS
            too_old = now - signed_in_at > settings.IDEATORI_STRICT_SESSION_MAX_SECONDS
            if idle or too_old:
                logout(request)
                return redirect_to_login(request.get_full_path())
            session[LAST_SEEN_AT] = now
        return self.get_response(request)
