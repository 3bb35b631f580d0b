"""The team's pages: parse the request, ask permissions, call a service, render."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from home import audit
from home.storage import StorageUnavailable, open_for_download
from home.views import storage_unavailable

from . import permissions, questions, services
from .forms import (
    AttachmentForm,
    IdeaForm,
    InvitationForm,
    ProfileForm,
    StartIdeaForm,
    TeamEditForm,
    TeamForm,
)
from .mentions import warnings_for_team
from .models import (
    Attachment,
    CompetitionPage,
    Idea,
    IdeaStatus,
    Invitation,
    Membership,
    Profile,
    QuestionKind,
    Role,
    Team,
)
from .models.ideas import field_labels
from .services import EDITABLE_FIELDS


class MyIdeasView(LoginRequiredMixin, TemplateView):
    template_name = "ideas/my_ideas.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        ideas = list(
            Idea.objects.of_teams_of(user)
            .select_related("competition", "team")
            .order_by("-updated_at", "-pk")
        )
        CompetitionPage.read_titles(idea.competition for idea in ideas)
        return super().get_context_data(**kwargs) | {
            "ideas": ideas,
            "teams": Team.objects.of(user).order_by("name"),
        }


def jury_feedback(idea: Idea, now) -> str:
    """The jury's feedback to the team, never before results are published. Read through the
    ``award`` relation judging adds to an idea, as a round reads its criteria."""
    if not permissions.results_published(idea.competition, now):
        return ""
    award = getattr(idea, "award", None)
    return award.feedback if award is not None else ""


def record_opening(request, idea: Idea, *, place: str) -> None:
    """A coordinator reading a team's idea in full is in the audit trail; its team is not."""
    role = permissions.reader_role(request.user, idea.team)
    if role == "coordinator":
        audit.record(
            action=audit.IDEA_OPENED,
            request=request,
            instance=idea,
            data={"place": place, "role": role, "round": idea.competition_id},
        )


class IdeaMixin(LoginRequiredMixin):
    """Finds the idea among those the user may read; any other id is a 404."""

    def get_idea(self) -> Idea:
        return get_object_or_404(
            Idea.objects.visible_to(self.request.user).select_related("competition", "team"),
            pk=self.kwargs["pk"],
        )

    def page_context(self, idea: Idea, **extra) -> dict:
        user = self.request.user
        now = timezone.now()
        editable = permissions.can_edit_idea(user, idea, now)
        is_member = permissions.is_member(user, idea.team)
        attachments = list(idea.attachments.all())
        for attachment in attachments:
            attachment.idea = idea
        form = extra.get("form")
        if form is not None:
            # Each file question lists its files beside its field.
            for question in form.questions:
                if question.kind == QuestionKind.FILE:
                    form.fields[question.field_name].attached = [
                        a for a in attachments if a.question_key == question.key
                    ]
            labels = {question.key: question.label for question in form.questions}
            for attachment in attachments:
                attachment.question_label = labels.get(attachment.question_key, "")
        return {
            "idea": idea,
            "editable": editable,
            # The team's own draft closed by the deadline: the page says why it is read-only.
            "closed_draft": is_member
            and idea.status == IdeaStatus.DRAFT
            and not permissions.before_deadline(idea.competition, now),
            "can_submit": permissions.can_submit_idea(user, idea, now),
            "can_withdraw": permissions.can_withdraw_idea(user, idea, now),
            "can_reopen": permissions.can_reopen_idea(user, idea, now),
            "attachments": attachments,
            "attachment_form": AttachmentForm() if editable else None,
            "jury_feedback": jury_feedback(idea, now),
            "identifying_mentions": warnings_for_team(idea) if editable else [],
            "withheld_files": [a.pk for a in attachments if permissions.withheld_from_jurors(a)],
            "answers": questions.idea_answers(idea, audience="team"),
        } | extra

    def save_form(self, idea: Idea, form: IdeaForm) -> Idea:
        return services.save_idea(
            idea=idea,
            text=form.cleaned_data,
            answers=form.answers(),
            base_version=form.cleaned_data["version"],
            by=self.request.user,
        )

    def idea_form(self, idea: Idea, data=None, files=None) -> IdeaForm:
        return IdeaForm(
            data,
            files,
            instance=idea,
            initial={"version": idea.version},
            required_fields=idea.competition.required_idea_fields,
            questions=questions.round_questions(idea.competition),
            field_settings=questions.idea_field_settings(idea.competition),
        )


