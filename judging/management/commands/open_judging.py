from django.core.management.base import BaseCommand

from judging import services


class Command(BaseCommand):
    help = (
        "Assign the ideas of every round whose judging has opened and tell its jurors. "
        "Safe to run every few minutes: nothing is assigned or sent twice."
    )

    def handle(self, *args, **options):
        for competition, plan in services.open_judging_where_due():
            self.stdout.write(
                f"{competition.title}: {len(plan.pairs)} assignments, "
                f"{len(plan.shortfall)} ideas short of reviews"
            )
