"""The settlement calculation: inputs gathered from recorded data, then a pure function of them.

``gather_inputs`` reads everything the calculation needs into plain JSON (rule, sections,
samples with the values used, the limit table); ``calculate`` derives the transfer and the
steps from those inputs alone, so anyone can replay a settlement from what it stores and
recomputing with the same data always gives the same result.

Sign convention: a positive transfer is paid by the downstream party to the upstream party.
Numbers are exact (``projects.compensation.numbers``): means and the improvement index are
fractions compared with their limits and thresholds as they are; rounded values appear in the
steps for display only, beside the exact ones, and every number is written in plain notation.
"""

import calendar
import datetime
import hashlib
import json
import re
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from projects.compensation.choices import RuleKind, SettlementPeriod, Side
from projects.compensation.evaluation import NO_DATA, evaluate, evaluate_by_month, load_limits, mean_values
from projects.compensation.numbers import exact, exact_text, plain, rounded_text

# Terms and the index are shown rounded to this many places beside their exact value.
INDEX_PLACES = 4

PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>0[1-9]|1[0-2]))?$")


def period_bounds(period: str, kind: str) -> tuple[datetime.date, datetime.date]:
    match = PERIOD.match(period or "")
    if not match or bool(match["month"]) != (kind == SettlementPeriod.MONTH):
        example = "2024-03" if kind == SettlementPeriod.MONTH else "2024"
        raise ValidationError(
            {
                "period": _("This agreement settles by %(kind)s: use the form %(example)s.")
                % {"kind": SettlementPeriod(kind).label, "example": example}
            }
        )
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def previous_period(period: str) -> str:
    if len(period) == 4:
        return str(int(period) - 1)
    year, month = int(period[:4]), int(period[5:])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def _samples(section, start: datetime.date, end: datetime.date) -> list[dict]:
    rows = []
    for sample in section.samples.all():  # prefetched with measurements, ordered by date
        if start <= sample.sampled_on <= end:
            values = {m.parameter: plain(m.effective_value) for m in sample.measurements.all()}
            rows.append({"id": str(sample.pk), "date": sample.sampled_on.isoformat(), "values": values})
    return sorted(rows, key=lambda row: (row["date"], row["id"]))


def gather_inputs(agreement, period: str) -> dict:
    """Everything the calculation uses, as plain JSON.

    Gathered in the tracker's own language whatever the reader's: the parties' names are part of
    the inputs, and their digest must not change when an English-speaking party confirms."""
    with translation.override(settings.LANGUAGE_CODE):
        return _gather_inputs(agreement, period)


def _gather_inputs(agreement, period: str) -> dict:
    from django.db.models import Prefetch

    from projects.compensation.models import WaterSample

    start, end = period_bounds(period, agreement.settlement_period)
    rule = agreement.rule
    needed = [(start, end)]
    previous = None
    if rule.kind == RuleKind.CLASS_VS_TARGET_AND_TREND:
        previous = previous_period(period)
        needed.append(period_bounds(previous, agreement.settlement_period))
    years = (rule.parameters or {}).get("baseline_years") if rule.kind == RuleKind.IMPROVEMENT_INDEX else None
    if years:
        needed.append((datetime.date(years[0], 1, 1), datetime.date(years[1], 12, 31)))
    earliest, latest = min(s for s, _e in needed), max(e for _s, e in needed)
    samples = WaterSample.objects.filter(sampled_on__gte=earliest, sampled_on__lte=latest).prefetch_related(
        "measurements"
    )
    sections = agreement.sections.order_by("code").prefetch_related(
        Prefetch("samples", queryset=samples.order_by("sampled_on"))
    )
    section_inputs = []
    for section in sections:
        item = {
            "code": section.code,
            "name": section.name_zh,
            "waterbody": section.waterbody,
            "target_class": section.target_class,
            "samples": _samples(section, start, end),
        }
        if rule.kind == RuleKind.CLASS_VS_TARGET_AND_TREND:
            item["previous_samples"] = _samples(section, *needed[1])
        if years:
            item["baseline_samples"] = _samples(section, *needed[-1])
        section_inputs.append(item)
    inputs = {
        "agreement": {
            "code": agreement.code,
            "upstream": agreement.party_name(Side.UPSTREAM),
            "downstream": agreement.party_name(Side.DOWNSTREAM),
            "evaluation_method": agreement.evaluation_method,
            "pool": {
                "upstream": agreement.upstream_contribution,
                "downstream": agreement.downstream_contribution,
            },
        },
        "rule": {
            "code": rule.code,
            "kind": rule.kind,
            "amount_met": rule.amount_met,
            "amount_missed": rule.amount_missed,
            "max_amount": rule.max_amount,
            "parameters": rule.parameters or {},
            "verified": rule.verified,
        },
        "period": {"period": period, "start": start.isoformat(), "end": end.isoformat()},
        "table": load_limits(),
        "sections": section_inputs,
    }
    if previous is not None:
        previous_start, previous_end = needed[1]
        inputs["previous_period"] = {
            "period": previous,
            "start": previous_start.isoformat(),
            "end": previous_end.isoformat(),
        }
    return inputs


