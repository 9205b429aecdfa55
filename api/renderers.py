"""The API's JSON: representations kept already encoded (api/representations.py) are spliced into
the answer as they are, neither decoded nor encoded again."""

import functools
import json
import re
import secrets
from collections.abc import Mapping

from rest_framework import renderers
from rest_framework.compat import INDENT_SEPARATORS, LONG_SEPARATORS, SHORT_SEPARATORS


class Encoded(Mapping):
    """A representation held as the bytes ``JSONRenderer`` writes for it. Rendered, the bytes go
    into the answer unchanged; read as a mapping (the browsable API, tests) it is decoded once."""

    __slots__ = ("_decoded", "computed_at", "json")

    def __init__(self, json_bytes: bytes):
        self.json = json_bytes
        self._decoded = None
        self.computed_at = None  # figures only: when they were computed (a timestamp)

    @classmethod
    def of(cls, data) -> "Encoded":
        return cls(JSONRenderer().render(data))

    def decoded(self) -> dict:
        if self._decoded is None:
            self._decoded = json.loads(self.json)
        return self._decoded

    def __getitem__(self, key):
        return self.decoded()[key]

    def __iter__(self):
        return iter(self.decoded())

    def __len__(self) -> int:
        return len(self.decoded())

    def __repr__(self) -> str:
        return f"Encoded({self.json[:60]!r}…)"


# A placeholder no stored text holds: JSON writes the NUL as \u0000 (PostgreSQL text cannot hold one).
_MARK = "\x00" + secrets.token_hex(8) + ":"
_PLACEHOLDER = re.compile(rb'"\\u0000' + _MARK[1:].encode() + rb'(\d+)"')


@functools.cache
def _splicing(encoder_class: type) -> type:
    class SplicingEncoder(encoder_class):
        def __init__(self, *args, fragments: list, **kwargs):
            super().__init__(*args, **kwargs)
            self.fragments = fragments

        def default(self, obj):
            if isinstance(obj, Encoded):
                if self.indent is not None:
                    return obj.decoded()  # indented JSON was asked for: written out like the rest
                self.fragments.append(obj.json)
                return f"{_MARK}{len(self.fragments) - 1}"
            return super().default(obj)

    return SplicingEncoder


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, byte for byte, with ``Encoded`` parts spliced in."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        indent = self.get_indent(accepted_media_type, renderer_context)
        if isinstance(data, Encoded) and indent is None:
            return data.json
        if indent is None:
            separators = SHORT_SEPARATORS if self.compact else LONG_SEPARATORS
        else:
            separators = INDENT_SEPARATORS
        fragments = []
        text = json.dumps(
            data,
            cls=_splicing(self.encoder_class),
            fragments=fragments,
            indent=indent,
            ensure_ascii=self.ensure_ascii,
            allow_nan=not self.strict,
            separators=separators,
        )
        # As DRF does: U+2028 and U+2029 are valid JSON but not valid JavaScript.
        rendered = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
        if not fragments:
            return rendered
        parts = _PLACEHOLDER.split(rendered)
        parts[1::2] = [fragments[int(index)] for index in parts[1::2]]
        return b"".join(parts)
