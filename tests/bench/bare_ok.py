"""The load benchmark's yardstick: bare Django answering ``HttpResponse("ok")``.

One view, no middleware, no apps, no database: what Django itself costs per request under
gunicorn on this machine, the "ok" that every page is a ratio of (``tests.bench.load``).
Served with ``gunicorn tests.bench.bare_ok:application``.
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only",  # noqa: S106 - signs nothing
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_I18N=False,
)


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("ok", ok)]

application = get_wsgi_application()
