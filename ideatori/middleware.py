import uuid

from django.conf import settings
from django.urls import set_urlconf

from home.views import healthz
from ideatori.logs import REQUEST_ID, REQUEST_ID_HEADER, request_context
from ideatori.proxies import FORWARDED_HEADERS, client_address, is_trusted, parse_address

API_URLCONF = "ideatori.api_urls"


class APIURLConfMiddleware:
    """Routes /api/ requests by a urlconf without language prefixes.

    With the site's i18n patterns, Django's LocaleMiddleware turns any 404 outside a language
    prefix into a redirect to /en/…; an API client asking for an unpublished page must get
    the 404 itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            request.urlconf = API_URLCONF
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Resolved without language prefixes; the links the API gives (each page's html_url)
        # are made with the whole site's, where its pages are.
        if getattr(request, "urlconf", None) == API_URLCONF:
            set_urlconf(None)


class TrustedProxyMiddleware:
    """Believe ``X-Forwarded-*`` headers only from the proxies in settings.

    From a trusted proxy the client's address (``ideatori.proxies.client_address``) becomes
    ``REMOTE_ADDR``, which allauth's rate limits, the logs and gunicorn's access log read; the
    proxy's own address stays in ``ideatori.proxy_address``. From anyone else every
    ``X-Forwarded-*`` header is removed, so ``SECURE_PROXY_SSL_HEADER`` cannot be fooled.
    It comes before ``SecurityMiddleware``, the first reader of ``request.is_secure()``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        trusted = settings.IDEATORI_TRUSTED_PROXIES
        if is_trusted(parse_address(peer), trusted):
            meta["ideatori.proxy_address"] = peer
            forwarded_for = meta.get("HTTP_X_FORWARDED_FOR", "")
            meta["REMOTE_ADDR"] = client_address(peer, forwarded_for, trusted)
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)


class RequestIdMiddleware:
    """Give every request an id: the incoming ``X-Request-ID`` when it is a sane token, else a
    new one. It is in every log line made while the request runs and in the response's
    ``X-Request-ID``, which gunicorn's access log reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        with request_context(request_id=request.request_id, client=request.META.get("REMOTE_ADDR")):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class HealthCheckMiddleware:
    """Answer ``/healthz`` before anything reads the Host header.

    The container's health check and the load balancer ask each server by its own address,
    which ``ALLOWED_HOSTS`` need not list; ``SecurityMiddleware``'s HTTPS redirect and
    ``CommonMiddleware`` would refuse them first. Only the path is read here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