class IdeaView(IdeaMixin, View):
    """Read the idea; its team edits, saves and submits it here while the round is open."""

    template_name = "ideas/idea.html"

    def get(self, request, pk):
        idea = self.get_idea()
        record_opening(request, idea, place="team_page")
        return render(
            request, self.template_name, self.page_context(idea, form=self.idea_form(idea))
        )

    def post(self, request, pk):
        idea = self.get_idea()
        form = self.idea_form(idea, request.POST, request.FILES)
        if not permissions.is_member(request.user, idea.team):
            raise Http404
        if not form.is_valid():
            return render(
                request, self.template_name, self.page_context(idea, form=form), status=400
            )
        try:
            idea = self.save_form(idea, form)
        except services.EditConflict as conflict:
            return render_conflict(request, conflict.current, form.cleaned_data)
        except services.MissingFields as missing:
            # A submitted idea must keep its required fields: nothing saved, the text kept.
            for field, message in missing.errors.items():
                form.add_error(field, message)
            messages.error(request, _("Not saved: a submitted idea keeps its required fields."))
            return render(
                request, self.template_name, self.page_context(idea, form=form), status=400
            )
        except services.ServiceError as refused:
            # The deadline passed while the person was typing: show their text, store nothing.
            messages.error(request, str(refused))
            idea.refresh_from_db()
            context = self.page_context(idea, form=form, unsaved_text=True)
            return render(request, self.template_name, context, status=409)
        refusals, status = self.attach_answers(idea, form)
        if refusals:
            # The text is saved (shown at the saved version); the file is refused next to
            # its question's field.
            idea.refresh_from_db()
            data = request.POST.copy()
            data["version"] = idea.version
            form = self.idea_form(idea, data)
            form.is_valid()
            for field, message in refusals.items():
                form.add_error(field, message)
            messages.error(request, _("Your text is saved, but a file could not be attached."))
            return render(
                request, self.template_name, self.page_context(idea, form=form), status=status
            )
        if idea.status == IdeaStatus.SUBMITTED:
            messages.success(
                request,
                _("Your changes are saved. The idea stays submitted; every member gets the text."),
            )
            return redirect("ideas:idea", pk=idea.pk)
        if request.POST.get("action") != "submit":
            messages.success(request, _("Your draft is saved."))
            return redirect("ideas:idea", pk=idea.pk)
        try:
            services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=request.user)
        except services.MissingFields as missing:
            # The draft is saved; show what was typed, at the saved version, with each gap marked.
            data = request.POST.copy()
            data["version"] = idea.version
            form = self.idea_form(idea, data)
            form.is_valid()
            for field, message in missing.errors.items():
                form.add_error(field, message)
            messages.error(request, _("Your draft is saved, but it cannot be submitted yet."))
            return render(
                request, self.template_name, self.page_context(idea, form=form), status=400
            )
        except services.ServiceError as refused:
            messages.error(request, str(refused))
            return redirect("ideas:idea", pk=idea.pk)
        messages.success(request, _("Your idea is submitted. Every team member gets a receipt."))
        if warnings_for_team(idea):
            messages.warning(
                request,
                _(
                    "This round is judged blind, but the idea's text names your team, a member "
                    "or a unit; see where below. You can change it until the deadline."
                ),
            )
        return redirect("ideas:idea", pk=idea.pk)

    def attach_answers(self, idea: Idea, form: IdeaForm) -> tuple[dict[str, str], int]:
        """Store the files chosen for the round's file questions, once the text is saved.
        Returns the refusals by field name, and the status to answer them with."""
        refusals, status = {}, 400
        for key, (upload, content_type) in form.uploads.items():
            try:
                services.add_attachment(
                    idea=idea,
                    upload=upload,
                    content_type=content_type,
                    by=self.request.user,
                    question_key=key,
                )
            except services.ServiceError as refused:
                refusals[questions.field_name(key)] = str(refused)
                if isinstance(refused, services.FileStoreUnavailable):
                    status = 503
        return refusals, status


def render_conflict(request, current: Idea, yours: dict):
    fields = [
        {
            "name": name,
            "label": label,
            "theirs": getattr(current, name),
            "yours": yours.get(name, ""),
            "differs": getattr(current, name) != yours.get(name, ""),
        }
        for name, label in field_labels(EDITABLE_FIELDS).items()
    ]
    context = {"idea": current, "fields": fields, "version": current.version}
    return render(request, "ideas/idea_conflict.html", context, status=409)


