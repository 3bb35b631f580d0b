"""Next year's round from a round: its dates a year on, its new name, its page in every
language. ``services.copy_round`` is the one caller; it checks permission and owns the
transaction.

The round's child rows (criteria, and whatever else another app keeps on the round's page) are
copied by Wagtail's ``Page.copy``, which copies every ``ParentalKey`` relation, so ``ideas``
copies ``judging``'s criteria without importing ``judging``.
"""

import re
import uuid
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import pgettext
from wagtail.coreutils import find_available_slug
from wagtail.models import TranslatableMixin
from wagtail_localize.models import Translation, TranslationSource

from .models import CompetitionPage
from .models.pages import ROUND_DATE_FIELDS, ROUND_FIELDS

# The jury is people, who change from year to year: the coordinator names next year's jurors.
# ("jury_members" is judging's relation on the round, like "criteria" in the round's panels.)
NOT_COPIED = ["jury_members"]

YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def a_year_later(moment: datetime) -> datetime:
    """The same wall-clock time on the same date a year later in the site's time zone
    (Helsinki), whatever summer time does in between; 29 February becomes 28 February."""
    zone = timezone.get_default_timezone()
    local = timezone.localtime(moment, zone)
    try:
        day = local.date().replace(year=local.year + 1)
    except ValueError:  # 29 February
        day = date(local.year + 1, 2, 28)
    return datetime.combine(day, local.time(), tzinfo=zone)


def round_years(competition: CompetitionPage) -> set[int]:
    """The years (in the site's time zone) in which the round's dates fall."""
    zone = timezone.get_default_timezone()
    return {timezone.localtime(getattr(competition, name), zone).year for name in ROUND_DATE_FIELDS}


def move_years_on(text: str, years: set[int]) -> str:
    """``text`` with each of ``years`` that stands alone in it moved on by one; other numbers
    ("a strategy for 2030") stay as they are."""
    return YEAR.sub(
        lambda found: str(int(found[0]) + 1) if int(found[0]) in years else found[0], text
    )


def copy_word(language: str) -> str:
    with translation.override(language):
        return pgettext("added to the title of a copied round", "copy")


def next_title(title: str, years: set[int], language: str) -> str:
    """The year moved on where the title names one of the round's years, else "(copy)"."""
    moved = move_years_on(title, years)
    return moved if moved != title else f"{title} ({copy_word(language)})"


def next_slug(slug: str, years: set[int], language: str) -> str:
    moved = move_years_on(slug, years)
    return moved if moved != slug else f"{slug}-{slugify(copy_word(language))}"


def copy_page(
    page: CompetitionPage, *, by, keys: dict, years: set[int], attrs: dict
) -> CompetitionPage:
    """A draft copy of one language's page of a round beside it, without its revisions, ideas,
    innovation pages or jury, named for next year, with ``attrs`` set.

    Translatable child rows (criteria) get new translation keys, the same new key for the
    same old one in ``keys``: the copies of a round's pages stay translations of each other.
    """
    language = page.locale.language_code
    title = next_title(page.title, years, language)

    def new_translation_key(original, copy, relation, child) -> None:
        if isinstance(child, TranslatableMixin):
            child.translation_key = keys.setdefault(child.translation_key, uuid.uuid4())

    return page.copy(
        update_attrs={
            "title": title,
            "draft_title": title,
            "slug": find_available_slug(page.get_parent(), next_slug(page.slug, years, language)),
            "results_published_at": None,
            "locked": False,
            "locked_at": None,
            "locked_by": None,
            "go_live_at": None,
            "expire_at": None,
            "expired": False,
            **attrs,
        },
        exclude_fields=NOT_COPIED,
        copy_revisions=False,
        keep_live=False,
        user=by,
        process_child_object=new_translation_key,
        reset_translation_key=False,
    ).specific


def synced_translation(page: CompetitionPage, locale) -> Translation | None:
    """The wagtail-localize translation that keeps ``page``'s page in ``locale`` in step with it,
    if that page is made (and still edited) through wagtail-localize."""
    return Translation.objects.filter(
        source__object_id=page.translation_key,
        source__locale=page.locale,
        target_locale=locale,
        enabled=True,
    ).first()


def translate_through_localize(
    *, old: Translation, new: CompetitionPage, keys: dict, years: set[int], by
) -> CompetitionPage:
    """``new``'s page in ``old``'s language, made by wagtail-localize as a draft from the
    strings ``old`` translated, so that its translation stays synced and editable there.

    A string keeps its translation where the same text sits at the same place (criteria
    matched through ``keys``); the title and the slug, renamed on ``new``, take the old
    translation renamed by the same rule. A string with no translation shows ``new``'s text,
    and wagtail-localize lists it as waiting for a translation.
    """
    locale = old.target_locale
    language = locale.language_code
    old_keys = {str(copied): str(original) for original, copied in keys.items()}

    def old_context(path: str) -> str:
        return ".".join(old_keys.get(part, part) for part in path.split("."))

    entries = [entry for entry in old.export_po() if entry.msgstr]
    translated = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in entries}
    current = {entry.msgctxt: entry.msgstr for entry in entries if not entry.obsolete}
    renamed = {
        "title": lambda text: next_title(text, years, language),
        "slug": lambda text: next_slug(text, years, language),
    }
    source, _created = TranslationSource.get_or_create_from_instance(new)
    target = Translation.objects.create(source=source, target_locale=locale)
    po = target.export_po()
    for entry in po:
        context = old_context(entry.msgctxt)
        entry.msgstr = translated.get((context, entry.msgid), "")
        if not entry.msgstr and context in renamed and context in current:
            entry.msgstr = renamed[context](current[context])
    target.import_po(po, user=by)
    target.save_target(user=by, publish=False)
    return new.get_translation(locale).specific


def copy_translations(
    *, old: CompetitionPage, new: CompetitionPage, keys: dict, years: set[int], by
) -> list[CompetitionPage]:
    """Make each other language's page of ``old`` a draft translation of ``new``, carrying
    its translated texts: through wagtail-localize where that page is synced by it, else as a
    copy of that page (a translation edited by hand stays one)."""
    made = []
    round_values = {name: getattr(new, name) for name in ROUND_FIELDS}
    for page in old.get_translations().type(CompetitionPage).specific():
        synced = synced_translation(old, page.locale)
        if synced is not None:
            made.append(
                translate_through_localize(old=synced, new=new, keys=keys, years=years, by=by)
            )
        else:
            attrs = {"translation_key": new.translation_key, **round_values}
            made.append(copy_page(page, by=by, keys=keys, years=years, attrs=attrs))
    return made
