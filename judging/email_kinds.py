"""The e-mails to jurors whose text coordinators may write themselves (``home.email_texts``).

A juror's e-mail never names a team, a member or a service unit, blind round or not, so no
kind here offers a placeholder that could. Adding a kind is one more ``EmailKind`` in
``EMAIL_KINDS``.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from home.email_texts import EmailKind, Placeholder

SAMPLE_MOMENT = datetime(2026, 4, 15, 16, 0, tzinfo=ZoneInfo("Europe/Helsinki"))

ROUND = Placeholder(
    "competition",
    _("the round's title in the juror's language"),
    lambda context: context["competition"].reader_title,
    _("Innovation competition 2026"),
)
LINK = Placeholder(
    "link",
    _("the link to the juror's list of ideas"),
    lambda context: context["link"],
    "https://ideas.example.org/…",
)


def is_judging_open(context: dict) -> bool:
    return bool(context.get("judging_open"))


def is_final_stage(context: dict) -> bool:
    return bool(context.get("final_stage"))


def is_jury_set(context: dict) -> bool:
    return not is_judging_open(context) and not is_final_stage(context)


EMAIL_KINDS = [
    EmailKind(
        key="jury_set",
        template="judging/email/notice",
        label=_("Notice to a juror named to a round's jury"),
        placeholders=(
            ROUND,
            Placeholder(
                "judging_opens",
                _("when submissions close and judging opens"),
                lambda context: context["competition"].closes_at,
                SAMPLE_MOMENT,
            ),
            LINK,
        ),
        applies=is_jury_set,
    ),
    EmailKind(
        key="judging_open",
        template="judging/email/notice",
        label=_("Notice to a juror that judging has opened"),
        placeholders=(
            ROUND,
            Placeholder(
                "assigned",
                _("how many ideas the juror has to review"),
                lambda context: context["assigned"],
                5,
            ),
            Placeholder(
                "deadline",
                _("when scores can last be changed (the end of the screening in two stages)"),
                lambda context: context["deadline"],
                SAMPLE_MOMENT,
            ),
            LINK,
        ),
        applies=is_judging_open,
    ),
    EmailKind(
        key="final_stage",
        template="judging/email/notice",
        label=_("Notice to a juror that the final stage has begun, with the shortlist"),
        placeholders=(
            ROUND,
            Placeholder(
                "assigned",
                _("how many shortlisted ideas the juror scores"),
                lambda context: context["assigned"],
                3,
            ),
            Placeholder(
                "deadline",
                _("when judging ends"),
                lambda context: context["deadline"],
                SAMPLE_MOMENT,
            ),
            LINK,
        ),
        applies=is_final_stage,
    ),
    EmailKind(
        key="juror_reminder",
        template="judging/email/juror_reminder",
        label=_("Reminder to a juror with unfinished reviews"),
        placeholders=(
            ROUND,
            Placeholder(
                "unfinished",
                _("how many reviews the juror has not finished"),
                lambda context: context["unfinished"],
                3,
            ),
            Placeholder(
                "deadline",
                _("when the stage ends: the screening, or judging"),
                lambda context: context["deadline"],
                SAMPLE_MOMENT,
            ),
            LINK,
        ),
    ),
    EmailKind(
        key="juror_invitation",
        template="judging/email/juror_invitation",
        label=_("Invitation to a round's jury for a person without an account"),
        placeholders=(
            ROUND,
            Placeholder(
                "name",
                _("the invited person's name, as the coordinator typed it"),
                lambda context: context["invitation"].name,
                "Maria Virtanen",
            ),
            Placeholder(
                "email",
                _("the invited address, which the new account will have"),
                lambda context: context["invitation"].email,
                "maria.virtanen@example.org",
            ),
            Placeholder(
                "inviter",
                _("the coordinator who sent the invitation"),
                lambda context: context["inviter"],
                "Liisa Laine",
            ),
            Placeholder(
                "organisation",
                _("the organisation's name in the reader's language"),
                lambda context: context["organisation"],
                _("City of Example"),
            ),
            Placeholder(
                "expires",
                _("until when the link works"),
                lambda context: context["invitation"].expires_at,
                SAMPLE_MOMENT,
            ),
            Placeholder(
                "link",
                _("the link that creates the account and joins the jury (works once)"),
                lambda context: context["link"],
                "https://ideas.example.org/…",
            ),
        ),
    ),
]
