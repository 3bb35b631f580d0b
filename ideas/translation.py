"""Names a coordinator gives, kept in every language of the site (see modeltranslation)."""

from django.conf import settings
from modeltranslation.translator import TranslationOptions, register

from .models import ServiceUnit


@register(ServiceUnit)
class ServiceUnitTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = (settings.LANGUAGE_CODE,)
