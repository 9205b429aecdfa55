"""Chinese everywhere: every message is in its catalogue, translated, compiled and shown.

No database and a few seconds: makemessages runs on a temporary copy of the source tree
(never on the working tree, which it would rewrite), and the API's error answers come from
its exception handler behind a bare view. Needs GNU gettext, which `make test` installs.
How to add and translate a message: docs/translations.md.
"""

import ast
import gettext
import importlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import ProtectedError
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions, serializers
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from projects import permissions
from projects.core.errors import DomainError, TransitionNotAllowed
from projects.restoration.models import Project

REPO = Path(__file__).resolve().parents[1]
NOT_SOURCE = {".git", ".venv", "var", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}
APP_CATALOGUES = {"projects/core", "projects/restoration", "projects/conference", "projects/compensation", "api"}
PROJECT = "locale (project)"


# --- Reading catalogues ------------------------------------------------------------------


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    translations: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    locations: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    def __str__(self) -> str:
        return f"{self.msgid!r} (context {self.context!r})" if self.context else repr(self.msgid)


_FIELDS = {"msgctxt": "context", "msgid": "msgid", "msgid_plural": "plural"}


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header first; obsolete (#~) entries left out."""
    entries, entry, target = [], Entry(), None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if target:
                entries.append(entry)
            entry, target = Entry(), None
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry.locations.extend(line[2:].split())
        elif line.startswith("#"):
            continue  # comments, previous msgids, obsolete entries
        else:
            keyword, _, literal = line.partition(" ")
            if keyword.startswith('"'):
                literal = line
            elif keyword.startswith("msgstr"):
                target = "msgstr"
                entry.translations.append("")
            else:
                target = _FIELDS[keyword]
                setattr(entry, target, "")
            text = ast.literal_eval(literal)
            if target == "msgstr":
                entry.translations[-1] += text
            else:
                setattr(entry, target, getattr(entry, target) + text)
    return entries


def messages(path: Path) -> dict[tuple[str | None, str], Entry]:
    return {entry.key: entry for entry in read_po(path) if entry.msgid}


def catalogues(root: Path) -> list[Path]:
    """Every django.po under a locale/ folder, found as bin/update-messages finds them."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in NOT_SOURCE and not d.startswith(".")]
        if "django.po" in filenames and Path(dirpath).parent.parent.name == "locale":
            found.append(Path(dirpath) / "django.po")
    return sorted(found)


def compiled(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


def catalogue_name(po: Path) -> str:
    """``projects/core`` for an app's catalogue, PROJECT for the one in LOCALE_PATHS."""
    owner = po.parents[3]
    return PROJECT if owner == REPO else str(owner.relative_to(REPO))


CATALOGUES = catalogues(REPO)


@pytest.fixture(scope="module")
def gettext_tools():
    missing = [tool for tool in ("xgettext", "msgmerge", "msgfmt") if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"GNU gettext is needed ({', '.join(missing)} not found): `apt-get install gettext` or `make test`."
        )


# --- The catalogues ----------------------------------------------------------------------


def test_there_is_a_project_catalogue_and_one_per_app():
    assert [Path(path) for path in settings.LOCALE_PATHS] == [REPO / "locale"]
    assert {catalogue_name(po) for po in CATALOGUES} >= {PROJECT, *APP_CATALOGUES}


@pytest.mark.parametrize("po", CATALOGUES, ids=catalogue_name)
def test_every_message_is_translated(po):
    header, *entries = read_po(po)
    assert header.msgid == "" and "fuzzy" not in header.flags, f"{po}: fill in the header and drop its fuzzy flag."
    assert "Language: zh_Hans" in header.translations[0], f"{po}: the header should say Language: zh_Hans."
    problems = [
        f"  {entry}{' (fuzzy)' if 'fuzzy' in entry.flags else ''}  from {' '.join(entry.locations)}"
        for entry in entries
        if "fuzzy" in entry.flags or not all(entry.translations)
    ]
    assert not problems, (
        f"{len(problems)} untranslated or fuzzy message(s) in {po.relative_to(REPO)}:\n"
        + "\n".join(problems)
        + "\nTranslate them (and remove the fuzzy flag), then run `make messages` to compile."
    )


@pytest.fixture(scope="module")
def refreshed_copy(tmp_path_factory, gettext_tools):
    """A copy of the source tree whose catalogues `make messages` has refreshed (not compiled)."""
    copy = tmp_path_factory.mktemp("source") / "tree"
    shutil.copytree(REPO, copy, ignore=lambda _dir, names: [name for name in names if name in NOT_SOURCE])
    result = subprocess.run(
        [sys.executable, str(copy / "bin" / "update-messages"), "--no-compile", "--add-location", "full"],
        cwd=copy,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"bin/update-messages failed on a copy of the tree:\n{result.stdout}{result.stderr}"
    return copy


def test_every_string_in_the_code_and_templates_is_in_its_catalogue(refreshed_copy):
    """What `make messages` would add is missing; what it would drop is no longer used."""
    missing, unused = [], []
    paths = {po.relative_to(REPO) for po in CATALOGUES} | {
        po.relative_to(refreshed_copy) for po in catalogues(refreshed_copy)
    }
    for path in sorted(paths):
        committed = messages(REPO / path) if (REPO / path).exists() else {}
        current = messages(refreshed_copy / path) if (refreshed_copy / path).exists() else {}
        missing += [
            f"  {' '.join(current[key].locations)}  {current[key]}  → {path}"
            for key in current.keys() - committed.keys()
        ]
        unused += [f"  {committed[key]}  in {path}" for key in committed.keys() - current.keys()]
    report = []
    if missing:
        report.append(
            f"{len(missing)} message(s) of the code are missing from the catalogues:\n" + "\n".join(sorted(missing))
        )
    if unused:
        report.append(f"{len(unused)} catalogue entries are no longer in the code:\n" + "\n".join(sorted(unused)))
    assert not report, "\n".join(report) + "\nRun `make messages`, translate what is new, commit the .po and .mo files."


@pytest.mark.parametrize("po", CATALOGUES, ids=catalogue_name)
def test_the_committed_mo_matches_its_po(po, tmp_path, gettext_tools):
    fresh = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(po)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"msgfmt refuses {po.relative_to(REPO)}:\n{result.stderr}"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(REPO)} is missing: run `make messages` and commit it."
    committed, expected = compiled(mo), compiled(fresh)
    differing = sorted(
        repr(key) for key in committed.keys() | expected.keys() if committed.get(key) != expected.get(key)
    )
    assert not differing, (
        f"{mo.relative_to(REPO)} does not match its .po ({len(differing)} message(s), e.g. {', '.join(differing[:3])}):"
        " run `make messages` and commit the .mo."
    )


def _key(compiled_key: str) -> tuple[str | None, str]:
    context, _, msgid = compiled_key.rpartition("\x04")  # msgfmt joins a context and its msgid with EOT
    return (context or None, msgid)


def _catalogues_by_precedence() -> list[tuple[str, dict]]:
    """Every zh_Hans catalogue Django merges, the one it asks first first: LOCALE_PATHS, then
    the apps in INSTALLED_APPS order. Ours are read from the .po, the others' from their .mo."""
    ours = {po.parents[3]: po for po in CATALOGUES}
    ordered = [(PROJECT, REPO)] + [(app.name, Path(app.path)) for app in apps.get_app_configs()]
    found = []
    for name, owner in ordered:
        if owner in ours:
            po = ours[owner]
            found.append((catalogue_name(po), {key: e.translations[0] for key, e in messages(po).items()}))
            continue
        mo = owner / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
        if mo.exists():
            found.append((name, {_key(key): text for key, text in compiled(mo).items() if isinstance(key, str)}))
    return found


def test_one_translation_per_message():
    """Django merges the catalogues of a language into one: a message translated two ways
    shows the first catalogue's translation everywhere. Use one translation, or give the
    message a context (pgettext_lazy, {% translate ... context ... %}) where meanings differ."""
    ordered = _catalogues_by_precedence()
    ours = {catalogue_name(po) for po in CATALOGUES}
    problems = []
    for position, (name, translations) in enumerate(ordered):
        if name not in ours:
            continue
        for key, text in translations.items():
            for earlier, earlier_translations in ordered[:position]:
                shown = earlier_translations.get(key)
                if shown is not None and shown != text:
                    entry = Entry(context=key[0], msgid=key[1])
                    problems.append(f"  {entry}: {name} says {text!r}, but {earlier}'s {shown!r} is shown")
                    break
    assert not problems, "Messages translated differently in several catalogues:\n" + "\n".join(problems)


# --- The API's error messages under zh-hans ----------------------------------------------

ENGLISH_WORD = re.compile(r"(?<![A-Za-z])[a-z]{2,}")  # names such as PATCH or Accept may stay
HAN = re.compile(r"[\u4e00-\u9fff]")


def _in_chinese(text: str) -> bool:
    return bool(HAN.search(text)) and not ENGLISH_WORD.search(text)


def _refusal(action):
    try:
        permissions.require(AnonymousUser(), action, Project)
    except DjangoPermissionDenied as exc:
        return exc
    raise AssertionError("an anonymous user was allowed")


class _Input(serializers.Serializer):
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=["photo", "document"])
    done_on = serializers.DateField()


