"""Django's ``makemessages`` with the tracker's conventions, so ``make messages`` and a plain
``manage.py makemessages -l zh_Hans`` write the same catalogues (see docs/translations.md).

Run from the project root, it puts each string where it belongs: an app with a ``locale/``
folder keeps its own; everything else (``templates/``, ``tracker/``, ``projects/permissions.py``)
goes to the project catalogue in ``LOCALE_PATHS``.
"""

import re
from pathlib import Path

from django.core.management.commands import makemessages

# Never scanned: the virtual environment, the embedded database and uploads, tests, benchmarks,
# front-end packages and migrations (their verbose names are frozen copies of the models').
IGNORE_PATTERNS = [".venv", "var", "tests", "bench", "node_modules", "migrations"]

_POT_DATE = re.compile(r'^"POT-Creation-Date: .*\\n"\n', re.MULTILINE)


class Command(makemessages.Command):
    # A changed message starts untranslated instead of inheriting a guess marked fuzzy, which
    # Django would not show and tests/test_translations.py refuses.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # File names without line numbers: a catalogue changes when its messages do, not
        # whenever code above a message moves (fewer merge conflicts). Strings gone from the
        # code leave the catalogue; git keeps their translations.
        parser.set_defaults(add_location="file", no_obsolete=True)

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORE_PATTERNS]
        return super().handle(*args, **options)

    def write_po_file(self, potfile, locale):
        pofile = Path(potfile).parent / locale / "LC_MESSAGES" / f"{self.domain}.po"
        before = pofile.read_text(encoding="utf-8") if pofile.exists() else None
        super().write_po_file(potfile, locale)
        # msgmerge stamps a new POT-Creation-Date on every run; keep a catalogue whose
        # messages did not change as it was.
        if before is not None and _POT_DATE.sub("", pofile.read_text(encoding="utf-8")) == _POT_DATE.sub("", before):
            pofile.write_text(before, encoding="utf-8")
