"""Build the course as a static web site in build/site/ (`make site`), from the notebooks as `make course` ran them.

One page per notebook of the course index (notebooks/course.json) with its outputs and figures, the solutions collapsed,
an index page, the guides in docs/*.md, previous/next links. nbconvert's HTML exporter renders the notebooks (JupyterLab's
look, ANSI colours as colours); nothing is fetched at build time and the pages load nothing from the network.
tests/test_site.py opens every page in headless Chromium.
"""
from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from pygments.formatters import HtmlFormatter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"
EXECUTED = ROOT / "build" / "notebooks"
SITE = ROOT / "build" / "site"
TEMPLATES = Path(__file__).resolve().parent / "site" / "templates"
STATIC = Path(__file__).resolve().parent / "site" / "static"
MARKER = ".course-site"  # marks a folder this script built, so a rebuild may clear it

SITE_TITLE = "Amazon SageMaker Batch Transform, hands on"
# The guides in the order a reader meets them; any other docs/*.md follows, by name, so a new guide appears by itself.
GUIDES = [
    ("instructor-guide.md", "Instructor guide", "giving the course live: timing, what to show, what learners ask"),
    ("glossary.md", "Glossary", "the lesson's terms, each with the notebook that teaches it"),
    ("running-on-aws.md", "Running on AWS", "switching from offline to your account: credentials, role, quotas, costs, "
                                            "clean-up"),
    ("offline-runtime.md", "Offline runtime", "how the offline runtime runs a job, and where it differs from SageMaker"),
]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


@dataclass
class Page:
    kind: str  # "index", "lesson" or "guide"
    href: str
    title: str
    short: str = ""
    about: str = ""
    source: Path | None = None
    source_note: str = ""
    number: str = ""
    position: int = 0
    teaches: str = ""
    environment: str = "v2"
    offline_seconds: int | None = None
    study_minutes: int | None = None
    download: str = ""
    previous: "Page | None" = None
    next: "Page | None" = None
    notes: list[str] = field(default_factory=list)


def unintended_errors(notebook) -> list[int]:
    """Indices of code cells that raised without the raises-exception tag (a notebook that failed under make course)."""
    return [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"
            and "raises-exception" not in cell.metadata.get("tags", [])
            and any(out.output_type == "error" for out in cell.get("outputs", []))]


def choose_source(file: str, executed_dir: Path) -> tuple[Path, str, list[str]]:
    """The executed copy from make course when it is usable, else the committed notebook (its outputs are an offline
    run too); returns (path, footer note, lines for the build report)."""
    committed, executed = NOTEBOOKS / file, executed_dir / file
    if not committed.exists():
        raise SystemExit(f"notebooks/course.json lists {file}, which is not in notebooks/: add the notebook or "
                         "remove its entry from the index.")
    committed_note = "Outputs committed with the notebook (an offline run)."
    if not executed.exists():
        return committed, committed_note, [f"no executed copy in {_shown(executed_dir)}/ (make course writes them): "
                                           "using the committed notebook's outputs"]
    if executed.stat().st_mtime < committed.stat().st_mtime:
        return committed, committed_note, [f"the executed copy is older than notebooks/{file} (edited since make "
                                           "course): using the committed notebook's outputs"]
    failed = unintended_errors(nbformat.read(executed, as_version=4))
    if failed:
        return committed, committed_note, [f"the executed copy failed (cell {failed[0]} raised, see make course): "
                                           "using the committed notebook's outputs"]
    return executed, "Outputs of an offline run by make course.", []


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def label_collapsed_cells(notebook) -> None:
    """Name what each collapsed cell holds, for its "Show ..." button: a solution under the Solutions heading."""
    section = ""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            headings = re.findall(r"^#{1,6}\s+(.+)$", cell.source, flags=re.MULTILINE)
            if headings:
                section = headings[-1].strip().lower()
        elif cell.metadata.get("jupyter", {}).get("source_hidden"):
            summary = "Show the solution" if section.startswith("solution") else "Show the hidden code"
            cell.metadata["course_site"] = {"summary": summary}


