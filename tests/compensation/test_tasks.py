"""The settlement task retries as it declares: on database errors, with backoff, three times."""

import datetime

import pytest
from django.db import InterfaceError, OperationalError

from projects.compensation import services
from projects.compensation.tasks import compute_settlement
from projects.core.errors import DomainError
from tests.compensation.factories import AgreementFactory, measurements

pytestmark = pytest.mark.django_db


@pytest.fixture
def settlement(joint_office):
    agreement = AgreementFactory()
    services.sample_save(
        actor=joint_office,
        data={
            "section": agreement.sections.get(),
            "sampled_on": datetime.date(2023, 3, 15),
            "measurements": measurements(tp="0.12"),
        },
    )
    return services.settlement_save(actor=joint_office, data={"agreement": agreement, "period": "2023"})


@pytest.fixture
def flaky_compute(monkeypatch):
    """settlement_compute failing with the given errors first, then running for real."""
    real = services.settlement_compute
    attempts = []

    def install(*errors):
        pending = list(errors)

        def compute(**kwargs):
            attempts.append(kwargs["instance"].pk)
            if pending:
                raise pending.pop(0)
            return real(**kwargs)

        monkeypatch.setattr(services, "settlement_compute", compute)
        return attempts

    return install


@pytest.fixture(autouse=True)
def _retries_run_inline():
    """apply() runs a retry at once, as a worker would after the countdown, unless eager errors
    propagate (the test settings' default), which would hand the first Retry to the caller."""
    conf = compute_settlement.app.conf
    saved = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = saved


@pytest.fixture
def countdowns(monkeypatch):
    """The delay of every retry the task asks for."""
    asked = []
    retry = compute_settlement.retry

    def recording_retry(*args, **kwargs):
        asked.append(kwargs.get("countdown"))
        return retry(*args, **kwargs)

    monkeypatch.setattr(compute_settlement, "retry", recording_retry)
    return asked


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("closed")])
def test_a_database_error_is_retried_and_the_retry_computes(settlement, flaky_compute, countdowns, error):
    attempts = flaky_compute(error)
    result = compute_settlement.apply(args=[str(settlement.pk)])
    assert result.get() == "computed"
    assert attempts == [settlement.pk, settlement.pk]
    assert len(countdowns) == 1 and 0 <= countdowns[0] <= 30
    settlement.refresh_from_db()
    assert settlement.status == "computed"


def test_it_gives_up_after_three_retries_with_growing_delays(settlement, flaky_compute, countdowns):
    attempts = flaky_compute(*[OperationalError("database is restarting")] * 5)
    result = compute_settlement.apply(args=[str(settlement.pk)])
    assert result.failed()
    with pytest.raises(OperationalError):
        result.get()
    assert len(attempts) == 4  # the run and three retries
    # Three retries within 30, 60 and 120 s; the fourth is asked for and refused.
    assert len(countdowns) == 4
    assert all(0 <= delay <= limit for delay, limit in zip(countdowns, (30, 60, 120), strict=False))
    settlement.refresh_from_db()
    assert settlement.status == "pending"


def test_a_domain_refusal_is_not_retried(settlement, flaky_compute, countdowns):
    attempts = flaky_compute(DomainError("refused"))
    result = compute_settlement.apply(args=[str(settlement.pk)])
    with pytest.raises(DomainError):
        result.get()
    assert len(attempts) == 1
    assert countdowns == []
