"""Who may do what with compensation records (see ``projects.permissions``).

Agreements, settlement rules, the GB 3838 tables, product types and funds have no rule of
their own: they are reference data only the joint office and administrators change.
"""

from projects.compensation.choices import SampleSource, SettlementStatus
from projects.compensation.models.standards import ISSUER_PROVINCE
from projects.core.choices import Role
from projects.permissions import ADD, CHANGE, DELETE, TRANSITION, VIEW, is_provincial_staff, rule_for


def _section_province_ids(section) -> set:
    return {org.province_id for org in section.responsible_organizations.all() if org.province_id}


@rule_for("compensation.monitoringsection")
def monitoring_sections(user, action, section) -> bool:
    if action == VIEW or user.runs_everything:
        return True
    # The parties responsible for a section keep its description up to date; the joint
    # office creates and deletes sections with the agreements.
    return action == CHANGE and section is not None and province_of_staff(user) in _section_province_ids(section)


@rule_for("compensation.watersample", "compensation.measurement")
def water_samples(user, action, sample) -> bool:
    if action == VIEW or user.runs_everything:
        return True
    if user.role == Role.PARTNER_SYSTEM:
        # Automatic stations report through the data-sharing platform: new automatic-station
        # samples only (manual sampling is the provinces' own work, docs/compensation.md).
        if action != ADD:
            return False
        sample = getattr(sample, "sample", sample)
        return sample is None or sample.source == SampleSource.AUTOMATIC
    if not is_provincial_staff(user):
        return False
    if sample is None:
        return action in (ADD, CHANGE, DELETE)
    sample = getattr(sample, "sample", sample)  # a measurement answers as its sample
    return user.province_id in _section_province_ids(sample.section)


def province_of_staff(user):
    return user.province_id if is_provincial_staff(user) else None


@rule_for("compensation.settlement")
def settlements(user, action, settlement) -> bool:
    if action == VIEW:
        return True
    if action == DELETE:
        return user.runs_everything and (settlement is None or settlement.status != SettlementStatus.CONFIRMED)
    if action == TRANSITION:
        # Confirming is for the parties themselves; nobody confirms on their behalf.
        if settlement is None:
            return is_provincial_staff(user)
        return province_of_staff(user) in _party_province_ids(settlement.agreement)
    if user.runs_everything:
        return True
    if settlement is None:
        return is_provincial_staff(user)
    return province_of_staff(user) in _party_province_ids(settlement.agreement)


def _party_province_ids(agreement) -> set:
    return {agreement.upstream_province_id, agreement.downstream_province_id}


@rule_for("compensation.fundcontribution")
def fund_contributions(user, action, contribution) -> bool:
    if action == VIEW or user.runs_everything:
        return True
    if not is_provincial_staff(user):
        return False
    if contribution is None:
        return True
    # Each province records what its own bodies paid in.
    return contribution.contributor.province_id == user.province_id


@rule_for("compensation.fundallocation")
def fund_allocations(user, action, allocation) -> bool:
    # Allocations are decided jointly (联席会议), so only the joint office records them.
    return action == VIEW or user.runs_everything


@rule_for("compensation.standard")
def standards(user, action, standard) -> bool:
    if action == VIEW or user.runs_everything:
        return True
    if not is_provincial_staff(user) or action == DELETE:
        return False
    if standard is None:
        return True
    # Provincial staff maintain their own province's standards; joint and national ones
    # belong to the joint office.
    code = ISSUER_PROVINCE.get(standard.issuer)
    return code is not None and user.organization.province.code == code


@rule_for("compensation.ecologicalproduct")
def ecological_products(user, action, product) -> bool:
    if action == VIEW or user.runs_everything:
        return True
    if not is_provincial_staff(user):
        return False
    if product is None:
        return True
    return product.owner.province_id == user.province_id


@rule_for("compensation.productlisting")
def listings(user, action, listing) -> bool:
    if action == VIEW or user.runs_everything:
        return True
    if listing is None:
        return is_provincial_staff(user)
    return ecological_products(user, CHANGE, listing.product)


@rule_for("compensation.trade")
def trades(user, action, trade) -> bool:
    if action == VIEW or user.runs_everything:
        return True
    if not is_provincial_staff(user) or action in (CHANGE, DELETE):
        return False  # the ledger is written by the trade services only
    if trade is None:
        return True
    if action == ADD:
        return trade.seller.province_id == user.province_id
    if action == TRANSITION:
        return user.province_id in {trade.seller.province_id, trade.buyer.province_id}
    return False


@rule_for("compensation.carboncoefficient")
def carbon_coefficients(user, action, coefficient) -> bool:
    if action == VIEW or user.runs_everything:
        return True
    # The expert committee (专家委员会) keeps the coefficients and their sources current.
    return user.role == Role.EXPERT and action in (ADD, CHANGE)
