"""Representations served from a cache keyed by the record's version.

Every shared record's version grows whenever anything its representation shows changes, its
nested references included (the services touch every record that shows a changed one;
tests/test_representation_versions.py checks it over every record type), and the ETag already
relies on it. So the JSON of (record, version) never changes: a list page reads its records
without their prefetches, takes the representations it has from the cache and builds the others
(their prefetches run for those only). Built afresh, a page costs the queries it did before;
all cached, its count and its rows. They are kept as the JSON the renderer writes (``Encoded``)
and spliced into the answer as they are (api/renderers.py): a kept page is neither decoded nor
encoded again.

The key also holds the language, the serializer (a list showing less than a detail has a
serializer of its own), the reader where the rule chooses records nested in the representation
for them (a plan's expert reviews), and a digest of the code, so a deployment with other
serializers never reads the old ones; not the action: a list, a detail, the changes feed and an
export share one copy per record. Only GET requests use it (JSON answers, and exports, which
read it whatever their format): a write's own answer may hold state its transaction has not
committed yet. Every versioned resource uses it unless it sets
``cache_representations = False`` (a representation showing the request's host).
Cache: ``CACHES["representations"]`` (Redis with ``CACHE_URL``, else memory per process).

Figures over all records (``figures``) are kept the same way, keyed by the last committed change,
and answer for up to ``FIGURES_MAX_AGE_SECONDS`` after later changes (not to the one who made them).
"""

import contextlib
import contextvars
import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import translation

from api.pagination import KeysFirst
from api.renderers import Encoded
from tracker.db import primary_reads


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
    """Whether this request's JSON answer reads and fills the cache."""
    renderer = getattr(view.request, "accepted_renderer", None)
    return kept(view) and renderer is not None and renderer.format == "json"


def kept(view) -> bool:
    """Whether the view's representations are kept at all: a GET of a versioned resource (an
    export reads them too, whatever its file format)."""
    return (
        getattr(view, "cache_representations", False)
        and settings.REPRESENTATION_CACHE_SECONDS > 0
        and _versioned(view)
        and view.request.method in ("GET", "HEAD")
    )


def _versioned(view) -> bool:
    queryset = getattr(view, "queryset", None)
    return queryset is not None and any(field.name == "version" for field in queryset.model._meta.concrete_fields)


def _reader(view) -> str:
    """Whose representation this is: everyone's, unless the records nested in it are themselves
    chosen by the rule for the reader (a plan's expert reviews: drafts only for the joint office),
    then this reader's own."""
    if not hasattr(view, "_representation_reader"):
        lookups = view.get_queryset()._prefetch_related_lookups
        view._representation_reader = f"user-{view.request.user.pk}" if _scoped(lookups) else "all"
    return view._representation_reader


def _scoped(lookups) -> bool:
    from projects.permissions import _scopes

    for lookup in lookups:
        if isinstance(lookup, Prefetch) and lookup.queryset is not None:
            model = lookup.queryset.model
            if model._meta.label_lower in _scopes or _scoped(lookup.queryset._prefetch_related_lookups):
                return True
    return False


def _prefix(view) -> str:
    """The key's part shared by every record of one request: computed once, not per record (a
    feed page holds a thousand)."""
    serializer = view.get_serializer_class()
    return (
        f"repr:{code_revision()}:{serializer.__module__}.{serializer.__qualname__}:"
        f"{translation.get_language()}:{_reader(view)}:"
    )


def _key(view, obj_or_pk, version) -> str:
    return f"{_prefix(view)}{getattr(obj_or_pk, 'pk', obj_or_pk)}:{version}"


# Built five hundred at a time (an export's chunk, half a feed page), each let go of before the
# next (``_released``): the collector then walks one chunk at most. Smaller chunks cost more
# prefetch queries than they save (a feed page of 1,000: 100 at once 0.96-1.03 s, 500 0.91 s).
BUILT_AT_ONCE = 500


def _built(view, objects: list, prefetch_lookups) -> list[Encoded]:
    """Representations of ``objects`` built after running the prefetches for those only; kept."""
    # One serializer without an instance, as the export does: a list serializer's data and its
    # arguments would hold the records in a reference cycle.
    serializer, built = view.get_serializer(), []
    for start in range(0, len(objects), BUILT_AT_ONCE):
        chunk = objects[start : start + BUILT_AT_ONCE]
        prefetch_related_objects(chunk, *prefetch_lookups)
        built += [Encoded.of(serializer.to_representation(obj)) for obj in chunk]
        _released(chunk)
    prefix = _prefix(view)
    caches["representations"].set_many(
        {f"{prefix}{obj.pk}:{obj.version}": item.json for obj, item in zip(objects, built, strict=True)},
        settings.REPRESENTATION_CACHE_SECONDS,
    )
    return built


