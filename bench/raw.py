"""The limit: the same JSON as the API, from one hand-written SQL query per request.

PostgreSQL builds the document itself (``json_build_object``/``json_agg``), psycopg hands the
text through and the WSGI app below only frames it: no ORM, no serializer, no Python encoder, so
nothing is left to remove. ``make bench`` serves it under gunicorn like the tracker and times
both the same way; ``bench.run`` checks each answer equals the API's after parsing.

Only what the bench compares is written here: the project list and detail, the progress-report
list and the OGC items page of projects.
"""

import functools
import os
import urllib.parse

SHANGHAI = "Asia/Shanghai"


def ts(column: str) -> str:
    """A timestamp as DRF writes it: local time, microseconds only when there are any."""
    local = f"({column} AT TIME ZONE '{SHANGHAI}')"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL ELSE to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN date_part('microseconds', {local})::bigint %% 1000000 <> 0 THEN to_char({local}, '.US') "
        "ELSE '' END || '+08:00' END"
    )


def _lifecycle_case(column: str, lifecycle) -> str:
    """``allowed_transitions``: from the lifecycle table, which depends on the status alone."""
    whens = " ".join(
        f"WHEN '{status}' THEN '{_json_list(lifecycle.allowed_from(status))}'::json"
        for status in lifecycle.choices.values
    )
    return f"CASE {column} {whens} ELSE '[]'::json END"


def _json_list(values) -> str:
    import json

    return json.dumps(list(values))


