"""The settlement calculation: inputs gathered from recorded data, then a pure function of them.

``gather_inputs`` reads everything the calculation needs into plain JSON (rule, sections,
samples with the values used, the limit table); ``calculate`` derives the transfer and the
steps from those inputs alone, so anyone can replay a settlement from what it stores and
recomputing with the same data always gives the same result.

Sign convention: a positive transfer is paid by the downstream party to the upstream party.
"""

import calendar
import datetime
import hashlib
import json
import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects.compensation.choices import EvaluationMethod, RuleKind, SettlementPeriod, Side
from projects.compensation.evaluation import evaluate_by_month, evaluate_period, load_limits

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
            values = {m.parameter: str(m.effective_value.normalize()) for m in sample.measurements.all()}
            rows.append({"id": str(sample.pk), "date": sample.sampled_on.isoformat(), "values": values})
    return sorted(rows, key=lambda row: (row["date"], row["id"]))


def gather_inputs(agreement, period: str) -> dict:
    """Everything the calculation uses, as plain JSON."""
    from django.db.models import Prefetch

    from projects.compensation.models import WaterSample

    start, end = period_bounds(period, agreement.settlement_period)
    rule = agreement.rule
    needed = [(start, end)]
    if rule.kind == RuleKind.CLASS_VS_TARGET_AND_TREND:
        needed.append(period_bounds(previous_period(period), agreement.settlement_period))
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
    return {
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


def digest(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- the calculation -----------------------------------------------------------------------


def _period_class(samples, section, method, table) -> dict:
    if method == EvaluationMethod.MONTHLY_MEAN:
        months = evaluate_by_month(samples, section["waterbody"], table)
        classes = [m["class"] for m in months.values() if m["class"] is not None]
        if not classes:
            return {"samples": len(samples), "class": None, "limiting": [], "months": months}
        worst = max(classes)
        limiting = sorted({p for m in months.values() if m["class"] == worst for p in m["limiting"]})
        return {"samples": len(samples), "class": worst, "limiting": limiting, "months": months}
    return evaluate_period(samples, section["waterbody"], table)


def calculate(inputs: dict) -> dict:
    """Payer, amount and steps from the inputs alone."""
    rule, table = inputs["rule"], inputs["table"]
    method = inputs["agreement"]["evaluation_method"]
    met, missed = Decimal(rule["amount_met"]), Decimal(rule["amount_missed"])
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
    net = Decimal(0)
    for section in inputs["sections"]:
        target = section["target_class"]
        if rule["kind"] == RuleKind.MONTHS_MEETING_TARGET:
            months = evaluate_by_month(section["samples"], section["waterbody"], table)
            met_months = [m for m, r in months.items() if r["class"] is not None and r["class"] <= target]
            missed_months = [m for m, r in months.items() if r["class"] is not None and r["class"] > target]
            transfer = met * len(met_months) - missed * len(missed_months)
            steps.append(
                {
                    "kind": "months",
                    "section": section["code"],
                    "target_class": target,
                    "months": {m: {"class": r["class"], "limiting": r["limiting"]} for m, r in months.items()},
                    "met": len(met_months),
                    "missed": len(missed_months),
                    "transfer": int(transfer),
                }
            )
            net += transfer
            continue
        result = _period_class(section["samples"], section, method, table)
        step = {
            "kind": "section",
            "section": section["code"],
            "target_class": target,
            "samples": result["samples"],
            "class": result["class"],
            "limiting": result["limiting"],
            "means": result.get("means", {}),
        }
        if result["class"] is None:
            steps.append({**step, "kind": "no_data", "transfer": 0})
            continue
        meets = result["class"] <= target
        if rule["kind"] == RuleKind.CLASS_VS_TARGET:
            transfer = met if meets else -missed
        elif rule["kind"] == RuleKind.CLASS_VS_TARGET_AND_TREND:
            before = _period_class(section.get("previous_samples", []), section, method, table)["class"]
            step["previous_class"] = before
            if not meets:
                transfer = -missed
            elif before is None or result["class"] == before:
                transfer = Decimal(0)
            else:
                transfer = met if result["class"] < before else -missed
        else:  # improvement index: always on the period means
            means = evaluate_period(section["samples"], section["waterbody"], table)["means"]
            transfer, extra = _index_transfer(rule, section, means, met, missed)
            step.update(extra)
        step.update({"meets_target": meets, "transfer": int(transfer)})
        steps.append(step)
        net += transfer
    total = net
    cap = rule.get("max_amount")
    if cap is not None and abs(net) > cap:
        net = Decimal(cap) if net > 0 else -Decimal(cap)
        steps.append({"kind": "cap", "before": int(total), "cap": cap})
    amount = int(abs(net).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    payer = "" if amount == 0 else (Side.DOWNSTREAM if net > 0 else Side.UPSTREAM)
    steps.append(
        {
            "kind": "result",
            "net": int(net),
            "payer": payer,
            "amount": amount,
            "payer_name": inputs["agreement"].get(payer, "") if payer else "",
            "payee_name": inputs["agreement"].get(_other(payer), "") if payer else "",
        }
    )
    return {"payer": payer, "amount": amount, "steps": steps}


def _other(side: str) -> str:
    return Side.DOWNSTREAM if side == Side.UPSTREAM else Side.UPSTREAM


def _index_transfer(rule, section, period_means, met, missed):
    params = rule["parameters"]
    weights = {p: Decimal(w) for p, w in params["weights"].items()}
    k0, threshold = Decimal(params["k0"]), Decimal(params["threshold"])
    if "baseline" in params:
        baseline = {p: Decimal(v) for p, v in params["baseline"].items()}
    else:
        baseline = {
            p: Decimal(v)
            for p, v in evaluate_period(
                section.get("baseline_samples", []), section["waterbody"], {"limits": {}, "evaluated": {}}
            )["means"].items()
        }
    means = {p: Decimal(v) for p, v in period_means.items()}
    missing = sorted(p for p in weights if p not in means or not baseline.get(p))
    if missing:
        return Decimal(0), {"kind": "index_missing", "missing": missing}
    terms = {
        p: (weights[p] * means[p] / baseline[p]).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        for p in sorted(weights)
    }
    index = (k0 * sum(terms.values())).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    transfer = met if index <= threshold else -missed
    return transfer, {
        "kind": "index",
        "baseline": {p: str(v) for p, v in sorted(baseline.items()) if p in weights},
        "terms": {p: str(v) for p, v in terms.items()},
        "k0": str(k0),
        "index": str(index),
        "threshold": str(threshold),
    }


# --- reading the steps -----------------------------------------------------------------------


def _class_name(value) -> str:
    from projects.compensation.choices import WaterClass

    return str(WaterClass(value).label) if value else "—"


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
        return _("Section %(section)s: no samples in the period, not settled.") % step
    if kind == "months":
        return _(
            "Section %(section)s: %(met)s months met class %(target)s, %(missed)s missed; transfer %(transfer)s yuan."
        ) % {**step, "target": _class_name(step["target_class"])}
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
    if "previous_class" in step:
        text += " " + _("Previous period: %(class)s.") % {"class": _class_name(step["previous_class"])}
    if kind == "index":
        text += " " + _("Index P = %(k0)s × Σ = %(index)s (threshold %(threshold)s).") % step
    if kind == "index_missing":
        text += " " + _("Index not computable, missing: %(missing)s.") % {"missing": ", ".join(step["missing"])}
    return f"{text} " + _("Transfer: %(transfer)s yuan.") % step
