"""The project and progress-report lifecycles: the one table each that decides transitions."""

from projects.core.workflow import Lifecycle
from projects.restoration.choices import AcceptanceStatus as A
from projects.restoration.choices import ParticipationStatus as Part
from projects.restoration.choices import ProjectStatus as P
from projects.restoration.choices import RectificationStatus as Rect
from projects.restoration.choices import ReportStatus as R

PROJECT_LIFECYCLE = Lifecycle(
    {
        P.PROPOSED: [P.APPROVED, P.CANCELLED],
        P.APPROVED: [P.IN_PROGRESS, P.SUSPENDED, P.CANCELLED],
        P.IN_PROGRESS: [P.COMPLETED, P.SUSPENDED, P.CANCELLED],
        P.SUSPENDED: [P.APPROVED, P.IN_PROGRESS, P.CANCELLED],
        # Acceptance can fail: the work goes back in progress.
        P.COMPLETED: [P.ACCEPTED, P.IN_PROGRESS],
        P.ACCEPTED: [],
        P.CANCELLED: [],
    },
    P,
)

REPORT_LIFECYCLE = Lifecycle(
    {
        R.DRAFT: [R.SUBMITTED],
        R.SUBMITTED: [R.ACCEPTED, R.RETURNED],
        R.RETURNED: [R.SUBMITTED],
        R.ACCEPTED: [],
    },
    R,
)

PARTICIPATION_LIFECYCLE = Lifecycle(
    {
        Part.PENDING: [Part.ACCEPTED, Part.DECLINED, Part.WITHDRAWN],
        Part.ACCEPTED: [],
        Part.DECLINED: [],
        Part.WITHDRAWN: [],
    },
    Part,
)

# An acceptance is recorded, then concluded once (its consequences follow the conclusion).
ACCEPTANCE_LIFECYCLE = Lifecycle({A.DRAFT: [A.CONCLUDED], A.CONCLUDED: []}, A)

# Rectification items are tracked like follow-up actions: open until done (reopened if not).
RECTIFICATION_LIFECYCLE = Lifecycle({Rect.OPEN: [Rect.DONE], Rect.DONE: [Rect.OPEN]}, Rect)
