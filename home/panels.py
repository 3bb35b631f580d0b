"""Editor panels the site's page models share."""

from django.utils.module_loading import import_string
from wagtail.admin.panels import InlinePanel


class ChildInlinePanel(InlinePanel):
    """An ``InlinePanel`` whose rows' model may name the formset that checks the rows
    (``formset_class``, a class or its dotted path): the app that owns the rows then words
    their errors, and the page that shows them needs to know nothing of it."""

    def get_form_options(self):
        options = super().get_form_options()
        formset = getattr(self.db_field.related_model, "formset_class", None)
        if formset is not None:
            formset = import_string(formset) if isinstance(formset, str) else formset
            options["formsets"][self.relation_name]["formset"] = formset
        return options
