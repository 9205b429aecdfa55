"""Writes of the compensation domain, one module per ``models`` module. The admin, the API, the
CSV import, the demo and the tasks all call these; nothing else writes compensation records.

Money is in whole yuan (元). Quantities of ecological products are Decimals in their unit.
"""

from projects.compensation.services.agreements import (
    agreement_delete,
    agreement_revise,
    agreement_save,
    agreement_transition,
    rule_delete,
    rule_save,
)
from projects.compensation.services.carbon import carbon_coefficient_delete, carbon_coefficient_save
from projects.compensation.services.fund import (
    check_fund_balance,
    fund_allocation_delete,
    fund_allocation_save,
    fund_balance,
    fund_contribution_delete,
    fund_contribution_save,
    fund_delete,
    fund_save,
)
from projects.compensation.services.locks import refuse_if_settled
from projects.compensation.services.products import (
    listing_delete,
    listing_save,
    listing_transition,
    product_delete,
    product_save,
    product_type_delete,
    product_type_save,
    sold_quantity,
    trade_save,
    trade_transition,
)
from projects.compensation.services.settlements import (
    settlement_compute,
    settlement_delete,
    settlement_save,
    settlement_transition,
    settlements_schedule_due,
    settlements_send_pending,
)
from projects.compensation.services.standards import standard_delete, standard_save, standard_transition
from projects.compensation.services.water import (
    clean_measurements,
    limit_delete,
    limit_save,
    parameter_delete,
    parameter_save,
    parameter_specs,
    sample_delete,
    sample_save,
    section_delete,
    section_save,
)
from projects.compensation.services.water_import import ImportRejected, sample_import_csv

__all__ = [
    "ImportRejected",
    "agreement_delete",
    "agreement_revise",
    "agreement_save",
    "agreement_transition",
    "carbon_coefficient_delete",
    "carbon_coefficient_save",
    "check_fund_balance",
    "clean_measurements",
    "fund_allocation_delete",
    "fund_allocation_save",
    "fund_balance",
    "fund_contribution_delete",
    "fund_contribution_save",
    "fund_delete",
    "fund_save",
    "limit_delete",
    "limit_save",
    "listing_delete",
    "listing_save",
    "listing_transition",
    "parameter_delete",
    "parameter_save",
    "parameter_specs",
    "product_delete",
    "product_save",
    "product_type_delete",
    "product_type_save",
    "refuse_if_settled",
    "rule_delete",
    "rule_save",
    "sample_delete",
    "sample_import_csv",
    "sample_save",
    "section_delete",
    "section_save",
    "settlement_compute",
    "settlement_delete",
    "settlement_save",
    "settlement_transition",
    "settlements_schedule_due",
    "settlements_send_pending",
    "sold_quantity",
    "standard_delete",
    "standard_save",
    "standard_transition",
    "trade_save",
    "trade_transition",
]
