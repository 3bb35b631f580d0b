"""Who may take out or erase whose personal data.

A person downloads only their own data and may ask to erase their own account; a coordinator
erases anyone on their request. Whether the erasure may go ahead at all (the last coordinator,
a team that would lose its only member) is ``services.erasure_refusals``: a rule about the data,
not about who asks.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from home.former_people import is_former_person
from ideas.permissions import COORDINATORS_GROUP, is_coordinator


def can_download_data(user, person) -> bool:
    """Only the person themselves takes out their data."""
    return user.is_authenticated and user.pk == person.pk


def can_erase_person(user, person) -> bool:
    """The person erases their own account; a coordinator erases another person on request.
    An account that already stands for an erased person is nobody's to erase again."""
    if not user.is_authenticated or is_former_person(person):
        return False
    return user.pk == person.pk or can_erase_others(user)


def can_erase_others(user) -> bool:
    """Coordinators erase people on their request (and find them to do so)."""
    return is_coordinator(user)


def is_last_coordinator(person) -> bool:
    """No other active account could run the rounds if ``person`` went."""
    if not is_coordinator(person):
        return False
    others = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=COORDINATORS_GROUP))
        .exclude(pk=person.pk)
    )
    return not others.exists()
