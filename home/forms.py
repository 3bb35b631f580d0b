"""How the site's own forms are drawn (allauth's and the admin's have their own templates)."""

from django.forms.renderers import DjangoTemplates


class SiteFormRenderer(DjangoTemplates):
    """A field as ``forms/field.html``: its label above it, then its help text and errors,
    which Django ties to the input with ``aria-describedby``; a required field marked with
    an asterisk that the form's note explains once."""

    field_template_name = "forms/field.html"
