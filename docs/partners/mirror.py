#!/usr/bin/env python3
"""A partner system's mirror of the tracker: replays the changes feed into a local database.

    python3 mirror.py --url https://tracker.example.org --token TOKEN --db mirror.sqlite3

Only the Python standard library. Run it as often as you like (from cron, say): it resumes
from the cursor it stored, and a page of changes is applied and its cursor stored in one
transaction, so an interrupted run loses nothing and applies nothing twice.

The mirror keeps, per record, the representation with the highest version (a record changed
several times appears once per change in the feed) and forgets a record for good once its
tombstone arrives. Tables:

    records(type, id, version, data)   -- data: the record as its detail endpoint shows it (JSON)
    tombstones(type, id)               -- records deleted in the tracker
    state(key, value)                  -- the feed cursor
"""

import argparse
import json
import sqlite3
import sys
import urllib.parse
import urllib.request

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (type TEXT, id TEXT, version INTEGER, data TEXT, PRIMARY KEY (type, id));
CREATE TABLE IF NOT EXISTS tombstones (type TEXT, id TEXT, PRIMARY KEY (type, id));
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""


def connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    return db


def cursor_of(db: sqlite3.Connection) -> str:
    row = db.execute("SELECT value FROM state WHERE key = 'cursor'").fetchone()
    return row[0] if row else ""


def fetch(url: str, token: str, since: str, types: str = "", limit: int = 500) -> dict:
    query = urllib.parse.urlencode({k: v for k, v in {"since": since, "types": types, "limit": limit}.items() if v})
    request = urllib.request.Request(  # noqa: S310 - the tracker's own https:// URL
        f"{url.rstrip('/')}/api/v1/changes/?{query}",
        headers={"Authorization": f"Token {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the tracker's own URL
        return json.loads(response.read())


def apply(db: sqlite3.Connection, entry: dict) -> None:
    key = (entry["type"], entry["id"])
    if entry["deleted"]:
        db.execute("DELETE FROM records WHERE type = ? AND id = ?", key)
        db.execute("INSERT OR IGNORE INTO tombstones VALUES (?, ?)", key)
        return
    data = entry["data"]
    if data is None or db.execute("SELECT 1 FROM tombstones WHERE type = ? AND id = ?", key).fetchone():
        return  # deleted meanwhile: its tombstone comes (or came) in the feed
    version = data.get("version", entry["version"]) or 0
    stored = db.execute("SELECT version FROM records WHERE type = ? AND id = ?", key).fetchone()
    if stored is None or version >= stored[0]:
        db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", (*key, version, json.dumps(data)))


def sync(url: str, token: str, db: sqlite3.Connection, *, types: str = "", limit: int = 500) -> int:
    """Apply every change after the stored cursor; return how many entries were read."""
    read = 0
    while True:
        page = fetch(url, token, cursor_of(db), types, limit)
        with db:  # one transaction per page: its entries and its cursor
            for entry in page["results"]:
                apply(db, entry)
            db.execute("INSERT OR REPLACE INTO state VALUES ('cursor', ?)", (page["next_cursor"],))
        read += len(page["results"])
        if not page["has_more"]:
            return read


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the tracker, e.g. https://tracker.example.org")
    parser.add_argument("--token", required=True, help="a partner token (docs/partners.md)")
    parser.add_argument("--db", default="mirror.sqlite3", help="the mirror's SQLite file")
    parser.add_argument("--types", default="", help="only these resources, e.g. projects,progress-reports")
    args = parser.parse_args(argv)
    read = sync(args.url, args.token, connect(args.db), types=args.types)
    print(f"{read} changes applied; cursor stored in {args.db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
