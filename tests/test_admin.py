"""The admin face: Chinese by default, same rules and history as the API, local map assets."""

import pytest
from django.test import Client

from projects.core.models import ChangeRecord, Corridor
from projects.restoration.models import Project
from tests.restoration.factories import ProjectFactory, TargetFactory, org

pytestmark = pytest.mark.django_db


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_admin_is_in_chinese_by_default_and_english_by_the_language_switch(sc_staff):
    client = admin_client(sc_staff)
    page = client.get("/admin/").content.decode()
    assert 'lang="zh-hans"' in page
    assert 'name="language"' in page  # the language menu at the top of every admin page
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert 'lang="en"' in client.get("/admin/").content.decode()


def test_map_widget_uses_only_local_assets(joint_office):
    corridor = Corridor.objects.get(slug="fu")
    page = admin_client(joint_office).get(f"/admin/core/corridor/{corridor.id}/change/").content.decode()
    assert "vendor/ol/ol.js" in page
    assert "core/basemap.geojson" in page
    for remote in ("cdn.jsdelivr", "openstreetmap", "earthdata", "http://", "https://"):
        assert remote not in page.replace("http://www.w3.org", "")


def test_admin_assets_are_served(joint_office):
    client = admin_client(joint_office)
    for path in ("/static/vendor/ol/ol.js", "/static/core/basemap.geojson"):
        response = client.get(path)
        assert response.status_code == 200, path


@pytest.mark.parametrize(
    ("persona", "target", "can_change"),
    [
        ("sc_staff", "SC-2024-0001", True),
        ("sc_staff", "CQ-2024-0001", False),
        ("cq_staff", "CQ-2024-0001", True),
        ("expert", "SC-2024-0001", False),
        ("joint_office", "CQ-2024-0001", True),
    ],
)
def test_admin_applies_the_same_rules_as_the_api(personas, persona, target, can_change):
    ProjectFactory(code="SC-2024-0001")
    ProjectFactory(code="CQ-2024-0001", lead_organization=org("cq-planning-natural-resources"))
    project = Project.objects.get(code=target)
    client = admin_client(personas[persona])
    page = client.get(f"/admin/restoration/project/{project.id}/change/")
    assert page.status_code == 200  # everyone signed in reads
    assert ('name="_save"' in page.content.decode()) is can_change


