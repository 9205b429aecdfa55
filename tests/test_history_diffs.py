"""The history keeps a long text's earlier version as a difference from its later one, and every
reader (the API's history, the admin) still sees it whole."""

import json
import random

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from projects.core import text_diff
from projects.core.choices import ChangeAction
from projects.core.history import readable_changes, record_change
from projects.core.models import ChangeRecord
from tests.restoration.factories import ProjectFactory

LENGTH = 20_000
EDITS = 10


def chinese_paragraph(length: int, seed: int = 0) -> str:
    """One paragraph without a line break, as Chinese descriptions often are."""
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(length))


def one_character_edits(text: str, count: int) -> list[str]:
    versions = []
    for n in range(count):
        position = (n + 1) * len(text) // (count + 1)
        text = text[:position] + "改" + text[position + 1 :]
        versions.append(text)
    return versions


def stored_size(value) -> int:
    """Characters the JSON of a value takes as Django's JSONField writes it."""
    return len(json.dumps(value)) if value is not None else 0


# --- the difference itself ----------------------------------------------------------------------

# Line endings of every kind, emoji (outside the BMP), Chinese, and any other character.
piece = st.one_of(st.sampled_from(["\r\n", "\n", "\r", "长江", "嘉陵江", "😀", "👩‍🌾", "a", " "]), st.characters())
texts = st.lists(piece, max_size=60).map("".join)
# The shared machine is often busy: how long an example takes is not what is tested.
no_deadline = hypothesis_settings(deadline=None)


@no_deadline
@given(later=texts, earlier=texts)
def test_a_difference_turns_any_later_text_back_into_the_earlier_one(later, earlier):
    assert text_diff.apply(later, text_diff.difference(later, earlier)) == earlier


@no_deadline
@given(earlier=texts, start=st.integers(0, 60), stop=st.integers(0, 60), inserted=texts)
def test_a_difference_after_an_edit_turns_the_text_back(earlier, start, stop, inserted):
    start, stop = sorted((min(start, len(earlier)), min(stop, len(earlier))))
    later = earlier[:start] + inserted + earlier[stop:]
    assert text_diff.apply(later, text_diff.difference(later, earlier)) == earlier


def test_a_one_character_edit_in_a_long_paragraph_is_a_few_characters():
    earlier = chinese_paragraph(LENGTH)
    later = one_character_edits(earlier, 1)[0]
    ops = text_diff.difference(later, earlier)
    assert ops == [LENGTH // 2, -1, earlier[LENGTH // 2], LENGTH // 2 - 1]


def test_a_difference_for_another_text_is_refused():
    ops = text_diff.difference("长江上游", "长江中游")
    with pytest.raises(ValueError):
        text_diff.apply("长江下游生态", ops)


# --- what the history stores and shows ----------------------------------------------------------


@pytest.mark.django_db
def test_ten_one_character_edits_of_a_long_description_store_differences_and_read_back_whole(api):
    original = chinese_paragraph(LENGTH)
    project = ProjectFactory(description=original)
    versions = one_character_edits(original, EDITS)
    for version in versions:
        response = api.patch(f"/api/v1/projects/{project.id}/", {"description": version}, format="json")
        assert response.status_code == 200, response.json()

    updates = list(ChangeRecord.objects.filter(object_id=str(project.id), action=ChangeAction.UPDATE).order_by("id"))
    assert len(updates) == EDITS
    assert all("description" not in record.before for record in updates)
    # What the earlier texts take now, against a whole copy of each (as JSON is written).
    stored = sum(stored_size(record.before) + stored_size(record.before_diffs) for record in updates)
    copies = sum(stored_size(record.full_before) for record in updates)
    description_stored = sum(stored_size(record.before_diffs["description"]) for record in updates)
    description_copies = sum(stored_size(text) for text in [original, *versions[:-1]])
    assert stored < 0.05 * copies, (stored, copies)
    assert description_stored < 0.01 * description_copies, (description_stored, description_copies)

    history = api.get(f"/api/v1/projects/{project.id}/history/").json()["results"]
    updates_read = [change for change in reversed(history) if change["action"] == "update"]
    assert [change["before"]["description"] for change in updates_read] == [original, *versions[:-1]]
    assert [change["after"]["description"] for change in updates_read] == versions
    # The rest of the earlier picture is as it was.
    assert all(change["before"]["code"] == project.code for change in updates_read)


@pytest.mark.django_db
def test_a_short_text_stays_whole_in_before():
    project = ProjectFactory()
    earlier = chinese_paragraph(500)
    later = earlier[:250] + "改" + earlier[251:]
    record = record_change(
        instance=project,
        action=ChangeAction.UPDATE,
        before={"description": earlier},
        after={"description": later},
    )
    record.refresh_from_db()
    assert record.before == {"description": earlier}
    assert record.before_diffs is None


@pytest.mark.django_db
def test_a_long_text_rewritten_whole_stays_whole_in_before():
    project = ProjectFactory()
    earlier, later = chinese_paragraph(2000, seed=1), chinese_paragraph(2000, seed=2)
    record = record_change(
        instance=project, action=ChangeAction.UPDATE, before={"description": earlier}, after={"description": later}
    )
    record.refresh_from_db()
    assert record.before == {"description": earlier} and record.before_diffs is None


@pytest.mark.django_db
def test_a_deletion_keeps_the_long_text_whole():
    project = ProjectFactory()
    text = chinese_paragraph(2000)
    record = record_change(instance=project, action=ChangeAction.DELETE, before={"description": text})
    record.refresh_from_db()
    assert record.before == {"description": text} and record.before_diffs is None


@pytest.mark.django_db
def test_the_admin_shows_the_whole_earlier_text(api, administrator):
    original = chinese_paragraph(3000)
    project = ProjectFactory(description=original)
    edited = one_character_edits(original, 1)[0]
    api.patch(f"/api/v1/projects/{project.id}/", {"description": edited}, format="json")
    record = ChangeRecord.objects.get(object_id=str(project.id), action=ChangeAction.UPDATE)
    assert record.before_diffs and "description" not in record.before

    [change] = [row for row in readable_changes(record) if row["after"] == edited]
    assert change["before"] == original

    client = Client()
    client.force_login(administrator)
    history = client.get(f"/admin/restoration/project/{project.id}/history/").content.decode()
    assert original in history and edited in history
    raw = client.get(f"/admin/core/changerecord/{record.id}/change/").content.decode()
    assert original in raw
