from django.urls import set_urlconf

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
