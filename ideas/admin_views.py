"""The coordinator's "Copy this round" in the Wagtail admin: a page that says what the copy
takes and what it leaves, then the new round in the editor."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views.generic.base import BaseOperationView, WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from . import copying, permissions, services
from .models import CompetitionPage
from .models.pages import ROUND_DATE_FIELDS


class CopyRoundView(WagtailAdminTemplateMixin, BaseOperationView):
    """GET asks for confirmation, showing the new round's title and dates; POST copies the
    round and opens the copy in the editor. From a translation, its round is copied."""

    model = CompetitionPage
    template_name = "ideas/admin/copy_round.html"
    page_title = gettext_lazy("Copy this round")
    header_icon = "copy"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_copy_round(request.user, self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.object.canonical().title

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        own = self.object.canonical()
        years = copying.round_years(own)
        fields = CompetitionPage._meta
        context.update(
            {
                "round": own,
                "new_title": copying.next_title(own.title, years, own.locale.language_code),
                "new_dates": [
                    (
                        fields.get_field(name).verbose_name,
                        copying.a_year_later(getattr(own, name)),
                    )
                    for name in ROUND_DATE_FIELDS
                ],
                "languages": [
                    page.locale.get_display_name()
                    for page in own.get_translations().select_related("locale")
                ],
                "cancel_url": reverse("wagtailadmin_pages:edit", args=[self.object.pk]),
            }
        )
        return context

    def perform_operation(self):
        self.new_round = services.copy_round(competition=self.object, by=self.request.user)

    def get_success_message(self):
        return _(
            "“%(title)s” is a draft. Check its dates and texts, name its jury, then publish it."
        ) % {"title": self.new_round.title}

    def get_success_url(self):
        return reverse("wagtailadmin_pages:edit", args=[self.new_round.pk])


class CopyRoundViewSet(ViewSet):
    name = "copy_round"
    url_prefix = "rounds/copy"

    def get_urlpatterns(self):
        return [path("<int:pk>/", CopyRoundView.as_view(), name="confirm")]


class CopyRoundButton(PageMenuItem):
    """The action "Copy this round" on a round's page, in its header and in page listings."""

    label = gettext_lazy("Copy this round")
    icon_name = "copy"
    url_name = "copy_round:confirm"
    priority = 35

    def is_shown(self, user) -> bool:
        return issubclass(self.page.specific_class or object, CompetitionPage) and (
            permissions.can_copy_round(user, self.page)
        )
