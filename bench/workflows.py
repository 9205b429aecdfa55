"""The workflow clients, each run as its own process (``python -m bench.workflows sync|export|import URL``)
so that its peak resident memory is the client's alone: a full sync following the
changes feed from the start, an export read as a stream, an import sent as a file and followed to
its end. Each prints its figures as JSON; counts are of what arrived, so the bench can check them.
"""

import argparse
import codecs
import contextlib
import csv
import http.client
import io
import json
import queue
import resource
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

CHUNK = 64 * 1024
FINISHED = ("succeeded", "rejected", "failed")


def _get(connection_url: str, headers: dict):
    parts = urllib.parse.urlsplit(connection_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=3600)
    connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
    return connection, connection.getresponse()


def sync(url: str, headers: dict) -> dict:
    """Every page of the feed from the start until it has no more, as a partner would read it: on
    one kept-alive connection, the next page (named in the ``Link`` header) asked for while this
    one is parsed. The body's cursor is checked against the header's.

    The next request is sent before the page is handed to the parser: ``json.loads`` holds the
    interpreter for the whole page (45 ms for 1,000 entries), so a request sent after it would wait
    for the parse, and the server with it."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=3600)
    fetched: queue.Queue = queue.Queue(maxsize=1)

    def fetch():
        address = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", address, headers=headers)
        while True:
            response = connection.getresponse()
            body = response.read()
            following = _next_link(response.getheader("Link", "")) if response.status == 200 else None
            if following:
                address = urllib.parse.urlsplit(following)._replace(scheme="", netloc="").geturl()
                connection.request("GET", address, headers=headers)
            fetched.put((response.status, body, following))
            if not following:
                return

    fetcher = threading.Thread(target=fetch, daemon=True)
    fetcher.start()
    records = pages = errors = 0
    while True:
        status, body, following = fetched.get()
        pages += 1
        if status != 200:
            errors += 1
            break
        page = json.loads(body)
        records += len(page["results"])
        if page["has_more"] != bool(following) or (following and f"since={page['next_cursor']}" not in following):
            errors += 1
            break
        if not page["has_more"]:
            break
    fetcher.join(timeout=60)
    connection.close()
    return {"records": records, "pages": pages, "errors": errors}


def _next_link(header: str) -> str | None:
    """The address of ``rel="next"`` in a ``Link`` header."""
    for part in header.split(","):
        address, _sep, params = part.partition(";")
        if 'rel="next"' in params:
            return address.strip()[1:-1]
    return None


def count_csv_rows(stream) -> int:
    """Data rows of a streamed CSV (a cell may hold a line break, so the csv module counts)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    return max(0, sum(1 for _row in csv.reader(text)) - 1)


def count_features(stream) -> int:
    """Features of a streamed FeatureCollection, each parsed as it completes: only one chunk and
    one feature are held at a time."""
    decoder, text = json.JSONDecoder(), codecs.getincrementaldecoder("utf-8")()
    buffer, count, inside = "", 0, False
    while chunk := stream.read(CHUNK):
        buffer += text.decode(chunk)
        position = 0
        if not inside:
            key = buffer.find('"features"')
            start = buffer.find("[", key) if key >= 0 else -1
            if start < 0:
                continue
            inside, position = True, start + 1
        while True:
            while position < len(buffer) and buffer[position] in " \r\n\t,":
                position += 1
            if buffer.startswith("]", position):
                return count
            try:
                feature, position = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError:
                break  # the feature goes on in the next chunk
            count += feature.get("type") == "Feature"
        buffer = buffer[position:]
    return count


def export(url: str, headers: dict) -> dict:
    connection, response = _get(url, headers)
    try:
        if response.status != 200:
            response.read()
            return {"rows": 0, "errors": 1, "status": response.status}
        counter = count_features if "geo+json" in response.getheader("Content-Type", "") else count_csv_rows
        return {"rows": counter(response), "errors": 0}
    finally:
        connection.close()


def import_file(url: str, headers: dict, path: Path, poll: float = 0.5) -> dict:
    """POST the file (multipart, streamed from disk); a 202 is followed at its Location to the end."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        with path.open("rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
        yield tail

    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=3600)
    sent = {
        **headers,
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(head) + path.stat().st_size + len(tail)),
    }
    connection.request("POST", parts.path + (f"?{parts.query}" if parts.query else ""), body=body(), headers=sent)
    response = connection.getresponse()
    answer = json.loads(response.read() or b"{}")
    connection.close()
    if response.status == 201:
        return {"rows": answer["created"], "errors": 0, "background": False}
    if response.status != 202:
        return {"rows": 0, "errors": 1, "status": response.status, "answer": str(answer)[:500]}
    job_url = urllib.parse.urljoin(url, response.getheader("Location"))
    while answer["status"] not in FINISHED:
        time.sleep(poll)
        connection, polled = _get(job_url, headers)
        answer = json.loads(polled.read())
        connection.close()
    done = answer["status"] == "succeeded"
    figures = {"rows": (answer["result"] or {}).get("created", 0), "errors": 0 if done else 1, "background": True}
    if not done:
        figures["answer"] = str(answer.get("errors") or answer.get("error"))[:500]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workflow", choices=["sync", "export", "import"])
    parser.add_argument("url")
    parser.add_argument("--header", action="append", default=[], help="Name: value")
    parser.add_argument("--file", type=Path, help="The file to import")
    args = parser.parse_args()
    headers = dict(header.split(": ", 1) for header in args.header)
    started = time.perf_counter()
    if args.workflow == "sync":
        figures = sync(args.url, headers)
    elif args.workflow == "export":
        figures = export(args.url, headers)
    else:
        figures = import_file(args.url, headers, args.file)
    figures["seconds"] = round(time.perf_counter() - started, 3)
    figures["client_peak_mb"] = round(peak_kb() / 1024, 1)
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    figures["client_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 3)
    print(json.dumps(figures))


def peak_kb() -> int:
    """This process's peak resident memory. ``VmHWM`` first: Linux carries ``ru_maxrss`` over
    ``exec``, so getrusage would give the bench's own peak, which started this process."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


if __name__ == "__main__":
    main()
