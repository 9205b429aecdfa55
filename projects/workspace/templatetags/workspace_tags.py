from django import template

register = template.Library()


@register.filter
def errors_for(errors, name):
    """The messages refused for the field ``name`` (a dict of lists; empty when none)."""
    return (errors or {}).get(name, [])
