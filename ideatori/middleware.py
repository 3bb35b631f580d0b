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
            request.urlconf = "ideatori.api_urls"
        return self.get_response(request)
