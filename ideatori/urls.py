from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home import sso
from home.page_cache import page_cacheable
from home.sitemap import MultilingualSitemap
from home.views import admin_login_redirect, csp_report, favicon, healthz, site_colours
from ideatori import api_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("site-colours.css", site_colours, name="site_colours"),
    path(settings.IDEATORI_CSP_REPORT_URL.lstrip("/"), csp_report, name="csp_report"),
    # The admin's own sign-in form is replaced by the site's, which is rate-limited.
    path("admin/login/", admin_login_redirect),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path(
        "sitemap.xml",
        page_cacheable(sitemap),
        {"sitemaps": {"pages": MultilingualSitemap}},
        name="sitemap",
    ),
    # Served through ideatori.api_urls (see ideatori.middleware); here so that links reverse.
    *api_urls.urlpatterns,
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    # allauth's OpenID Connect sign-in, with the ID token's signature always checked: the
    # same addresses and names as allauth's, matched first.
    path("accounts/oidc/<str:provider_id>/login/", sso.oidc_login, name="openid_connect_login"),
    path(
        "accounts/oidc/<str:provider_id>/login/callback/",
        sso.oidc_callback,
        name="openid_connect_callback",
    ),
    # allauth's end of a SAML sign-in, accepting each assertion once and refusing with the
    # sign-in-failure page: the same address and name as allauth's, matched first.
    path(
        "accounts/saml/<str:organization_slug>/acs/finish/",
        sso.saml_finish_acs,
        name="saml_finish_acs",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("ideas.urls")),
    path("", include("judging.urls")),
    path("", include("privacy.urls")),
    # Wagtail's page serving catches every other path, so it comes last.
    path("", include(wagtail_urls)),
)
