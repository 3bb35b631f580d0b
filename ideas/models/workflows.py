from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask


class SecondCoordinatorApprovalTask(AbstractGroupApprovalTask):
    """A group approval that the person who asked for it cannot give.

    A round's results go public only when a second coordinator approves them; Wagtail's own
    group approval would let the requester approve their own request.
    """

    def _requested_by(self, obj):
        state = getattr(obj, "current_workflow_state", None)
        return state.requested_by_id if state is not None else None

    def get_actions(self, obj, user):
        if self._requested_by(obj) == user.pk:
            return []
        return super().get_actions(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        if task_state.workflow_state.requested_by_id == user.pk:
            raise PermissionDenied(_("Someone other than the requester must approve this."))
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return states.exclude(workflow_state__requested_by=user)

    @classmethod
    def get_description(cls):
        return _("A member of the chosen groups other than the requester approves")

    class Meta:
        verbose_name = _("approval by a second coordinator")
        verbose_name_plural = _("approvals by a second coordinator")
