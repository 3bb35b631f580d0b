"""Who an erased person leaves behind: an account without a name, an address or a password.

When a person is erased, whatever must stay for others (a juror's reviews, which the round's
ranking counts per juror) is handed to one such account of their own, so that the ranking still
tells their reviews apart from the rest. Its username says only that it stands for someone
erased; pages name it "former juror".
"""

import uuid

from django.contrib.auth import get_user_model

FORMER_USERNAME_PREFIX = "former-"


def is_former_person(user) -> bool:
    return user is not None and user.get_username().startswith(FORMER_USERNAME_PREFIX)


def make_former_person():
    """A new account standing for an erased person: inactive, no e-mail, no usable password."""
    user = get_user_model()(
        username=f"{FORMER_USERNAME_PREFIX}{uuid.uuid4().hex[:12]}", email="", is_active=False
    )
    user.set_unusable_password()
    user.save()
    return user
