import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render, resolve_url
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from .csp_reports import CONTENT_TYPES, parse_reports
from .health import cache_health, check_health, storage_health
from .theme import HEX_COLOUR

csp_log = logging.getLogger("ideatori.csp")


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
            # Reported, not judged either: the stores are shared by every server, so a load
            # balancer that took servers out for them would take the whole site down, pages
            # and all, for what only uploads and downloads need.
            "storage": storage_health(),
            # Reported, not judged: without Redis pages are rendered each time, not refused.
            "cache": cache_health(),
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


@require_safe
def site_colours(request: HttpRequest) -> HttpResponse:
    """The organisation's colours (site settings) as a stylesheet, so that pages need no
    inline style and no per-response nonce, and can be kept in the page cache. Its address
    carries the colours as a version (``base.html``), so it is kept for a year."""
    from wagtail.models import Site

    from .models import SiteSettings

    site = Site.find_for_request(request) or Site.objects.get(is_default_site=True)
    colours = SiteSettings.for_site(site)
    rules = [
        f"--ideatori-{name}: {value};"
        for name, value in (
            ("primary", colours.primary_colour),
            ("highlight", colours.highlight_colour),
        )
        # Checked on save (home.theme); checked again so no text reaches the stylesheet.
        if HEX_COLOUR.match(value or "")
    ]
    response = HttpResponse(
        ":root { " + " ".join(rules) + " }\n", content_type="text/css; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _within_report_rate(request: HttpRequest) -> bool:
    """Count this report against its client address's allowance for the current minute."""
    minute = int(time.time() // 60)
    key = f"csp-report:{request.META.get('REMOTE_ADDR', '')}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        count = 1
    limit = settings.IDEATORI_CSP_REPORTS_PER_MINUTE
    if count == limit + 1:
        csp_log.warning("CSP reports from this address over %s a minute: dropping the rest", limit)
    return count <= limit


@csrf_exempt  # browsers post reports without a token or cookies
@never_cache
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log each Content-Security-Policy violation a browser reports, one line each.

    204 when logged; 415 for another content type, 413 for a body over
    ``IDEATORI_CSP_REPORT_MAX_BYTES``, 400 for one that is no report, 429 past the
    per-address allowance. Nothing is stored.
    """
    content_type = request.content_type.lower()
    if content_type not in CONTENT_TYPES:
        return HttpResponse("Not a CSP report.\n", status=415, content_type="text/plain")
    limit = settings.IDEATORI_CSP_REPORT_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = limit + 1
    if declared > limit:
        return HttpResponse("Report too large.\n", status=413, content_type="text/plain")
    if not _within_report_rate(request):
        return HttpResponse("Too many reports.\n", status=429, content_type="text/plain")
    body = request.read(limit + 1)
    if len(body) > limit:
        return HttpResponse("Report too large.\n", status=413, content_type="text/plain")
    try:
        violations = parse_reports(body)
    except ValueError as error:
        return HttpResponse(f"Not a CSP report: {error}.\n", status=400, content_type="text/plain")
    for violation in violations:
        csp_log.warning(
            "CSP violation: %s blocked %s on %s (%s:%s)",
            violation.directive,
            violation.blocked or "inline",
            violation.document,
            violation.source or "-",
            violation.line or "-",
            extra={"csp": violation.as_log()},
        )
    return HttpResponse(status=204)


def storage_unavailable(request: HttpRequest) -> HttpResponse:
    """What a download answers when the file store does not: 503, and nothing lost."""
    response = render(request, "storage_unavailable.html", status=503)
    response["Retry-After"] = "60"
    return response
