from django.core.management.base import BaseCommand
from django.utils import timezone
from wagtail.models import Locale

from ideas.models import CompetitionPage, Phase
from judging import services


class Command(BaseCommand):
    help = (
        "Assign the ideas of every round whose judging has opened and tell its jurors. "
        "Safe to run every few minutes: nothing is assigned or sent twice."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        rounds = (
            CompetitionPage.objects.live()
            .filter(locale=Locale.get_default())
            .in_phase(Phase.JUDGING, at=now)
        )
        for competition in rounds:
            plan = services.open_judging(competition=competition, now=now)
            if plan is not None:
                self.stdout.write(
                    f"{competition.title}: {len(plan.pairs)} assignments, "
                    f"{len(plan.shortfall)} ideas short of reviews"
                )
