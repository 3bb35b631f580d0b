"""The e-mails to teams and coordinators whose text coordinators may write themselves.

Each kind names the built-in template it replaces and the placeholders it offers, read from
the context ``notifications`` renders that template with (see ``home.email_texts``). Adding a
kind is one more ``EmailKind`` in ``EMAIL_KINDS``.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from home.email_texts import EmailKind, Placeholder

from .models.ideas import field_labels
from .notifications import display_name

SAMPLE_DEADLINE = datetime(2026, 3, 31, 16, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
SAMPLE_TITLE = _("Psychologist within reach")
SAMPLE_TEAM = _("Child health clinic and mental health services")
SAMPLE_ROUND = _("Innovation competition 2026")
SAMPLE_LINK = "https://ideas.example.org/…"


def idea_text(pairs) -> str:
    """The idea's text as the built-in receipt shows it: each label, then its text."""
    return "\n\n".join(f"{capfirst(label)}\n{value or '–'}" for label, value in pairs)


def sample_idea_text() -> str:
    samples = {
        "title": SAMPLE_TITLE,
        "summary": gettext(
            "A public health nurse who is worried about a parent consults a psychologist "
            "quickly, and the psychologist contacts the family when needed."
        ),
    }
    return idea_text((label, samples.get(name)) for name, label in field_labels().items())


def draft_titles(context: dict) -> str:
    return "\n".join(f"- {idea.title or gettext('Untitled idea')}" for idea in context["ideas"])


TITLE = Placeholder(
    "title", _("the idea's title"), lambda context: context["idea"].title, SAMPLE_TITLE
)
TEAM = Placeholder(
    "team", _("the team's name"), lambda context: context["idea"].team.name, SAMPLE_TEAM
)
ROUND = Placeholder(
    "competition",
    _("the round's title in the recipient's language"),
    lambda context: context["idea"].competition.reader_title,
    SAMPLE_ROUND,
)
DEADLINE = Placeholder(
    "deadline",
    _("the round's deadline for submissions"),
    lambda context: context["deadline"],
    SAMPLE_DEADLINE,
)
TEXT = Placeholder(
    "text",
    _("the idea's whole text, each field under its label"),
    lambda context: idea_text(context["text"]),
    sample_idea_text,
)
CHANGED_BY = Placeholder(
    "changed_by",
    _("who changed the idea"),
    lambda context: context["changed_by"],
    pgettext_lazy("a sample name", "Maija Meikäläinen"),
)


def is_change(context: dict) -> bool:
    return bool(context.get("changed_by"))


def is_first_receipt(context: dict) -> bool:
    return not is_change(context)


EMAIL_KINDS = [
    EmailKind(
        key="receipt",
        template="ideas/email/receipt",
        label=_("Receipt of a submitted idea, to its team"),
        placeholders=(TITLE, TEAM, ROUND, TEXT, DEADLINE),
        applies=is_first_receipt,
    ),
    EmailKind(
        key="receipt_changed",
        template="ideas/email/receipt",
        label=_("A submitted idea was changed, to its team"),
        placeholders=(TITLE, TEAM, ROUND, TEXT, DEADLINE, CHANGED_BY),
        applies=is_change,
    ),
    EmailKind(
        key="invitation",
        template="ideas/email/invitation",
        label=_("Invitation to a team"),
        placeholders=(
            Placeholder(
                "team",
                _("the team's name"),
                lambda context: context["invitation"].team.name,
                SAMPLE_TEAM,
            ),
            Placeholder(
                "invited_by",
                _("who sent the invitation"),
                lambda context: (
                    display_name(invited_by)
                    if (invited_by := context["invitation"].invited_by)
                    else ""
                ),
                pgettext_lazy("a sample name", "Maija Meikäläinen"),
            ),
            Placeholder(
                "link",
                _("the link to accept or decline (works once, for 7 days)"),
                lambda context: context["link"],
                SAMPLE_LINK,
            ),
        ),
    ),
    EmailKind(
        key="reminder",
        template="ideas/email/reminder",
        label=_("Deadline reminder to a team with a draft"),
        placeholders=(
            Placeholder(
                "team", _("the team's name"), lambda context: context["team"].name, SAMPLE_TEAM
            ),
            Placeholder(
                "ideas",
                _("the titles of the team's unsubmitted drafts, one a line"),
                draft_titles,
                lambda: f"- {SAMPLE_TITLE}",
            ),
            DEADLINE,
        ),
    ),
    EmailKind(
        key="withdrawn",
        template="ideas/email/withdrawn",
        label=_("Withdrawal notice, to the team"),
        placeholders=(
            TITLE,
            TEAM,
            ROUND,
            Placeholder(
                "deadline",
                _("the round's deadline for submissions"),
                lambda context: context["idea"].competition.closes_at,
                SAMPLE_DEADLINE,
            ),
        ),
    ),
    EmailKind(
        key="outcome_reminder",
        template="ideas/email/outcome_reminder",
        label=_("Outcome update reminder, to coordinators"),
        placeholders=(
            Placeholder(
                "title",
                _("the winning innovation's title"),
                lambda context: context["page"].title,
                SAMPLE_TITLE,
            ),
            Placeholder(
                "months",
                _("months since the round's results (6 or 12)"),
                lambda context: context["months"],
                6,
            ),
            Placeholder(
                "link",
                _("the link to the innovation's page in the admin"),
                lambda context: context["link"],
                SAMPLE_LINK,
            ),
        ),
    ),
]
