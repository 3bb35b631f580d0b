"""A coordinator erases a person on their request: the same statement and rules as the
person's own "Delete my account", a reason for the log, and the address typed again."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import ListingButton

from home.former_people import FORMER_USERNAME_PREFIX
from ideas.notifications import display_name

from . import permissions, services
from .forms import CoordinatorErasureForm


class ErasePersonView(WagtailAdminTemplateMixin, FormView):
    template_name = "privacy/admin/erase_person.html"
    form_class = CoordinatorErasureForm
    page_title = gettext_lazy("Erase a person")
    header_icon = "bin"

    def dispatch(self, request, *args, **kwargs):
        self.person = get_object_or_404(get_user_model(), pk=kwargs["pk"])
        if self.person.pk == request.user.pk or not permissions.can_erase_person(
            request.user, self.person
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return display_name(self.person)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("erase_person:index"), "label": _("Erase a person")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"person": self.person}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "plan": services.erasure_plan(self.person),
            "person": self.person,
            "cancel_url": reverse("erase_person:index"),
        }

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        try:
            services.erase_person(
                person=self.person, by=self.request.user, reason=form.cleaned_data["reason"]
            )
        except services.ErasureRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
            return self.form_invalid(form)
        messages.success(self.request, _("The person's account and personal data are erased."))
        return redirect("erase_person:index")


class PeopleSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name or e-mail address"), min_length=2, max_length=200, required=False
    )


class PeopleView(WagtailAdminTemplateMixin, TemplateView):
    """A coordinator finds the person who asked to be erased, by name or address: never a list
    of every account."""

    template_name = "privacy/admin/people.html"
    page_title = gettext_lazy("Erase a person")
    header_icon = "bin"
    limit = 20

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_erase_others(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        form = PeopleSearchForm(self.request.GET or None)
        people = []
        if form.is_valid() and form.cleaned_data["q"]:
            query = form.cleaned_data["q"].strip()
            people = list(
                get_user_model()
                .objects.exclude(username__startswith=FORMER_USERNAME_PREFIX)
                .exclude(pk=self.request.user.pk)
                .filter(
                    Q(profile__name__icontains=query)
                    | Q(email__icontains=query)
                    | Q(emailaddress__email__icontains=query)
                )
                .select_related("profile")
                .distinct()
                .order_by("email", "pk")[: self.limit]
            )
        return super().get_context_data(**kwargs) | {
            "form": form,
            "people": people,
            "searched": form.is_bound and form.is_valid() and bool(form.cleaned_data["q"]),
        }


class ErasePersonViewSet(ViewSet):
    name = "erase_person"
    url_prefix = "people/erase"
    add_to_settings_menu = True
    menu_label = gettext_lazy("Erase a person")
    menu_icon = "bin"
    menu_order = 900

    @cached_property
    def menu_item_class(self):
        class CoordinatorsMenuItem(MenuItem):
            def is_shown(self, request):
                return permissions.can_erase_others(request.user)

        return CoordinatorsMenuItem

    def get_urlpatterns(self):
        return [
            path("", PeopleView.as_view(), name="index"),
            path("<int:pk>/", ErasePersonView.as_view(), name="confirm"),
        ]


def erase_button(person, request_user) -> list:
    """ "Erase this person" among a person's actions in the admin's list of users."""
    if person.pk == request_user.pk or not permissions.can_erase_person(request_user, person):
        return []
    return [
        ListingButton(
            _("Erase this person"),
            reverse("erase_person:confirm", args=[person.pk]),
            icon_name="bin",
            priority=90,
        )
    ]
