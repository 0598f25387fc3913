"""make site (tools/build_site.py): the build with every network connection refused, then each page opened in headless
Chromium (Debian's chromium and chromium-driver; .ci/run installs them, elsewhere these tests are skipped and say so).

In the browser: every notebook linked from the index, figures loaded, no escape codes, errors only where a cell is
tagged raises-exception, solutions collapsed, previous/next/index links that lead to pages of the site."""
from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import socket
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_builder():
    """tools/build_site.py as a module (tools/ is a folder of scripts, not a package), loaded once."""
    if "build_site" not in sys.modules:
        spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["build_site"] = module  # dataclasses look their module up while the file runs
        spec.loader.exec_module(module)
    return sys.modules["build_site"]


@contextlib.contextmanager
def no_network():
    """Any attempt to open a connection or resolve a name fails loudly, as on a machine with the network cut off."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access during the site build")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        yield attempts


def build_offline(out: Path, executed: Path | None = None):
    """Build the site into `out` with the network refused; returns (pages, connection attempts)."""
    builder = load_builder()
    with no_network() as attempts:
        pages = builder.build(out, executed or builder.EXECUTED)
    return pages, attempts


def hidden_solutions_copy(source: Path, target_dir: Path) -> tuple[Path, int]:
    """A copy of a course notebook whose Solutions cells carry jupyter.source_hidden, as JupyterLab stores a collapsed
    input; returns (path, number of hidden cells). Its mtime is newer than the committed notebook's, so it is used."""
    notebook = nbformat.read(source, as_version=4)
    in_solutions, hidden = False, 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            in_solutions = cell.source.lstrip("# ").lower().startswith("solution")
        elif in_solutions and cell.cell_type == "code":
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
            hidden += 1
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    nbformat.write(notebook, target)
    later = source.stat().st_mtime + 10
    os.utime(target, (later, later))
    return target, hidden


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The course site, built with the network refused from the committed notebooks, except notebook 02 whose
    solutions are hidden (an executed copy, as make course writes): (folder, pages, hidden cells of 02)."""
    tmp = tmp_path_factory.mktemp("course-site")
    _, hidden = hidden_solutions_copy(ROOT / "notebooks" / "02_batch_transform_sdk.ipynb", tmp / "executed")
    pages, attempts = build_offline(tmp / "site", tmp / "executed")
    assert attempts == [], "the site build tried to connect"
    return tmp / "site", pages, hidden


def test_the_site_builds_with_the_network_refused(site):
    folder, pages, _ = site
    assert (folder / "index.html").exists()
    assert [p.kind for p in pages].count("lesson") == len(load_builder().lesson_pages(folder / "none"))
    for page in pages:
        assert (folder / page.href).stat().st_size > 0, page.href


def test_no_page_refers_to_anything_off_the_site(site):
    """The lab template's require.js, MathJax and mermaid come from a CDN: the course's pages must not ask for them."""
    for page in site[0].glob("*.html"):
        text = page.read_text()
        loaded = re.findall(r'<(?:script|link|img|iframe)\b[^>]*?(?:src|href)="(https?:)?//[^"]*"', text)
        assert loaded == [], f"{page.name} loads {loaded}"
        assert "MathJax.Hub" not in text and "require.min.js" not in text, page.name


def test_each_lesson_says_where_its_outputs_come_from(tmp_path):
    builder = load_builder()
    executed = tmp_path / "executed"
    first = builder.NOTEBOOKS / "01_prepare_and_train.ipynb"
    copy, _ = hidden_solutions_copy(first, executed)
    stale = executed / "02_batch_transform_sdk.ipynb"
    shutil.copyfile(builder.NOTEBOOKS / stale.name, stale)
    os.utime(stale, (0, 0))  # older than the committed notebook: edited since make course
    failed = nbformat.read(builder.NOTEBOOKS / "03_batch_transform_boto3.ipynb", as_version=4)
    cell = next(c for c in failed.cells if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", []))
    cell.outputs = [nbformat.v4.new_output("error", ename="NameError", evalue="x", traceback=["NameError: x"])]
    nbformat.write(failed, executed / "03_batch_transform_boto3.ipynb")

    # keyed by where the notebook lives: the v3 track's siblings have the same file names
    lessons = {page.download.removeprefix("notebooks/"): page for page in builder.lesson_pages(executed)}
    assert lessons[first.name].source == copy and lessons[first.name].notes == []
    assert lessons[stale.name].source == builder.NOTEBOOKS / stale.name
    assert "older than" in lessons[stale.name].notes[0]
    assert "failed" in lessons["03_batch_transform_boto3.ipynb"].notes[0]
    assert "no executed copy" in lessons["04_batch_transform_parallel.ipynb"].notes[0]


def test_hidden_cells_are_collapsed_and_labelled(site):
    folder, _, hidden = site
    assert hidden >= 1
    text = (folder / "02_batch_transform_sdk.html").read_text()
    assert text.count('<details class="course-collapsed course-solution">') == hidden
    assert text.count("<summary>Show the solution</summary>") == hidden
    assert "<details open" not in text


def test_links_to_repository_files_become_pages_or_plain_text(tmp_path):
    builder = load_builder()
    links = builder.Links(tmp_path, {"notebooks/02_batch_transform_sdk.ipynb": "02_batch_transform_sdk.html",
                                     "docs/glossary.md": "glossary.html"})
    source = ROOT / "docs" / "running-on-aws.md"
    rewritten = links.rewrite(
        '<a href="../notebooks/02_batch_transform_sdk.ipynb#Step-1">02</a> <a href="glossary.md">terms</a> '
        '<a href="../helpers/connection/names.py">course.py</a> <a href="https://docs.aws.amazon.com/x">AWS</a> '
        '<a href="#costs">Costs</a> <a href="../README.md#quick-start">README</a>', source)
    assert '<a href="02_batch_transform_sdk.html#Step-1">02</a>' in rewritten
    assert '<a href="glossary.html">terms</a>' in rewritten
    assert 'href="../helpers/connection/names.py"' not in rewritten and ">course.py</span>" in rewritten
    assert '<a href="https://docs.aws.amazon.com/x">AWS</a>' in rewritten
    assert '<a href="#costs">Costs</a>' in rewritten
    assert '<a href="index.html">README</a>' in rewritten


def test_a_guide_added_to_docs_gets_a_page(tmp_path):
    builder = load_builder()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "glossary.md").write_text("# Glossary\n\n**Batch transform**: a job that runs inference on a dataset.\n")
    (docs / "zz-extra.md").write_text("Text without a heading.\n")
    (docs / "running-on-aws.md").write_text("## Running on AWS\n")
    pages = builder.guide_pages(docs)
    assert [p.href for p in pages] == ["glossary.html", "running-on-aws.html", "zz-extra.html"]
    assert [p.title for p in pages] == ["Glossary", "Running on AWS", "Zz extra"]
    assert [p.short for p in pages] == ["Glossary", "Running on AWS", ""]  # the bar at the top: known guides only


def test_a_folder_the_builder_did_not_make_is_never_cleared(tmp_path):
    builder = load_builder()
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="not built by tools/build_site.py"):
        builder.prepare_output(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


# ---------------------------------------------------------------------------------------------------------------------
# In the browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="the site's browser test needs headless Chromium, not installed here: "
           "apt-get install chromium chromium-driver (CI's .ci/run installs them)")
# Raw escape codes, with or without the ESC byte a renderer may have dropped.
ESCAPE_CODE = re.compile(r"\x1b|\[(?:\d{1,3};)*\d{1,3}m")
# An IPython traceback or a Python one printed to a log: a cell that raised.
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|Cell In\[\d+\], line \d+")

PAGE_FACTS = """
const inside = (el, selector) => el.closest(selector) !== null;
const links = [...document.querySelectorAll('a[href]')].map(a => ({
    href: a.href, raw: a.getAttribute('href'), rel: a.rel, text: a.textContent.trim(),
    lesson: a.classList.contains('course-lesson-link')}));