def _invalid_input():
    body = _Input(data={"kind": "VIDEO", "done_on": "30.11.2026"})
    body.is_valid()
    return exceptions.ValidationError(body.errors)


COMMON_ERRORS = {
    # What get_object_or_404 raises: "No Project matches the given query." in every language.
    "missing record": lambda: Http404("No Project matches the given query."),
    "not signed in": exceptions.NotAuthenticated,
    "bad credentials": exceptions.AuthenticationFailed,
    "no permission": exceptions.PermissionDenied,
    "method not allowed": lambda: exceptions.MethodNotAllowed("PATCH"),
    "unsupported media type": lambda: exceptions.UnsupportedMediaType("TEXT/CSV"),
    "not acceptable": exceptions.NotAcceptable,
    "invalid input": _invalid_input,
    "refused by the rules": DomainError,
    "refused transition": lambda: TransitionNotAllowed(current="草稿", to="已通过", allowed=[]),
    "still referenced": lambda: ProtectedError("protected", ["CQ-2021-0007"]),
    **{f"not allowed to {action}": (lambda action=action: _refusal(action)) for action in permissions.ACTION_LABELS},
    "not allowed, an action without a label": lambda: _refusal("unlabelled"),
}


def _answer(make_exception, language):
    """The API's answer when a view raises, through the configured exception handler."""

    class Failing(APIView):
        authentication_classes = []
        permission_classes = []

        def get(self, request):
            raise make_exception()

    with translation.override(language):
        return Failing.as_view()(APIRequestFactory().get("/api/v1/anything/"))


