"""What the conference's admin forms post, so tests drive the admin as a browser would."""

from django.urls import reverse

from projects.conference.models import ActionItem, AnnualPlan, Decision, PlanItem


def inline(prefix: str, rows: list[dict] | None = None, initial: int = 0) -> dict:
    """An inline formset's management form and its rows (``prefix-0-field`` …)."""
    rows = rows or []
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": "" if value is None else str(value) for name, value in row.items()})
    return data


def meeting_form(**fields) -> dict:
    return {"sequence_no": "", "date": "", "place": "", "minutes": "", **inline("agenda"), **fields}


def decision_form(decision: Decision, **fields) -> dict:
    return {
        "meeting": str(decision.meeting_id),
        "number": str(decision.number),
        "title": decision.title,
        "text": decision.text,
        "loaded_version": str(decision.version),
        **fields,
    }


def action_item_form(item: ActionItem | None = None, **fields) -> dict:
    data = {"title": "督办事项", "description": "", **inline("updates")}
    if item is not None:
        data.update(
            {
                "decision": str(item.decision_id),
                "title": item.title,
                "responsible_organization": str(item.responsible_organization_id),
                "due_date": item.due_date.isoformat(),
                "loaded_version": str(item.version),
            }
        )
    data.update(fields)
    return data


def plan_item_form(item: PlanItem | None = None, *, funding=(), targets=(), milestones=(), **fields) -> dict:
    data = {"description": ""}
    if item is not None:
        data.update(
            {
                "plan": str(item.plan_id),
                "project": str(item.project_id),
                "province": str(item.province_id),
                "description": item.description,
                "loaded_version": str(item.version),
            }
        )
    data.update(fields)
    data.update(inline("funding", list(funding)))
    data.update(inline("targets", list(targets)))
    data.update(inline("milestones", list(milestones)))
    return data


def plan_form(plan: AnnualPlan, **fields) -> dict:
    return {
        "year": str(plan.year),
        "title": plan.title,
        "notes": plan.notes,
        "loaded_version": str(plan.version),
        **inline("transitions"),
        **inline("amendments"),
        **fields,
    }


def action(model: str, name: str, records, **fields) -> tuple[str, dict]:
    """The changelist URL and the confirmed action form (``apply``) for ``records``."""
    url = reverse(f"admin:conference_{model}_changelist")
    return url, {
        "action": name,
        "_selected_action": [str(record.pk) for record in records],
        "apply": "1",
        "comment": "",
        **fields,
    }


def change_url(record) -> str:
    return reverse(f"admin:conference_{record._meta.model_name}_change", args=[record.pk])


def add_url(model) -> str:
    return reverse(f"admin:conference_{model._meta.model_name}_add")