return {
  ready: document.readyState,
  title: document.title,
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  links: links,
  images: [...document.images].map(i => ({src: i.src.slice(0, 40), complete: i.complete, width: i.naturalWidth,
                                          output: inside(i, '.jp-OutputArea'), alt: i.alt})),
  resources: performance.getEntriesByType('resource').map(r => r.name),
  text: document.body.textContent,
  ansiSpans: document.querySelectorAll('[class*="ansi-"]').length,
  errors: [...document.querySelectorAll('.course-error')].map(e => ({
      ename: e.dataset.ename, tagged: inside(e, '.celltag_raises-exception')})),
  untaggedText: [...document.querySelectorAll('.jp-CodeCell:not(.celltag_raises-exception) .jp-OutputArea')]
      .map(e => e.textContent).join('\\n'),
  collapsed: [...document.querySelectorAll('details.course-solution')].map(d => d.open),
};
"""


@pytest.fixture(scope="module")
def server(site):
    """The site over HTTP on the loopback interface, as a learner's browser would read it."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site[0]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium with nothing of its own going to the network (updates, sync, safe browsing), fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1280,900", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def visited(site, server, browser):
    """Every page of the site opened once: {href: facts read in the page}."""
    facts = {}
    for page in site[1]:
        browser.get(server + page.href)
        facts[page.href] = browser.execute_script(PAGE_FACTS)
    return facts


def source_outputs(page, output_type=None, mime=None):
    notebook = nbformat.read(page.source, as_version=4)
    return [out for cell in notebook.cells for out in cell.get("outputs", [])
            if (output_type is None or out.output_type == output_type) and (mime is None or mime in out.get("data", {}))]


