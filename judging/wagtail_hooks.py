from datetime import timedelta

from django.dispatch import receiver
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Locale
from wagtail.signals import page_published

from home.email_texts import EMAIL_KINDS_HOOK
from home.schedule import JOBS_HOOK, Job
from ideas.models import NEW_ROUND_HOOK, CompetitionPage

from . import admin_urls, permissions, services
from .criteria import default_criteria
from .email_kinds import EMAIL_KINDS


class JudgingMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.can_manage_judging(request.user)


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


@hooks.register("register_admin_urls")
def register_judging_urls():
    return [path("judging/", include((admin_urls, "judging_admin"), namespace="judging_admin"))]


@hooks.register("register_admin_menu_item")
def register_judging_menu_item():
    return JudgingMenuItem(
        _("Judging"), reverse("judging_admin:rounds"), icon_name="tasks", order=250
    )


@receiver(page_published)
def jury_published(sender, instance, **kwargs) -> None:
    """Publishing a round writes its jury rows: sync the Jurors group and tell new jurors."""
    if isinstance(instance, CompetitionPage):
        services.sync_jury(competition=instance)


@hooks.register(JOBS_HOOK)
def scheduled_jobs():
    """Judging opens by itself when submissions close: assigned, and each juror told once."""
    return [
        Job(
            "open_judging",
            lambda now: services.open_judging_where_due(now=now),
            every=timedelta(minutes=5),
        )
    ]


@hooks.register(EMAIL_KINDS_HOOK)
def email_kinds():
    """The jurors' e-mails whose text coordinators may write."""
    return EMAIL_KINDS
