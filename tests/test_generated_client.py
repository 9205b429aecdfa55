"""A client nobody here wrote: openapi-python-client generates one from the schema, and every
read endpoint is called with it through a real server. A response that does not match its
schema fails to parse, so the schema cannot lie about what the API sends."""

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from django.core.management import call_command

from projects.core.models import User
from projects.core.tokens import token_issue


def _generate(schema_url: str, token: str, target) -> str:
    request = urllib.request.Request(schema_url + "?format=json", headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        (target / "schema.json").write_bytes(response.read())
    command = [
        str(Path(sys.executable).parent / "openapi-python-client"),
        "generate",
        "--path",
        str(target / "schema.json"),
        "--output-path",
        str(target / "client"),
        "--overwrite",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    packages = [p.name for p in (target / "client").iterdir() if (p / "__init__.py").exists()]
    assert len(packages) == 1, packages
    assert packages[0].isascii()
    return packages[0]


def test_a_generated_client_reads_every_endpoint(live_server, settings, tmp_path):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    user = User.objects.get(username="joint_office")
    token = token_issue(actor=user, user=user, name="generated", scope="read")[1]
    package = _generate(f"{live_server.url}/api/v1/schema/", token, tmp_path)
    sys.path.insert(0, str(tmp_path / "client"))
    try:
        client_module = importlib.import_module(package)
        client = client_module.AuthenticatedClient(base_url=live_server.url, token=token, prefix="Token", timeout=60)
        api = importlib.import_module(f"{package}.api")
        called, ids, failures = [], {}, []
        operations = []
        for group in pkgutil.iter_modules(api.__path__):
            group_module = importlib.import_module(f"{package}.api.{group.name}")
            for operation in pkgutil.iter_modules(group_module.__path__):
                module = importlib.import_module(f"{package}.api.{group.name}.{operation.name}")
                source = inspect.getsource(module)
                if '"method": "get"' not in source or not hasattr(module, "sync_detailed"):
                    continue
                operations.append((group.name, operation.name, module))
        # Lists first: they give the ids the details need.
        operations.sort(key=lambda item: ("_list" not in item[1], item[1]))
        for group, name, module in operations:
            parameters = inspect.signature(module.sync_detailed).parameters
            kwargs = {"client": client}
            if "id" in parameters:
                if group not in ids:
                    continue  # nothing listed to read in detail
                kwargs["id"] = ids[group]
            required = [p for p, v in parameters.items() if v.default is inspect.Parameter.empty and p not in kwargs]
            if required:
                continue  # an operation needing more than an id (e.g. a date range) is read by its own tests
            try:
                response = module.sync_detailed(**kwargs)
            except Exception as exc:  # noqa: BLE001 - every mismatch is listed at the end
                failures.append(f"{group}.{name}: {type(exc).__name__}: {exc}")
                continue
            if response.status_code not in (200, 404, 409):
                failures.append(f"{group}.{name}: {response.status_code} {response.content[:200]!r}")
            if response.status_code == 200 and "application/json" in response.headers.get("content-type", ""):
                if response.parsed is None:
                    failures.append(f"{group}.{name}: not parsed: {response.content[:200]!r}")
                body = json.loads(response.content)
                if name.endswith("_list") and isinstance(body, dict) and body.get("results"):
                    first = body["results"][0]
                    if isinstance(first, dict) and "id" in first:
                        ids[group] = first["id"]
            called.append(name)
        assert not failures, "\n".join(failures)
        assert len(called) >= 60, len(called)
    finally:
        sys.path.remove(str(tmp_path / "client"))