def _released(objects: list) -> None:
    """Cut the reference cycles that would keep a built chunk until a full collection: every
    prefetched record points at its own queryset, which points back through its hints. Freed by
    reference counting instead, a page of the changes feed built afresh is not walked by the
    collector several times over (in process, a page of 1,000 built afresh: 1.22-1.34 -> 0.91 s,
    full collections 3.4 -> 0.9 s over eight pages)."""
    pending = list(objects)
    while pending:
        cache = getattr(pending.pop(), "_prefetched_objects_cache", None)
        if cache:
            for related in cache.values():
                pending.extend(related._result_cache or ())
            cache.clear()


def representations(view, objects: list, prefetch_lookups) -> list[Encoded]:
    """The representations of ``objects`` (read without their prefetches), in order: from the
    cache, the missing ones built after running the prefetches for those only."""
    prefix = _prefix(view)
    keys = [f"{prefix}{obj.pk}:{obj.version}" for obj in objects]
    found = caches["representations"].get_many(keys) if keys else {}
    missing = [obj for obj, key in zip(objects, keys, strict=True) if key not in found]
    if missing:
        found.update(
            (f"{prefix}{obj.pk}:{obj.version}", item.json)
            for obj, item in zip(missing, _built(view, missing, prefetch_lookups), strict=True)
        )
    return [Encoded(found[key]) for key in keys]


def by_version(view, versions: dict, queryset) -> dict:
    """The representations of the records ``versions`` names (pk → version), by pk: from the
    cache without reading the records; the missing ones read from ``queryset`` and built. A
    record gone meanwhile is left out."""
    prefix = _prefix(view)
    keys = {pk: f"{prefix}{pk}:{version}" for pk, version in versions.items()}
    found = caches["representations"].get_many(list(keys.values())) if keys else {}
    kept = {pk: Encoded(found[key]) for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in kept]
    if missing:
        objects = list(queryset.prefetch_related(None).filter(pk__in=missing))
        built = _built(view, objects, queryset._prefetch_related_lookups)
        kept.update((obj.pk, item) for obj, item in zip(objects, built, strict=True))
    return kept


def kept_copy(view, pk, version) -> Encoded | None:
    """The kept representation of record ``pk`` at ``version``, if any."""
    encoded = caches["representations"].get(_key(view, pk, version))
    return None if encoded is None else Encoded(encoded)


def built(view, obj) -> Encoded:
    """The representation of ``obj`` (read whole, its prefetches run), built now and kept."""
    return _built(view, [obj], ())[0]


class CachedRows:
    """A list's rows for the paginator as representations: the page's records are read as
    ``KeysFirst`` reads them but without their prefetches, which run only for the records whose
    representation the cache does not have. Built afresh, the same queries as without the cache;
    all cached, the count and the page."""

    ordered = True

    def __init__(self, view, queryset):
        self.view = view
        self.lookups = queryset._prefetch_related_lookups
        self.rows = KeysFirst(queryset.prefetch_related(None))
        self.model = queryset.model

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return representations(self.view, self.rows[index], self.lookups)


def last_change() -> int:
    """The commit position of the last committed change of any shared record (0: none yet).
    Positions follow commit order (``ChangeSequence``), so a figure computed after reading it
    holds at least every change up to it."""
    from django.db.models import Max

    from projects.core.models import ChangeRecord

    return ChangeRecord.objects.aggregate(last=Max("seq"))["last"] or 0


# How long a reader waits for figures another process is computing (seconds at provincial scale)
# before computing them itself: the other may have died.
FIGURES_WAIT_SECONDS = 30
FIGURES_POLL_SECONDS = 0.05

# The figures computed in this context hold every committed change (the warm-up's).
_exact = contextvars.ContextVar("exact_figures", default=False)


@contextlib.contextmanager
def exact_figures():
    """Figures computed or read in this block hold every change committed before they were asked
    for, however recent the kept copy (``FIGURES_MAX_AGE_SECONDS``)."""
    token = _exact.set(True)
    try:
        yield
    finally:
        _exact.reset(token)


def _computed_once(cache, key: str, compute):
    """The figures under ``key``, computed by one process at a time: readers who arrive while
    another computes them wait for its result instead of computing the same seconds again (three
    web workers and the warm-up on two cores slow each other down). If the other fails or dies,
    its claim goes (deleted, or expired) and the next reader computes them."""
    claim = f"{key}:computing"
    deadline = time.monotonic() + FIGURES_WAIT_SECONDS
    while not (claimed := cache.add(claim, True, FIGURES_WAIT_SECONDS)) and time.monotonic() < deadline:
        time.sleep(FIGURES_POLL_SECONDS)
        if (data := cache.get(key)) is not None:
            return data
    try:
        data = compute()
        cache.set(key, data, settings.REPRESENTATION_CACHE_SECONDS)
    finally:
        if claimed:
            cache.delete(claim)
    return data


