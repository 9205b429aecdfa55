"""Every action endpoint once through a real HTTP server, on the demo data.

Django's test client skips the WSGI server's checks (a non-string ``Location`` header passed
it and failed every real request). Here each action of every route of the router, and the
endpoints outside it, is called over HTTP; none may answer 5xx, and the ones a user would
succeed with succeed.
"""

import json
import urllib.error
import urllib.request
import uuid

from django.core.management import call_command

from api.urls import router
from projects.core.models import User
from projects.core.tokens import token_issue
from projects.permissions import visible


def _call(url, token, method="GET", body=None, content_type="application/json"):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Accept-Language", "en")
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, kind) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {kind}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _first(model, user, **filters):
    return visible(user, model._default_manager.filter(**filters)).order_by("pk").first()


def test_every_action_endpoint_answers_through_a_real_server(live_server, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.DEBUG = True  # load_demo refuses to run in production
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False  # the server answers as in production
    users = {u.username: u for u in User.objects.filter(username__in=["joint_office", "sc_staff", "expert"])}
    tokens = {name: token_issue(actor=u, user=u, name="live", scope="write")[1] for name, u in users.items()}
    office, base = tokens["joint_office"], f"{live_server.url}/api/v1"
    answered = {}

    # Custom bodies where an action needs one to do something; the rest are called bare.
    def body_for(prefix, action, obj):
        if action == "transition":
            _status, _headers, content = _call(f"{base}/{prefix}/{obj.pk}/", office)
            allowed = json.loads(content).get("allowed_transitions") or ["__none__"]
            allowed = [to for to in allowed if to != "accepted"] or allowed  # accepted needs an acceptance
            return {"to": allowed[0], "comment": "live test"}
        if action == "updates":
            return {"text": "进展说明（实时测试）"}
        if action == "review_pack":
            return {}
        if action == "revise":
            return {}
        if action == "milestone":
            milestone = obj.milestones.first()
            return {"title": milestone.title if milestone else "x", "done_on": None}
        return {}

    for prefix, viewset, _basename in router.registry:
        model = viewset.queryset.model
        for extra in viewset.get_extra_actions():
            methods = sorted(extra.mapping)
            for method in methods:
                if extra.detail:
                    owner = users["joint_office"]
                    # A project with a move open that needs no acceptance record (the demo also
                    # holds accepted, cancelled and completed ones, and its ids are random).
                    filters = {"status__in": ["approved", "in_progress", "suspended"]} if prefix == "projects" else {}
                    obj = _first(model, owner, **filters)
                    if obj is None and prefix == "webhooks":
                        status, _h, content = _call(
                            f"{base}/webhooks/", office, "POST", {"name": "live", "url": "http://127.0.0.1:9/hook"}
                        )
                        obj = model.objects.get(pk=json.loads(content)["id"])
                    if obj is None:
                        continue
                    url = f"{base}/{prefix}/{obj.pk}/{extra.url_path}/"
                else:
                    obj, url = None, f"{base}/{prefix}/{extra.url_path}/"
                if method == "get":
                    status, headers, content = _call(url, office)
                elif extra.url_path == "attachments":
                    report = _first(
                        model, users["sc_staff"], status__in=["draft", "returned"], reported_by=users["sc_staff"]
                    )
                    payload, kind = _multipart(
                        {"kind": "photo", "title": "现场照片"},
                        {"file": ("site.jpg", b"\xff\xd8\xff" + b"0" * 64, "image/jpeg")},
                    )
                    status, headers, content = _call(
                        f"{base}/{prefix}/{report.pk}/attachments/", tokens["sc_staff"], "POST", payload, kind
                    )
                elif extra.url_path == "upload":
                    payload, kind = _multipart(
                        {}, {"file": ("samples.csv", b"section,sampled_on,parameter,value,unit\n", "text/csv")}
                    )
                    status, headers, content = _call(url, office, "POST", payload, kind)
                else:
                    status, headers, content = _call(url, office, method.upper(), body_for(prefix, extra.url_path, obj))
                assert status < 500, (prefix, extra.url_path, method, status, content[:500])
                for name, value in headers.items():
                    assert isinstance(value, str), (prefix, extra.url_path, name)
                answered[(prefix, extra.url_path, method)] = status

    # What a user does with them succeeds, through the real server too.
    expected = {
        ("meetings", "review-pack", "post"): 202,
        ("progress-reports", "attachments", "post"): 201,
        ("action-items", "updates", "post"): 201,
        ("projects", "transition", "post"): 200,
        ("webhooks", "rotate-secret", "post"): 200,
        ("annual-plans", "execution", "get"): 200,
        ("corridor-plans", "progress", "get"): 200,
        ("carbon-coefficients", "path", "get"): 200,
        ("fund-allocations", "totals", "get"): 200,
        ("standards", "harmonization", "get"): 200,
    }
    for key, status in expected.items():
        assert answered.get(key) == status, (key, answered.get(key))
    assert len(answered) >= 40

    # A background import answers 202 with the job's address as a string header, and the job is there.
    rows = (
        "code,name_zh,lead_organization,corridors,planned_start,planned_end,total_budget\n"
        "SC-2029-0901,岷江实时测试项目,sc-natural-resources,min,2029-01-01,2029-12-31,100\n"
    )
    payload, kind = _multipart({"background": "true"}, {"file": ("rows.csv", rows.encode(), "text/csv")})
    status, headers, content = _call(f"{base}/projects/import/", office, "POST", payload, kind)
    assert status == 202, content[:500]
    location = headers["Location"]
    assert isinstance(location, str) and location.startswith("/api/v1/import-jobs/")
    status, _headers, content = _call(f"{live_server.url}{location}", office)
    assert status == 200 and json.loads(content)["status"] == "succeeded", content[:500]

    # And the endpoints outside the router.
    for path in ("/changes/", "/me/", "/auth/tokens/", "/schema/", "/docs/"):
        status, _headers, content = _call(f"{base}{path}", office)
        assert status == 200, (path, status, content[:300])
    status, headers, _content = _call(f"{base}/meetings/", office)
    assert status == 200
