"""Check that the translation catalogs cover the current Russian sources.

    python tools/debezium_course/check_translations.py [--locale-dir locale] [--docs docs] LANGUAGE...

For every language: the message catalogs are extracted afresh from the
sources (Sphinx's gettext builder, the same as ``make gettext``), and each
catalog in ``locale/<language>/LC_MESSAGES`` must translate every message
of its template, with no fuzzy entry, and pass ``msgfmt --check`` without a
word of complaint.  A Russian paragraph changed since the last translation
is a message the catalog does not have, so the check fails until
``make intl-update`` brings it in and a translator translates it.

Exit status 0 when every catalog is complete, 1 otherwise (each problem on a
line of its own, ``file:line: what``), 2 when the check itself cannot run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po
from debezium_course import REPO_ROOT

ROOT = REPO_ROOT


def extract_templates(docs: Path, conf_dir: Path, workdir: Path) -> Path:
    """Run the gettext builder over ``docs``; returns the directory of .pot files."""
    out = workdir / "gettext"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "gettext", "-q", "-c", str(conf_dir), "-d", str(workdir / "doctrees"), str(docs), str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "SPHINX_LANGUAGE": "ru"},
    )
    if result.returncode != 0:
        raise RuntimeError(f"extracting messages failed:\n{result.stderr}")
    return out


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def check_language(templates: Path, locale_dir: Path, language: str) -> list[str]:
    problems = []
    catalogs = locale_dir / language / "LC_MESSAGES"
    template_domains = {path.relative_to(templates).with_suffix("") for path in templates.rglob("*.pot")}
    for catalog_path in sorted(catalogs.rglob("*.po")):
        if catalog_path.relative_to(catalogs).with_suffix("") not in template_domains:
            problems.append(f"{catalog_path}:1: no source document has this catalog's name any more (renamed or deleted lesson?)")
    for template_path in sorted(templates.rglob("*.pot")):
        domain = template_path.relative_to(templates).with_suffix("")
        catalog_path = catalogs / domain.with_suffix(".po")
        if not catalog_path.is_file():
            problems.append(f"{catalog_path}:1: missing catalog for {domain} (run `make intl-update LANGUAGES={language}`)")
            continue
        template, catalog = _read(template_path), _read(catalog_path)
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id, message.context)
            if translated is None:
                where = ", ".join(f"{source}:{line}" for source, line in message.locations) or str(domain)
                problems.append(f"{catalog_path}:1: not in the catalog (new or changed source text at {where}): {_short(message.id)}")
            elif translated.fuzzy:
                problems.append(f"{catalog_path}:{translated.lineno or 1}: fuzzy: {_short(message.id)}")
            elif not translated.string or (isinstance(translated.string, tuple) and not all(translated.string)):
                problems.append(f"{catalog_path}:{translated.lineno or 1}: not translated: {_short(message.id)}")
        problems.extend(_msgfmt_problems(catalog_path))
    return problems


def _msgfmt_problems(catalog_path: Path) -> list[str]:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise RuntimeError("msgfmt is missing: install GNU gettext (apt-get install gettext)")
    result = subprocess.run([msgfmt, "--check", "-o", os.devnull, str(catalog_path)], capture_output=True, text=True)
    complaints = [line for line in result.stderr.splitlines() if line.strip()]
    if result.returncode != 0 and not complaints:
        complaints.append(f"{catalog_path}:1: msgfmt --check failed with exit status {result.returncode}")
    return complaints


def _short(text) -> str:
    text = text if isinstance(text, str) else text[0]
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("languages", nargs="+")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs")
    parser.add_argument("--conf-dir", type=Path, default=ROOT)
    parser.add_argument("--locale-dir", type=Path, default=ROOT / "locale")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="catalog-check-") as workdir:
            templates = extract_templates(args.docs, args.conf_dir, Path(workdir))
            problems = [problem for language in args.languages for problem in check_language(templates, args.locale_dir, language)]
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s)", file=sys.stderr)
        return 1
    print(f"catalogs complete for: {', '.join(args.languages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
