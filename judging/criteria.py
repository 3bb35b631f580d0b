"""The criteria a new round starts with: the grounds the model case's jury gave."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import Criterion

# (name, description, lowest score means, highest score means), marked for translation and
# translated into the round's own language when a round is created.
DEFAULT_CRITERIA = [
    (
        gettext_noop("Target group"),
        gettext_noop("How important the client group is and how great its need."),
        gettext_noop("A small need, already well served"),
        gettext_noop("A pressing need that no service meets today"),
    ),
    (
        gettext_noop("Impact"),
        gettext_noop("How many clients and services the change reaches, and how deeply."),
        gettext_noop("A small change for few clients"),
        gettext_noop("A lasting change for many clients and several services"),
    ),
    (
        gettext_noop("Streamlined service pathway"),
        gettext_noop(
            "The client actually gets an appointment and nobody drops out between services."
        ),
        gettext_noop("The pathway stays as fragmented as before"),
        gettext_noop("One unbroken chain of care from first contact to follow-up"),
    ),
    (
        gettext_noop("Multi-professional cooperation"),
        gettext_noop(
            "The client's whole need for services is assessed by professionals working together."
        ),
        gettext_noop("One profession works alone"),
        gettext_noop("Several professions assess and plan together as routine"),
    ),
    (
        gettext_noop("Transferability"),
        gettext_noop("How well the model could serve other client groups or other units."),
        gettext_noop("Fits only this one situation"),
        gettext_noop("Ready to be taken up by other groups and units"),
    ),
    (
        gettext_noop("Client focus"),
        gettext_noop("Built around the client's life rather than the administration's habits."),
        gettext_noop("Designed around the organisation"),
        gettext_noop("Designed with and around the client"),
    ),
]


def default_criteria(*, language: str) -> list[Criterion]:
    """Unsaved criteria for a new round, in the round's language, equally weighted on 1–5."""
    with translation.override(language):
        return [
            Criterion(
                name=_(name),
                description=_(description),
                lowest_means=_(lowest),
                highest_means=_(highest),
                sort_order=order,
            )
            for order, (name, description, lowest, highest) in enumerate(DEFAULT_CRITERIA)
        ]
