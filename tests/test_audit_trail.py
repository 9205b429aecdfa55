"""The audit trail cannot be edited from the admin, the API or the code, and covers sign-ins,
tokens and changes of roles and permissions as well as data. Figures in docs/reliability.md."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from projects.core.choices import Role
from projects.core.models import ApiToken, ChangeRecord
from projects.core.models.history import HistoryIsReadOnly
from tests.factories import UserFactory
from tests.restoration.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(client_for, joint_office):
    project = ProjectFactory()
    client_for(joint_office).patch(f"/api/v1/projects/{project.pk}/", {"name_en": "Renamed"}, format="json")
    return ChangeRecord.objects.filter(object_id=str(project.pk)).latest("id")


def test_the_admin_shows_the_history_read_only_even_to_a_superuser(administrator, record):
    client = Client()
    client.force_login(administrator)
    change_url = f"/admin/core/changerecord/{record.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    attempts = [
        client.post(change_url, {"message": "rewritten", "actor_name": "someone else"}).status_code,
        client.post(f"/admin/core/changerecord/{record.pk}/delete/", {"post": "yes"}).status_code,
        client.get("/admin/core/changerecord/add/").status_code,
    ]
    assert attempts == [403, 403, 403]
    listing = client.get("/admin/core/changerecord/").content.decode()
    assert "delete_selected" not in listing
    bulk = client.post("/admin/core/changerecord/", {"action": "delete_selected", "_selected_action": [record.pk]})
    assert bulk.status_code in (200, 302)
    stored = ChangeRecord.objects.get(pk=record.pk)
    assert (stored.message, stored.actor_name) == (record.message, record.actor_name)


def test_the_api_history_and_changes_feed_are_read_only(client_for, administrator, record):
    client = client_for(administrator)
    url = f"/api/v1/projects/{record.object_id}/history/"
    assert client.get(url).status_code == 200
    answers = [
        client.post(url, {}, format="json").status_code,
        client.put(url, {}, format="json").status_code,
        client.patch(url, {}, format="json").status_code,
        client.delete(url).status_code,
        client.post("/api/v1/changes/", {}, format="json").status_code,
        client.delete("/api/v1/changes/").status_code,
    ]
    assert answers == [405] * 6
    assert ChangeRecord.objects.filter(pk=record.pk).exists()


def test_no_code_path_edits_or_deletes_a_change_record(record):
    record.message = "rewritten"
    with pytest.raises(HistoryIsReadOnly):
        record.save()
    with pytest.raises(HistoryIsReadOnly):
        record.delete()
    with pytest.raises(HistoryIsReadOnly):
        ChangeRecord.objects.filter(pk=record.pk).update(message="rewritten")
    with pytest.raises(HistoryIsReadOnly):
        ChangeRecord.objects.filter(pk=record.pk).delete()
    assert ChangeRecord.objects.get(pk=record.pk).message != "rewritten"


def test_deleting_an_account_keeps_its_changes_under_its_name(administrator):
    from projects.core.history import record_change

    leaving = UserFactory(username="leaving")
    project = ProjectFactory()
    record_change(instance=project, action="update", actor=leaving, message="edited")
    leaving.delete()
    kept = ChangeRecord.objects.filter(object_id=str(project.pk), message="edited").get()
    assert kept.actor is None and kept.actor_name == "leaving"


def test_role_and_permission_changes_in_the_user_admin_are_recorded(administrator, sc_staff):
    client = Client()
    client.force_login(administrator)
    page = client.get(f"/admin/core/user/{sc_staff.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "username": sc_staff.username,
            "organization": str(sc_staff.organization_id),
            "role": Role.JOINT_OFFICE,
            "is_active": "on",
            "is_staff": "on",
            "user_permissions": [str(Permission.objects.get(codename="view_changerecord").pk)],
            "groups": [],
            "date_joined_0": sc_staff.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": sc_staff.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data = {key: value for key, value in data.items() if value is not False}
    response = client.post(f"/admin/core/user/{sc_staff.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    change = ChangeRecord.objects.filter(object_id=str(sc_staff.pk), action="update").latest("id")
    assert {"role", "user_permissions"} <= set(change.changed_fields)
    assert change.actor == administrator
    assert change.before["role"] == Role.PROVINCIAL_STAFF and change.after["role"] == Role.JOINT_OFFICE


def test_token_creation_and_revocation_are_recorded(client_for, sc_staff):
    client = client_for(sc_staff)
    issued = client.post("/api/v1/auth/tokens/", {"name": "sync"}, format="json").json()
    assert client.delete(f"/api/v1/auth/tokens/{issued['id']}/").status_code == 204
    token = ApiToken.objects.get(pk=issued["id"])
    events = list(ChangeRecord.objects.filter(object_id=str(token.pk)).order_by("id").values_list("event", "actor"))
    assert events == [("core.apitoken.created", sc_staff.pk), ("core.apitoken.revoked", sc_staff.pk)]
    assert all("key_hash" not in (r.after or {}) or r.after["key_hash"] == "***" for r in ChangeRecord.objects.all())
