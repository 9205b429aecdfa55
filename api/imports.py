"""``POST …/import/`` (multipart ``file``, ``?dry_run=true``): rows of a CSV or XLSX file written
through the resource's own serializer (input checks) and service (rules, history), all or nothing
(``projects.core.imports.run_import``). The admin's import pages use the same code.

Columns are the fields of the resource's representation, by name (``code``, ``lead_organization``
…) or by the header its export shows in the reader's language; a reference by id, code or slug,
several separated by ``;``; rows kept under the record as one column each
(``value:<indicator>``, ``target:<indicator>``, ``funding:<source>``, ``investment:<source>``).
Empty cells send nothing. A row is matched to a stored record by its ``id`` or natural key.
"""

import json
import re
import uuid
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.exceptions import error_body
from api.fields import Ref
from api.import_jobs import ImportJobSerializer, import_answer
from api.tabular import columns_for
from projects.core.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportRejected,
    is_refusal,
    read_table,
    run_import,
)

_SEPARATORS = re.compile(r"[;；]")
_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否"}


class ImportBodySerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX; the first row names the columns")
    dry_run = serializers.BooleanField(default=False, help_text="Check every row and save nothing")
    background = serializers.BooleanField(
        default=False, help_text="Run as a background job (202) even when the file is small"
    )


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()


class ImportRejectedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ImportErrorSerializer(many=True)


IMPORT_SCHEMA_PARAMETERS = [
    OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Check every row and save nothing", required=False),
    OpenApiParameter(
        "background",
        OpenApiTypes.BOOL,
        description="Run as a background job (202) even when the file is small",
        required=False,
    ),
]
BACKGROUND_RESPONSE = OpenApiResponse(
    ImportJobSerializer,
    description="A file of more than IMPORT_BACKGROUND_ROWS rows (or background=true): the import runs in "
    "the background; follow it at the Location (/api/v1/import-jobs/{id}/)",
)
IMPORT_SCHEMA = extend_schema(
    request={"multipart/form-data": ImportBodySerializer},
    parameters=IMPORT_SCHEMA_PARAMETERS,
    responses={
        200: OpenApiResponse(ImportResultSerializer, description="Dry run: what the import would do"),
        201: OpenApiResponse(ImportResultSerializer, description="Imported"),
        202: BACKGROUND_RESPONSE,
        400: OpenApiResponse(ImportRejectedSerializer, description="Nothing saved: every bad line with its reason"),
    },
)


def _normalized(value):
    """A representation compared regardless of the order of its rows."""
    if isinstance(value, list):
        return sorted(json.dumps(_normalized(v), sort_keys=True, default=str) for v in value)
    if isinstance(value, dict):
        return {key: _normalized(item) for key, item in value.items()}
    return value


def _raise(exc):
    raise exc


def _read_references(reader, datas: list[dict]) -> None:
    # Only the chunk's: a file naming 100,000 projects would otherwise hold every one of them.
    reader.context["references"].clear()
    for name, field in reader.fields.items():
        if isinstance(field, Ref) and not field.read_only:
            field.read_many(data[name] for data in datas if name in data)


