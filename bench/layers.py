"""Where a project's detail spends its time, in process: ``python -m bench.layers``.

Each layer is one WSGI call in this process, timed as the median of ``--requests`` calls, the
layers taken in turn ``--rounds`` times (the median of those medians is printed, the least too):
the limit's detail (``bench.raw``); a Django view with no middleware; the same behind every
middleware; DRF's dispatch; the token and permissions; the rate limit (the floor,
``bench.floor``); then the tracker's own ``/api/v1/me/`` and the project detail. No HTTP server
and no client: what is left between two layers is that layer's own cost, round trips to
PostgreSQL and Redis included. On the bench's database (``BENCH_DATABASE_URL``, filled by
``bench.run``) with the bench's Redis (``BENCH_CACHE_URL``, emptied first).
"""

import argparse
import gc
import io
import os
import statistics
import sys
import time

from bench.run import DEFAULT_DATABASE, FLOOR_PATH, SERVER_ENV, cache_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000, help="Calls per layer and round.")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    database = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    os.environ.update({**SERVER_ENV, "DATABASE_URL": database, **cache_env("redis")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    import django

    django.setup()
    from bench.run import bench_token
    from projects.restoration.models import Project

    middle = Project.objects.order_by("code").values_list("pk", flat=True)[Project.objects.count() // 2]
    figures = measure(token=bench_token(), project=middle, database=database, freeze=True, **vars(args))
    limit = figures[0]["median_ms"]
    print(f"{'layer':44} {'median ms':>10} {'least ms':>9} {'added ms':>9} {'limit ÷ it':>10}")
    for layer in figures:
        added = f"{layer['added_ms']:9.3f}" if layer["added_ms"] is not None else f"{'':9}"
        ratio = limit / layer["median_ms"]
        print(f"{layer['name']:44} {layer['median_ms']:10.3f} {layer['least_ms']:9.3f} {added} {ratio:10.2f}")


# (layer, path, the layer it adds to): the app is the limit's, Django's alone, the floor's or the tracker's.
LAYERS = [
    ("limit: the detail's one query", "raw", "{detail}", None),
    ("a Django view, no middleware", "bare", "/floor/django/", None),
    ("+ every middleware", "floor", "/floor/django/", "a Django view, no middleware"),
    ("+ DRF's dispatch and renderer", "floor", "/floor/drf/", "+ every middleware"),
    ("+ the token and permissions", "floor", "/floor/checked/", "+ DRF's dispatch and renderer"),
    ("+ the rate limit: the floor", "floor", FLOOR_PATH, "+ the token and permissions"),
    ("/api/v1/me/: the floor + a serializer", "tracker", "/api/v1/me/", "+ the rate limit: the floor"),
    ("project detail: the floor + its own reads", "tracker", "{detail}", "+ the rate limit: the floor"),
]


def measure(*, token: str, project, database: str, requests: int, rounds: int, freeze: bool = False) -> list[dict]:
    """Each layer's ``name``, ``median_ms`` (the median of the rounds' medians), ``least_ms`` (the
    least of them) and ``added_ms`` (its median less the median of the layer it adds to)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    from bench.floor import FloorHandler
    from bench.raw import RawApp

    with override_settings(MIDDLEWARE=[]):
        bare = FloorHandler()
    apps = {
        "raw": RawApp(database.replace("postgis://", "postgresql://", 1)),
        "bare": bare,
        "floor": FloorHandler(),
        "tracker": WSGIHandler(),
    }
    layers = [(name, apps[app], path.format(detail=f"/api/v1/projects/{project}/")) for name, app, path, _ in LAYERS]
    for _name, app, path in layers:
        for _ in range(max(1, requests // 5)):  # untimed: each path's first calls compile and cache
            call(app, path, token)
    if freeze:
        gc.freeze()  # as the serving processes do (tracker/wsgi.py)
    medians = {name: [] for name, _app, _path in layers}
    for _round in range(rounds):
        for name, app, path in layers:
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                call(app, path, token)
                times.append(time.perf_counter() - started)
            medians[name].append(statistics.median(times) * 1000)
    figures = {name: statistics.median(values) for name, values in medians.items()}
    return [
        {
            "name": name,
            "median_ms": round(figures[name], 3),
            "least_ms": round(min(medians[name]), 3),
            "added_ms": round(figures[name] - figures[base], 3) if base else None,
        }
        for name, _app, _path, base in LAYERS
    ]


def call(app, path: str, token: str) -> bytes:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "application/json",
        "HTTP_ACCEPT_LANGUAGE": "zh-hans",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    status = []
    body = b"".join(app(environ, lambda line, headers, exc_info=None: status.append(line)))
    if not status[0].startswith("200"):
        raise RuntimeError(f"{path}: {status[0]} {body[:200]!r}")
    return body


if __name__ == "__main__":
    main()
