"""Live authoring (``make livemdx``, ``python -m sphinx_astro_mdx.live``):
a save rewrites the changed lesson's MDX, a broken save never changes a
published file, conf.py rebuilds everything, Ctrl-C stops cleanly; and end
to end, the Astro fixture site under ``astro dev`` shows an edited sentence
in an open Chromium page without the page being reloaded by hand."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pytest
from debezium_course.bench.live import live_mdx, save_and_wait, wait_for_text
from debezium_course.browser_tools import watch_live_reload
from debezium_course.node_tools import astro_dev, astro_site_dir, copy_fixture_site

LESSON = Path("05-module-5", "02-second.md")


@pytest.fixture
def source(rootdir, tmp_path) -> Path:
    """A copy of the constructs root, to edit."""
    copy = tmp_path / "src"
    shutil.copytree(rootdir / "test-constructs", copy)
    return copy


def test_a_save_rewrites_only_the_changed_lesson(source, tmp_path):
    out = tmp_path / "out"
    with live_mdx(source, out, tmp_path / "doctrees") as live:
        others = {path: path.stat().st_mtime_ns for path in out.rglob("*.mdx") if path.name != "02-second.mdx"}
        assert others, "the first build wrote the lessons"
        seconds = save_and_wait(source / LESSON, out / LESSON.with_suffix(".mdx"), "Новое предложение после сохранения.")
        line = live.wait_for("saved")
        assert line.startswith("mdx live: saved 05-module-5/02-second.md: 05-module-5/02-second.mdx (")
        assert seconds < 10
        assert {path: path.stat().st_mtime_ns for path in others} == others


def test_a_broken_save_keeps_the_published_file_until_it_is_fixed(source, tmp_path):
    out = tmp_path / "out"
    published = out / LESSON.with_suffix(".mdx")
    good = (source / LESSON).read_text(encoding="utf-8")
    with live_mdx(source, out, tmp_path / "doctrees") as live:
        before = published.read_bytes()
        (source / LESSON).write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
        assert "nothing changed" in live.wait_for("saved")
        assert published.read_bytes() == before
        warned = "".join(live.stderr)
        assert f"{source / LESSON}:3: WARNING: invalid YAML front matter" in warned, warned

        (source / LESSON).write_text(good + "\nИсправленный урок снова публикуется.\n", encoding="utf-8")
        wait_for_text(published, "Исправленный урок снова публикуется.")
        assert "05-module-5/02-second.mdx" in live.wait_for("saved")


def test_a_lesson_refused_once_is_published_and_owned_once_fixed(rootdir, tmp_path):
    # Mermaid cannot draw two charts of this lesson: the builder refuses it.
    source = tmp_path / "diagrams"
    shutil.copytree(rootdir / "test-diagrams", source)
    broken = source / "05-module-5" / "02-broken.md"
    out = tmp_path / "out"
    published = out / "05-module-5" / "02-broken.mdx"
    with live_mdx(source, out, tmp_path / "doctrees", start_timeout=300) as live:
        assert not published.exists()
        assert "Mermaid cannot draw this diagram" in "".join(live.stderr)
        broken.write_text(broken.read_text(encoding="utf-8").replace("--> -->", "-->"), encoding="utf-8")
        wait_for_text(published, "Текст между схемами.")
        live.wait_for("saved")
        # The next save of another lesson: the fixed one is this builder's
        # own file now, not a stranger's.
        before = len(live.stderr)
        save_and_wait(source / "05-module-5" / "01-diagrams.md", out / "05-module-5" / "01-diagrams.mdx", "Ещё одна фраза.")
        live.wait_for("saved")
        assert "not written by this builder" not in "".join(live.stderr[before:])
    manifest = json.loads((out / ".sphinx-mdx-manifest.json").read_text(encoding="utf-8"))
    assert "05-module-5/02-broken.mdx" in manifest["files"]


def test_conf_py_rebuilds_everything_and_ctrl_c_stops_cleanly(source, tmp_path):
    out = tmp_path / "out"
    with live_mdx(source, out, tmp_path / "doctrees") as live:
        conf = source / "conf.py"
        # A setting that changes every lesson with a callout.
        conf.write_text(conf.read_text(encoding="utf-8") + 'mdx_admonition_style = "blockquote"\n', encoding="utf-8")
        line = live.wait_for("saved conf.py")
        assert "05-module-5/01-constructs.mdx" in line
        assert "<Callout" not in (out / "05-module-5" / "01-constructs.mdx").read_text(encoding="utf-8")
        children = live.children()
        assert children, "the warm Node writer runs as a child"
        assert live.stop(signal.SIGINT) == 0
    assert live.wait_for("stopped")
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower(), f"child {pid} outlived the watcher"
    assert not [path for path in out.rglob(".*") if path.is_file() and path.name != ".sphinx-mdx-manifest.json"]


def test_a_translators_save_reaches_the_english_mdx(rootdir, tmp_path):
    source = tmp_path / "i18n"
    shutil.copytree(rootdir / "test-i18n", source)
    catalog = source / "locale" / "en" / "LC_MESSAGES" / "05-module-5" / "01-lesson.po"
    out = tmp_path / "out"
    mdx = out / "05-module-5" / "01-lesson.mdx"
    with live_mdx(source, out, tmp_path / "doctrees", extra=("-D", "language=en", "--watch", str(source / "locale"))) as live:
        assert "A plain paragraph." in mdx.read_text(encoding="utf-8")
        text = catalog.read_text(encoding="utf-8")
        catalog.write_text(text.replace('msgstr "A plain paragraph."', 'msgstr "A paragraph the translator just saved."'), encoding="utf-8")
        wait_for_text(mdx, "A paragraph the translator just saved.")
        assert "01-lesson.po" in live.wait_for("saved")


@pytest.mark.site_build
def test_astro_dev_shows_an_edited_sentence_without_a_manual_reload(source, tmp_path):
    with astro_site_dir("live") as site:
        empty = tmp_path / "empty"
        empty.mkdir()
        copy_fixture_site(site, empty)
        out = site / "src" / "content" / "course"
        with live_mdx(source, out, tmp_path / "doctrees") as live, astro_dev(site) as origin:
            sentence = "Это предложение появилось на открытой странице само."

            def save() -> None:
                with (source / LESSON).open("a", encoding="utf-8") as file:
                    file.write(f"\n{sentence}\n")

            url = f"{origin}/debezium-course/course/{LESSON.with_suffix('').as_posix()}/"
            result = watch_live_reload(url, sentence, save, timeout=60, socket_match="?token=")
            assert live.wait_for("saved")
        # The page showed the sentence by Astro's own doing (its HMR client
        # reloads or patches the page); the test never navigated it.
        assert result["found"], result
        assert result["pageErrors"] == [], result["pageErrors"]
        assert result["loaded"]["h1"], result["loaded"]
