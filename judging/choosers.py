"""The coordinator's person chooser: a search by name (from the profile) or e-mail address.

Nothing is listed until something is typed, so that no list of every account is ever shown,
and only coordinators may search (``permissions.can_manage_jury``'s rule).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from . import permissions
from .widgets import UserChooserWidget, person_label


class PersonSearchForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Name or e-mail address"),
        widget=forms.TextInput(attrs={"placeholder": _("Search by name or e-mail")}),
        required=False,
    )

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if not query:
            return objects.none()
        self.is_searching, self.search_query = True, query
        return objects.filter(
            Q(profile__name__icontains=query)
            | Q(email__icontains=query)
            | Q(emailaddress__email__icontains=query)
        ).distinct()


class CoordinatorsOnly:
    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_manage_jury(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PersonChooseMixin(CoordinatorsOnly):
    filter_form_class = PersonSearchForm
    ordering = ["profile__name", "email", "pk"]

    def get_object_list(self):
        return self.model_class.objects.filter(is_active=True).select_related("profile")

    @property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label=_("Name"),
                accessor=person_label,
                get_url=self.chosen_url,
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column("email", label=_("E-mail"), accessor="email"),
        ]

    def chosen_url(self, user) -> str:
        return self.append_preserved_url_parameters(reverse(self.chosen_url_name, args=[user.pk]))


class PersonChooseView(PersonChooseMixin, chooser_views.ChooseView):
    pass


class PersonChooseResultsView(PersonChooseMixin, chooser_views.ChooseResultsView):
    pass


class PersonChosenView(CoordinatorsOnly, chooser_views.ChosenView):
    def get_object(self, pk):
        return self.model_class.objects.select_related("profile").get(pk=pk, is_active=True)

    def get_display_title(self, instance) -> str:
        return person_label(instance)

    def get_edit_item_url(self, instance) -> str:
        return ""


class PersonChosenMultipleView(CoordinatorsOnly, chooser_views.ChosenMultipleView):
    pass


class PersonCreateView(CoordinatorsOnly, chooser_views.CreateView):
    pass


class UserChooserViewSet(ChooserViewSet):
    model = settings.AUTH_USER_MODEL
    icon = "user"
    choose_one_text = _("Choose a person")
    choose_another_text = _("Choose another person")
    page_title = _("Choose a person")
    per_page = 10
    choose_view_class = PersonChooseView
    choose_results_view_class = PersonChooseResultsView
    chosen_view_class = PersonChosenView
    chosen_multiple_view_class = PersonChosenMultipleView
    create_view_class = PersonCreateView
    base_widget_class = UserChooserWidget
    # Only the forms that ask for it get the chooser (the jury's); others keep theirs.
    register_widget = False


user_chooser_viewset = UserChooserViewSet("user_chooser")
