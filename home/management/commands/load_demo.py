from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "Load the demo site: pages in three languages, rounds and demo accounts. Safe to rerun."

    def handle(self, *args, **options):
        if settings.IDEATORI_ENVIRONMENT == "production":
            raise CommandError(
                "load_demo refuses to run with production settings: "
                "its accounts have published passwords."
            )
        accounts = []
        # The demo's teams submit through the services, which e-mail receipts: not to send
        # them to addresses nobody reads, the demo is loaded with e-mail switched off.
        with (
            transaction.atomic(),
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        ):
            # Each app owns its demo content; apps come in INSTALLED_APPS order, so
            # home's pages exist before ideas adds rounds under them.
            for app_config in apps.get_app_configs():
                module_name = f"{app_config.name}.demo"
                if app_config.name in {"home", "ideas", "judging"} and find_spec(module_name):
                    accounts += import_module(module_name).load()
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
        self.stdout.write("Demo accounts (sign in with the e-mail address):")
        for account in accounts:
            self.stdout.write(f"  {account.role:<14} {account.email} / {account.password}")
