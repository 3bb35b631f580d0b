"""E-mails to jurors, sent as background tasks, each in the juror's language.

What a juror receives never names a team, a member or a service unit, blind round or not: the
e-mail only sends the juror to their list, where the round's rules apply.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from home.addresses import public_url
from home.mail import render_message
from ideas.models import CompetitionPage
from ideas.notifications import language_of

from .models import Assignment, JurorNotice


def render_notice(*, competition, user, kind: str) -> tuple[str, str]:
    """The subject and body of a juror's notice, in the juror's language."""
    language = language_of(user)
    with translation.override(language):
        link = public_url(reverse("judging:assigned", kwargs={"competition_id": competition.pk}))
    context = {
        "competition": competition,
        "assigned": Assignment.objects.filter(idea__competition=competition, juror=user).count(),
        "link": link,
        "judging_open": kind == JurorNotice.JUDGING_OPEN,
    }
    return render_message(template="judging/email/notice", context=context, language=language)


@task()
def _send_notice(competition_id: int, user_id: int, kind: str) -> None:
    competition = CompetitionPage.objects.get(pk=competition_id)
    user = get_user_model().objects.select_related("profile").get(pk=user_id)
    subject, body = render_notice(competition=competition, user=user, kind=kind)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def juror_notice(*, competition_id: int, user_id: int, kind: str) -> None:
    _send_notice.enqueue(competition_id, user_id, kind)
