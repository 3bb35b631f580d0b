from wagtail import hooks
from wagtail.models import Locale

from ideas.models import NEW_ROUND_HOOK

from .criteria import default_criteria


@hooks.register(NEW_ROUND_HOOK)
def add_default_criteria(page) -> None:
    """A new round starts with the default criteria, which the editor can change."""
    if page.criteria.exists():
        return
    locale = page.locale if page.locale_id else Locale.get_default()
    page.criteria = default_criteria(language=locale.language_code)
