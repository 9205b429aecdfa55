"""Events of the joint conference beyond a plain create, update, delete or status change.

Each is the dotted code a change record carries (``projects.core.history``) and the label it
reads with, translated when read.
"""

from django.utils.translation import gettext_lazy as _

from projects.core import events

ACTION_OVERDUE = "conference.actionitem.overdue"
ACTION_NOTIFIED = "conference.actionitem.notified"
ACTION_REPORTED = "conference.actionitem.reported"
ITEM_RETURNED = "conference.planitem.returned"
ITEM_COMMENTS_CLEARED = "conference.planitem.comments_cleared"
AMENDMENT_OPENED = "conference.planamendment.opened"
AMENDMENT_APPROVED = "conference.planamendment.approved"
PACK_RUNNING = "conference.reviewpack.running"
PACK_BUILT = "conference.reviewpack.built"
PACK_FAILED = "conference.reviewpack.failed"
PACK_ABANDONED = "conference.reviewpack.abandoned"
DEMO_OPINION = "conference.expertreview.demo_opinion"

events.register(
    {
        ACTION_OVERDUE: _("Marked overdue by the tracker: the due date has passed"),
        ACTION_NOTIFIED: _("The responsible organization was told the action is overdue"),
        ACTION_REPORTED: _("Progress note added"),
        ITEM_RETURNED: _("Returned for rework with a comment"),
        ITEM_COMMENTS_CLEARED: _("Review comment cleared when the plan was approved"),
        AMENDMENT_OPENED: _("Amendment of the approved plan opened"),
        AMENDMENT_APPROVED: _("Amendment approved with the plan"),
        PACK_RUNNING: _("Review pack build started"),
        PACK_BUILT: _("Review pack built"),
        PACK_FAILED: _("Review pack build failed"),
        PACK_ABANDONED: _("Review pack build stopped without finishing"),
        DEMO_OPINION: _("Opinion entered by the demonstration data in the expert's name"),
    }
)
