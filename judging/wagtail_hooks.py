from datetime import timedelta

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.models import Locale
from wagtail.signals import page_published

from home.email_texts import EMAIL_KINDS_HOOK
from home.schedule import JOBS_HOOK, Job
from ideas.models import NEW_ROUND_HOOK, CompetitionPage

from . import permissions, services
from .admin import judging_viewset
from .choosers import user_chooser_viewset
from .criteria import default_criteria
from .email_kinds import EMAIL_KINDS
from .jury_admin import JuryViewSet


@hooks.register(NEW_ROUND_HOOK)
def add_default_criteria(page) -> None:
    """A new round starts with the default criteria, which the editor can change."""
    if page.criteria.exists():
        return
    locale = page.locale if page.locale_id else Locale.get_default()
    page.criteria = default_criteria(language=locale.language_code)


@hooks.register("register_log_actions")
def register_judging_actions(actions) -> None:
    actions.register_action(
        "ideatori.conflict_set", _("Set a conflict of interest"), _("Conflict of interest set")
    )
    actions.register_action(
        "ideatori.conflict_lifted",
        _("Lift a conflict of interest"),
        _("Conflict of interest lifted"),
    )
    actions.register_action(
        "ideatori.assignments_generated", _("Assign ideas to jurors"), _("Ideas assigned")
    )
    actions.register_action(
        "ideatori.assignment_added", _("Add an assignment"), _("Assignment added")
    )
    actions.register_action(
        "ideatori.assignment_removed", _("Remove an assignment"), _("Assignment removed")
    )
    actions.register_action(
        "ideatori.decision_recorded", _("Record the jury's decision"), _("Jury's decision recorded")
    )
    actions.register_action(
        "ideatori.message_sent", _("Write to the round's people"), _("Message sent")
    )
    actions.register_action("ideatori.juror_added", _("Add a juror"), _("Juror added"))
    actions.register_action(
        "ideatori.shortlist_chosen", _("Choose the shortlist"), _("Shortlist chosen")
    )
    actions.register_action(
        "ideatori.meeting_votes_recorded",
        _("Record the meeting's votes"),
        _("Meeting's votes recorded"),
    )


@hooks.register("register_admin_viewset")
def register_judging_screens():
    return [judging_viewset, JuryViewSet(), user_chooser_viewset]


def jury_button(page, user, priority: int):
    if not issubclass(page.specific_class or type(page), CompetitionPage):
        return
    if permissions.can_manage_jury(user):
        yield Button(
            _("Jury"),
            url=reverse("jury:round", args=[page.specific.canonical().pk]),
            icon_name="group",
            priority=priority,
        )


@hooks.register("register_page_header_buttons")
def page_header_jury_button(page, user, view_name=None, next_url=None):
    """The round's jury screen, from the round's page in the admin."""
    yield from jury_button(page, user, priority=68)


@hooks.register("register_page_listing_more_buttons")
def page_listing_jury_button(page, user, next_url=None):
    yield from jury_button(page, user, priority=55)


@receiver(page_published)
def jury_published(sender, instance, **kwargs) -> None:
    """Publishing a round writes its jury rows: sync the Jurors group and tell new jurors."""
    if isinstance(instance, CompetitionPage):
        services.sync_jury(competition=instance)


@hooks.register(JOBS_HOOK)
def scheduled_jobs():
    """Judging opens by itself when submissions close (assigned, each juror told once), and
    jurors with unfinished reviews are reminded before it ends."""
    return [
        Job(
            "open_judging",
            lambda now: services.open_judging_where_due(now=now),
            every=timedelta(minutes=5),
        ),
        Job(
            "juror_reminders", lambda now: services.remind_jurors(now=now), every=timedelta(hours=1)
        ),
    ]


@hooks.register(EMAIL_KINDS_HOOK)
def email_kinds():
    """The jurors' e-mails whose text coordinators may write."""
    return EMAIL_KINDS