class AutosaveView(IdeaMixin, View):
    """The edit page's periodic save: JSON in the same terms as a full save."""

    def post(self, request, pk):
        idea = self.get_idea()
        if idea.status != IdeaStatus.DRAFT:
            # Each save of a submitted idea tells the whole team: only on the person's word.
            message = _("A submitted idea is saved with the “Save changes” button.")
            return JsonResponse({"saved": False, "message": message}, status=409)
        form = self.idea_form(idea, request.POST)
        if not form.is_valid():
            return JsonResponse({"saved": False, "errors": form.errors}, status=400)
        try:
            idea = self.save_form(idea, form)
        except services.EditConflict:
            message = _("A team member has saved this idea. Save to compare the two versions.")
            return JsonResponse({"saved": False, "conflict": True, "message": message}, status=409)
        except services.ServiceError as refused:
            return JsonResponse({"saved": False, "message": str(refused)}, status=409)
        saved_at = formats.time_format(timezone.localtime(idea.updated_at), "TIME_FORMAT")
        return JsonResponse(
            {
                "saved": True,
                "version": idea.version,
                "message": _("Draft saved at %(time)s.") % {"time": saved_at},
            }
        )


class IdeaStatusView(IdeaMixin, View):
    """Withdraw or reopen; submitting goes through the edit form so that the text is saved."""

    ACTIONS = {"withdraw": IdeaStatus.WITHDRAWN, "reopen": IdeaStatus.DRAFT}

    def post(self, request, pk):
        idea = self.get_idea()
        status = self.ACTIONS.get(request.POST.get("action"))
        if status is None or not permissions.is_member(request.user, idea.team):
            raise Http404
        try:
            services.set_idea_status(idea=idea, status=status, by=request.user)
        except services.ServiceError as refused:
            messages.error(request, str(refused))
        else:
            if status == IdeaStatus.WITHDRAWN:
                messages.success(request, _("The idea is withdrawn."))
            else:
                messages.success(request, _("The idea is a draft again."))
        return redirect("ideas:idea", pk=idea.pk)


class IdeaHistoryView(IdeaMixin, TemplateView):
    template_name = "ideas/idea_history.html"

    def get_context_data(self, **kwargs):
        idea = self.get_idea()
        record_opening(self.request, idea, place="history")
        labels = field_labels(EDITABLE_FIELDS) | {
            question.field_name: question.label
            for question in questions.round_questions(idea.competition, retired=True)
        }
        revisions = [
            {
                "revision": revision,
                "changed": [labels[f] for f in revision.changed_fields if f in labels],
            }
            for revision in idea.revisions.select_related("author")
        ]
        return super().get_context_data(**kwargs) | {
            "idea": idea,
            "revisions": revisions,
            "can_restore": permissions.can_edit_idea(self.request.user, idea),
        }


class RestoreRevisionView(IdeaMixin, View):
    def post(self, request, pk, version):
        idea = self.get_idea()
        revision = get_object_or_404(idea.revisions, version=version)
        try:
            base_version = int(request.POST.get("version", ""))
        except ValueError as not_a_number:
            raise Http404 from not_a_number
        try:
            services.restore_revision(revision=revision, base_version=base_version, by=request.user)
        except services.EditConflict:
            messages.error(request, _("The idea changed after you opened its history; look again."))
            return redirect("ideas:history", pk=idea.pk)
        except services.ServiceError as refused:
            messages.error(request, str(refused))
            return redirect("ideas:history", pk=idea.pk)
        messages.success(request, _("Version %(version)d is restored.") % {"version": version})
        return redirect("ideas:idea", pk=idea.pk)


class AttachmentUploadView(IdeaMixin, View):
    def post(self, request, pk):
        idea = self.get_idea()
        if not permissions.is_member(request.user, idea.team):
            raise Http404
        form = AttachmentForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                attachment = services.add_attachment(
                    idea=idea,
                    upload=form.cleaned_data["file"],
                    content_type=form.content_type,
                    by=request.user,
                )
            except services.ServiceError as refused:
                form.add_error("file", str(refused))
                if isinstance(refused, services.FileStoreUnavailable):
                    status = 503
            else:
                attachment.idea = idea
                if permissions.withheld_from_jurors(attachment):
                    messages.warning(
                        request,
                        _(
                            "The file is attached, but its author and other hidden details "
                            "could not be removed: %(reason)s This round is judged blind, so "
                            "the jurors will not receive it. Attach it again without a "
                            "password, or saved again as PDF."
                        )
                        % {"reason": attachment.get_blind_copy_display()},
                    )
                    return redirect("ideas:idea", pk=idea.pk)
        if form.errors:
            context = self.page_context(idea, form=self.idea_form(idea), attachment_form=form)
            return render(request, IdeaView.template_name, context, status=status)
        messages.success(request, _("The file is attached."))
        return redirect("ideas:idea", pk=idea.pk)


