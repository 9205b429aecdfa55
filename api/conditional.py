"""Versions on the wire: ``ETag`` from a record's version, ``If-Match`` (or ``version`` in the body)
for writes that must apply to the version the client read."""

import re

from projects.core.errors import PreconditionFailed

_TAG = re.compile(r'^(?:W/)?"?([^"]*)"?$')


def etag(obj) -> str:
    return f'"{obj.version}"'


def expected_version(request):
    """The version the client says it writes against: ``If-Match`` first, else ``version`` in the body.

    ``If-Match: *`` (or nothing) means any version. A tag that is not a version can match none.
    """
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        tags = [_TAG.match(part.strip()) for part in header.split(",")]
        values = [match.group(1) for match in tags if match]
        if len(values) != 1 or not values[0].isdigit():
            raise PreconditionFailed(current=None, expected=header[:40])
        return int(values[0])
    body = getattr(request, "data", None)
    if hasattr(body, "get"):
        version = body.get("version")
        if version not in (None, ""):
            if isinstance(version, bool) or not str(version).isdigit():
                raise PreconditionFailed(current=None, expected=str(version)[:40])
            return int(version)
    return None
