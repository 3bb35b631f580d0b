"""The Content-Security-Policy of each response, and where browsers send its violations.

django-csp's middleware gives every response ``CONTENT_SECURITY_POLICY`` and the request its
nonce; this one gives the Wagtail admin its own policy, ``IDEATORI_CSP_ADMIN``: every path
under ``/admin/``, and the previews the admin frames (Wagtail renders a preview through the
middleware again, with a dummy request for the page's own address). It also names the report
endpoint for ``report-to``. A view's own ``csp_update``/``csp_replace`` decorators still apply
on top of either policy.
"""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

ADMIN_PREFIX = "/admin/"
REPORT_GROUP = "csp"


def is_admin_request(request: HttpRequest) -> bool:
    path = request.path_info
    in_admin = path == ADMIN_PREFIX.rstrip("/") or path.startswith(ADMIN_PREFIX)
    return in_admin or getattr(request, "is_dummy", False)


def identity_provider_origins() -> list[str]:
    """The origins of the identity providers configured for sign-in (``SOCIALACCOUNT_PROVIDERS``):
    the sign-in form's redirect goes there, and browsers hold it to ``form-action``. An
    authorisation endpoint on yet another origin goes in ``DJANGO_CSP_FORM_ACTION``."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", None) or {}
    addresses = [
        app.get("settings", {}).get("server_url", "")
        for app in providers.get("openid_connect", {}).get("APPS", [])
    ]
    for app in providers.get("saml", {}).get("APPS", []):
        idp = app.get("settings", {}).get("idp", {})
        addresses += [idp.get("sso_url", ""), idp.get("metadata_url", "")]
    origins = set()
    for address in addresses:
        parts = urlsplit(address)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def with_form_action(update, origins: list[str]):
    """``update`` (a view's ``csp_update``, or none) with ``origins`` added to form-action."""
    update = dict(update or {})
    current = update.get("form-action") or []
    current = [current] if isinstance(current, str) else list(current)
    update["form-action"] = current + origins
    return update


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origins = identity_provider_origins()
        if origins:
            parts.update = with_form_action(parts.update, origins)
        if not report_only and parts.config is None and is_admin_request(request):
            # The admin's policy has no nonce: a nonce would make browsers ignore the
            # 'unsafe-inline' that Wagtail's inline scripts need.
            parts.config = default_config(settings.IDEATORI_CSP_ADMIN["DIRECTIVES"])
            parts.nonce = None
        return parts

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response = super().process_response(request, response)
        if "Content-Security-Policy" in response:
            # Relative: browsers resolve it against the page's own address.
            url = settings.IDEATORI_CSP_REPORT_URL
            response.headers.setdefault("Reporting-Endpoints", f'{REPORT_GROUP}="{url}"')
        return response
