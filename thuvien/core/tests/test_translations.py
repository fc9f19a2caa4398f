"""The English catalogue is complete: Vietnamese is the source language (every msgid), so a string
added to the code or a template without an English msgstr in thuvien/locale/en/LC_MESSAGES/django.po
fails here. To fix: `uv run thuvien makemessages -l en --ignore=.venv --ignore=node_modules
--ignore=.tools --ignore=bench`, translate the new entries (and clear any "fuzzy" flag), commit the .po."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import thuvien

PACKAGE = Path(thuvien.__file__).resolve().parent
PO_PATH = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %d ... (but not a literal %%) and {name} / {0} brace placeholders.
PERCENT = re.compile(r"(?<!%)%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")
BRACE = re.compile(r"(?<!\{)\{[A-Za-z0-9_.\[\]]*(?:![rsa])?(?::[^{}]*)?\}(?!\})")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")

needs_gettext = pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgmerge") and shutil.which("msgfmt")),
    reason="GNU gettext is not installed (scripts/bootstrap.sh installs it)",
)


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def _label(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    ctxt = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{ctxt}{entry.msgid!r} ({where})"


def _msgstrs(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural.get(i, "") for i in range(max(2, len(entry.msgstr_plural)))]
    return [entry.msgstr]


@pytest.fixture(scope="module")
def committed() -> polib.POFile:
    assert PO_PATH.exists(), f"{PO_PATH} is missing"
    return polib.pofile(str(PO_PATH))


@needs_gettext
def test_every_string_in_the_code_is_in_the_english_catalogue(tmp_path, monkeypatch, settings, committed):
    """Run makemessages on a copy of the source tree, so the committed catalogue is left alone."""
    copy = tmp_path / "thuvien"
    shutil.copytree(
        PACKAGE, copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "node_modules", ".venv", ".tools"),
    )
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [copy / "locale"]
    call_command("makemessages", locale=["en"], verbosity=0, no_obsolete=True,
                 ignore_patterns=[".venv", "node_modules", ".tools", "bench"])
    extracted = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))

    known = {_key(e) for e in _live(committed)}
    missing = [e for e in _live(extracted) if _key(e) not in known]
    assert not missing, (
        f"{len(missing)} string(s) marked for translation are not in {PO_PATH.relative_to(PACKAGE.parent)}; "
        "run makemessages -l en and translate them:\n" + "\n".join(_label(e) for e in missing)
    )
    # Plural forms must be extracted as plurals in the committed catalogue too.
    plural_changed = [e for e in _live(extracted)
                      if (committed.find(e.msgid, msgctxt=e.msgctxt) or e).msgid_plural != e.msgid_plural]
    assert not plural_changed, "plural form changed:\n" + "\n".join(_label(e) for e in plural_changed)


def test_every_entry_is_translated_and_not_fuzzy(committed):
    assert not committed.metadata_is_fuzzy, "the catalogue header is marked fuzzy"
    assert committed.metadata.get("Content-Type", "").lower().endswith("charset=utf-8")
    untranslated = [e for e in _live(committed) if not all(s.strip() for s in _msgstrs(e))]
    fuzzy = [e for e in _live(committed) if "fuzzy" in e.flags]
    assert not untranslated, "untranslated:\n" + "\n".join(_label(e) for e in untranslated)
    assert not fuzzy, "fuzzy (check the translation, then drop the flag):\n" + "\n".join(_label(e) for e in fuzzy)


def test_placeholders_and_markup_are_kept(committed):
    problems = []
    for e in _live(committed):
        sources = [e.msgid] + ([e.msgid_plural] if e.msgid_plural else [])
        want_percent = set().union(*(PERCENT.findall(s) for s in sources))
        want_brace = set().union(*(BRACE.findall(s) for s in sources))
        want_tags = Counter(HTML_TAG.findall(e.msgid))
        for s in _msgstrs(e):
            if not s:
                continue
            got_percent = set(PERCENT.findall(s))
            # A plural msgstr[0] may leave out the count ("One item" for "%(n)s items").
            if got_percent != want_percent and not (e.msgid_plural and got_percent < want_percent):
                problems.append(f"{_label(e)}: placeholders {sorted(want_percent)} != {sorted(got_percent)} "
                                f"in {s!r}")
            if "python-brace-format" in e.flags and set(BRACE.findall(s)) != want_brace:
                problems.append(f"{_label(e)}: brace placeholders {sorted(want_brace)} differ in {s!r}")
            if want_tags and Counter(HTML_TAG.findall(s)) != want_tags:
                problems.append(f"{_label(e)}: HTML markup differs in {s!r}")
    assert not problems, "\n".join(problems)


@needs_gettext
def test_catalogue_compiles(tmp_path):
    result = subprocess.run(["msgfmt", "--check-format", "-o", str(tmp_path / "django.mo"), str(PO_PATH)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
