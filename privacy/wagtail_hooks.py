from datetime import time

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from home.schedule import JOBS_HOOK, Job

from . import services
from .admin_views import ErasePersonViewSet, erase_button


@hooks.register("register_log_actions")
def register_person_erased(actions) -> None:
    actions.register_action(
        "ideatori.person_erased", _("Erase a person"), _("Person erased (their data removed)")
    )


@hooks.register("register_admin_viewset")
def register_erase_person():
    return ErasePersonViewSet()


@hooks.register("register_user_listing_buttons")
def user_listing_erase_button(user, request_user):
    return erase_button(user, request_user)


@hooks.register(JOBS_HOOK)
def scheduled_jobs():
    """Old unawarded ideas and old e-mails go every night."""
    return [
        Job("apply_retention", lambda now: services.apply_retention(now=now), daily_at=time(3, 15))
    ]
