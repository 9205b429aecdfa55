"""OpenAPI extensions (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class TrackerAutoSchema(AutoSchema):
    """A ``transition`` action takes its resource's transition body and answers with the resource."""

    def get_request_serializer(self):
        if getattr(self.view, "action", None) == "transition":
            return self.view.transition_serializer
        return super().get_request_serializer()

    def map_renderers(self, attribute):
        # GeoJSON is a view of the same list for GIS clients (``format=geojson``, described with
        # ``bbox``); generated clients read the JSON.
        return [value for value in super().map_renderers(attribute) if value not in ("application/geo+json", "geojson")]


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token trk_…` (or `Bearer trk_…`) from POST /api/v1/auth/token/",
        }
