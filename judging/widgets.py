"""The admin's person chooser as a form widget: a button that opens a search by name or
e-mail (``judging.choosers``), never a list of every account."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets.chooser import BaseChooser


def person_label(user) -> str:
    """How a coordinator tells people apart when choosing: the profile's name and the e-mail."""
    profile = getattr(user, "profile", None)
    name = profile.name if profile is not None else ""
    if name and user.email:
        return f"{name} <{user.email}>"
    return name or user.email or user.get_username()


class UserChooserWidget(BaseChooser):
    model = settings.AUTH_USER_MODEL
    chooser_modal_url_name = "user_chooser:choose"
    choose_one_text = _("Choose a person")
    choose_another_text = _("Choose another person")
    icon = "user"
    # Coordinators choose people; editing someone's account is not theirs to do.
    show_edit_link = False

    def get_display_title(self, instance) -> str:
        return person_label(instance)

    def get_value_data_from_instance(self, instance) -> dict:
        return {"id": instance.pk, "edit_url": "", self.display_title_key: person_label(instance)}
