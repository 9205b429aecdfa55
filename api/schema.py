"""OpenAPI extensions (drf-spectacular)."""

from drf_spectacular.openapi import AutoSchema


class TrackerAutoSchema(AutoSchema):
    """A ``transition`` action takes its resource's transition body and answers with the resource."""

    def get_request_serializer(self):
        if getattr(self.view, "action", None) == "transition":
            return self.view.transition_serializer
        return super().get_request_serializer()
