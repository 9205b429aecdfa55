"""A bounded HTTP load generator, run as its own process (``python -m bench.load``).

``concurrency`` threads each send one request after another to the same URL for ``duration``
seconds (at most ``max_requests`` in all) and record each latency; it prints requests per second
and p50/p95/p99 in milliseconds as JSON. Threads are enough: they wait on the network, the
server does the work. (wrk does the same faster, but is not installed everywhere.)
"""

import argparse
import http.client
import json
import threading
import time
import urllib.parse


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(url: str, *, headers: dict, concurrency: int, duration: float, max_requests: int) -> dict:
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def worker():
        while time.perf_counter() < deadline:
            with lock:
                if len(latencies) + len(errors) >= max_requests:
                    return
            started = time.perf_counter()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
            try:
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError as error:
                status = str(error)
            finally:
                connection.close()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (latencies if status == 200 else errors).append(elapsed if status == 200 else status)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "rps": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--header", action="append", default=[], help="Name: value")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    headers = dict(header.split(": ", 1) for header in args.header)
    result = run(
        args.url, headers=headers, concurrency=args.concurrency, duration=args.duration, max_requests=args.max_requests
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
