import functools
import uuid

from django.db import models
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _


@functools.cache
def choice_labels(field, language: str | None) -> dict:
    """A choice field's labels by value, translated into ``language``."""
    with translation.override(language):
        return {make_hashable(value): force_str(label) for value, label in field.flatchoices}


def choice_label(field, value):
    """``value``'s label among ``field``'s choices in the active language (``value`` itself when
    it is none of them)."""
    return choice_labels(field, translation.get_language()).get(make_hashable(value), value)


class TrackedModel(models.Model):
    """Base of every shared record: a stable UUID, timestamps and a version.

    The version grows by one on every save, as a compare-and-set: the UPDATE only applies
    to the row still at the version this copy was read at, so an outdated copy can never
    overwrite a newer one (``StaleRecord``). Services lock and re-read before they write,
    so in practice it is a safety net; ETags and ``If-Match`` compare it.
    """

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        read_at = self.version
        self.version = read_at + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
        self._version_read = read_at
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.version = read_at
            raise
        finally:
            del self._version_read

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        read_at = getattr(self, "_version_read", None)
        if read_at is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if super()._do_update(base_qs.filter(version=read_at), using, pk_val, values, update_fields, forced_update):
            return True
        if base_qs.filter(pk=pk_val).exists():
            from projects.core.errors import StaleRecord

            raise StaleRecord(record=str(pk_val))
        return False

    def _get_FIELD_display(self, field):
        # What Django's does (``get_status_display`` …), without building a dict of every choice,
        # each lazy label translated to be hashed, on every call: 5 of the 48 ms of CPU the
        # corridor page spent (316 calls).
        return force_str(choice_label(field, getattr(self, field.attname)), strings_only=True)

    def history_scope(self):
        """The record whose history also shows this one's changes (None: only its own)."""
        return None

    def refresh_derived(self) -> None:
        """Recompute stored facts derived from related records; called after every tracked write."""

    def representation_parents(self, before: dict | None) -> list:
        """Records whose API representation shows this one (``before``: its state before the write).

        The write primitives touch them (version and ``updated_at`` grow, the change is recorded),
        so a partner holding a parent's ETag or syncing by ``updated_since`` sees it changed.
        """
        return []


class BilingualNameMixin(models.Model):
    """Reference data carries both names; ``name`` follows the active language."""

    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_zh


def unindexed_updated_at() -> models.DateTimeField:
    """``TrackedModel.updated_at`` without its index, for records read only with their parent."""
    return models.DateTimeField(_("updated at"), auto_now=True)