def digest(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- the calculation -----------------------------------------------------------------------


def _bounds(inputs: dict, key: str = "period") -> tuple[datetime.date, datetime.date]:
    period = inputs.get(key)
    if period is None:  # inputs stored before the previous period was kept in them
        label = previous_period(inputs["period"]["period"])
        return period_bounds(label, SettlementPeriod.YEAR if len(label) == 4 else SettlementPeriod.MONTH)
    return datetime.date.fromisoformat(period["start"]), datetime.date.fromisoformat(period["end"])


def _judged(samples, section, method, start, end, table) -> dict:
    return evaluate(
        samples,
        section["waterbody"],
        table,
        method=method,
        start=start,
        end=end,
        target_class=section["target_class"],
    )


def _months(result: dict) -> dict:
    """Every month of a month-by-month judgement: its class, limiting parameters and verdict."""
    return {
        month: {
            "samples": row["samples"],
            "class": row["class"],
            "limiting": row["limiting"],
            "meets_target": row["meets_target"],
            "status": row["status"],
        }
        for month, row in result["months"].items()
    }


def calculate(inputs: dict) -> dict:
    """Payer, amount and steps from the inputs alone."""
    rule, table = inputs["rule"], inputs["table"]
    method = inputs["agreement"]["evaluation_method"]
    start, end = _bounds(inputs)
    met, missed = int(rule["amount_met"]), int(rule["amount_missed"])
    steps: list[dict] = [
        {
            "kind": "rule",
            "rule": rule["code"],
            "rule_kind": rule["kind"],
            "amount_met": rule["amount_met"],
            "amount_missed": rule["amount_missed"],
            "verified": rule["verified"],
        }
    ]
    net = 0
    for section in inputs["sections"]:
        target = section["target_class"]
        if rule["kind"] == RuleKind.MONTHS_MEETING_TARGET:
            months = evaluate_by_month(
                section["samples"], section["waterbody"], table, start=start, end=end, target_class=target
            )
            met_months = [m for m, r in months.items() if r["meets_target"] is True]
            missed_months = [m for m, r in months.items() if r["meets_target"] is False]
            transfer = met * len(met_months) - missed * len(missed_months)
            steps.append(
                {
                    "kind": "months",
                    "section": section["code"],
                    "target_class": target,
                    "months": _months({"months": months}),
                    "met": len(met_months),
                    "missed": len(missed_months),
                    "no_data": len(months) - len(met_months) - len(missed_months),
                    "transfer": transfer,
                }
            )
            net += transfer
            continue
        result = _judged(section["samples"], section, method, start, end, table)
        step = {
            "kind": "section",
            "section": section["code"],
            "target_class": target,
            "method": result["method"],
            "samples": result["samples"],
            "class": result["class"],
            "limiting": result["limiting"],
        }
        if "months" in result:
            step["months"] = _months(result)
        else:
            step["means"] = result["means"]
        if result["status"] == NO_DATA:
            steps.append({**step, "kind": "no_data", "meets_target": None, "transfer": 0})
            continue
        meets = result["meets_target"]
        if rule["kind"] == RuleKind.CLASS_VS_TARGET:
            transfer = met if meets else -missed
        elif rule["kind"] == RuleKind.CLASS_VS_TARGET_AND_TREND:
            previous_start, previous_end = _bounds(inputs, "previous_period")
            before = _judged(section.get("previous_samples", []), section, method, previous_start, previous_end, table)[
                "class"
            ]
            step["previous_class"] = before
            if not meets:
                transfer = -missed
            elif before is None or result["class"] == before:
                transfer = 0
            else:
                transfer = met if result["class"] < before else -missed
        else:  # improvement index: always on the period means
            transfer, extra = _index_transfer(rule, section, met, missed)
            step.update(extra)
        step.update({"meets_target": meets, "transfer": transfer})
        steps.append(step)
        net += transfer
    total = net
    cap = rule.get("max_amount")
    if cap is not None and abs(net) > cap:
        net = cap if net > 0 else -cap
        steps.append({"kind": "cap", "before": total, "cap": cap})
    amount = abs(net)
    payer = "" if amount == 0 else (Side.DOWNSTREAM if net > 0 else Side.UPSTREAM)
    steps.append(
        {
            "kind": "result",
            "net": net,
            "payer": payer,
            "amount": amount,
            "payer_name": inputs["agreement"].get(payer, "") if payer else "",
            "payee_name": inputs["agreement"].get(_other(payer), "") if payer else "",
        }
    )
    return {"payer": payer, "amount": amount, "steps": steps}


def _other(side: str) -> str:
    return Side.DOWNSTREAM if side == Side.UPSTREAM else Side.UPSTREAM


def _index_transfer(rule, section, met: int, missed: int):
    """P = k0 × Σ wᵢ·Cᵢ/Cᵢ0, exact; P ≤ threshold → downstream pays, otherwise upstream pays."""
    params = rule["parameters"]
    weights = {p: exact(w) for p, w in params["weights"].items()}
    # The defaults of ``validate_index_parameters``: k0 1, threshold 1.
    k0, threshold = exact(params.get("k0", "1")), exact(params.get("threshold", "1"))
    if "baseline" in params:
        baseline = {p: exact(v) for p, v in params["baseline"].items()}
    else:
        baseline = mean_values(section.get("baseline_samples", []))
    means = mean_values(section["samples"])
    missing = sorted(p for p in weights if p not in means or not baseline.get(p))
    if missing:
        return 0, {"kind": "index_missing", "missing": missing}
    terms: dict[str, Fraction] = {p: weights[p] * means[p] / baseline[p] for p in sorted(weights)}
    index = k0 * sum(terms.values())
    transfer = met if index <= threshold else -missed
    return transfer, {
        "kind": "index",
        "means": {p: exact_text(means[p]) for p in sorted(weights)},
        "baseline": {p: exact_text(baseline[p]) for p in sorted(weights)},
        "weights": {p: exact_text(weights[p]) for p in sorted(weights)},
        "terms": {p: exact_text(v) for p, v in terms.items()},
        "terms_rounded": {p: rounded_text(v, INDEX_PLACES) for p, v in terms.items()},
        "k0": exact_text(k0),
        "index": exact_text(index),
        "index_rounded": rounded_text(index, INDEX_PLACES),
        "threshold": exact_text(threshold),
        "index_within_threshold": index <= threshold,
    }


# --- reading the steps -----------------------------------------------------------------------


def _class_name(value) -> str:
    from projects.compensation.choices import WaterClass

    return str(WaterClass(value).label) if value else "—"


def _month_list(step: dict, status: str) -> str:
    return ", ".join(m for m, row in (step.get("months") or {}).items() if row.get("status") == status) or "—"


def describe_step(step: dict) -> str:
    """The step in words, in the reader's language."""
    kind = step["kind"]
    if kind == "rule":
        text = _("Rule %(rule)s (%(kind)s): %(met)s yuan when the target is met, %(missed)s yuan when missed.") % {
            "rule": step["rule"],
            "kind": RuleKind(step["rule_kind"]).label,
            "met": step["amount_met"],
            "missed": step["amount_missed"],
        }
        # Not inside an f-string: xgettext cannot see calls there, so the message missed the catalogue.
        return text if step["verified"] else text + " " + _("Demonstration figures, not verified.")
    if kind == "no_data":
        return (
            _("Section %(section)s: no samples in the period, neither meeting nor missing its target; not settled.")
            % step
        )
    if kind == "months":
        text = _(
            "Section %(section)s: %(met)s months met class %(target)s, %(missed)s missed; transfer %(transfer)s yuan."
        ) % {**step, "target": _class_name(step["target_class"])}
        return f"{text} " + _("Missed: %(missed)s. No data: %(no_data)s.") % {
            "missed": _month_list(step, "missed"),
            "no_data": _month_list(step, "no_data"),
        }
    if kind == "cap":
        return _("Capped: %(before)s yuan limited to %(cap)s yuan.") % step
    if kind == "result":
        if not step["payer"]:
            return _("Result: nobody pays.")
        return _("Result: %(payer)s pays %(payee)s %(amount)s yuan.") % {
            "payer": step["payer_name"],
            "payee": step["payee_name"],
            "amount": step["amount"],
        }
    text = _(
        "Section %(section)s: %(samples)s samples, class %(class)s (limiting: %(limiting)s), target %(target)s."
    ) % {
        "section": step["section"],
        "samples": step["samples"],
        "class": _class_name(step["class"]),
        "limiting": ", ".join(step["limiting"]) or "—",
        "target": _class_name(step["target_class"]),
    }
    if "months" in step:
        text += " " + _("Judged month by month; missed: %(missed)s; no data: %(no_data)s.") % {
            "missed": _month_list(step, "missed"),
            "no_data": _month_list(step, "no_data"),
        }
    if "previous_class" in step:
        text += " " + _("Previous period: %(class)s.") % {"class": _class_name(step["previous_class"])}
    if kind == "index":
        text += " " + _("Index P = %(k0)s × Σ = %(index)s (≈ %(index_rounded)s), threshold %(threshold)s.") % step
    if kind == "index_missing":
        text += " " + _("Index not computable, missing: %(missing)s.") % {"missing": ", ".join(step["missing"])}
    return f"{text} " + _("Transfer: %(transfer)s yuan.") % step


_STEP_AMOUNTS = ("amount_met", "amount_missed", "transfer", "before", "cap", "amount")


def settlement_words(settlement) -> dict:
    """What the parties read before confirming: who pays whom (by name), the amount in 元 with
    thousands separators, every step in words, and the inputs the figures were computed from."""
    from projects.core.formatting import amount_text, number_text

    agreement = settlement.agreement
    inputs = settlement.inputs or {}
    if settlement.payer:
        payee = Side.DOWNSTREAM if settlement.payer == Side.UPSTREAM else Side.UPSTREAM
        payer = _("%(side)s %(name)s pays %(other_side)s %(other_name)s") % {
            "side": Side(settlement.payer).label,
            "name": agreement.party_name(settlement.payer),
            "other_side": Side(payee).label,
            "other_name": agreement.party_name(payee),
        }
    else:
        payer = _("Nobody pays.") if settlement.computed_at else "—"
    rows = []
    rule = inputs.get("rule")
    if rule:
        rows.append((_("Rule"), f"{rule['code']}（{RuleKind(rule['kind']).label}）"))
    period = inputs.get("period")
    if period:
        rows.append((_("Period"), f"{period['period']}（{period['start']} – {period['end']}）"))
    pool = (inputs.get("agreement") or {}).get("pool")
    if pool:
        rows.append(
            (
                _("Contributions to the pool"),
                f"{Side.UPSTREAM.label} {amount_text(pool['upstream'], '元')}；"
                f"{Side.DOWNSTREAM.label} {amount_text(pool['downstream'], '元')}",
            )
        )
    for section in inputs.get("sections", []):
        rows.append(
            (
                f"{section['code']} {section['name']}",
                _("target class %(target)s, %(samples)s samples in the period")
                % {"target": _class_name(section["target_class"]), "samples": len(section.get("samples") or [])},
            )
        )
    return {
        "payer": payer,
        "amount": amount_text(settlement.amount, "元") if settlement.computed_at else "—",
        # The amounts of each step with thousands separators, for reading (the stored steps stay exact).
        "steps": [
            describe_step({**step, **{key: number_text(step[key]) for key in _STEP_AMOUNTS if key in step}})
            for step in settlement.steps or []
        ],
        "inputs": rows,
    }