def visible_attachment(request, pk: int, attachment_pk: int) -> Attachment:
    return get_object_or_404(
        Attachment.objects.select_related("idea__team", "idea__competition"),
        pk=attachment_pk,
        idea__in=Idea.objects.visible_to(request.user).filter(pk=pk),
    )


class AttachmentDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk, attachment_pk):
        attachment = visible_attachment(request, pk, attachment_pk)
        try:
            handle = open_for_download(attachment.file)
        except StorageUnavailable:
            return storage_unavailable(request)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        audit.record(
            action=audit.ATTACHMENT_DOWNLOADED,
            request=request,
            instance=attachment,
            data={
                "idea": attachment.idea_id,
                "role": permissions.reader_role(request.user, attachment.idea.team),
            },
        )
        return response


class AttachmentDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk, attachment_pk):
        attachment = visible_attachment(request, pk, attachment_pk)
        try:
            services.remove_attachment(attachment=attachment, by=request.user)
        except services.ServiceError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The file is removed."))
        return redirect("ideas:idea", pk=pk)


# --- starting an idea, teams and invitations ------------------------------------------------


class StartIdeaView(LoginRequiredMixin, FormView):
    template_name = "ideas/start_idea.html"
    form_class = StartIdeaForm

    def dispatch(self, request, *args, **kwargs):
        self.competition = get_object_or_404(
            CompetitionPage.objects.live().public(), pk=kwargs["competition_id"]
        ).canonical()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"teams": Team.objects.of(self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "competition": self.competition,
            "is_open": self.competition.phase == "open",
        }

    def form_valid(self, form):
        try:
            idea = services.start_idea(
                competition=self.competition, team=form.cleaned_data["team"], by=self.request.user
            )
        except services.ServiceError as refused:
            form.add_error(None, str(refused))
            return self.form_invalid(form)
        return redirect("ideas:idea", pk=idea.pk)


class TeamCreateView(LoginRequiredMixin, FormView):
    template_name = "ideas/team_new.html"
    form_class = TeamForm

    def get_next(self) -> str:
        """Where to go once the team exists: a path on this site, or the team's page."""
        next_url = self.request.POST.get("next") or self.request.GET.get("next") or ""
        return next_url if next_url.startswith("/") and not next_url.startswith("//") else ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"next": self.get_next()}

    def form_valid(self, form):
        team = services.create_team(
            name=form.cleaned_data["name"],
            service_units=form.cleaned_data["service_units"],
            lead=self.request.user,
            profession=form.cleaned_data["profession"],
        )
        messages.success(self.request, _("The team is created. Invite your colleagues."))
        if self.get_next():
            return HttpResponseRedirect(self.get_next())
        return redirect("ideas:team", pk=team.pk)


class TeamMixin(LoginRequiredMixin):
    def get_team(self) -> Team:
        return get_object_or_404(Team.objects.of(self.request.user), pk=self.kwargs["pk"])


class TeamView(TeamMixin, TemplateView):
    """The team's page; its lead invites colleagues here (POST)."""

    template_name = "ideas/team.html"

    def get_context_data(self, invitation_form=None, **kwargs):
        team = self.get_team()
        is_lead = permissions.can_manage_team(self.request.user, team)
        now = timezone.now()
        return super().get_context_data(**kwargs) | {
            "team": team,
            "units": list(team.service_units.all()),
            # The lead may remove or promote every member but themself.
            "members": [
                {"membership": membership, "changeable": is_lead and membership.role != Role.LEAD}
                for membership in team.memberships.select_related("user__profile")
            ],
            "is_lead": is_lead,
            "invitation_form": (invitation_form or InvitationForm()) if is_lead else None,
            # Waiting for an answer, expired ones too: the lead may send those again.
            "pending": list(team.invitations.unanswered()) if is_lead else [],
            "now": now,
        }

    def post(self, request, pk):
        team = self.get_team()
        if not permissions.can_manage_team(request.user, team):
            raise Http404
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation, _token = services.invite_member(
                    team=team, email=form.cleaned_data["email"], by=request.user
                )
            except services.InvitationRefused as refused:
                form.add_error("email", str(refused))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(invitation_form=form), status=400)
        messages.success(
            request, _("The invitation is sent to %(email)s.") % {"email": invitation.email}
        )
        return redirect("ideas:team", pk=team.pk)


