"""Writes of the joint conference. The API, the admin, the demo and the tasks all call these;
nothing else writes the conference's records.

Every write goes through ``projects.core.services`` (``tracked_save``, ``tracked_transition``,
``tracked_delete``; ``tracked_update`` for what the tracker writes itself): the stored row is
locked and re-read, only what the request changed is applied, the version grows only when
something changed, and the change is recorded in the history. The modules mirror ``models/``.
"""

from projects.conference.services.actions import (
    action_item_delete,
    action_item_report,
    action_item_save,
    action_item_transition,
    mark_overdue_actions,
    notify_overdue_action,
)
from projects.conference.services.experts import (
    expert_delete,
    expert_save,
    review_delete,
    review_save,
    review_transition,
)
from projects.conference.services.longrange import (
    corridor_plan_delete,
    corridor_plan_save,
    corridor_target_delete,
    corridor_target_save,
)
from projects.conference.services.meetings import (
    HOST_PROVINCE_CODES,
    check_decisions_open,
    check_host_takes_turns,
    decision_delete,
    decision_save,
    meeting_delete,
    meeting_save,
    meeting_transition,
    next_host_province,
)
from projects.conference.services.packs import (
    review_pack_build,
    review_pack_delete,
    review_pack_request,
    review_packs_recover,
)
from projects.conference.services.plans import (
    check_milestones,
    check_plan_item,
    check_targets,
    plan_delete,
    plan_item_delete,
    plan_item_milestone_done,
    plan_item_save,
    plan_save,
    plan_transition,
)

__all__ = [
    "HOST_PROVINCE_CODES",
    "action_item_delete",
    "action_item_report",
    "action_item_save",
    "action_item_transition",
    "check_decisions_open",
    "check_host_takes_turns",
    "check_milestones",
    "check_plan_item",
    "check_targets",
    "corridor_plan_delete",
    "corridor_plan_save",
    "corridor_target_delete",
    "corridor_target_save",
    "decision_delete",
    "decision_save",
    "expert_delete",
    "expert_save",
    "mark_overdue_actions",
    "meeting_delete",
    "meeting_save",
    "meeting_transition",
    "next_host_province",
    "notify_overdue_action",
    "plan_delete",
    "plan_item_delete",
    "plan_item_milestone_done",
    "plan_item_save",
    "plan_save",
    "plan_transition",
    "review_delete",
    "review_pack_build",
    "review_pack_delete",
    "review_pack_request",
    "review_packs_recover",
    "review_save",
    "review_transition",
]
