"""Trades racing for the same product: row locks keep the ledger from overselling."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from projects.compensation import services
from projects.core.errors import DomainError
from tests.compensation.factories import ProductFactory, org


@pytest.mark.skipif(settings.IS_SPATIALITE, reason="SQLite serialises writers and has no row locks to test")
def test_concurrent_trades_never_sell_more_than_remains(transactional_db):
    from tests.factories import UserFactory

    seller = UserFactory(role="provincial_staff", organization=org("sc-natural-resources"))
    product = ProductFactory(quantity=Decimal("100"))
    buyer = org("cq-forestry")
    workers, barrier = 8, threading.Barrier(8)
    outcomes = []

    def attempt():
        try:
            barrier.wait()
            services.trade_save(
                actor=seller,
                data={
                    "product": product,
                    "buyer": buyer,
                    "quantity": Decimal("30"),
                    "unit_price": Decimal("60"),
                    "traded_on": datetime.date(2024, 5, 20),
                },
            )
            outcomes.append("sold")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["sold"] * 3
    assert services.sold_quantity(product) == Decimal("90")
