"""E-mails as their recipients read them: plain text in the recipient's language.

A message is two templates, ``<name>_subject.txt`` and ``<name>.txt``, rendered without HTML
escaping (a title with "<", "&" or "'" arrives as typed) with the recipient's language active.
The subject is one line.

Where a coordinator has written the text of an automatic e-mail in the recipient's language
(``EmailText``, see ``home.email_texts``), that text is sent instead of the templates.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from . import email_texts
from .models import EmailText

logger = logging.getLogger(__name__)


def render_plain(template_name: str, context: dict) -> str:
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_message(*, template: str, context: dict, language: str) -> tuple[str, str]:
    """The subject and body of ``template`` in ``language``: the coordinators' text for that
    language where there is one, else the built-in templates."""
    with translation.override(language):
        edited = render_edited(template=template, context=context, language=language)
        if edited is not None:
            return edited
        subject = " ".join(render_plain(f"{template}_subject.txt", context).split())
        body = render_plain(f"{template}.txt", context)
    return subject, body


def send_message(*, to: str, template: str, context: dict, language: str, receipt=None) -> None:
    """Render and send through ``EMAIL_BACKEND`` (the outbox, ``home.outbox``): ``receipt``,
    a row with ``sent_at``, gets it when the message is delivered."""
    subject, body = render_message(template=template, context=context, language=language)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    message.receipt = receipt
    message.send()


def render_edited(*, template: str, context: dict, language: str) -> tuple[str, str] | None:
    kind = email_texts.kind_for(template, context)
    if kind is None:
        return None
    text = EmailText.objects.filter(kind=kind.key, language=language).first()
    if text is None:
        return None
    try:
        return email_texts.render(kind=kind, subject=text.subject, body=text.body, context=context)
    except ValidationError:
        # Saved before its kind stopped offering a placeholder: the built-in text goes instead.
        logger.warning("E-mail text %s (%s) no longer fits its kind", kind.key, language)
        return None
