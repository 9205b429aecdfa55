"""``get_<field>_display`` of every tracked record: the label Django's own method gives, in the
reader's language, read from labels translated once per language instead of on every call."""

from django.apps import apps
from django.db import models
from django.utils import translation

from projects.core.models.base import TrackedModel, choice_labels
from projects.restoration.models import Project


def choice_fields():
    for model in apps.get_models():
        if issubclass(model, TrackedModel):
            for field in model._meta.concrete_fields:
                if field.choices:
                    yield model, field


def test_every_choice_label_is_djangos_in_both_languages():
    checked = 0
    for model, field in choice_fields():
        values = [value for value, _label in field.flatchoices] + ["no-such-choice", None]
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for value in values:
                    record = model(**{field.attname: value})
                    ours = getattr(record, f"get_{field.name}_display")()
                    assert ours == models.Model._get_FIELD_display(record, field), (model, field.name, value)
                    assert type(ours) is type(models.Model._get_FIELD_display(record, field))
                    checked += 1
    assert checked > 200  # every tracked model's choices, not none


def test_a_label_follows_the_readers_language():
    project = Project(status="in_progress")
    with translation.override("zh-hans"):
        chinese = project.get_status_display()
    with translation.override("en"):
        english = project.get_status_display()
    assert (chinese, english) == ("实施中", "In progress (实施中)")
    # Translated once per language, then read.
    field = Project._meta.get_field("status")
    assert choice_labels(field, "en")["in_progress"] == "In progress (实施中)"