class TeamEditView(TeamMixin, FormView):
    """The lead renames the team and changes its units."""

    template_name = "ideas/team_edit.html"
    form_class = TeamEditForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.team = self.get_team()
        if not permissions.can_manage_team(request.user, self.team):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"name": self.team.name, "service_units": list(self.team.service_units.all())}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"team": self.team}

    def form_valid(self, form):
        services.update_team(
            team=self.team,
            name=form.cleaned_data["name"],
            service_units=form.cleaned_data["service_units"],
            by=self.request.user,
        )
        messages.success(self.request, _("The team is saved."))
        return redirect("ideas:team", pk=self.team.pk)


class InvitationResendView(TeamMixin, View):
    """The lead sends a waiting or expired invitation again, with a new link."""

    def post(self, request, pk, invitation_pk):
        team = self.get_team()
        invitation = get_object_or_404(Invitation, pk=invitation_pk, team=team)
        try:
            services.resend_invitation(invitation=invitation, by=request.user)
        except services.NotAllowed as refused:
            raise Http404 from refused
        except services.ServiceError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _(
                    "The invitation is sent again to %(email)s with a new link; the old one no "
                    "longer works."
                )
                % {"email": invitation.email},
            )
        return redirect("ideas:team", pk=team.pk)


class InvitationCancelView(TeamMixin, View):
    def post(self, request, pk, invitation_pk):
        team = self.get_team()
        invitation = get_object_or_404(Invitation, pk=invitation_pk, team=team)
        try:
            services.cancel_invitation(invitation=invitation, by=request.user)
        except services.NotAllowed as refused:
            raise Http404 from refused
        except services.ServiceError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _("The invitation to %(email)s is cancelled; its link no longer works.")
                % {"email": invitation.email},
            )
        return redirect("ideas:team", pk=team.pk)


class MembershipView(TeamMixin, View):
    """The lead removes a member or hands over the lead role."""

    def post(self, request, pk, membership_pk):
        team = self.get_team()
        membership = get_object_or_404(Membership, pk=membership_pk, team=team)
        try:
            if request.POST.get("action") == "hand_over":
                services.hand_over_lead(team=team, to=membership, by=request.user)
                messages.success(request, _("The lead role is handed over."))
            elif request.POST.get("action") == "remove":
                services.remove_member(membership=membership, by=request.user)
                messages.success(request, _("The member is removed."))
            else:
                raise Http404
        except services.NotAllowed as refused:
            messages.error(request, str(refused))
        return redirect("ideas:team", pk=team.pk)


class InvitationView(View):
    """An invitation's link: accept or decline while it works; a page saying why once it does
    not (used, declined, cancelled, expired); a 404 for a token that was never given."""

    template_name = "ideas/invitation.html"

    def get_invitation(self) -> Invitation:
        return get_object_or_404(
            Invitation.objects.select_related("team", "invited_by").with_token(self.kwargs["token"])
        )

    def unusable(self, request, invitation: Invitation):
        reason = invitation.why_unusable(timezone.now())
        if not reason:
            return None
        context = {"invitation": invitation, "reason": reason}
        return render(request, "ideas/invitation_unusable.html", context, status=410)

    def get(self, request, token):
        invitation = self.get_invitation()
        return self.unusable(request, invitation) or render(
            request, self.template_name, {"invitation": invitation}
        )

    def post(self, request, token):
        invitation = self.get_invitation()
        refusal = self.unusable(request, invitation)
        if refusal is not None:
            return refusal
        if request.POST.get("action") == "decline":
            services.decline_invitation(token=token)
            messages.success(request, _("You declined the invitation."))
            return redirect("wagtail_serve", "")
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            membership = services.accept_invitation(token=token, user=request.user)
        except services.InvitationUnusable as refused:
            raise Http404 from refused
        messages.success(request, _("You joined %(team)s.") % {"team": invitation.team.name})
        return redirect("ideas:team", pk=membership.team_id)


class ProfileView(LoginRequiredMixin, FormView):
    """A person's own profile: what colleagues see, and the language of their e-mails."""

    template_name = "ideas/profile.html"
    form_class = ProfileForm

    def get_form_kwargs(self):
        profile, _created = Profile.objects.get_or_create(user=self.request.user)
        return super().get_form_kwargs() | {"instance": profile}

    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("Your profile is saved."))
        return redirect("ideas:profile")
