"""The API's JSON renderer writes exactly what DRF's does, with kept representations spliced in."""

import datetime
import decimal

from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from api.renderers import Encoded, JSONRenderer


def test_spliced_parts_give_the_bytes_drf_writes():
    item = {"名称": "岷江\u2029", "amount": decimal.Decimal("1.50"), "at": datetime.date(2026, 12, 1), "n": [1, None]}
    page = {"count": 2, "next": None, "results": [Encoded.of(item), {"plain": "值"}, Encoded.of(item)]}
    expected = DRFJSONRenderer().render({"count": 2, "next": None, "results": [item, {"plain": "值"}, item]})
    assert JSONRenderer().render(page) == expected
    assert JSONRenderer().render(Encoded.of(item)) == DRFJSONRenderer().render(item)
    assert JSONRenderer().render({"a": "no kept parts"}) == DRFJSONRenderer().render({"a": "no kept parts"})


def test_a_text_looking_like_the_placeholder_is_left_alone():
    text = '\x00deadbeef:0 "\\u0000'
    page = {"results": [Encoded.of({"a": 1})], "note": text}
    assert JSONRenderer().render(page) == DRFJSONRenderer().render({"results": [{"a": 1}], "note": text})


def test_an_encoded_representation_reads_as_the_mapping_it_holds():
    encoded = Encoded.of({"code": "CQ-2021-0001", "tags": ["a"]})
    assert encoded == {"code": "CQ-2021-0001", "tags": ["a"]}
    assert encoded["code"] == "CQ-2021-0001" and list(encoded) == ["code", "tags"] and len(encoded) == 2
    indented = JSONRenderer().render({"results": [encoded]}, "application/json; indent=2")
    assert indented == DRFJSONRenderer().render({"results": [dict(encoded)]}, "application/json; indent=2")
