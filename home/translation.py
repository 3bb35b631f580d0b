"""The organisation's name in every language of the site (see modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import SiteSettings


@register(SiteSettings)
class SiteSettingsTranslation(TranslationOptions):
    fields = ("organisation_name",)