def describe_figures(notebook) -> None:
    """Alternative text for each figure, from the comment that opens its cell ("# extra code – the figure: ...")."""
    for cell in notebook.cells:
        first = cell.source.splitlines()[0] if cell.cell_type == "code" and cell.source else ""
        comment = re.sub(r"^#\s*(extra code\s*[–-]\s*)?(the (two )?figures?:\s*)?", "", first)
        comment = comment if first.startswith("#") else ""
        alt = (comment[:1].upper() + comment[1:]) if comment else "A figure drawn by the code above"
        for output in cell.get("outputs", []):
            if {"image/png", "image/jpeg"} & set(output.get("data", {})):
                output.setdefault("metadata", {})["course_site_alt"] = alt


class Links:
    """Rewrites links between the repository's files into links between the site's pages.

    A notebook of the course or a guide becomes its page, an image is copied next to the pages, and a link to any
    other file of the repository (which the site does not carry) keeps its text and loses the link, so no link on the
    site is broken."""

    def __init__(self, out: Path, pages: dict[str, str]):
        self.out, self.pages = out, pages  # pages: repository path -> page href

    def target(self, href: str, source: Path) -> str | None:
        if re.match(r"^([a-z][a-z0-9+.-]*:|#)", href, flags=re.IGNORECASE):  # web, mailto, data, in-page anchors
            return href
        path, _, fragment = href.partition("#")
        resolved = (source.parent / path).resolve()
        try:
            rel = PurePosixPath(resolved.relative_to(ROOT).as_posix())
        except ValueError:
            return None
        suffix = f"#{fragment}" if fragment else ""
        if str(rel) == "README.md":
            return "index.html"  # the index stands for the README, whose sections it does not have
        if str(rel) in self.pages:
            return self.pages[str(rel)] + suffix
        if rel.suffix.lower() in IMAGE_SUFFIXES and resolved.is_file():
            copied = self.out / "assets" / rel
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(resolved, copied)
            return f"assets/{rel}"
        return None

    def rewrite(self, page_html: str, source: Path) -> str:
        def anchor(match: re.Match) -> str:
            new = self.target(html.unescape(match.group(2)), source)
            if new is None:
                return f'<span class="course-repo-file" title="{match.group(2)} in the repository">{match.group(4)}</span>'
            return f'<a{match.group(1)}href="{html.escape(new)}"{match.group(3)}>{match.group(4)}</a>'

        def image(match: re.Match) -> str:
            new = self.target(html.unescape(match.group(2)), source)
            return f'<img{match.group(1)}src="{html.escape(new or match.group(2))}"'

        page_html = re.sub(r'<a(\s+(?:[^>]*?\s)?)href="([^"]*)"([^>]*)>(.*?)</a>', anchor, page_html, flags=re.DOTALL)
        return re.sub(r'<img(\s+(?:[^>]*?\s)?)src="(?!data:)([^"]*)"', image, page_html)


def lesson_pages(executed_dir: Path) -> list[Page]:
    from helpers.course.index import course_notebooks

    pages = []
    for position, entry in enumerate(course_notebooks(None), start=1):
        source, note, report = choose_source(entry["file"], executed_dir)
        stem = Path(entry["file"]).stem
        flat = Path(entry["file"]).with_suffix("").as_posix().replace("/", "-")  # sdk-v3-01_...: one folder of pages
        pages.append(Page(kind="lesson", href=f"{flat}.html", title=entry["title"], source=source, source_note=note,
                          number=stem.split("_", 1)[0].lstrip("0") or "0", position=position,
                          teaches=entry["teaches"], environment=entry.get("environment", "v2"),
                          offline_seconds=entry.get("offline_seconds"),
                          study_minutes=entry.get("study_minutes"), download=f"notebooks/{entry['file']}",
                          notes=report))
    return pages


def guide_pages(docs_dir: Path) -> list[Page]:
    known = {name: (short, about) for name, short, about in GUIDES}
    order = [name for name, _, _ in GUIDES] + sorted(p.name for p in docs_dir.glob("*.md") if p.name not in known)
    pages = []
    for name in order:
        path = docs_dir / name
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        heading = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, flags=re.MULTILINE)
        title = heading.group(1).strip() if heading else Path(name).stem.replace("-", " ").capitalize()
        short, about = known.get(name, ("", ""))  # only the known guides have a place in the bar at the top
        pages.append(Page(kind="guide", href=f"{Path(name).stem}.html", title=title, short=short, about=about,
                          source=path, source_note=f"From docs/{name} in the repository."))
    return pages


