"""The round editor's question rows: a question an idea has answered keeps its place and kind."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from modelcluster.forms import BaseChildFormSet

from .questions import answered_keys


class RoundQuestionFormSet(BaseChildFormSet):
    """Refuses, on the row, removing a question with answers or changing its kind: the answers
    would lose their meaning. The coordinator retires such a question instead."""

    def clean(self):
        super().clean()
        saved = [form for form in self.forms if form.instance.pk]
        if not saved:
            return
        answered = answered_keys(self.instance, [form.instance.key for form in saved])
        removed = []
        for form in saved:
            if form.instance.key not in answered:
                continue
            if form in self.deleted_forms:
                removed.append(form.instance.label)
            elif "kind" in form.changed_data:
                form.add_error(
                    "kind",
                    _(
                        "Ideas have answered this question, so its type cannot change; "
                        "retire it and add a new question."
                    ),
                )
        if removed:
            # A removed row is hidden in the editor: the refusal stands above the rows.
            raise ValidationError(
                [
                    _(
                        "“%(question)s” has been answered and cannot be removed; "
                        "mark it retired instead."
                    )
                    % {"question": label}
                    for label in removed
                ],
                code="answered_question_removed",
            )
