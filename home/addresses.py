"""The site's public address, kept in one place: the default Wagtail Site.

Page URLs (``page.full_url``), the sitemap, the API's ``html_url``, the feed and every link in
an e-mail start from it. ``load_demo`` sets it for the demo; in production the setting
``IDEATORI_SITE_URL`` (the environment's ``DJANGO_SITE_URL``) is applied to it on every
``migrate``.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from wagtail.models import Site


def site_root_url() -> str:
    """``https://ideas.example.org`` (no trailing slash), from the default Site."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise ImproperlyConfigured("There is no default Wagtail Site; run migrate.")
    return site.root_url


def public_url(path: str) -> str:
    """The whole address of a path of this site, such as a link for an e-mail."""
    return site_root_url() + path


def set_site_address(url: str) -> Site:
    """Make the default Site answer to ``url`` (scheme, host and optional port)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"The site's address must look like https://ideas.example.org, not {url!r}."
        )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "https" and port != 443:
        # Wagtail's Site says "https" only for port 443.
        raise ImproperlyConfigured("An https address of the site must use port 443.")
    site = Site.objects.get(is_default_site=True)
    if (site.hostname, site.port) != (parts.hostname, port):
        site.hostname, site.port = parts.hostname, port
        site.save(update_fields=["hostname", "port"])
    return site