def project_sql(lifecycle_case: str, units_json: str, *, geometry: bool = True) -> str:
    """Projects ``p`` as the API shows them (``api.restoration.serializers.ProjectSerializer``);
    without ``geometry``, as a GeoJSON feature's properties."""
    brief = "'id', {t}.id, 'name_zh', {t}.name_zh, 'name_en', {t}.name_en"
    shape = "'geometry', ST_AsGeoJSON(p.geometry, 15)::json," if geometry else ""
    return f"""
json_build_object(
  'id', p.id, 'code', p.code, 'name_zh', p.name_zh, 'name_en', p.name_en, 'description', p.description,
  'status', p.status, 'status_changed_at', {ts("p.status_changed_at")},
  'allowed_transitions', {lifecycle_case},
  'corridors', COALESCE((SELECT json_agg(json_build_object({brief.format(t="c")}, 'slug', c.slug)
      ORDER BY c.sort_order, c.slug) FROM restoration_project_corridors x JOIN core_corridor c ON c.id = x.corridor_id
      WHERE x.project_id = p.id), '[]'),
  'key_areas', COALESCE((SELECT json_agg(json_build_object({brief.format(t="k")}, 'slug', k.slug) ORDER BY k.slug)
      FROM restoration_project_key_areas x JOIN core_keyarea k ON k.id = x.keyarea_id WHERE x.project_id = p.id), '[]'),
  'divisions', COALESCE((SELECT json_agg(json_build_object({brief.format(t="d")}, 'code', d.code,
      'is_adjacent_area', d.is_adjacent_area) ORDER BY d.code) FROM restoration_project_divisions x
      JOIN core_division d ON d.id = x.division_id WHERE x.project_id = p.id), '[]'),
  {shape}
  'extent_length_km', p.extent_length_km::text, 'extent_area_ha', p.extent_area_ha::text,
  'elements', COALESCE((SELECT json_agg(json_build_object({brief.format(t="e")}, 'code', e.code) ORDER BY e.sort_order)
      FROM restoration_project_elements x JOIN restoration_ecosystemelement e ON e.id = x.ecosystemelement_id
      WHERE x.project_id = p.id), '[]'),
  'measures', COALESCE((SELECT json_agg(json_build_object({brief.format(t="m")}, 'code', m.code) ORDER BY m.code)
      FROM restoration_project_measures x JOIN restoration_measuretype m ON m.id = x.measuretype_id
      WHERE x.project_id = p.id), '[]'),
  'bank', p.bank, 'reach', p.reach,
  'lead_organization', (SELECT json_build_object({brief.format(t="o")}, 'slug', o.slug, 'province', op.code)
      FROM core_organization o LEFT JOIN core_province op ON op.id = o.province_id WHERE o.id = p.lead_organization_id),
  'partner_organizations', COALESCE((SELECT json_agg(json_build_object({brief.format(t="o")}, 'slug', o.slug,
      'province', op.code) ORDER BY op.code, o.slug) FROM restoration_project_partner_organizations x
      JOIN core_organization o ON o.id = x.organization_id LEFT JOIN core_province op ON op.id = o.province_id
      WHERE x.project_id = p.id), '[]'),
  'provinces', COALESCE((SELECT json_agg(json_build_object({brief.format(t="v")}, 'code', v.code,
      'short_name', v.short_name) ORDER BY v.code) FROM restoration_project_provinces x
      JOIN core_province v ON v.id = x.province_id WHERE x.project_id = p.id), '[]'),
  'is_cross_regional', p.is_cross_regional, 'is_national_major', p.is_national_major,
  'planned_start', p.planned_start, 'planned_end', p.planned_end, 'total_budget', p.total_budget::text,
  'funding', COALESCE((SELECT json_agg(json_build_object('source', json_build_object({brief.format(t="s")},
      'code', s.code), 'amount', f.amount::text) ORDER BY s.sort_order) FROM restoration_fundingshare f
      JOIN restoration_fundingsource s ON s.id = f.source_id WHERE f.project_id = p.id), '[]'),
  'fund_allocations', (SELECT json_build_object(
      'total_yuan', COALESCE(sum(a.amount), 0),
      'total_wan_yuan', (COALESCE(sum(a.amount), 0) / 10000.0)::numeric(20, 4)::text,
      'planned_wan_yuan', (SELECT f.amount::text FROM restoration_fundingshare f JOIN restoration_fundingsource s
          ON s.id = f.source_id WHERE f.project_id = p.id AND s.code = 'compensation-fund'),
      'allocations', COALESCE(json_agg(json_build_object('id', a.id, 'fund', fu.code, 'allocated_on', a.allocated_on,
          'amount_yuan', a.amount, 'amount_wan_yuan', (a.amount / 10000.0)::numeric(20, 4)::text,
          'purpose', a.purpose) ORDER BY a.allocated_on, a.id) FILTER (WHERE a.id IS NOT NULL), '[]'))
      FROM compensation_fundallocation a JOIN compensation_compensationfund fu ON fu.id = a.fund_id
      WHERE a.project_id = p.id),
  'units', '{units_json}'::json,
  'targets', COALESCE((SELECT json_agg(json_build_object('indicator', json_build_object({brief.format(t="i")},
      'code', i.code, 'unit', i.unit), 'target_value', t.target_value::text) ORDER BY i.code)
      FROM restoration_indicatortarget t JOIN restoration_indicator i ON i.id = t.indicator_id
      WHERE t.project_id = p.id), '[]'),
  'reporting_period', p.reporting_period,
  'latest_progress', (SELECT json_build_object('period', r.period, 'percent_complete', r.percent_complete::text,
      'cumulative_investment', r.cumulative_investment::text) FROM restoration_progressreport r
      WHERE r.project_id = p.id AND r.status IN ('submitted', 'accepted')
      ORDER BY r.period_end DESC, r.created_at DESC LIMIT 1),
  'created_at', {ts("p.created_at")}, 'updated_at', {ts("p.updated_at")}, 'version', p.version
)"""


