"""A juror invitation's link, for the person invited: create the account with the invited
address and join the jury, signed in; or, with an account by now, sign in and join.

A token never given is a 404; a link used, cancelled or expired gets a page saying which.
"""

from allauth.account.utils import perform_login
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from ideas.notifications import display_name
from ideas.services import InvitationUnusable, NotAllowed

from . import permissions, services
from .jury_forms import JurorSignUpForm
from .models import JurorInvitation


def jury_page(user, invitation: JurorInvitation) -> str:
    """The round's list for a juror of it; the list of their rounds otherwise (a juror added
    only in the page's unpublished draft)."""
    competition = invitation.competition.canonical()
    if permissions.is_juror(user, competition):
        return reverse("judging:assigned", kwargs={"competition_id": competition.pk})
    return reverse("judging:home")


class JurorInvitationView(View):
    template_name = "judging/jury_invitation.html"

    def get_invitation(self, token: str) -> JurorInvitation:
        return get_object_or_404(
            JurorInvitation.objects.select_related("competition", "invited_by__profile").with_token(
                token
            )
        )

    def state(self, request, invitation: JurorInvitation) -> str:
        """Which page the holder of a working link sees."""
        user = request.user
        if permissions.can_sign_up_by_invitation(user, invitation):
            return "sign_up"
        if permissions.can_join_by_invitation(user, invitation):
            return "join"
        return "sign_in" if not user.is_authenticated else "other_account"

    def show(self, request, invitation, form=None, status=200):
        reason = invitation.why_unusable(timezone.now())
        if reason:
            context = {"invitation": invitation, "reason": reason}
            return render(request, "judging/jury_invitation_unusable.html", context, status=410)
        state = self.state(request, invitation)
        if state == "sign_up" and form is None:
            form = JurorSignUpForm(initial={"name": invitation.name}, email=invitation.email)
        context = {
            "invitation": invitation,
            "competition": invitation.competition,
            "state": state,
            "inviter": display_name(invitation.invited_by) if invitation.invited_by else "",
            "form": form,
            "login_url": f"{reverse('account_login')}?next={request.path}",
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, token):
        return self.show(request, self.get_invitation(token))

    def post(self, request, token):
        invitation = self.get_invitation(token)
        user = request.user
        if permissions.can_sign_up_by_invitation(user, invitation):
            form = JurorSignUpForm(request.POST, email=invitation.email)
            if form.is_valid():
                try:
                    person = services.sign_up_juror(
                        token=token,
                        name=form.cleaned_data["name"],
                        password=form.cleaned_data["password1"],
                    )
                except (InvitationUnusable, NotAllowed) as refused:
                    form.add_error(None, str(refused))
                else:
                    return perform_login(
                        request, person, redirect_url=jury_page(person, invitation)
                    )
            return self.show(request, invitation, form=form, status=400)
        if permissions.can_join_by_invitation(user, invitation):
            try:
                services.accept_juror_invitation(token=token, user=user)
            except (InvitationUnusable, NotAllowed) as refused:
                raise Http404 from refused
            messages.success(
                request,
                _("You are on the jury of %(title)s.")
                % {"title": invitation.competition.reader_title},
            )
            return redirect(jury_page(user, invitation))
        return self.show(request, invitation, status=400)