def _recent_key(latest: dict | None, base: str, position: int, asked_at: float, wrote_at: float | None) -> str | None:
    """The key of the last figures computed under ``base`` (``latest`` points to them) if they are
    recent enough to answer with although changes were committed since (``position``): computed
    at most ``FIGURES_MAX_AGE_SECONDS`` ago and not before the reader's own last write
    (``wrote_at``)."""
    max_age = settings.FIGURES_MAX_AGE_SECONDS
    if max_age <= 0 or _exact.get():
        return None
    if latest is None or latest["position"] == position or asked_at - latest["at"] > max_age:
        return None
    if wrote_at is not None and wrote_at >= latest["at"]:
        return None  # read your own writes
    return f"{base}:{latest['position']}"


def _wrote_at(cache, reader) -> float | None:
    """When ``reader`` last wrote, if within ``FIGURES_MAX_AGE_SECONDS``."""
    if reader is None or not reader.is_authenticated or settings.FIGURES_MAX_AGE_SECONDS <= 0:
        return None
    return cache.get(f"{WROTE_PREFIX}{reader.pk}")


def figures(name: str, params: dict, compute, *, encoded: bool = False, by_language: bool = True, reader=None):
    """A figure computed over the shared records (totals, plan execution …), kept until the next
    committed change of any record: ``compute()`` runs only when something changed since. The
    figures read every record alike, whoever asks, so the key holds no user.

    With changes committed every few seconds (a working day's reports) they would be computed for
    nearly every reader, seconds each at provincial scale. So the last ones computed answer until
    they are ``FIGURES_MAX_AGE_SECONDS`` old (the warm-up, every half of that, keeps the usual ones
    younger), except for a ``reader`` who wrote since they were computed (read your own writes:
    ``RecordWritesMiddleware``) and inside ``exact_figures()``.

    ``encoded``: the API's copy, kept as the JSON the renderer writes (``Encoded``) beside the
    pages' one: answered without decoding and encoding again (a plan of 2,000 items is 2 MB of
    JSON, and 200,000 objects a request built and walked by the collector).

    ``by_language=False``: the figures name things in both languages (``name_zh``, ``name_en``) and
    translate nothing, so one copy serves every language (computed once, not once per language)."""
    if settings.REPRESENTATION_CACHE_SECONDS <= 0:
        return _dated(compute(), time.time(), encoded=encoded)
    parts = ",".join(f"{key}={params[key]}" for key in sorted(params))
    language = translation.get_language() if by_language else "*"
    base = f"figures:{code_revision()}:{name}:{parts}:{language}"
    cache = caches["representations"]
    wrote_at = _wrote_at(cache, reader)
    # A reader who just wrote reads the primary: a replica may not have their write yet.
    with primary_reads() if wrote_at is not None else contextlib.nullcontext():
        return _kept_or_computed(cache, base, compute, encoded=encoded, wrote_at=wrote_at)


def _kept_or_computed(cache, base: str, compute, *, encoded: bool, wrote_at: float | None):
    asked_at, position = time.time(), last_change()
    exact_key = f"{base}:{position}"
    latest = cache.get(f"{base}:latest")
    recent_key = _recent_key(latest, base, position, asked_at, wrote_at)
    for key in filter(None, (recent_key, exact_key)):
        # When they were computed: the pointer's time, if it points to them.
        at = latest["at"] if latest is not None and key == f"{base}:{latest['position']}" else None
        if encoded and (json_bytes := cache.get(f"{key}:json")) is not None:
            return _dated(Encoded(json_bytes), at, encoded=True)
        if (data := cache.get(key)) is not None:
            break
    else:
        key, at = exact_key, asked_at

        def computed():
            data = compute()
            latest = cache.get(f"{base}:latest")
            if latest is None or latest["position"] < position:
                cache.set(
                    f"{base}:latest", {"position": position, "at": asked_at}, settings.REPRESENTATION_CACHE_SECONDS
                )
            return data

        data = _computed_once(cache, key, computed)
    if encoded:
        data = Encoded.of(data)
        cache.set(f"{key}:json", data.json, settings.REPRESENTATION_CACHE_SECONDS)
    return _dated(data, at, encoded=encoded)


def _dated(data, at: float | None, *, encoded: bool):
    """The API's copy (``encoded``) carries when its figures were computed (``computed_at``, a
    timestamp; None: not known, e.g. their pointer was evicted), for ``kept_figures.answer``."""
    if not encoded:
        return data
    data = data if isinstance(data, Encoded) else Encoded.of(data)
    data.computed_at = at
    return data


# Under this prefix and the user's key, when the user last wrote (``RecordWritesMiddleware``).
WROTE_PREFIX = "wrote:"


class RecordWritesMiddleware:
    """Notes when a user's write succeeded (any face: the API, pages, the admin), so that the
    figures they read next hold it (``figures(reader=…)``). DRF signs a token's user in inside the
    view; it sets the user on the Django request too, so the answer's way out sees them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                wrote(user.pk)
        return response


def wrote(user_pk) -> None:
    """Note that the user's write was just committed (a request, or a background import of theirs)."""
    if settings.FIGURES_MAX_AGE_SECONDS > 0:
        caches["representations"].set(f"{WROTE_PREFIX}{user_pk}", time.time(), settings.FIGURES_MAX_AGE_SECONDS)
