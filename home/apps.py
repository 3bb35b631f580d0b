from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def apply_site_address(sender, **kwargs) -> None:
    """After migrate: the default Site takes the address the settings give, if any."""
    from django.conf import settings

    from .addresses import set_site_address

    if settings.IDEATORI_SITE_URL:
        set_site_address(settings.IDEATORI_SITE_URL)


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Site")

    def ready(self):
        from . import (
            audit,  # the audit trail's receivers
            checks,  # noqa: F401  (registers the deployment checks)
            memo,
            mfa,  # noqa: F401  (records a second factor set up in a session)
            page_cache,
        )

        audit.connect_mfa_signals()
        page_cache.connect_signals()
        memo.connect_signals()

        post_migrate.connect(apply_site_address, sender=self)
