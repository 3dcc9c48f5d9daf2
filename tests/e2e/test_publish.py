"""Publishing on GitHub Pages: `amber init` writes the workflows, and the steps of pages.yml,
run here as the runner would run them, pack exactly the built site, quietly, with links that
all resolve when served under the Pages path prefix (404.html at a deep missing URL too).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

from amber.scaffold import UNSET
from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import BuiltSite
from tests.helpers.static_host import StaticHost
from tests.helpers.trees import tree_bytes
from tests.helpers.workflow import run_step

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / ".github" / "workflows" / "pages.yml"


def pages_step(name_start: str) -> str:
    """The shell script of the pages.yml build step whose name starts with ``name_start``."""
    workflow = yaml.safe_load(PAGES.read_text("utf-8"))
    for step in workflow["jobs"]["build"]["steps"]:
        if step.get("name", "").startswith(name_start):
            return step["run"]
    raise AssertionError(f"pages.yml has no step {name_start!r}")


def publish(site: Path, pages_base_url: str, runner_temp: Path) -> Path:
    """The build and pack steps of pages.yml for a Pages URL; returns artifact.tar."""
    env = {"PAGES_BASE_URL": pages_base_url, "RUNNER_TEMP": str(runner_temp)}
    built = run_step(pages_step("Build"), site, env)
    assert built.returncode == 0, built.stderr
    runner_temp.mkdir(exist_ok=True)
    packed = run_step(pages_step("Pack"), site, env)
    assert packed.returncode == 0, packed.stderr
    assert packed.stdout == "" and packed.stderr == "", "packing must print nothing"
    return runner_temp / "artifact.tar"


def assert_artifact_is_the_output(artifact: Path, output: Path) -> None:
    files = tree_bytes(output)
    dirs = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_dir()}
    with tarfile.open(artifact) as tar:
        members = tar.getmembers()
        names = [m.name for m in members]
        assert all(n == "." or n.startswith("./") for n in names), names[:5]
        packed_files = {}
        for member in members:
            assert member.isfile() or member.isdir(), f"{member.name} is neither file nor dir"
            assert member.mode & 0o444 == 0o444, f"{member.name} is not readable by all"
            if member.isfile():
                extracted = tar.extractfile(member)
                assert extracted is not None
                packed_files[member.name[2:]] = extracted.read()
        packed_dirs = {m.name[2:] for m in members if m.isdir() and m.name != "."}
    assert packed_files == files
    assert packed_dirs == dirs
    assert len(names) == len(set(names))


# --- a link checker for the served site ----------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and name in ("href", "src"):
                self.links.append(value)
            elif value is not None and name == "id":
                self.ids.add(value)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def broken_served_links(server: str, base_url: str, starts: list[str]) -> list[str]:
    """Crawl from ``starts`` (absolute URLs on ``server``); every internal link must load, and
    every #fragment must name an id on its page. Links are resolved against the URL the page
    was requested at, which is what catches relative links in a 404 page."""
    origin = base_url[: len(base_url) - len(urlsplit(base_url).path)]
    pages: dict[str, Links] = {}
    broken: list[str] = []
    queue = list(starts)
    seen: set[str] = set()
    checks: list[tuple[str, str, str]] = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, data = get(url)
        if status != 200 and not url.endswith("/deeper/still/"):
            broken.append(f"{url}: HTTP {status}")
            continue
        if data.lstrip().startswith((b"<!DOCTYPE html", b"<!doctype html", b"<html")):
            parser = Links()
            parser.feed(data.decode("utf-8", "replace"))
            pages[url] = parser
            for link in parser.links:
                if link.startswith(origin + "/") or link == origin:
                    link = server + link[len(origin):]
                absolute = urljoin(url, link)
                parts = urlsplit(absolute)
                if parts.scheme not in ("http", "https") or not absolute.startswith(server):
                    continue
                target = absolute.split("#", 1)[0]
                checks.append((url, target, parts.fragment))
                queue.append(target)
    for page, target, fragment in checks:
        if fragment and target in pages and unquote(fragment) not in pages[target].ids:
            broken.append(f"{page}: #{fragment} is not an id on {target}")
    return broken


CASES = {
    "project site": ("https://octo.github.io/chats-repo", "/chats-repo/", None),
    "user site": ("https://octo.github.io/", "/", None),  # with the slash it may one day have
    "custom domain": ("https://chats.example.com", "/", "chats.example.com"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_pages_build_and_pack_publish_exactly_a_site_whose_links_resolve(
    case: str, built_copy: BuiltSite, tmp_path: Path, static_host: StaticHost,
) -> None:
    pages_url, prefix, cname = CASES[case]
    site = built_copy.root
    if cname:
        site_yaml = site / "content" / "site.yaml"
        site_yaml.write_text(site_yaml.read_text() + f"cname: {cname}\n")
    artifact = publish(site, pages_url, tmp_path / "runner-temp")
    output = site / "output"
    assert_artifact_is_the_output(artifact, output)
    assert (output / "CNAME").exists() == bool(cname)
    if cname:
        assert (output / "CNAME").read_text() == f"{cname}\n"
    index = (output / "index.html").read_text()
    assert f'href="{prefix}' in index
    if prefix != "/":
        assert 'href="/chats/' not in index  # site.yaml's own prefix is overridden
    base_url = pages_url.rstrip("/") + "/"
    static_host.mount(prefix, output)
    server = static_host.origin
    starts = [f"{server}{prefix}", f"{server}{prefix}share/does-not-exist/deeper/still/"]
    starts += [f"{server}{prefix}share/{i}/" for i in built_copy.ids.values()]
    status, body = get(starts[1])
    assert status == 404 and b"<html" in body.lower()
    assert broken_served_links(server, base_url, starts) == []
    status, _ = get(f"{server}{prefix}share/{built_copy.ids['alpha']}")
    assert status == 200  # the folder redirect was followed


def test_the_link_checker_finds_a_relative_link_in_404(built_copy: BuiltSite, tmp_path: Path,
                                                       static_host: StaticHost) -> None:
    """The served check is able to fail: a relative link breaks at a deep missing URL."""
    site = built_copy.root
    publish(site, "https://octo.github.io/chats-repo", tmp_path / "rt")
    not_found = site / "output" / "404.html"
    not_found.write_text(not_found.read_text().replace("</body>",
                                                       '<a href="index.html">x</a></body>'))
    static_host.mount("/chats-repo/", site / "output")
    deep = f"{static_host.origin}/chats-repo/share/nope/deeper/still/"
    broken = broken_served_links(static_host.origin, "https://octo.github.io/chats-repo/",
                                 [deep])
    assert any("deeper/still/index.html: HTTP 404" in b for b in broken), broken


def test_init_writes_a_site_that_publishes(tmp_path: Path) -> None:
    requirement = "amber @ git+https://github.com/octo/amber@v0.1.0"
    ok(run_amber("init", "newsite", "--requirement", requirement, cwd=tmp_path))
    site = tmp_path / "newsite"
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == [
        ".github/workflows/pages.yml", ".github/workflows/review.yml", ".gitignore",
        "content/conversations/welcome.yaml", "content/shares/.gitkeep", "content/site.yaml",
    ]
    assert "output/" in (site / ".gitignore").read_text().splitlines()
    for name in ("pages.yml", "review.yml"):
        workflow = yaml.safe_load((site / ".github" / "workflows" / name).read_text())
        assert workflow["env"]["AMBER_REQUIREMENT"] == requirement
    beside = Path(sys.executable).parent / "actionlint"
    lint = subprocess.run([str(beside) if beside.is_file() else "actionlint", "-no-color",
                           *map(str, (site / ".github" / "workflows").iterdir())],
                          capture_output=True, text=True, timeout=120, check=False)
    assert lint.returncode == 0, lint.stdout
    ok(run_amber("share", "welcome", cwd=site))
    ok(run_amber("check", cwd=site))
    artifact = publish(site, "https://octo.github.io/newsite", tmp_path / "rt")
    assert_artifact_is_the_output(artifact, site / "output")


def test_init_never_replaces_a_workflow(tmp_path: Path) -> None:
    site = tmp_path / "s"
    mine = site / ".github" / "workflows" / "pages.yml"
    mine.parent.mkdir(parents=True)
    mine.write_text("name: mine\n")
    result = ok(run_amber("init", str(site), "--requirement", "amber==0.1.0", cwd=tmp_path))
    assert mine.read_text() == "name: mine\n"
    assert ".github/workflows/pages.yml exists; left as it is" in result.stderr
    assert (site / ".github" / "workflows" / "review.yml").is_file()


def test_init_from_a_local_install_leaves_a_requirement_pip_refuses(tmp_path: Path) -> None:
    result = ok(run_amber("init", "s", cwd=tmp_path))
    pages = yaml.safe_load((tmp_path / "s" / ".github" / "workflows" / "pages.yml").read_text())
    # The tests run an amber installed from this checkout (a local folder), which a CI runner
    # cannot install from: the workflows get a value pip refuses, and init says so.
    assert pages["env"]["AMBER_REQUIREMENT"] == UNSET
    assert "set AMBER_REQUIREMENT" in result.stderr


def test_init_refuses_a_bad_requirement_before_writing(tmp_path: Path) -> None:
    result = run_amber("init", "s", "--requirement", "amber\n--index-url=x", cwd=tmp_path)
    assert result.returncode == 2 and "--requirement" in result.stderr
    assert not (tmp_path / "s").exists()
