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


# --- the one error shape, declared for every operation ---

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every 4xx of the API (docs/api.md, “Errors”). Some answers add facts of their own "
    "(allowed, current_version, expected_version, referenced_by …).",
    "properties": {
        "detail": {"type": "string", "description": "One message, in the language asked for (Accept-Language)."},
        "code": {
            "type": "string",
            "description": "A stable code for programs: invalid, nul_character, parse_error, not_authenticated, "
            "authentication_failed, permission_denied, not_found, method_not_allowed, conflict, "
            "transition_not_allowed, referenced, precondition_failed, too_large, unsupported_media_type, "
            "throttled …",
        },
        "errors": {
            "type": "object",
            "description": "Messages per field of a 400 (non_field_errors for the whole body; a nested row's "
            "messages under its field, as an object or a list of objects); empty otherwise.",
            "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "object"}]},
        },
    },
    "required": ["detail", "code", "errors"],
    "additionalProperties": True,
}

ERROR_STATUSES = {
    "400": "Bad input: a message per field in `errors`",
    "401": "Not signed in, or the token is not valid",
    "403": "The rule refuses this to you (or to the token's scope)",
    "404": "No such record, or it is hidden from you",
    "405": "The method is not allowed here",
    "406": "The Accept header asks for a format the API does not give",
    "409": "The record's state refuses the request (`allowed` lists the moves a lifecycle allows)",
    "412": "The record changed since the version sent in If-Match",
    "413": "The request body is too large",
    "415": "The body's media type is not accepted",
    "422": "The Idempotency-Key was used for another request",
    "429": "Too many requests (`Retry-After` says when to try again)",
}
WRITE_ONLY = {"409", "412", "413", "415", "422"}


def declare_errors(result, generator, request, public):
    """Postprocessing hook: the ``Error`` component, as the answer of every 4xx of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                if code in WRITE_ONLY and method == "get":
                    continue
                response = responses.setdefault(code, {"description": description})
                response["content"] = {"application/json": {"schema": reference}}
    return result
