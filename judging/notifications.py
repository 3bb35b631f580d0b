"""E-mails to jurors, sent as background tasks, each in the juror's language.

What a juror receives never names a team, a member or a service unit, blind round or not: the
e-mail only sends the juror to their list, where the round's rules apply.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from ideas.models import CompetitionPage
from ideas.notifications import language_of

from .models import Assignment, JurorNotice


def render_notice(*, competition, user, kind: str) -> tuple[str, str]:
    """The subject and body of a juror's notice, in the juror's language."""
    with translation.override(language_of(user)):
        context = {
            "competition": competition,
            "assigned": Assignment.objects.filter(
                idea__competition=competition, juror=user
            ).count(),
            "link": settings.WAGTAILADMIN_BASE_URL
            + reverse("judging:assigned", kwargs={"competition_id": competition.pk}),
            "judging_open": kind == JurorNotice.JUDGING_OPEN,
        }
        subject = render_to_string("judging/email/notice_subject.txt", context).strip()
        body = render_to_string("judging/email/notice.txt", context)
    return subject, body


@task()
def _send_notice(competition_id: int, user_id: int, kind: str) -> None:
    competition = CompetitionPage.objects.get(pk=competition_id)
    user = get_user_model().objects.select_related("profile").get(pk=user_id)
    subject, body = render_notice(competition=competition, user=user, kind=kind)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def juror_notice(*, competition_id: int, user_id: int, kind: str) -> None:
    _send_notice.enqueue(competition_id, user_id, kind)