def _texts(data) -> list[str]:
    """The messages of an error body, without the values it reports (codes, references)."""
    if isinstance(data, dict):
        reported = {"referenced_by", "allowed", "current", "to", "status", "code"}  # "code" is for programs
        return [text for key, value in data.items() if key not in reported for text in _texts(value)]
    if isinstance(data, list):
        return [text for value in data for text in _texts(value)]
    return [str(data)]


@pytest.mark.parametrize("case", COMMON_ERRORS, ids=str)
def test_common_api_errors_are_in_chinese(case):
    response = _answer(COMMON_ERRORS[case], "zh-hans")
    texts = _texts(response.data)
    assert response.status_code >= 400 and texts, response.data
    assert all(_in_chinese(text) for text in texts), f"{case}: {response.data}"


def test_a_missing_record_and_a_refusal_read_naturally():
    missing = {"code": "not_found", "errors": {}}
    refused = {"code": "permission_denied", "errors": {}}
    assert _answer(COMMON_ERRORS["missing record"], "zh-hans").data == {
        "detail": "未找到该记录，或您无权查看。",
        **missing,
    }
    assert _answer(COMMON_ERRORS["not allowed to review"], "zh-hans").data == {
        "detail": "您无权对该记录执行“审核”操作。",
        **refused,
    }
    assert _answer(COMMON_ERRORS["missing record"], "en").data == {
        "detail": "No such record, or it is not visible to you.",
        **missing,
    }
    assert _answer(COMMON_ERRORS["not allowed to review"], "en").data == {
        "detail": "You are not allowed to review this record.",
        **refused,
    }
    assert _answer(COMMON_ERRORS["not allowed to transition"], "en").data == {
        "detail": "You are not allowed to change the status of this record.",
        **refused,
    }


def test_every_action_of_the_rules_has_a_label():
    """A domain's own action (projects/<domain>/rules.py) reads as a word in a refusal, not as its code."""
    actions = {permissions.VIEW, permissions.ADD, permissions.CHANGE, permissions.DELETE, permissions.TRANSITION}
    for app in apps.get_app_configs():
        if not app.name.startswith("projects."):
            continue
        try:
            rules = importlib.import_module(f"{app.name}.rules")
        except ModuleNotFoundError:
            continue
        actions |= {
            value
            for name, value in vars(rules).items()
            if name.isupper() and isinstance(value, str) and re.fullmatch(r"[a-z_]+", value)
        }
    unlabelled = actions - permissions.ACTION_LABELS.keys()
    assert not unlabelled, f"Give these actions a label in projects.permissions.ACTION_LABELS: {sorted(unlabelled)}"
