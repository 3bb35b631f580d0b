from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Page

from home.models import SiteSettings
from home.navigation import page_chrome

register = template.Library()


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """The front page of the current language and its children marked "show in menus"."""
    request = context["request"]
    current = context.get("page")
    chrome = page_chrome(request, current)
    at_home = isinstance(current, Page) and current.depth == chrome.home_depth
    return {
        "request": request,
        "home_url": reverse("wagtail_serve", args=[""]),
        "at_home": at_home,
        "items": chrome.menu,
        "current": current,
    }


def live_translations(request, page) -> dict[str, Page]:
    """The page's live translations by language code, itself included."""
    if not isinstance(page, Page):
        return {}
    return page_chrome(request, page).translations


def _description(page) -> str:
    text = page.search_description or getattr(page, "summary", "") or getattr(page, "intro", "")
    return Truncator(strip_tags(str(text))).chars(200)


@register.simple_tag(takes_context=True)
def accessibility_statement(context) -> Page | None:
    """The accessibility statement the settings name, in the reader's language if it has a
    live translation."""
    return page_chrome(context["request"], context.get("page")).statement


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context):
    """The description, Open Graph and hreflang tags of the page being shown."""
    request = context["request"]
    page = context.get("page")
    if not isinstance(page, Page):
        return {}
    alternates = [
        {"code": code, "url": other.get_full_url(request)}
        for code, other in live_translations(request, page).items()
    ]
    return {
        "page": page,
        "description": _description(page),
        "url": page.get_full_url(request),
        "alternates": alternates,
        "locale": translation.to_locale(translation.get_language()),
        "site_name": SiteSettings.for_request(request).organisation_name or "Ideatori",
    }


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """A link per language: this page's live translation, else that language's home page."""
    request = context["request"]
    translations = live_translations(request, context.get("page"))
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        target = translations.get(code)
        if target is not None:
            url = target.get_url(request)
        else:
            with translation.override(code):
                url = reverse("wagtail_serve", args=[""])
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return {"links": links}
