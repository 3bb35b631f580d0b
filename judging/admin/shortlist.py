"""The shortlist of a round judged in two stages: the coordinator ticks ideas on the
screening ranking once the screening has closed; the final jury then scores them."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ideas.models import Stage
from ideas.services import ServiceError

from .. import permissions, services
from ..forms import ShortlistForm
from ..scoreboard import display_name, entered_ideas, jurors_of, round_ranking, shortlisted_ideas
from .views import JudgingView


class ShortlistView(JudgingView):
    template_name = "judging/admin/shortlist.html"

    def form(self, data=None) -> tuple[ShortlistForm, list[dict]]:
        competition = self.competition
        ranking = round_ranking(competition, stage=Stage.SCREENING).ranking
        titles = dict(entered_ideas(competition).values_list("pk", "title"))
        rows = [
            {"row": row, "title": titles[row.idea]} for row in ranking.ideas if row.idea in titles
        ]
        # Every entered idea is a choice, so that the service, not the form, says why an
        # idea that was not screened cannot be shortlisted.
        form = ShortlistForm(
            data,
            ideas=sorted(titles.items()),
            initial={"ideas": shortlisted_ideas(competition)},
        )
        return form, rows

    def render(self, form, rows, status: int = 200):
        competition = self.competition
        return TemplateResponse(
            self.request,
            self.template_name,
            {
                "competition": competition,
                "form": form,
                "rows": rows,
                "chosen": {int(pk) for pk in form["ideas"].value() or []},
                "two_stage": competition.two_stage,
                "allowed": permissions.can_choose_shortlist(self.request.user, competition),
                "phase": competition.phase_label,
                "final_jury": [
                    display_name(m.user) for m in jurors_of(competition) if m.final_jury
                ],
            },
            status=status,
        )

    def get(self, request, competition_id):
        return self.render(*self.form())

    def post(self, request, competition_id):
        form, rows = self.form(request.POST)
        if form.is_valid():
            chosen = entered_ideas(self.competition).filter(pk__in=form.cleaned_data["ideas"])
            try:
                entries = services.choose_shortlist(
                    competition=self.competition, ideas=list(chosen), by=request.user
                )
            except services.FieldErrors as refused:
                for name, message in refused.errors.items():
                    form.add_error(name, message)
            except ServiceError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _("The shortlist of %(count)d ideas is chosen; the final jury scores it.")
                    % {"count": len(entries)},
                )
                return redirect("judging_admin:shortlist", competition_id=self.competition.pk)
        messages.error(request, _("The shortlist was not chosen: see the message below."))
        return self.render(form, rows, status=400)
