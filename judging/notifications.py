"""E-mails to jurors, through the outbox (``home.outbox``), each in the juror's language.

What a juror receives never names a team, a member or a service unit, blind round or not: the
e-mail only sends the juror to their list, where the round's rules apply.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation

from home.accounts import organisation_name
from home.addresses import public_url
from home.mail import render_message, send_message
from ideas.models import Stage
from ideas.notifications import display_name, language_of

from .models import Assignment, JurorInvitation, JurorNotice


def render_notice(*, competition, user, kind: str) -> tuple[str, str]:
    """The subject and body of a juror's notice, in the juror's language: named to the jury,
    judging open (with the ideas of the first stage), or the final stage begun (with the
    shortlisted ideas the juror scores)."""
    language = language_of(user)
    with translation.override(language):
        link = public_url(reverse("judging:assigned", kwargs={"competition_id": competition.pk}))
    final_stage = kind == JurorNotice.FINAL_STAGE
    stage = Stage.FINAL if final_stage else Stage.SCREENING
    context = {
        "competition": competition,
        "assigned": Assignment.objects.filter(
            idea__competition=competition, juror=user, stage=stage
        ).count(),
        "link": link,
        "judging_open": kind == JurorNotice.JUDGING_OPEN,
        "final_stage": final_stage,
        # Until when this stage's scores can change: the screening's end, or judging's.
        "deadline": competition.stage_closes_at(stage),
    }
    return render_message(template="judging/email/notice", context=context, language=language)


def render_reminder(
    *, competition, user, unfinished: int, stage: Stage = Stage.SCREENING
) -> tuple[str, str]:
    """A reminder to a juror with unfinished reviews of ``stage``, in the juror's language."""
    language = language_of(user)
    with translation.override(language):
        link = public_url(reverse("judging:assigned", kwargs={"competition_id": competition.pk}))
    context = {
        "competition": competition,
        "unfinished": unfinished,
        "link": link,
        "deadline": competition.stage_closes_at(stage),
        "screening": competition.two_stage and stage == Stage.SCREENING,
    }
    return render_message(
        template="judging/email/juror_reminder", context=context, language=language
    )


def juror_notice(
    *,
    notice: JurorNotice,
    unfinished: dict[int, int] | None = None,
    stage: Stage = Stage.SCREENING,
) -> None:
    """Send the notice to its juror through the outbox; its ``sent_at`` follows delivery.
    A reminder (its kind begins "reminder:") says how many reviews of ``stage`` the juror has
    left, and until when."""
    user = get_user_model().objects.select_related("profile").get(pk=notice.user_id)
    if notice.kind.startswith("reminder:"):
        subject, body = render_reminder(
            competition=notice.competition,
            user=user,
            unfinished=(unfinished or {}).get(user.pk, 0),
            stage=stage,
        )
    else:
        subject, body = render_notice(competition=notice.competition, user=user, kind=notice.kind)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.receipt = notice
    message.send()


def juror_invitation(*, invitation: JurorInvitation, link: str) -> None:
    """The invitation to the jury, in the language the coordinator chose, with its link; the
    invitation's ``sent_at`` follows delivery."""
    with translation.override(invitation.language):
        organisation = organisation_name()
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "competition": invitation.competition,
        "link": link,
        "inviter": display_name(inviter) if inviter is not None else "",
        "organisation": organisation,
    }
    send_message(
        to=invitation.email,
        template="judging/email/juror_invitation",
        context=context,
        language=invitation.language,
        receipt=invitation,
    )
