"""A coordinator erases a person on their request: the same statement and rules as the
person's own "Delete my account", a reason for the log, and the address typed again."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import ListingButton

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
            {"url": reverse("wagtailusers_users:index"), "label": _("Users")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"person": self.person}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "plan": services.erasure_plan(self.person),
            "person": self.person,
            "cancel_url": reverse("wagtailusers_users:index"),
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
        return redirect("wagtailusers_users:index")


class ErasePersonViewSet(ViewSet):
    name = "erase_person"
    url_prefix = "people/erase"

    def get_urlpatterns(self):
        return [path("<int:pk>/", ErasePersonView.as_view(), name="confirm")]


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
