"""The compensation lifecycles: one table each decides which status changes exist."""

from projects.compensation.choices import AgreementStatus as A
from projects.compensation.choices import ListingStatus as L
from projects.compensation.choices import SettlementStatus as S
from projects.compensation.choices import StandardStatus as St
from projects.compensation.choices import TradeStatus as T
from projects.core.workflow import Lifecycle

# A changed agreement is a new version (``supersedes``); putting it in force supersedes the old one.
AGREEMENT_LIFECYCLE = Lifecycle(
    {
        A.DRAFT: [A.IN_FORCE, A.TERMINATED],
        A.IN_FORCE: [A.EXPIRED, A.TERMINATED, A.SUPERSEDED],
        A.EXPIRED: [],
        A.TERMINATED: [],
        A.SUPERSEDED: [],
    },
    A,
)

# computed → computed is a recomputation; confirmed (by both parties) is locked for good.
SETTLEMENT_LIFECYCLE = Lifecycle(
    {
        S.PENDING: [S.COMPUTED],
        S.COMPUTED: [S.COMPUTED, S.CONFIRMED],
        S.CONFIRMED: [],
    },
    S,
)

STANDARD_LIFECYCLE = Lifecycle(
    {
        St.DRAFTING: [St.PUBLISHED],
        St.PUBLISHED: [St.SUPERSEDED],
        St.SUPERSEDED: [],
    },
    St,
)

LISTING_LIFECYCLE = Lifecycle({L.OPEN: [L.CLOSED, L.WITHDRAWN], L.CLOSED: [], L.WITHDRAWN: []}, L)

TRADE_LIFECYCLE = Lifecycle({T.AGREED: [T.SETTLED, T.CANCELLED], T.SETTLED: [], T.CANCELLED: []}, T)
