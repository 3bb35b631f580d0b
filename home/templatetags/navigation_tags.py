from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page, Site

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


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """A link per language: this page's live translation, else that language's home page."""
    request = context["request"]
    page = context.get("page")
    translations = {}
    if isinstance(page, Page):
        for candidate in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[candidate.locale.language_code] = candidate
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
