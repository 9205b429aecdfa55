"""The figures over the shared records, kept until the next committed change
(``representations.figures``) under one key whoever reads them: the API, the pages and the
warm-up ahead of the readers (``api.tasks.warm_figures``). ``encoded=True`` gives the API's copy,
kept as JSON; ``reader``: the user asking, who sees their own writes in them (the figures may
otherwise be up to ``FIGURES_MAX_AGE_SECONDS`` behind)."""

import datetime
from collections.abc import Mapping

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.response import Response

from api import representations
from projects.conference import execution
from projects.restoration.selectors import totals_by


def totals(*, by: str, start=None, end=None, detail: bool = False, encoded: bool = False, reader=None) -> Mapping:
    params = {"by": by, "start": start, "end": end, "detail": detail}
    # Groups and indicators are named in both languages: one copy for every language.
    return representations.figures(
        "indicator-totals", params, lambda: totals_by(**params), encoded=encoded, by_language=False, reader=reader
    )


def plan_execution(*, plan, as_of, encoded: bool = False, reader=None) -> Mapping:
    params = {"plan": plan.pk, "as_of": as_of}
    return representations.figures(
        "plan-execution",
        params,
        lambda: execution.plan_execution(plan=plan, as_of=as_of),
        encoded=encoded,
        reader=reader,
    )


def corridor_progress(*, corridor_plan, as_of, encoded: bool = False, reader=None) -> Mapping:
    params = {"plan": corridor_plan.pk, "as_of": as_of}
    return representations.figures(
        "corridor-progress",
        params,
        lambda: execution.corridor_progress(corridor_plan=corridor_plan, as_of=as_of),
        encoded=encoded,
        reader=reader,
    )


COMPUTED_AT_HEADER = "Figures-Computed-At"
# The header in the schema of every answer of figures (``extend_schema(parameters=[…])``).
COMPUTED_AT = OpenApiParameter(
    COMPUTED_AT_HEADER,
    str,
    location=OpenApiParameter.HEADER,
    response=True,
    description="When these figures were computed (ISO 8601, like the API's timestamps): they hold every "
    "change committed before then; others' later changes count within FIGURES_MAX_AGE_SECONDS, yours at once.",
)


def answer(figures) -> Response:
    """The API's answer of ``figures`` (``encoded=True``), saying when they were computed."""
    response = Response(figures)
    at = getattr(figures, "computed_at", None)
    if at is not None:
        moment = datetime.datetime.fromtimestamp(at, tz=datetime.UTC)
        response[COMPUTED_AT_HEADER] = serializers.DateTimeField().to_representation(moment)
    return response