def report_sql(lifecycle_case: str, units_json: str) -> str:
    """Progress reports ``r`` as the API shows them (``ProgressReportSerializer``)."""
    user = (
        "(SELECT json_build_object('id', u.id, 'username', u.username, 'name', COALESCE(NULLIF(trim("
        "u.first_name || ' ' || u.last_name), ''), u.username)) FROM core_user u WHERE u.id = {col})"
    )
    return f"""
json_build_object(
  'id', r.id,
  'project', json_build_object('id', p.id, 'code', p.code, 'name_zh', p.name_zh, 'name_en', p.name_en),
  'period', r.period, 'period_kind', r.period_kind, 'period_start', r.period_start, 'period_end', r.period_end,
  'narrative', r.narrative, 'percent_complete', r.percent_complete::text,
  'cumulative_investment', r.cumulative_investment::text,
  'investment', COALESCE((SELECT json_agg(json_build_object('source', json_build_object('id', s.id, 'code', s.code,
      'name_zh', s.name_zh, 'name_en', s.name_en), 'amount', v.amount::text) ORDER BY s.sort_order, s.code)
      FROM restoration_reportinvestment v JOIN restoration_fundingsource s ON s.id = v.source_id
      WHERE v.report_id = r.id), '[]'),
  'correction_reason', r.correction_reason,
  'units', '{units_json}'::json,
  'values', COALESCE((SELECT json_agg(json_build_object('indicator', json_build_object('id', i.id, 'code', i.code,
      'name_zh', i.name_zh, 'name_en', i.name_en, 'unit', i.unit), 'value', v.value::text) ORDER BY i.code)
      FROM restoration_indicatorvalue v JOIN restoration_indicator i ON i.id = v.indicator_id
      WHERE v.report_id = r.id), '[]'),
  'attachments', '[]'::json,
  'status', r.status, 'allowed_transitions', {lifecycle_case},
  'reported_by', {user.format(col="r.reported_by_id")}, 'submitted_at', {ts("r.submitted_at")},
  'reviewed_by', {user.format(col="r.reviewed_by_id")}, 'reviewed_at', {ts("r.reviewed_at")},
  'review_comment', r.review_comment,
  'created_at', {ts("r.created_at")}, 'updated_at', {ts("r.updated_at")}, 'version', r.version
)"""


def queries() -> dict[str, str]:
    """The SQL of each comparable request, with ``%(...)s`` parameters."""
    import json

    from api.restoration.serializers import PROJECT_UNITS, REPORT_UNITS
    from projects.restoration.lifecycle import PROJECT_LIFECYCLE, REPORT_LIFECYCLE

    project = project_sql(_lifecycle_case("p.status", PROJECT_LIFECYCLE), json.dumps(PROJECT_UNITS))
    report = report_sql(_lifecycle_case("r.status", REPORT_LIFECYCLE), json.dumps(REPORT_UNITS))
    filtered = """
        (%(corridor)s::text IS NULL OR EXISTS (SELECT 1 FROM restoration_project_corridors x
            JOIN core_corridor c ON c.id = x.corridor_id WHERE x.project_id = p.id AND c.slug = %(corridor)s))
        AND (%(status)s::text IS NULL OR p.status = %(status)s)"""
    properties = project_sql(_lifecycle_case("p.status", PROJECT_LIFECYCLE), json.dumps(PROJECT_UNITS), geometry=False)
    feature = (
        "json_build_object('type', 'Feature', 'id', p.id::text, "
        f"'geometry', ST_AsGeoJSON(p.geometry, 15)::json, 'properties', {properties})"
    )
    page = "SELECT * FROM restoration_project p ORDER BY p.code LIMIT %(limit)s OFFSET %(offset)s"
    return {
        "features": f"""
            WITH p AS ({page})
            SELECT (SELECT count(*) FROM restoration_project), count(*),
                   COALESCE(json_agg({feature} ORDER BY p.code), '[]')::text FROM p""",
        "projects": f"""
            SELECT (SELECT count(*) FROM restoration_project p WHERE {filtered}),
                   (SELECT COALESCE(json_agg({project} ORDER BY p.code), '[]') FROM (
                       SELECT * FROM restoration_project p WHERE {filtered}
                       ORDER BY p.code LIMIT %(limit)s OFFSET %(offset)s) p)::text""",
        "project": f"SELECT 1, ({project})::text FROM restoration_project p WHERE p.id = %(id)s",
        "reports": f"""
            SELECT (SELECT count(*) FROM restoration_progressreport r WHERE r.status <> 'draft'),
                   (SELECT COALESCE(json_agg({report} ORDER BY p.code, r.period_end DESC), '[]') FROM (
                       SELECT r.* FROM restoration_progressreport r JOIN restoration_project p ON p.id = r.project_id
                       WHERE r.status <> 'draft' ORDER BY p.code, r.period_end DESC
                       LIMIT %(limit)s OFFSET %(offset)s) r JOIN restoration_project p ON p.id = r.project_id)::text""",
    }


