"""Automatic e-mails whose text coordinators write themselves, per language.

The rules:

1. Each automatic e-mail is a *kind*: a key, the built-in template it replaces (e.g.
   ``ideas/email/receipt``), a label, the placeholders it offers and, where one template
   serves two messages (a receipt and the receipt of a change), which context it applies to.
   Apps register their kinds through the ``register_email_kinds`` Wagtail hook, so that the
   site shell imports neither ideas nor judging; adding a kind is one ``EmailKind`` in the
   owning app's ``email_kinds.py``.
2. A placeholder is a name in single braces, ``{title}`` (spaces inside the braces allowed).
   It is replaced by a plain-text value the kind computes from the e-mail's context, in one
   pass: a value that itself contains ``{link}`` stays as it is. Nothing else in the text is
   interpreted, so a text can reach no data but what its kind offers.
3. A text is refused when it names a placeholder its kind does not offer, or has a brace that
   is not part of a placeholder (``{{title}}``, ``{title``).
4. A coordinator's text for the recipient's language replaces the built-in one; with none, or
   one its kind no longer accepts (a placeholder taken away since), the built-in text is sent.
   The subject is one line, as typed; nothing is HTML-escaped.
"""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail import hooks

logger = logging.getLogger(__name__)

EMAIL_KINDS_HOOK = "register_email_kinds"

PLACEHOLDER = re.compile(r"\{\s*([^{}]*?)\s*\}")


@dataclass(frozen=True)
class Placeholder:
    """``{name}`` in a text: ``value`` reads it from the e-mail's context, ``sample`` stands in
    for it in the preview. Either may be a datetime (shown in the reader's format, Helsinki
    time), a number or text; ``sample`` may be a callable, read when the preview is made."""

    name: str
    help_text: str | Promise
    value: Callable[[dict], object]
    sample: object


def always(context: dict) -> bool:
    return True


@dataclass(frozen=True)
class EmailKind:
    key: str
    template: str
    label: str | Promise
    placeholders: tuple[Placeholder, ...]
    applies: Callable[[dict], bool] = always

    def placeholder(self, name: str) -> Placeholder | None:
        return next((p for p in self.placeholders if p.name == name), None)

    @property
    def names(self) -> list[str]:
        return [placeholder.name for placeholder in self.placeholders]


def kinds() -> dict[str, EmailKind]:
    """Every registered kind by its key, in the order the apps register them."""
    found: dict[str, EmailKind] = {}
    for register in hooks.get_hooks(EMAIL_KINDS_HOOK):
        for kind in register():
            if kind.key in found:
                raise ImproperlyConfigured(f"Two e-mail kinds are called {kind.key!r}.")
            found[kind.key] = kind
    return found


def kind_choices() -> list[tuple[str, str]]:
    """The kinds for a form's select (the model field's choices, read when needed)."""
    return [(key, kind.label) for key, kind in kinds().items()]


def kind_for(template: str, context: dict) -> EmailKind | None:
    """The kind a message of ``template`` with ``context`` is, if coordinators may write it."""
    return next(
        (kind for kind in kinds().values() if kind.template == template and kind.applies(context)),
        None,
    )


# --- the placeholder syntax ---------------------------------------------------------------------


def as_text(value) -> str:
    if callable(value):
        value = value()
    if isinstance(value, datetime):
        moment = date_format(timezone.localtime(value), "DATETIME_FORMAT")
        return f"{moment} ({_('Helsinki time')})"
    return "" if value is None else str(value)


def braced(names: Iterable[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in names)


def check_text(text: str, kind: EmailKind) -> None:
    """Refuse a text that names a placeholder ``kind`` does not offer or has a stray brace;
    the message names what was wrong and what the kind offers."""
    unknown = []
    for name in PLACEHOLDER.findall(text):
        if kind.placeholder(name) is None and name not in unknown:
            unknown.append(name)
    if unknown:
        raise ValidationError(
            ngettext(
                "Unknown placeholder %(unknown)s. This e-mail offers %(offered)s.",
                "Unknown placeholders %(unknown)s. This e-mail offers %(offered)s.",
                len(unknown),
            )
            % {"unknown": braced(unknown), "offered": braced(kind.names)},
            code="unknown_placeholder",
        )
    rest = PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        raise ValidationError(
            _(
                "A brace is not part of a placeholder. Write a placeholder in single braces, "
                "for example %(example)s."
            )
            % {"example": braced(kind.names[:1]) or "{name}"},
            code="stray_brace",
        )


def fill(text: str, values: Callable[[str], str]) -> str:
    """``text`` with each placeholder replaced by ``values(name)``, in one pass."""
    return PLACEHOLDER.sub(lambda match: values(match.group(1)), text)


def one_line(subject: str) -> str:
    return " ".join(subject.split())


def render(*, kind: EmailKind, subject: str, body: str, context: dict) -> tuple[str, str]:
    """A coordinator's text filled from a real e-mail's context (in the active language).

    Only the placeholders the text names are read. Raises ``ValidationError`` for a text its
    kind no longer accepts."""
    check_text(subject, kind)
    check_text(body, kind)
    read: dict[str, str] = {}

    def value(name: str) -> str:
        if name not in read:
            read[name] = as_text(kind.placeholder(name).value(context))
        return read[name]

    return one_line(fill(subject, value)), fill(body, value)


def render_sample(*, kind: EmailKind, subject: str, body: str) -> tuple[str, str]:
    """The preview: the text filled with each placeholder's sample (in the active language)."""

    def value(name: str) -> str:
        placeholder = kind.placeholder(name)
        return as_text(placeholder.sample) if placeholder else f"{{{name}}}"

    return one_line(fill(subject, value)), fill(body, value)


def placeholder_list(kind: EmailKind) -> list[dict[str, str]]:
    """What the form shows of a kind: each placeholder, what it holds and an example."""
    return [
        {
            "token": f"{{{placeholder.name}}}",
            "help_text": str(placeholder.help_text),
            "sample": as_text(placeholder.sample),
        }
        for placeholder in kind.placeholders
    ]
