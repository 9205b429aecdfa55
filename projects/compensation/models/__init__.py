from projects.compensation.models.agreements import CompensationAgreement, Settlement, SettlementRule
from projects.compensation.models.carbon import CarbonCoefficient
from projects.compensation.models.fund import CompensationFund, FundAllocation, FundContribution
from projects.compensation.models.products import EcologicalProduct, ProductListing, ProductType, Trade
from projects.compensation.models.standards import Standard
from projects.compensation.models.water import (
    Measurement,
    MonitoringSection,
    QualityLimit,
    WaterParameter,
    WaterSample,
)

__all__ = [
    "CarbonCoefficient",
    "CompensationAgreement",
    "CompensationFund",
    "EcologicalProduct",
    "FundAllocation",
    "FundContribution",
    "Measurement",
    "MonitoringSection",
    "ProductListing",
    "ProductType",
    "QualityLimit",
    "Settlement",
    "SettlementRule",
    "Standard",
    "Trade",
    "WaterParameter",
    "WaterSample",
]