@needs_chromium
def test_the_index_links_every_notebook_and_guide(site, visited):
    from helpers.course.index import course_notebooks

    index = visited["index.html"]
    lesson_links = {link["raw"]: link["text"] for link in index["links"] if link["lesson"]}
    expected = {Path(nb["file"]).with_suffix("").as_posix().replace("/", "-") + ".html": nb["title"]
                for nb in course_notebooks(None)}  # the v3 track's pages: sdk-v3-NN_....html
    assert lesson_links == expected
    hrefs = {link["raw"] for link in index["links"]}
    for page in site[1]:
        assert page.href in hrefs or page.kind == "index", f"the index does not link {page.href}"


@needs_chromium
def test_every_page_loads_whole_with_its_figures(site, server, visited):
    for page in site[1]:
        facts = visited[page.href]
        assert facts["ready"] == "complete", page.href
        broken = [img["src"] for img in facts["images"] if not (img["complete"] and img["width"] > 0)]
        assert broken == [], f"{page.href}: images that did not load: {broken}"
        off_site = [url for url in facts["resources"] if not url.startswith(server)]
        assert off_site == [], f"{page.href} asked for {off_site}"
        if page.kind == "lesson":
            figures = len(source_outputs(page, mime="image/png")) + len(source_outputs(page, mime="image/jpeg"))
            assert sum(img["output"] for img in facts["images"]) == figures, page.href
        undescribed = [img["src"] for img in facts["images"] if not img["alt"] or "No description" in img["alt"]]
        assert undescribed == [], f"{page.href}: figures without alternative text"


@needs_chromium
def test_logs_show_colours_not_escape_codes(site, visited):
    coloured = 0
    for page in site[1]:
        facts = visited[page.href]
        codes = ESCAPE_CODE.findall(facts["text"])
        assert codes == [], f"{page.href} shows raw escape codes: {codes[:5]}"
        if page.kind == "lesson" and any("\x1b[" in out.get("text", "") for out in source_outputs(page, "stream")):
            assert facts["ansiSpans"] > 0, f"{page.href}: its coloured log lines lost their colours"
            coloured += 1
    assert coloured >= 1, "no lesson has coloured log lines: the check above checked nothing"


@needs_chromium
def test_errors_show_only_where_a_cell_is_meant_to_raise(site, visited):
    intended = 0
    for page in site[1]:
        facts = visited[page.href]
        untagged = [e["ename"] for e in facts["errors"] if not e["tagged"]]
        assert untagged == [], f"{page.href}: cells raised without the raises-exception tag: {untagged}"
        assert not TRACEBACK.search(facts["untaggedText"]), f"{page.href}: a traceback outside raises-exception cells"
        if page.kind == "lesson":
            assert len(facts["errors"]) == len(source_outputs(page, "error")), page.href
        intended += len(facts["errors"])
    assert intended >= 1, "the course's intended errors (tagged raises-exception) should show on their pages"


@needs_chromium
def test_navigation_leads_to_pages_of_the_site(site, server, visited):
    lessons = [page for page in site[1] if page.kind == "lesson"]
    guides = [page for page in site[1] if page.kind == "guide"]
    for sequence in (lessons, guides):
        for i, page in enumerate(sequence):
            rels = {rel: link["raw"] for link in visited[page.href]["links"] for rel in link["rel"].split()}
            assert rels.get("index") == "index.html", page.href
            assert rels.get("prev") == (sequence[i - 1].href if i else None), page.href
            assert rels.get("next") == (sequence[i + 1].href if i + 1 < len(sequence) else None), page.href
    ids = {href: set(facts["ids"]) for href, facts in visited.items()}
    for href, facts in visited.items():
        for link in facts["links"]:
            if not link["href"].startswith(server):
                assert link["href"].startswith(("https://", "http://", "mailto:")), f"{href}: {link['raw']}"
                continue
            target, _, fragment = link["href"][len(server):].partition("#")
            target = target or href
            assert (site[0] / target).is_file(), f"{href} links to {link['raw']}, which is not on the site"
            if fragment and target in ids:
                assert fragment in ids[target], f"{href} links to {link['raw']}: no such anchor"


@needs_chromium
def test_solutions_stay_collapsed_until_asked_for(site, server, browser, visited):
    from selenium.webdriver.common.by import By

    _, _, hidden = site
    assert visited["02_batch_transform_sdk.html"]["collapsed"] == [False] * hidden
    browser.get(server + "02_batch_transform_sdk.html")
    solution = browser.find_elements(By.CSS_SELECTOR, "details.course-solution")[0]
    code = solution.find_element(By.CSS_SELECTOR, ".jp-InputArea")
    assert not code.is_displayed()
    solution.find_element(By.TAG_NAME, "summary").click()
    assert code.is_displayed()


def test_an_index_entry_without_its_notebook_is_a_clear_error(tmp_path):
    builder = load_builder()
    with pytest.raises(SystemExit, match="lists 98_missing.ipynb, which is not in notebooks/"):
        builder.choose_source("98_missing.ipynb", tmp_path)
