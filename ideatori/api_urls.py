"""Routes of the open-data API, without language prefixes (see ideatori.middleware)."""

from django.urls import path

from ideas.api import api_router

urlpatterns = [path("api/v2/", api_router.urls)]
