"""E-mails as their recipients read them: plain text in the recipient's language.

A message is two templates, ``<name>_subject.txt`` and ``<name>.txt``, rendered without HTML
escaping (a title with "<", "&" or "'" arrives as typed) with the recipient's language active.
The subject is one line.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context
from django.template.loader import get_template
from django.utils import translation


def render_plain(template_name: str, context: dict) -> str:
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_message(*, template: str, context: dict, language: str) -> tuple[str, str]:
    """The subject and body of ``template`` in ``language``."""
    with translation.override(language):
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
