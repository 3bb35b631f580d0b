"""Writing to a round's teams or jurors: compose, preview who receives it, send; and the log
of what was sent."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .. import services
from ..forms import RoundMessageForm
from ..models import RoundMessage
from .views import JudgingView


class MessagesView(JudgingView):
    template_name = "judging/admin/messages.html"

    def render(self, form, *, recipients=None, status: int = 200):
        log = RoundMessage.objects.filter(competition=self.competition).select_related("sent_by")
        return TemplateResponse(
            self.request,
            self.template_name,
            {
                "competition": self.competition,
                "form": form,
                "recipients": recipients,
                "log": log[:50],
                "languages": settings.LANGUAGES,
            },
            status=status,
        )

    def get(self, request, competition_id):
        return self.render(RoundMessageForm())

    def post(self, request, competition_id):
        form = RoundMessageForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        group = form.cleaned_data["group"]
        if request.POST.get("action") != "send":
            recipients = services.message_recipients(competition=self.competition, group=group)
            if not recipients:
                form.add_error("group", _("Nobody is in this group now: nothing was sent."))
                return self.render(form, status=400)
            return self.render(form, recipients=recipients)
        try:
            record = services.send_round_message(
                competition=self.competition, group=group, texts=form.texts(), by=request.user
            )
        except services.FieldErrors as refused:
            for field, message in refused.errors.items():
                form.add_error(field if field in form.fields else None, message)
            return self.render(form, status=400)
        messages.success(
            request,
            _("The message is on its way to %(count)d people.") % {"count": len(record.recipients)},
        )
        return redirect("judging_admin:messages", competition_id=self.competition.pk)
