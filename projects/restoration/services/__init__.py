"""Writes of projects, progress reports and participation. The admin, the API, imports and
tasks all call these; nothing else writes the restoration records."""

from projects.restoration.services.acceptance import (
    acceptance_attach,
    acceptance_delete,
    acceptance_save,
    acceptance_transition,
    rectification_delete,
    rectification_save,
    rectification_transition,
)
from projects.restoration.services.catalogues import check_derivation, indicator_save
from projects.restoration.services.participation import participation_request, participation_transition
from projects.restoration.services.projects import (
    PROJECT_RELATIONS,
    project_delete,
    project_save,
    project_transition,
    replace_rows,
)
from projects.restoration.services.reports import (
    REPORTABLE_STATUSES,
    attachment_delete,
    check_reportable,
    check_values,
    report_attach,
    report_attach_check,
    report_create_many,
    report_delete,
    report_save,
    report_transition,
)
from projects.restoration.services.shoreline import shoreline_segment_delete, shoreline_segment_save

__all__ = [
    "PROJECT_RELATIONS",
    "REPORTABLE_STATUSES",
    "acceptance_attach",
    "acceptance_delete",
    "acceptance_save",
    "acceptance_transition",
    "attachment_delete",
    "check_derivation",
    "check_reportable",
    "check_values",
    "indicator_save",
    "participation_request",
    "participation_transition",
    "project_delete",
    "project_save",
    "project_transition",
    "rectification_delete",
    "rectification_save",
    "rectification_transition",
    "replace_rows",
    "report_attach",
    "report_attach_check",
    "report_create_many",
    "report_delete",
    "report_save",
    "report_transition",
    "shoreline_segment_delete",
    "shoreline_segment_save",
]
