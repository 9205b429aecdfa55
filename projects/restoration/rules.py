"""Who may do what with projects and progress reports (see ``projects.permissions``)."""

from projects.permissions import ADD, CHANGE, DELETE, TRANSITION, VIEW, is_provincial_staff, rule_for

REVIEW = "review"


def _project_province_ids(project) -> set:
    # Prefetched provinces when present; else the organizations (before refresh_derived).
    if project.pk is None:
        return set()
    ids = {p.pk for p in project.provinces.all()}
    return ids or project.organization_province_ids()


@rule_for("restoration.project")
def projects(user, action, project) -> bool:
    if action == VIEW:
        return True
    if user.runs_everything:
        return True
    if not is_provincial_staff(user) or action == DELETE:
        return False
    if project is None:  # "may they create projects at all?"
        return action == ADD
    if action == ADD:
        # Provincial staff create projects for their own province: they lead it.
        return project.lead_organization.province_id == user.province_id
    if action in (CHANGE, TRANSITION):
        return user.province_id in _project_province_ids(project)
    return False


@rule_for("restoration.fundingshare", "restoration.indicatortarget")
def project_parts(user, action, part) -> bool:
    if action == VIEW:
        return True
    if part is None:
        return user.runs_everything or is_provincial_staff(user)
    return projects(user, CHANGE, part.project)


@rule_for("restoration.progressreport")
def progress_reports(user, action, report) -> bool:
    if action == VIEW:
        return True
    if action == REVIEW:
        if user.runs_everything:
            return True
        # Staff of the other province review what one province reported.
        return report is not None and is_provincial_staff(user) and user.province_id != report.reported_by.province_id
    if user.runs_everything:
        return True
    if not is_provincial_staff(user) or action == DELETE:
        return False
    if report is None:
        return action == ADD
    return user.province_id in _project_province_ids(report.project)


@rule_for("restoration.indicatorvalue", "restoration.reportattachment")
def report_parts(user, action, part) -> bool:
    if action == VIEW:
        return True
    if part is None:
        return user.runs_everything or is_provincial_staff(user)
    return progress_reports(user, CHANGE, part.report)


@rule_for("restoration.projecttransition")
def transitions(user, action, obj) -> bool:
    return action == VIEW  # written by project_transition only
