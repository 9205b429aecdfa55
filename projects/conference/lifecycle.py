"""The conference's lifecycles: the one table each that decides which transitions exist.

Who may make a transition is decided in ``rules.py``; what else must hold (a meeting for a
submission, a reason for an amendment …) in ``services.py``.
"""

from projects.conference.choices import ActionStatus as A
from projects.conference.choices import MeetingStatus as M
from projects.conference.choices import PlanStatus as P
from projects.conference.choices import ReviewStatus as R
from projects.core.workflow import Lifecycle

MEETING_LIFECYCLE = Lifecycle(
    {
        M.PLANNED: [M.HELD],
        M.HELD: [M.MINUTES_APPROVED],
        M.MINUTES_APPROVED: [],
    },
    M,
)

# Moves only the tracker makes (the periodic check of due dates), never a person.
ACTION_SET_BY_THE_TRACKER = (A.OVERDUE,)

ACTION_LIFECYCLE = Lifecycle(
    {
        A.OPEN: [A.DONE, A.OVERDUE, A.DROPPED],
        # An overdue action is still expected: it can be done late, dropped, or get a new due date.
        A.OVERDUE: [A.DONE, A.DROPPED, A.OPEN],
        # A closed action can be reopened when the follow-up turns out incomplete.
        A.DONE: [A.OPEN],
        A.DROPPED: [A.OPEN],
    },
    A,
)

PLAN_LIFECYCLE = Lifecycle(
    {
        P.DRAFT: [P.SUBMITTED],
        P.SUBMITTED: [P.APPROVED, P.RETURNED],
        P.RETURNED: [P.SUBMITTED],
        # A change to an approved plan is an amendment: back to draft with a reason, then approved again.
        P.APPROVED: [P.DRAFT],
    },
    P,
)

REVIEW_LIFECYCLE = Lifecycle(
    {
        R.REQUESTED: [R.SUBMITTED],
        R.SUBMITTED: [R.REQUESTED],
    },
    R,
)
