"""The project's URLs plus one view that fails, to show the 500 page."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from ideatori.urls import urlpatterns as project_urlpatterns


def fail(request):
    raise RuntimeError("A failure the error page must hide.")


urlpatterns = i18n_patterns(path("fail/", fail)) + project_urlpatterns
