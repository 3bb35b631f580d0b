"""The coordinator's jury screen of a round, in the admin: who is on the jury, adding someone
with an account (chosen by a search) or anyone by name and e-mail, and the invitations that
wait for an answer, sent again or cancelled here."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic.base import ContextMixin
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from ideas.models import CompetitionPage
from ideas.notifications import display_name
from ideas.services import InvitationUnusable, NotAllowed

from . import permissions, services
from .jury_forms import ChooseJurorForm, InviteJurorForm
from .models import JurorInvitation
from .scoreboard import display_name as juror_name
from .scoreboard import jurors_of
from .views import add_field_errors


class JuryPolicy(ModelPermissionPolicy):
    """Coordinators keep the jury and its invitations; nobody else does anything with them."""

    def user_has_permission(self, user, action):
        return permissions.can_manage_jury(user)

    def user_has_any_permission(self, user, actions):
        return permissions.can_manage_jury(user)


register_permission_policy(JurorInvitation, JuryPolicy(JurorInvitation))


def get_round(competition_id) -> CompetitionPage:
    """The round itself: a translation's page has no jury of its own."""
    competition = get_object_or_404(CompetitionPage, pk=competition_id)
    if competition.canonical().pk != competition.pk:
        raise Http404
    return competition


class JuryView(PermissionCheckedMixin, WagtailAdminTemplateMixin, ContextMixin, View):
    model = JurorInvitation
    permission_required = "add"
    template_name = "judging/admin/jury.html"
    page_title = gettext_lazy("Jury")
    header_icon = "group"

    def dispatch(self, request, *args, competition_id, **kwargs):
        self.competition = None
        if permissions.can_manage_jury(request.user):
            self.competition = get_round(competition_id)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.competition.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("judging_admin:rounds"), "label": _("Judging")},
            {
                "url": reverse("judging_admin:dashboard", args=[self.competition.pk]),
                "label": self.competition.title,
            },
            {"url": "", "label": _("Jury")},
        ]

    def get(self, request):
        return self.render(ChooseJurorForm(prefix="choose"), InviteJurorForm(prefix="invite"))

    def post(self, request):
        choose_form = ChooseJurorForm(prefix="choose")
        invite_form = InviteJurorForm(prefix="invite")
        if request.POST.get("action") == "choose":
            choose_form = ChooseJurorForm(request.POST, prefix="choose")
            if choose_form.is_valid() and self.add_chosen(choose_form):
                return redirect("jury:round", self.competition.pk)
        elif request.POST.get("action") == "invite":
            invite_form = InviteJurorForm(request.POST, prefix="invite")
            if invite_form.is_valid() and self.add_by_email(invite_form):
                return redirect("jury:round", self.competition.pk)
        return self.render(choose_form, invite_form, status=400)

    def add_chosen(self, form) -> bool:
        data = form.cleaned_data
        try:
            member = services.add_juror(
                competition=self.competition,
                user=data["user"],
                role=data["role"],
                by=self.request.user,
            )
        except services.FieldErrors as refused:
            add_field_errors(form, refused)
            return False
        messages.success(
            self.request,
            _("%(name)s is on the jury now.") % {"name": display_name(member.user)},
        )
        return True

    def add_by_email(self, form) -> bool:
        data = form.cleaned_data
        try:
            added = services.add_juror_by_email(
                competition=self.competition,
                name=data["name"],
                email=data["email"],
                language=data["language"],
                role=data["role"],
                by=self.request.user,
            )
        except services.FieldErrors as refused:
            add_field_errors(form, refused)
            return False
        if added.member is not None:
            message = _("%(email)s has an account: %(name)s is on the jury now.") % {
                "email": data["email"],
                "name": display_name(added.member.user),
            }
        else:
            message = _("The invitation is sent to %(email)s.") % {"email": added.invitation.email}
        messages.success(self.request, message)
        return True

    def render(self, choose_form, invite_form, status=200):
        now = timezone.now()
        pending = (
            JurorInvitation.objects.filter(competition=self.competition)
            .pending()
            .order_by("created_at", "pk")
        )
        context = self.get_context_data(
            competition=self.competition,
            two_stage=self.competition.two_stage,
            jurors=[
                {"member": member, "name": juror_name(member.user)}
                for member in jurors_of(self.competition)
            ],
            invitations=[
                {"invitation": invitation, "expired": invitation.why_unusable(now) == "expired"}
                for invitation in pending
            ],
            choose_form=choose_form,
            invite_form=invite_form,
            media=choose_form.media + invite_form.media,
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.competition.pk]),
            dashboard_url=reverse("judging_admin:dashboard", args=[self.competition.pk]),
        )
        return self.render_to_response(context, status=status)


class InvitationActionView(PermissionCheckedMixin, View):
    """POST only: send a waiting or expired invitation again, or cancel it."""

    model = JurorInvitation
    permission_required = "change"
    http_method_names = ["post"]
    action = None

    def post(self, request, competition_id, invitation_id):
        competition = get_round(competition_id)
        invitation = get_object_or_404(JurorInvitation, pk=invitation_id, competition=competition)
        try:
            if self.action == "resend":
                services.resend_juror_invitation(invitation=invitation, by=request.user)
                message = _(
                    "The invitation is sent again to %(email)s with a new link; the old one no "
                    "longer works."
                )
            else:
                services.cancel_juror_invitation(invitation=invitation, by=request.user)
                message = _("The invitation to %(email)s is cancelled; its link no longer works.")
        except NotAllowed as refused:
            raise PermissionDenied from refused
        except InvitationUnusable as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, message % {"email": invitation.email})
        return redirect("jury:round", competition.pk)


class JuryViewSet(ViewSet):
    name = "jury"
    icon = "group"

    def get_urlpatterns(self):
        return [
            path("<int:competition_id>/", JuryView.as_view(), name="round"),
            path(
                "<int:competition_id>/invitations/<int:invitation_id>/resend/",
                InvitationActionView.as_view(action="resend"),
                name="resend",
            ),
            path(
                "<int:competition_id>/invitations/<int:invitation_id>/cancel/",
                InvitationActionView.as_view(action="cancel", permission_required="delete"),
                name="cancel",
            ),
        ]
