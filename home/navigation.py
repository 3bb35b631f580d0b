"""What every public page shows around its content, read in one query: the menu of the
front page in the page's language, the page's live translations (language switcher and
hreflang), the accessibility statement in the reader's language, and the page's parent.

Each of these used to be a query or more of its own; on a page of a few outcome tables they
made the difference between a page of 15 queries and one of 20. The chrome is kept for the
site's edition (``home.memo.shared``): only a change to pages, settings or restrictions reads it
again.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q, Subquery
from django.utils import translation
from wagtail.models import Page, Site

from home.memo import private_q, remembered, shared
from home.models import SiteSettings


@dataclass
class Chrome:
    menu: list[Page] = field(default_factory=list)
    translations: dict[str, Page] = field(default_factory=dict)
    statement: Page | None = None
    parent: Page | None = None
    home_depth: int = 0


def page_chrome(request, page) -> Chrome:
    """The chrome of ``page`` (a Page, or None for a view that is not one) for this request."""
    site = Site.find_for_request(request)
    key = (
        f"chrome:{getattr(site, 'pk', '-')}:{page.pk if isinstance(page, Page) else '-'}:"
        f"{translation.get_language()}"
    )

    def compute() -> Chrome:
        return _read(request, page if isinstance(page, Page) else None)

    if isinstance(page, Page) and (page.pk is None or getattr(request, "is_preview", False)):
        # A preview's page may be unsaved, or differ from what is published: this request's.
        return remembered(key, compute)
    return shared(key, compute)


def _flag(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def _read(request, page: Page | None) -> Chrome:
    site = Site.find_for_request(request)
    if site is None:
        return Chrome()
    root = site.root_page
    language = translation.get_language()
    if page is not None and page.path and (page.depth or 0) >= root.depth:
        home_path = page.path[: root.depth * Page.steplen]
    else:
        page = None
        home_path = root.localized.path
    wanted = {
        "menu": Q(depth=root.depth + 1, path__startswith=home_path, show_in_menus=True)
        & ~private_q()
    }
    if page is not None:
        wanted["translation"] = Q(translation_key=page.translation_key)
        if page.depth > root.depth:
            wanted["parent"] = Q(path=page.path[: -Page.steplen])
    chosen = SiteSettings.for_request(request).accessibility_statement_id
    if chosen:
        statement_key = Page.objects.filter(pk=chosen).values("translation_key")
        wanted["statement"] = Q(translation_key=Subquery(statement_key)) & (
            Q(locale__language_code=language) | Q(pk=chosen)
        )
    either = Q()
    for q in wanted.values():
        either |= q
    rows = (
        Page.objects.live()
        .filter(either)
        .annotate(**{f"is_{name}": _flag(q) for name, q in wanted.items()})
        .select_related("locale")
        .order_by("path")
    )
    chrome = Chrome(home_depth=root.depth)
    statements = []
    for row in rows:
        if row.is_menu:
            chrome.menu.append(row)
        if getattr(row, "is_translation", False):
            chrome.translations[row.locale.language_code] = row
        if getattr(row, "is_parent", False):
            chrome.parent = row
        if getattr(row, "is_statement", False):
            statements.append(row)
    # The statement in the reader's language, else the page the settings chose.
    statements.sort(key=lambda row: row.locale.language_code != language)
    chrome.statement = statements[0] if statements else None
    return chrome
