from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Page, Site

from home.models import SiteSettings

register = template.Library()


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """The home page of the current language and its children marked "show in menus"."""
    request = context["request"]
    site = Site.find_for_request(request)
    if site is None:
        return {"home": None, "items": []}
    home = site.root_page.localized
    items = home.get_children().live().public().in_menu().specific()
    return {"request": request, "home": home, "items": list(items), "current": context.get("page")}


def live_translations(page) -> dict[str, Page]:
    """The page's live translations by language code, itself included; read once per page."""
    if not isinstance(page, Page):
        return {}
    cached = getattr(page, "_ideatori_translations", None)
    if cached is None:
        cached = {
            candidate.locale.language_code: candidate
            for candidate in page.get_translations(inclusive=True).live().select_related("locale")
        }
        page._ideatori_translations = cached
    return cached


def _description(page) -> str:
    text = page.search_description or getattr(page, "summary", "") or getattr(page, "intro", "")
    return Truncator(strip_tags(str(text))).chars(200)


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context):
    """The description, Open Graph and hreflang tags of the page being shown."""
    request = context["request"]
    page = context.get("page")
    if not isinstance(page, Page):
        return {}
    alternates = [
        {"code": code, "url": other.get_full_url(request)}
        for code, other in live_translations(page).items()
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
    translations = live_translations(context.get("page"))
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
