"""The one way a list is split into pages: every paginated view and page calls ``paginate``."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

PER_PAGE = 12


@dataclass(frozen=True)
class Paginated:
    page: Page
    # The request's query without "page", so that the page links keep the filters.
    query: str


def paginate(request, items, *, per_page: int = PER_PAGE) -> Paginated:
    """The requested page of ``items``; a missing, unknown or too large page number gives
    the nearest page rather than an error."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return Paginated(page=page, query=query.urlencode())


def first_page(items: list, count: int, *, per_page: int = PER_PAGE) -> Paginated:
    """The first page of a list of ``count`` items whose first ``per_page`` are ``items``:
    for a list kept in the shared cache that way (``home.memo.shared``), not read again."""
    paginator = Paginator(items, per_page)
    paginator.count = count  # Paginator's own cached value, known already
    return Paginated(page=paginator.page(1), query="")
