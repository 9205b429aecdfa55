"""Representations served from a cache keyed by the record's version.

Every shared record's version grows whenever anything its representation shows changes, its
nested references included (the services touch every record that shows a changed one;
tests/test_representation_versions.py checks it over every record type), and the ETag already
relies on it. So the JSON of (record, version) never changes: a list page asks the database only
for its rows' keys and versions, takes the representations it has from the cache and builds the
others (one query set for all of them). A version that moves between the two reads is stored
under the version actually read, never under the older one.

The key also holds the language, the serializer, the view's action (a list may show less than a
detail) and a digest of the code, so a deployment with other serializers never reads the old
ones. Only GET requests rendered as JSON use it: a write's own answer may hold state its
transaction has not committed yet. Opt in per resource with ``cache_representations = True``.
Cache: ``CACHES["representations"]`` (Redis with ``CACHE_URL``, else memory per process).

Figures over all records (``figures``) are kept the same way, keyed by the last committed change.
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db.models import prefetch_related_objects
from django.utils import translation


@functools.cache
def code_revision() -> str:
    """A digest of the application's Python code, migrations included (a data migration changes
    records without moving their versions), read once per process."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in ("api", "projects"):
        for path in sorted((settings.BASE_DIR / folder).rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def applies(view) -> bool:
    request = view.request
    renderer = getattr(request, "accepted_renderer", None)
    return (
        getattr(view, "cache_representations", False)
        and settings.REPRESENTATION_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and renderer is not None
        and renderer.format == "json"
    )


def _key(view, obj_or_pk, version) -> str:
    pk = getattr(obj_or_pk, "pk", obj_or_pk)
    serializer = view.get_serializer_class()
    return (
        f"repr:{code_revision()}:{serializer.__module__}.{serializer.__qualname__}:{view.action}:"
        f"{translation.get_language()}:{pk}:{version}"
    )


def _store(view, objects, data) -> None:
    caches["representations"].set_many(
        {_key(view, obj, obj.version): item for obj, item in zip(objects, data, strict=True)},
        settings.REPRESENTATION_CACHE_SECONDS,
    )


def representations(view, rows, queryset) -> list:
    """The representations of ``rows`` (``(pk, version)`` pairs, in order) from the cache, the
    missing ones built from ``queryset`` (one query set). A row gone meanwhile is left out."""
    keys = {pk: _key(view, pk, version) for pk, version in rows}
    found = caches["representations"].get_many(list(keys.values())) if keys else {}
    missing = [pk for pk, key in keys.items() if key not in found]
    fresh = {}
    if missing:
        objects = list(queryset.filter(pk__in=missing))
        data = view.get_serializer(objects, many=True).data
        _store(view, objects, data)
        fresh = {obj.pk: item for obj, item in zip(objects, data, strict=True)}
    return [
        found[keys[pk]] if keys[pk] in found else fresh[pk] for pk, _version in rows if keys[pk] in found or pk in fresh
    ]


def representation(view, obj, prefetch_lookups) -> dict:
    """One record's representation: from the cache, else built (``prefetch_lookups()`` gives the
    prefetches, which run only then)."""
    key = _key(view, obj, obj.version)
    data = caches["representations"].get(key)
    if data is None:
        prefetch_related_objects([obj], *prefetch_lookups())
        data = view.get_serializer(obj).data
        caches["representations"].set(key, data, settings.REPRESENTATION_CACHE_SECONDS)
    return data


class CachedRows:
    """A list's rows for the paginator as representations: counted and sliced by key, the page's
    representations from the cache (``KeysFirst`` without building the page's records at all)."""

    ordered = True

    def __init__(self, view, queryset):
        self.view = view
        self.queryset = queryset
        self.model = queryset.model

    def count(self) -> int:
        return self.queryset.values("pk").count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        rows = list(self.queryset.values_list("pk", "version")[index])
        return representations(self.view, rows, self.queryset)


def last_change() -> int:
    """The commit position of the last committed change of any shared record (0: none yet).
    Positions follow commit order (``ChangeSequence``), so a figure computed after reading it
    holds at least every change up to it."""
    from django.db.models import Max

    from projects.core.models import ChangeRecord

    return ChangeRecord.objects.aggregate(last=Max("seq"))["last"] or 0


def figures(name: str, params: dict, compute):
    """A figure computed over the shared records (totals, plan execution …), kept until the next
    committed change of any record: ``compute()`` runs only when something changed since. The
    figures read every record alike, whoever asks, so the key holds no user."""
    if settings.REPRESENTATION_CACHE_SECONDS <= 0:
        return compute()
    parts = ",".join(f"{key}={params[key]}" for key in sorted(params))
    key = f"figures:{code_revision()}:{name}:{parts}:{translation.get_language()}:{last_change()}"
    cache = caches["representations"]
    data = cache.get(key)
    if data is None:
        data = compute()
        cache.set(key, data, settings.REPRESENTATION_CACHE_SECONDS)
    return data
