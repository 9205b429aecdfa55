"""Brief representations of the conference's records and the reference fields that read and write them.

As everywhere (``api.fields.Ref``), a reference is read as the brief object and written as the id or
the brief object itself; a meeting may also be named by its sequence number and a plan by its year.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from api.fields import Ref
from projects.conference.models import AnnualPlan, CorridorPlan, Decision, Expert, Meeting

_MAX_NUMBER_DIGITS = 9


class InlineChoiceField(serializers.ChoiceField):
    """A choice field documented with its values in place, not as a shared enum component.

    Several apps have fields named ``status`` or ``to`` with different choices; shared components
    would collide by name (drf-spectacular W001).
    """


class InlineChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = InlineChoiceField

    def map_serializer_field(self, auto_schema, direction):
        values = list(self.target.choices)
        if self.target.allow_blank:
            values.append("")
        kind = "integer" if values and all(isinstance(v, int) for v in values) else "string"
        # Wrapped in allOf so the enum post-processing leaves it in place instead of naming a component.
        return {"type": kind, "allOf": [{"enum": values}]}


class ModelSerializer(serializers.ModelSerializer):
    serializer_choice_field = InlineChoiceField


class BriefMeetingSerializer(ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "sequence_no", "date", "status"]


class BriefDecisionSerializer(ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "number", "title"]


class BriefPlanSerializer(ModelSerializer):
    title = serializers.CharField(source="display_title", read_only=True)

    class Meta:
        model = AnnualPlan
        fields = ["id", "year", "title", "status"]


class BriefExpertSerializer(ModelSerializer):
    class Meta:
        model = Expert
        fields = ["id", "name", "field", "affiliation"]


class BriefCorridorPlanSerializer(ModelSerializer):
    class Meta:
        model = CorridorPlan
        fields = ["id", "slug", "title_zh", "title_en"]


class NumberedRef(Ref):
    """A reference by id (or slug), or by the number that names the record (``number_field``)."""

    model = None
    brief_serializer = None
    number_field = None

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", self.model._default_manager.all())
        super().__init__(brief=self.brief_serializer, **kwargs)

    def to_internal_value(self, data):
        key = data
        if isinstance(data, dict) and data.get("id") in (None, "") and self.number_field:
            key = data.get(self.number_field)
        if self.number_field and _is_number(key):
            text = str(key).strip()
            match = None
            if len(text) <= _MAX_NUMBER_DIGITS:
                match = self.get_queryset().filter(**{self.number_field: int(text)}).first()
            if match is None:
                self.fail("does_not_exist", value=text)
            return match
        return super().to_internal_value(data)


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())


class MeetingRef(NumberedRef):
    """A meeting: its id or its sequence number (``3``); read in brief."""

    model, brief_serializer, number_field = Meeting, BriefMeetingSerializer, "sequence_no"


class PlanRef(NumberedRef):
    """An annual plan: its id or its year (``2027``); read in brief."""

    model, brief_serializer, number_field = AnnualPlan, BriefPlanSerializer, "year"


class DecisionRef(NumberedRef):
    """A decision, by its id; read in brief."""

    model, brief_serializer = Decision, BriefDecisionSerializer


class ExpertRef(NumberedRef):
    """A member of the expert committee, by their id; read in brief."""

    model, brief_serializer = Expert, BriefExpertSerializer


class CorridorPlanRef(NumberedRef):
    """A long-range corridor plan, by its id or slug; read in brief."""

    model, brief_serializer = CorridorPlan, BriefCorridorPlanSerializer
