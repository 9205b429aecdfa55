"""Driving the admin as a person does: read a form page, change some fields, post it back."""

import datetime
from decimal import Decimal

from django.test import Client


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _wire(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    if isinstance(value, (datetime.date, Decimal, int)):
        return str(value)
    return value if isinstance(value, str) else str(value)


def _add(data: dict, form) -> None:
    for name in form.fields:
        field = form[name]
        if field.field.disabled:
            continue
        value = _wire(field.value())
        if value is not None:
            data[field.html_name] = value


def form_data(page, **changes) -> dict:
    """The data an admin add or change page would post unchanged, with ``changes`` applied
    (inline rows as ``prefix-n-field``)."""
    data = {}
    _add(data, page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        _add(data, formset.management_form)
        for form in formset.forms:
            _add(data, form)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def post_form(client, url, **changes):
    """GET the admin page at ``url``, then POST it back with ``changes``."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, form_data(page, **changes), follow=True)


def messages_of(response, level: str = "") -> list[str]:
    """The messages shown on the page (only those of ``level``, e.g. "error", when given)."""
    if not response.context or "messages" not in response.context:
        return []
    return [str(m) for m in response.context["messages"] if not level or m.level_tag == level]