def test_admin_edit_keeps_history_and_the_history_page_shows_it(joint_office):
    project = ProjectFactory(code="SC-2024-0001")
    client = admin_client(joint_office)
    form = {
        "code": project.code,
        "name_zh": "改名后的项目",
        "name_en": "",
        "description": "",
        "lead_organization": str(project.lead_organization_id),
        "bank": "n/a",
        "reach": "n/a",
        "planned_start": "2025-01-01",
        "planned_end": "2027-12-31",
        "total_budget": "1000",
        "reporting_period": "month",
        "geometry": "",
        "funding-TOTAL_FORMS": "1",
        "funding-INITIAL_FORMS": "0",
        "funding-0-source": "",
        "funding-0-amount": "",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/restoration/project/{project.id}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = ChangeRecord.objects.filter(object_id=str(project.id)).get()
    assert record.actor == joint_office and "name_zh" in record.changed_fields
    history = client.get(f"/admin/restoration/project/{project.id}/history/").content.decode()
    label = str(Project._meta.get_field("name_zh").verbose_name)
    assert label in history and "改名后的项目" in history and "name_zh" not in history  # the label, not the name


def test_admin_status_change_goes_through_the_lifecycle(joint_office):
    project = ProjectFactory(code="SC-2024-0001", status="proposed")
    client = admin_client(joint_office)
    client.post(
        "/admin/restoration/project/",
        {
            "action": "change_status",
            "_selected_action": [str(project.id)],
            "apply": "1",
            "to": "accepted",
            "comment": "",
        },
    )
    project.refresh_from_db()
    assert project.status == "proposed"  # proposed → accepted is refused
    client.post(
        "/admin/restoration/project/",
        {
            "action": "change_status",
            "_selected_action": [str(project.id)],
            "apply": "1",
            "to": "approved",
            "comment": "同意",
        },
    )
    project.refresh_from_db()
    assert project.status == "approved"


def test_history_records_cannot_be_edited_in_the_admin(administrator):
    ProjectFactory()
    client = admin_client(administrator)
    record = ChangeRecord.objects.first()
    page = client.get(f"/admin/core/changerecord/{record.id}/change/").content.decode()
    assert 'name="_save"' not in page
    assert client.post(f"/admin/core/changerecord/{record.id}/delete/", {"post": "yes"}).status_code == 403


def test_partner_systems_have_no_admin(partner):
    response = admin_client(partner).get("/admin/")
    assert response.status_code == 302


def _project_form(project, **changes):
    form = {
        "code": project.code,
        "name_zh": project.name_zh,
        "name_en": "",
        "description": "",
        "lead_organization": str(project.lead_organization_id),
        "bank": "n/a",
        "reach": "n/a",
        "planned_start": "2025-01-01",
        "planned_end": "2027-12-31",
        "total_budget": "1000",
        "reporting_period": "month",
        "geometry": "",
        "funding-TOTAL_FORMS": "0",
        "funding-INITIAL_FORMS": "0",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
    }
    form.update(changes)
    return form


def test_admin_refuses_a_funding_breakdown_over_the_budget(joint_office):
    from projects.restoration.models import FundingSource

    project = ProjectFactory(code="SC-2024-0001")
    central = FundingSource.objects.get(code="central")
    response = admin_client(joint_office).post(
        f"/admin/restoration/project/{project.id}/change/",
        _project_form(
            project, **{"funding-TOTAL_FORMS": "1", "funding-0-source": str(central.id), "funding-0-amount": "1500"}
        ),
    )
    assert response.status_code == 200  # the form again, with the error
    assert "1500" in response.content.decode() and "errorlist" in response.content.decode()
    assert not project.funding.exists()
    assert not ChangeRecord.objects.filter(object_id=str(project.id)).exists()


def test_admin_refuses_a_report_on_a_proposed_project(sc_staff):
    project = ProjectFactory(code="SC-2024-0001", status="proposed")
    response = admin_client(sc_staff).post(
        "/admin/restoration/progressreport/add/",
        {
            "project": str(project.id),
            "period": "2025-01",
            "narrative": "x",
            "percent_complete": "1",
            "cumulative_investment": "1",
            "investment-TOTAL_FORMS": "0",
            "investment-INITIAL_FORMS": "0",
            "values-TOTAL_FORMS": "0",
            "values-INITIAL_FORMS": "0",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not project.reports.exists()


def test_a_refusal_keeps_everything_typed_and_names_the_reason(joint_office):
    from projects.restoration.models import FundingSource

    project = ProjectFactory(code="SC-2024-0001")
    central = FundingSource.objects.get(code="central")
    response = admin_client(joint_office).post(
        f"/admin/restoration/project/{project.id}/change/",
        _project_form(
            project,
            name_zh="刚刚输入的新名称",
            **{"funding-TOTAL_FORMS": "1", "funding-0-source": str(central.id), "funding-0-amount": "1500"},
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "刚刚输入的新名称" in page and 'value="1500"' in page  # nothing typed is lost
    assert "1500" in page and "1000" in page  # the reason names both figures
    project.refresh_from_db()
    assert project.name_zh != "刚刚输入的新名称"


def test_an_admin_form_read_before_someone_elses_change_is_refused(joint_office, sc_staff):
    project = ProjectFactory(code="SC-2024-0001")
    form = _project_form(project, name_zh="我的修改", loaded_version=str(project.version))
    admin_client(sc_staff).post(
        f"/admin/restoration/project/{project.id}/change/", _project_form(project, name_en="Their change")
    )
    response = admin_client(joint_office).post(f"/admin/restoration/project/{project.id}/change/", form)
    assert response.status_code == 200 and "errornote" in response.content.decode()
    project.refresh_from_db()
    assert (project.name_en, project.name_zh) == ("Their change", ProjectFactory._meta.model.objects.get().name_zh)


def test_bulk_actions_are_all_or_nothing(joint_office):
    ready = ProjectFactory(code="SC-2024-0001", status="proposed")
    refused = ProjectFactory(code="SC-2024-0002", status="cancelled")
    response = admin_client(joint_office).post(
        "/admin/restoration/project/",
        {
            "action": "change_status",
            "_selected_action": [str(ready.id), str(refused.id)],
            "apply": "1",
            "to": "approved",
            "comment": "",
        },
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("SC-2024-0002" in m for m in messages)
    ready.refresh_from_db()
    assert ready.status == "proposed"  # the allowed one was not applied either


def test_bulk_delete_is_all_or_nothing_with_a_message_not_an_error(joint_office):
    from tests.restoration.factories import ReportFactory

    free = ProjectFactory(code="SC-2024-0001")
    reported = ProjectFactory(code="SC-2024-0002")
    ReportFactory(project=reported)  # reports protect their project
    response = admin_client(joint_office).post(
        "/admin/restoration/project/",
        {"action": "delete_selected", "_selected_action": [str(free.id), str(reported.id)], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert Project.objects.filter(pk__in=[free.pk, reported.pk]).count() == 2
    assert any("SC-2024-0002" in str(m) for m in response.context["messages"])


def test_a_refused_delete_is_a_message_on_the_page(joint_office):
    from tests.restoration.factories import ReportFactory

    project = ProjectFactory(code="SC-2024-0001")
    ReportFactory(project=project)
    response = admin_client(joint_office).post(
        f"/admin/restoration/project/{project.id}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_photo_is_attached_to_a_report_in_the_admin(sc_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.restoration.models import ProgressReport
    from tests.restoration.factories import ReportFactory

    report = ReportFactory(project=ProjectFactory(code="SC-2024-0001"), reported_by=sc_staff)
    photo = SimpleUploadedFile("site.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    form = {
        "project": str(report.project_id),
        "period": report.period,
        "narrative": report.narrative,
        "percent_complete": "10",
        "cumulative_investment": "100",
        "loaded_version": str(report.version),
        "investment-TOTAL_FORMS": "0",
        "investment-INITIAL_FORMS": "0",
        "values-TOTAL_FORMS": "0",
        "values-INITIAL_FORMS": "0",
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "0",
        "attachments-0-kind": "photo",
        "attachments-0-title": "现场照片",
        "attachments-0-file": photo,
    }
    response = admin_client(sc_staff).post(f"/admin/restoration/progressreport/{report.id}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    attachment = ProgressReport.objects.get(pk=report.pk).attachments.get()
    assert (attachment.title, attachment.kind, attachment.uploaded_by) == ("现场照片", "photo", sc_staff)
    assert ChangeRecord.objects.filter(object_id=str(attachment.pk), action="create").exists()


def test_status_logs_are_shown_to_the_roles_the_rule_lets_read_them(sc_staff):
    from projects.restoration.models import ProjectTransition

    project = ProjectFactory(code="SC-2024-0001")
    ProjectTransition.objects.create(
        project=project, from_status="proposed", to_status="approved", actor=None, comment="联席会议同意立项"
    )
    page = admin_client(sc_staff).get(f"/admin/restoration/project/{project.id}/change/").content.decode()
    assert "联席会议同意立项" in page


# --- status changes as buttons on the record's page ---


def _status_buttons(page: str) -> set[str]:
    import re

    section = page.split('id="status-change"', 1)[1].split("</section>", 1)[0] if 'id="status-change"' in page else ""
    return set(re.findall(r'name="to" value="([a-z_]+)"', section))


def test_a_report_page_offers_only_the_moves_the_user_may_make(sc_staff, joint_office):
    from tests.restoration.factories import ReportFactory

    report = ReportFactory(project=ProjectFactory(code="SC-2024-0001"), reported_by=sc_staff)
    url = f"/admin/restoration/progressreport/{report.id}/change/"
    assert _status_buttons(admin_client(sc_staff).get(url).content.decode()) == {"submitted"}

    reporter = admin_client(sc_staff)
    response = reporter.post(
        f"/admin/restoration/progressreport/{report.id}/transition/",
        {"to": "submitted", "comment": "请审核", "loaded_version": str(report.version)},
    )
    assert response.status_code == 302 and response["Location"].endswith(url)
    report.refresh_from_db()
    assert report.status == "submitted"
    assert ChangeRecord.objects.filter(object_id=str(report.pk), action="transition", message="请审核").exists()
    # The reporting side cannot review its own report: no buttons, and a forged post is refused.
    assert _status_buttons(reporter.get(url).content.decode()) == set()
    reporter.post(f"/admin/restoration/progressreport/{report.id}/transition/", {"to": "accepted"})
    report.refresh_from_db()
    assert report.status == "submitted"
    assert _status_buttons(admin_client(joint_office).get(url).content.decode()) == {"accepted", "returned"}


def test_a_refused_status_change_is_a_message_and_keeps_the_comment(sc_staff, joint_office):
    from tests.restoration.factories import ReportFactory

    report = ReportFactory(project=ProjectFactory(code="SC-2024-0001"), reported_by=sc_staff, status="submitted")
    response = admin_client(joint_office).post(
        f"/admin/restoration/progressreport/{report.id}/transition/",
        {"to": "returned", "comment": "", "loaded_version": str(report.version)},
    )
    assert response.status_code == 200
    assert any("rework" in str(m) or "退回" in str(m) for m in response.context["messages"])
    # An outdated page: refused, and the comment typed is still in the box.
    response = admin_client(joint_office).post(
        f"/admin/restoration/progressreport/{report.id}/transition/",
        {"to": "accepted", "comment": "资料齐全，同意", "loaded_version": str(report.version - 1)},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "资料齐全，同意" in page
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_project_page_offers_the_lifecycles_next_statuses(joint_office, sc_staff):
    project = ProjectFactory(code="SC-2024-0001", status="proposed")
    page = admin_client(joint_office).get(f"/admin/restoration/project/{project.id}/change/").content.decode()
    assert _status_buttons(page) == {"approved", "cancelled"}
    assert 'action="/admin/restoration/project/' in page


def test_every_resource_with_a_lifecycle_has_status_buttons_calling_the_apis_service():
    from django.contrib import admin

    from api.urls import router

    for _prefix, viewset, _basename in router.registry:
        service = getattr(viewset, "transition_service", None)
        if service is None:
            continue
        model = viewset.queryset.model
        model_admin = admin.site._registry[model]
        assert model_admin.transition_service is service, model
        assert model_admin.lifecycle is not None, model


def test_a_draft_report_page_has_a_file_input_and_a_submitted_one_none(sc_staff):
    from tests.restoration.factories import ReportFactory

    project = ProjectFactory(code="SC-2024-0001")
    draft = ReportFactory(project=project, reported_by=sc_staff)
    submitted = ReportFactory(project=project, reported_by=sc_staff, status="submitted")
    client = admin_client(sc_staff)
    page = client.get(f"/admin/restoration/progressreport/{draft.id}/change/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file" name="attachments-0-file"' in page
    page = client.get(f"/admin/restoration/progressreport/{submitted.id}/change/").content.decode()
    assert 'type="file"' not in page  # the service takes attachments on draft and returned reports only


def test_a_new_report_is_drafted_with_its_photo_in_one_save(sc_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.restoration.models import ProgressReport

    project = ProjectFactory(code="SC-2024-0001", status="in_progress")
    photo = SimpleUploadedFile("site.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    response = admin_client(sc_staff).post(
        "/admin/restoration/progressreport/add/",
        {
            "project": str(project.id),
            "period": "2025-05",
            "narrative": "本月进展",
            "percent_complete": "10",
            "cumulative_investment": "100",
            "investment-TOTAL_FORMS": "0",
            "investment-INITIAL_FORMS": "0",
            "values-TOTAL_FORMS": "0",
            "values-INITIAL_FORMS": "0",
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "0",
            "attachments-0-kind": "photo",
            "attachments-0-file": photo,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    attachment = ProgressReport.objects.get(project=project).attachments.get()
    assert (attachment.kind, attachment.title, attachment.uploaded_by) == ("photo", "site.jpg", sc_staff)


def test_a_resubmitted_report_no_longer_looks_reviewed_in_the_admin_or_the_api(sc_staff, joint_office, client_for):
    from tests.restoration.factories import ReportFactory

    report = ReportFactory(project=ProjectFactory(code="SC-2024-0001"), reported_by=sc_staff, status="submitted")
    transition = f"/admin/restoration/progressreport/{report.id}/transition/"
    admin_client(joint_office).post(transition, {"to": "returned", "comment": "请补充现场照片"})
    admin_client(sc_staff).post(transition, {"to": "submitted", "comment": "已补充"})
    report.refresh_from_db()
    assert report.status == "submitted"
    assert (report.reviewed_by, report.reviewed_at, report.review_comment) == (None, None, "")
    page = admin_client(joint_office).get(f"/admin/restoration/progressreport/{report.id}/change/").content.decode()
    assert "请补充现场照片" not in page and "joint_office" not in page.split('id="content-main"', 1)[1]
    body = client_for(joint_office).get(f"/api/v1/progress-reports/{report.id}/").json()
    assert (body["reviewed_by"], body["reviewed_at"], body["review_comment"]) == (None, None, "")
    # The earlier round stays in the history, with its reviewer and comment.
    history = admin_client(joint_office).get(f"/admin/restoration/progressreport/{report.id}/history/").content.decode()
    assert "请补充现场照片" in history


# --- the choices a form offers are the choices the user may make ---


def _options(page: str, name: str) -> set[str]:
    import re

    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    return set(re.findall(r'<option value="([^"]+)"', select.group(0))) if select else set()


def test_a_province_is_offered_its_own_organizations_as_lead_and_the_joint_office_all(sc_staff, joint_office):
    from projects.core.models import Organization

    sichuan = {str(pk) for pk in Organization.objects.filter(province__code="510000").values_list("pk", flat=True)}
    page = admin_client(sc_staff).get("/admin/restoration/project/add/").content.decode()
    assert _options(page, "lead_organization") == sichuan
    page = admin_client(joint_office).get("/admin/restoration/project/add/").content.decode()
    assert _options(page, "lead_organization") == {str(pk) for pk in Organization.objects.values_list("pk", flat=True)}


def test_another_provinces_organization_as_lead_is_a_chinese_message_and_nothing_is_saved(sc_staff):
    chongqing = org("cq-planning-natural-resources")
    form = _project_form(ProjectFactory.build(code="SC-2025-0009", name_zh="新建的修复项目"))
    form["lead_organization"] = str(chongqing.pk)
    response = admin_client(sc_staff).post("/admin/restoration/project/add/", form)
    page = response.content.decode()
    assert response.status_code == 200 and "errorlist" in page
    assert "选择一个有效的选项" in page and "新建的修复项目" in page  # in Chinese, with everything typed kept
    assert not Project.objects.filter(code="SC-2025-0009").exists()


def test_a_refusal_of_the_rule_is_a_message_on_the_form_not_a_403_page(sc_staff):
    # Sichuan takes part in a project Chongqing leads: it may change it, but not its partners.
    project = ProjectFactory(
        code="CQ-2024-0001",
        lead_organization=org("cq-planning-natural-resources"),
        partners=[org("sc-natural-resources")],
    )
    form = _project_form(project, name_zh="我输入的名称", partner_organizations=[])
    response = admin_client(sc_staff).post(f"/admin/restoration/project/{project.id}/change/", form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "只有牵头省" in page or "联席会议办公室" in page, page[page.find("errornote") - 200 :][:1500]
    assert "我输入的名称" in page
    project.refresh_from_db()
    assert project.partner_organizations.exists()


def test_the_report_form_offers_reportable_projects_of_the_users_province_and_their_targeted_indicators(sc_staff):
    import json

    from projects.restoration.models import Indicator
    from tests.restoration.factories import ReportFactory

    mine = ProjectFactory(code="SC-2024-0001")
    ProjectFactory(code="SC-2024-0002", status="proposed")  # not reportable yet
    ProjectFactory(code="CQ-2024-0001", lead_organization=org("cq-planning-natural-resources"))
    client = admin_client(sc_staff)
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "restoration", "model_name": "progressreport", "field_name": "project", "term": ""},
    )
    assert [row["id"] for row in json.loads(found.content)["results"]] == [str(mine.id)]

    TargetFactory(project=mine)  # restored-area
    report = ReportFactory(project=mine, reported_by=sc_staff)
    page = client.get(f"/admin/restoration/progressreport/{report.id}/change/").content.decode()
    # restored-area is derived: its components are what a report gives, and nothing else.
    components = Indicator.objects.get(code="restored-area").components.values_list("pk", flat=True)
    assert _options(page, "values-__prefix__-indicator") == {str(pk) for pk in components} != set()


def test_the_history_page_shows_labels_and_names_not_field_names_ids_or_coordinates(joint_office):
    from django.contrib.gis.geos import GEOSGeometry

    from projects.restoration import services

    project = ProjectFactory(code="SC-2024-0001")
    shape = GEOSGeometry("SRID=4326;POINT (104.0612345 30.6712345)")
    project = services.project_save(
        actor=joint_office,
        instance=project,
        data={"lead_organization": org("sc-forestry-grassland"), "geometry": shape},
    )
    page = admin_client(joint_office).get(f"/admin/restoration/project/{project.id}/history/").content.decode()
    table = page.split('id="change-history"', 1)[1]
    assert str(org("sc-forestry-grassland")) in table and str(org("sc-natural-resources")) in table
    assert str(org("sc-forestry-grassland").pk) not in table and "lead_organization" not in table
    assert "SRID" not in table and "104.06" not in table


def test_a_shape_saved_again_through_the_map_is_not_a_change(joint_office):
    from django.contrib.gis.geos import GEOSGeometry

    from projects.restoration import services

    project = ProjectFactory(code="SC-2024-0001")
    ring = "104.08 30.67, 104.08 30.69, {x} 30.6712345, 104.06 30.67"
    shape = GEOSGeometry(f"SRID=4326;POLYGON ((104.06 30.67, {ring.format(x='104.06123456')}))")
    project = services.project_save(actor=joint_office, instance=project, data={"geometry": shape})
    # What a map widget sends back: the last digits moved across a rounding boundary of the text.
    moved = GEOSGeometry(f"SRID=4326;POLYGON ((104.06 30.67, {ring.format(x='104.06123454')}))")
    before = ChangeRecord.objects.filter(object_id=str(project.pk)).count()
    services.project_save(actor=joint_office, instance=project, data={"geometry": moved})
    assert ChangeRecord.objects.filter(object_id=str(project.pk)).count() == before


def test_a_reader_who_may_not_change_sees_the_shape_on_a_map_not_as_text(expert, joint_office):
    from django.contrib.gis.geos import GEOSGeometry

    from projects.restoration import services

    project = ProjectFactory(code="SC-2024-0001")
    shape = GEOSGeometry("SRID=4326;POINT (104.0612345 30.6712345)")
    project = services.project_save(actor=joint_office, instance=project, data={"geometry": shape})
    page = admin_client(expert).get(f"/admin/restoration/project/{project.id}/change/").content.decode()
    assert "SRID=4326" not in page and "POINT (" not in page
    assert 'class="dj_map"' in page and "vendor/ol/ol.js" in page and '"read_only": true' in page
    assert 'name="_save"' not in page
    # The one who may change it edits it on the same map, which opens in its surroundings.
    page = admin_client(joint_office).get(f"/admin/restoration/project/{project.id}/change/").content.decode()
    assert 'name="geometry"' in page and '"read_only": false' in page and '"max_zoom": 9' in page


def test_an_admin_save_counts_as_the_users_write_for_the_figures_they_read_next(joint_office, sc_staff, settings):
    """The admin is a face like the API: a save that went through makes the figures its user reads
    next hold it (api/representations.py); a refused request (403) does not count. (A form shown
    again with its errors answers 200 and counts: at worst that user's next figures are computed
    afresh, never older than their own write.)"""
    from django.core.cache import caches

    from api.representations import WROTE_PREFIX

    settings.FIGURES_MAX_AGE_SECONDS = 60
    project = ProjectFactory(code="SC-2024-0001")
    record = ChangeRecord.objects.first()
    refused = admin_client(sc_staff).post(f"/admin/core/changerecord/{record.id}/delete/", {"post": "yes"})
    assert refused.status_code == 403
    assert caches["representations"].get(f"{WROTE_PREFIX}{sc_staff.pk}") is None
    form = _project_form(project, name_en="Renamed in the admin")
    saved = admin_client(joint_office).post(f"/admin/restoration/project/{project.id}/change/", form)
    assert saved.status_code == 302
    assert caches["representations"].get(f"{WROTE_PREFIX}{joint_office.pk}") is not None
