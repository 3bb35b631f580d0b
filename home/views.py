from urllib.parse import urlencode

from django.http import (
    HttpRequest,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import resolve_url
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import check_health


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    health = check_health()
    return JsonResponse(
        {
            "status": "ok" if health.ok else "unavailable",
            "database": health.database,
            "migrations": health.migrations,
            # Reported, not judged: a web server is healthy while the worker restarts.
            **{kind: seen for kind, seen in health.background.items()},
        },
        status=200 if health.ok else 503,
    )


def admin_login_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """Send the Wagtail admin's sign-in to the site's sign-in, keeping a safe ``next``."""
    target = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/admin/"
    return HttpResponseRedirect(f"{resolve_url('account_login')}?{urlencode({'next': target})}")


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask /favicon.ico whatever the page says; send them to the static icon."""
    return HttpResponsePermanentRedirect(static("img/favicon-32.png"))