def _chunks(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class ImportMixin:
    """``import/`` on a resource written by its ``save_service``."""

    # Rows kept under the record: column prefix → (field, key field, value field).
    import_rows_columns: dict[str, tuple[str, str, str]] = {}
    # A service drafting many new records at once (``report_create_many``); None: each row alone.
    create_many_service = None
    import_batch_size = 500

    def import_match(self, data: dict) -> Q | None:
        """The stored record a row names by its natural key (None: a new record)."""
        return None

    def import_key(self, validated: dict):
        """A new record's natural key, as its row's references resolve (two rows naming the same
        project by id and by code name the same report); with ``create_many_service`` only."""
        raise NotImplementedError

    def import_keys_stored(self, keys: set) -> set:
        """Which of ``keys`` (``import_key``) name a record the reader sees; in one query."""
        raise NotImplementedError

    def _header_map(self, serializer) -> dict[str, str]:
        # The writable fields, and the id (read-only, it names the stored record a row changes).
        read = {name for name, field in serializer.fields.items() if not field.read_only or name == "id"}
        mapping = {name: name for name in read}
        for column in columns_for(serializer):
            if column.key in read and column.kind != "names":
                mapping.setdefault(column.label, column.key)
        return mapping

    def import_data(self, serializer, mapping: dict, row: dict) -> dict:
        data: dict = {}
        for header, text in row.items():
            if text == "":
                continue
            prefix = next((p for p in self.import_rows_columns if header.startswith(p)), None)
            if prefix is not None:
                field, key, value = self.import_rows_columns[prefix]
                data.setdefault(field, []).append({key: header[len(prefix) :].strip(), value: text})
                continue
            name = mapping.get(header.strip())
            if name is None:
                continue  # read-only columns of an export (status, version …) are left alone
            field = serializer.fields[name]
            if isinstance(field, (serializers.ManyRelatedField, serializers.ListSerializer)):
                data[name] = [part.strip() for part in _SEPARATORS.split(text) if part.strip()]
            elif isinstance(field, serializers.ChoiceField):
                labels = {str(label): key for key, label in field.choices.items()}
                data[name] = labels.get(text, text)
            elif isinstance(field, serializers.BooleanField):
                data[name] = True if text.lower() in _TRUE else False if text.lower() in _FALSE else text
            elif name == "geometry" or isinstance(field, serializers.JSONField):
                data[name] = json.loads(text) if text.startswith("{") else text
            else:
                data[name] = text
        return data

    def _unchanged(self, serializer, instance, validated: dict) -> bool:
        current = type(serializer)(instance, context=serializer.context).data
        try:
            return all(
                _normalized(serializer.fields[key].to_representation(value)) == _normalized(current.get(key))
                for key, value in validated.items()
            )
        except (AttributeError, KeyError, TypeError):
            return False

    def run_import(self, *, actor, file, dry_run: bool, progress=None) -> dict:
        """Import ``file`` as ``actor`` (a request, the admin or the background task)."""
        return self.import_table(read_table(file), actor, dry_run=dry_run, progress=progress)

    def import_table(self, table, user, *, dry_run: bool, progress=None) -> dict:
        # Within one import a record a cell names is read once (rows write reports or projects,
        # never the records they name).
        context = {**self.get_serializer_context(), "references": {}}
        # One serializer reads every row's cells by its fields (building its fields costs a
        # millisecond or more); each row is then checked by a serializer of its own, or in batches
        # a new one by this one.
        reader = self.get_serializer_class()(context=context)
        mapping = self._header_map(reader)

        def checked(row, *, none_stored=False, by_reader=False):
            """The stored record a row names (None: a new one), its serializer and the service's data.
            ``none_stored``: the row is known to name no stored record (it is not looked for).
            ``by_reader``: a new row is checked by the reader, as DRF's ListSerializer checks each
            of its items with one child (its fields are built once, not once per row)."""
            data = self.import_data(reader, mapping, row)
            instance = None if none_stored else self._stored(data)
            if instance is None and by_reader:
                return None, reader, self.service_data(reader.run_validation(data))
            serializer = self.get_serializer_class()(instance, data=data, partial=instance is not None, context=context)
            serializer.is_valid(raise_exception=True)
            return instance, serializer, self.service_data(serializer.validated_data)

        def save(instance, serializer, validated):
            if instance is not None and self._unchanged(serializer, instance, validated):
                return UNCHANGED
            saved = self.get_save_service()(actor=user, instance=instance, data=validated)
            if instance is None:
                return CREATED
            return UPDATED if saved.version != instance.version else UNCHANGED

        def one_by_one():
            for line, row in table:
                yield line, lambda row=row: save(*checked(row))

        if self.create_many_service is None:
            rows = one_by_one()
        else:
            rows = self._in_batches(table, checked, save, user, reader=reader, mapping=mapping)
        return run_import(rows, dry_run=dry_run, progress=progress)

    def _stored(self, data: dict):
        """The stored record a row names: the one its ``id`` names, if the reader sees it (an
        export's rows name their records so), else the one its natural key names, or None."""
        if data.get("id") and is_uuid(data["id"]):
            named = self.get_queryset().filter(pk=data["id"]).first()
            if named is not None:
                return named
        match = self.import_match(data)
        return None if match is None else self.get_queryset().filter(match).first()

    def _in_batches(self, table, checked, save, user, *, reader, mapping):
        """``(line, apply)`` for ``run_import``, the new records of each chunk of ``import_batch_size``
        rows drafted at once by ``create_many_service``; a row it leaves out (it would refuse it), and a
        row naming a stored record, goes through ``save_service`` alone, in the file's order. Runs
        inside the import's transaction: what a batch wrote is rolled back with everything else on a
        refusal or a dry run."""

        def written(batch: list, named: set):
            try:
                with transaction.atomic():
                    drafted = self.create_many_service(actor=user, items=[validated for _line, validated in batch])
            except IntegrityError:  # a parallel writer took a period: each row alone says which
                drafted = [None] * len(batch)
            for (line, validated), record in zip(batch, drafted, strict=True):
                if record is not None:
                    yield line, CREATED
                else:
                    yield line, lambda validated=validated: save(None, None, validated)
            batch.clear()
            named.clear()

        for chunk in _chunks(table, self.import_batch_size):
            datas = [self.import_data(reader, mapping, row) for _line, row in chunk]
            _read_references(reader, datas)  # one query per field (projects …)
            # Each row read as a new record, then one query asks which of their keys are stored: those
            # rows, the ones refused as new and the ones with an id are read again, looking for their
            # record.
            as_new = {}
            for (line, row), data in zip(chunk, datas, strict=True):
                if data.get("id"):
                    continue  # it may name a stored record by its id whatever its key says
                try:
                    validated = checked(row, none_stored=True, by_reader=True)[2]
                except Exception as exc:
                    if not is_refusal(exc):
                        raise
                    continue  # told when the row is read again
                as_new[line] = validated, self.import_key(validated)
            stored = self.import_keys_stored({key for _validated, key in as_new.values()})
            batch, named = [], set()  # the new records and their keys
            written_mid_chunk = False
            for line, row in chunk:
                try:
                    validated, key = as_new.get(line, (None, None))
                    instance = serializer = None
                    if key is None or key in stored or written_mid_chunk:
                        instance, serializer, validated = checked(row, by_reader=True)
                        key = self.import_key(validated) if instance is None else None
                    if key is not None and key in named:
                        # Names a record drafted earlier in the batch: write it, then read the row again;
                        # every row after it looks for its record (it may be one just written).
                        yield from written(batch, named)
                        written_mid_chunk = True
                        instance, serializer, validated = checked(row, by_reader=True)
                        key = self.import_key(validated) if instance is None else None
                except Exception as exc:
                    if not is_refusal(exc):
                        raise
                    yield line, partial(_raise, exc)  # told on its line, as run_import tells any refusal
                    continue
                if instance is None:
                    batch.append((line, validated))
                    named.add(key)
                    continue
                # A stored record changed: the batch before it is written first, and the rows after it
                # look for their records (one may be just written, or moved to their key).
                yield from written(batch, named)
                written_mid_chunk = True
                yield line, partial(save, instance, serializer, validated)
            yield from written(batch, named)

    @IMPORT_SCHEMA
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def import_file(self, request):
        """Import a CSV or XLSX file, all or nothing; ``dry_run`` checks every row and saves nothing.
        A 400 lists every bad line with its reason. A file of more than ``IMPORT_BACKGROUND_ROWS``
        rows is imported in the background: 202 with the job to follow."""
        body = ImportBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dry_run = body.validated_data["dry_run"] or request.query_params.get("dry_run", "").lower() in _TRUE
        return import_answer(self, request, file=body.validated_data["file"], dry_run=dry_run)


def rejected(exc: ImportRejected) -> Response:
    """The one error shape; the bad lines are the messages of the field "file", each with its line."""
    body = error_body(400, _("The file was not imported; nothing was saved."), "import_rejected", {"file": exc.rows})
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def is_uuid(text) -> bool:
    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True