def link_in_order(pages: list[Page]) -> None:
    for before, after in zip(pages, pages[1:]):
        before.next, after.previous = after, before


def render_lesson(page: Page, site: dict, nav, links: Links) -> str:
    notebook = nbformat.read(page.source, as_version=4)
    notebook.metadata["title"] = page.title
    label_collapsed_cells(notebook)
    describe_figures(notebook)
    exporter = HTMLExporter(template_name="course_notebook", extra_template_basedirs=[str(TEMPLATES)])
    # The bar and the pager go in after the notebook's own links are rewritten: they already link the site's pages.
    resources = {"course_site": {"header": "<!-- course-site header -->", "footer": "<!-- course-site footer -->"}}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    body = links.rewrite(body, ROOT / page.download)  # the notebook's links are relative to where it lives
    return (body.replace("<!-- course-site header -->", str(nav.header(site, page)), 1)
            .replace("<!-- course-site footer -->", str(nav.footer(site, page)), 1))


def render_guide(page: Page, site: dict, env: jinja2.Environment, links: Links) -> str:
    body = links.rewrite(markdown2html_mistune(page.source.read_text(encoding="utf-8")), page.source)
    return env.get_template("page.html.j2").render(site=site, page=page, body=body)


def prepare_output(out: Path) -> None:
    """Clear a site this script built before; refuse to clear any other non-empty folder."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise SystemExit(f"{out} is not empty and was not built by tools/build_site.py: choose another --out.")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("Built by tools/build_site.py (make site); cleared and rebuilt by it.\n")


def build(out: Path = SITE, executed_dir: Path = EXECUTED, docs_dir: Path = DOCS) -> list[Page]:
    """Write the whole site into `out`; returns its pages (index first)."""
    prepare_output(out)
    lessons, guides = lesson_pages(executed_dir), guide_pages(docs_dir)
    link_in_order(lessons)
    link_in_order(guides)
    index = Page(kind="index", href="index.html", title=SITE_TITLE)
    site = {"title": SITE_TITLE, "lessons": lessons, "guides": guides}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    nav = env.get_template("nav.html.j2").module
    pages_by_source = {p.download: p.href for p in lessons}  # notebooks/<file>: the v3 track's are in notebooks/sdk-v3/
    pages_by_source |= {f"docs/{p.source.name}": p.href for p in guides}
    links = Links(out, pages_by_source)

    (out / "static").mkdir()
    shutil.copyfile(STATIC / "site.css", out / "static" / "site.css")
    (out / "static" / "pygments.css").write_text(HtmlFormatter(style="default").get_style_defs(".highlight"))
    (out / "notebooks" / "sdk-v3").mkdir(parents=True)
    for page in lessons:
        (out / page.href).write_text(render_lesson(page, site, nav, links), encoding="utf-8")
        shutil.copyfile(page.source, out / page.download)
    for page in guides:
        (out / page.href).write_text(render_guide(page, site, env, links), encoding="utf-8")
    (out / index.href).write_text(env.get_template("page.html.j2").render(site=site, page=index, body=""),
                                  encoding="utf-8")
    return [index, *lessons, *guides]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SITE, help="where to write the site (default: build/site)")
    parser.add_argument("--executed", type=Path, default=EXECUTED,
                        help="the executed notebooks (default: build/notebooks, written by make course)")
    args = parser.parse_args()
    started = time.time()
    pages = build(args.out.resolve(), args.executed.resolve())
    for page in pages[1:]:
        print(f"{page.kind:6} {page.href}" + "".join(f"  -- {note}" for note in page.notes))
    fallbacks = sum(bool(p.notes) for p in pages)
    print(f"{len(pages)} pages in {_shown(args.out)}/ in {time.time() - started:.1f} s"
          + (f"; {fallbacks} notebooks without a usable executed copy (run make course first)" if fallbacks else "")
          + f". Open {_shown(args.out)}/index.html in a browser.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