def feature_page(base: str, title: str, query: dict, matched: int, returned: int, features: str, offset: int) -> bytes:
    """OGC API - Features' items page (``api.ogc.Items``): its members and links around the features."""
    import datetime
    import json

    def link(rel: str, kind: str, f: str, at: int | None = None) -> dict:
        params = {**query, **({} if at is None else {"offset": str(at)}), "f": f}
        found = {"href": f"{base}?{urllib.parse.urlencode(params)}", "rel": rel, "type": kind}
        return {**found, "title": title} if at is None else found

    size = int(query.get("limit", 10))
    links = [link("self", "application/geo+json", "json"), link("alternate", "text/html", "html")]
    if offset + size < matched:
        links.append(link("next", "application/geo+json", "json", offset + size))
    if offset > 0:
        links.append(link("prev", "application/geo+json", "json", max(offset - size, 0)))
    links.append({"href": base.removesuffix("/items") + "?f=json", "rel": "collection"})
    members = {
        "numberMatched": matched,
        "numberReturned": returned,
        "timeStamp": datetime.datetime.now(datetime.UTC).isoformat(),
        "links": links,
    }
    head = json.dumps({"type": "FeatureCollection", "title": title}, ensure_ascii=False)[:-1]
    return f'{head},"features":{features},{json.dumps(members, ensure_ascii=False)[1:]}'.encode()


def page_envelope(base: str, query: dict, count: int, results: str, page: int, size: int) -> bytes:
    """DRF's page: count, next and previous links, results (already JSON)."""

    def link(number: int | None) -> str:
        if number is None:
            return "null"
        params = {**query, "page": str(number)}
        if number == 1:
            params.pop("page")
        return '"' + base + ("?" + urllib.parse.urlencode(params) if params else "") + '"'

    last = max(1, -(-count // size))
    following = page + 1 if page < last else None
    preceding = page - 1 if page > 1 else None
    return (f'{{"count":{count},"next":{link(following)},"previous":{link(preceding)},"results":{results}}}').encode()


class RawApp:
    """WSGI: ``/projects/?…``, ``/projects/<id>/`` and ``/progress-reports/?…`` as the API's paths."""

    def __init__(self, dsn: str):
        self.dsn = dsn
        self._sql = None
        self._connection = None

    def _cursor(self):
        import psycopg

        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(self.dsn, autocommit=True, options="-c jit=off")
        return self._connection.cursor()

    @functools.cached_property
    def _projects_title(self) -> str:
        """The projects collection's title in the language the bench reads in (zh-hans), once."""
        from django.utils import translation

        from api.ogc import COLLECTIONS

        with translation.override("zh-hans"):
            return str(COLLECTIONS["projects"].title)

    def __call__(self, environ, start_response):
        if self._sql is None:
            self._sql = queries()
        path = environ["PATH_INFO"]
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        host = f"http://{environ.get('HTTP_HOST', 'testserver')}"
        size = int(query.get("page_size", 50))
        page = int(query.get("page", 1))
        parts = [part for part in path.split("/") if part]
        cursor = self._cursor()
        if parts[-2:] == ["v1", "projects"] or parts[-1:] == ["projects"]:
            params = {
                "corridor": query.get("corridor"),
                "status": query.get("status"),
                "limit": size,
                "offset": (page - 1) * size,
            }
            count, results = cursor.execute(self._sql["projects"], params).fetchone()
            body = page_envelope(host + path, query, count, results, page, size)
        elif parts == ["ogc", "collections", "projects", "items"]:
            params = {"limit": int(query.get("limit", 10)), "offset": int(query.get("offset", 0))}
            matched, returned, features = cursor.execute(self._sql["features"], params).fetchone()
            query.pop("offset", None)
            query.pop("f", None)
            body = feature_page(host + path, self._projects_title, query, matched, returned, features, params["offset"])
        elif len(parts) >= 2 and parts[-2] == "projects":
            row = cursor.execute(self._sql["project"], {"id": parts[-1]}).fetchone()
            body = row[1].encode() if row else b"null"
        elif parts[-1:] == ["progress-reports"]:
            params = {"limit": size, "offset": (page - 1) * size}
            count, results = cursor.execute(self._sql["reports"], params).fetchone()
            body = page_envelope(host + path, query, count, results, page, size)
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not compared"]
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def _app():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()  # for the lifecycle tables and units only; no ORM query is made
    return RawApp(os.environ["BENCH_RAW_DSN"])


app = _app() if os.environ.get("BENCH_RAW_DSN") else None
