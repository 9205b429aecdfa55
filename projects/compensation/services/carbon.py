"""The sequestration coefficients per ecosystem type (experts and the joint office keep them)."""

from projects.compensation.models import CarbonCoefficient
from projects.core.services import plain_delete, plain_save

carbon_coefficient_save = plain_save(CarbonCoefficient)
carbon_coefficient_delete = plain_delete
