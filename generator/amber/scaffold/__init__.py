"""The GitHub Actions workflows that `amber init` writes into a new site.

The workflow texts are package data (``pages.yml``, ``review.yml`` and
``publish.yml`` beside this file) with one placeholder: the pip requirement CI
installs amber from. amber's own repository runs ``pages.yml`` and ``review.yml``
with the requirement ``.`` (this checkout), and a test holds the copies together.
A site made with ``--publish-to OWNER/REPO`` (``publish_target``) gets
``publish.yml`` instead of ``pages.yml``, with a second placeholder: that
repository, which its workflow pushes the built site to.

Which requirement a new site gets is decided from how the running amber was
installed (PEP 610 ``direct_url.json``): from a git URL, the same URL pinned to
the installed commit; from an archive URL, that URL; from a package index, the
installed version. A local folder or editable install cannot be reached from
CI, so the workflows get no guess at all but a value that stops the job with a
message: installing an unrelated package of the same name would be worse.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from amber.atomic import write_atomic
from amber.errors import UsageError
from amber.scaffold.publish_target import PublishTarget

PLACEHOLDER = "@AMBER_REQUIREMENT@"
PUBLISH_TO_PLACEHOLDER = "@AMBER_PUBLISH_TO@"
WORKFLOWS = ("pages.yml", "review.yml")
"""File names, the same under ``.github/workflows/`` of a site."""
PUBLISH_WORKFLOWS = ("publish.yml", "review.yml")
"""The workflows of a site that publishes to another repository (``--publish-to``)."""
TEMPLATES = ("pages.yml", "review.yml", "publish.yml")

UNSET = "<set AMBER_REQUIREMENT in this workflow to where amber comes from>"
"""Not a valid requirement on purpose: pip stops with "Invalid requirement" and this text,
where a made-up package name could install whatever someone published under it."""


@dataclass(frozen=True)
class Requirement:
    spec: str
    """The pip requirement written into the workflows."""
    note: str | None = None
    """Why it may need a hand edit, shown by `amber init`; None when it is exact."""


def workflow_template(name: str) -> str:
    if name not in TEMPLATES:
        raise ValueError(f"no workflow template {name!r}")
    return resources.files(__package__).joinpath(name).read_text("utf-8")


def render_workflow(name: str, requirement: str, publish_to: PublishTarget | None = None) -> str:
    """A workflow with its requirement filled in, as a YAML double-quoted string.

    JSON string syntax is a subset of YAML's double-quoted scalars, so any
    requirement text (``amber @ git+https://…@abc``) stays one plain value. The
    site repository's name needs no quoting: ``PublishTarget`` holds it to
    GitHub's name rules.
    """
    text = workflow_template(name).replace(PLACEHOLDER, json.dumps(requirement))
    if PUBLISH_TO_PLACEHOLDER in text:
        if publish_to is None:
            raise ValueError(f"{name} needs the repository it publishes to")
        text = text.replace(PUBLISH_TO_PLACEHOLDER, publish_to.name)
    return text


def workflow_files(requirement: str,
                   publish_to: PublishTarget | None = None) -> dict[str, bytes]:
    """``.github/workflows/<name>`` -> bytes, for a site whose CI installs ``requirement``
    and deploys on its own Pages, or publishes to ``publish_to`` when given."""
    names = WORKFLOWS if publish_to is None else PUBLISH_WORKFLOWS
    return {
        f".github/workflows/{name}": render_workflow(name, requirement, publish_to).encode()
        for name in names
    }


def installed_requirement(distribution: str = "amber") -> Requirement:
    """Where CI can install the amber that is running now from (see the module docstring)."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return Requirement(UNSET, "amber is not installed as a package; set "
                                  "AMBER_REQUIREMENT in the workflows")
    return requirement_from_direct_url(dist.read_text("direct_url.json"), dist.version)


def requirement_from_direct_url(direct_url: str | None, version: str) -> Requirement:
    if not direct_url:
        return Requirement(f"amber=={version}")
    try:
        info = json.loads(direct_url)
    except ValueError:
        info = {}
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://", "ssh://")):
        return Requirement(UNSET, "amber runs from a local folder, which CI cannot reach: "
                                  "set AMBER_REQUIREMENT in .github/workflows/*.yml (for "
                                  "instance amber @ git+https://github.com/OWNER/amber@TAG)")
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        commit = vcs.get("commit_id")
        pin = f"@{commit}" if isinstance(commit, str) and commit else ""
        return Requirement(f"amber @ git+{url}{pin}")
    return Requirement(f"amber @ {url}")


def check_requirement(spec: str) -> str:
    """A requirement given on the command line: one line of printable text."""
    spec = spec.strip()
    if not spec or any(ord(c) < 0x20 or ord(c) == 0x7F for c in spec):
        raise UsageError("--requirement: expected one pip requirement, such as "
                         "'amber @ git+https://github.com/OWNER/amber@TAG'")
    return spec


def write_workflows(site_root: Path, requirement: str | None,
                    publish_to: PublishTarget | None = None) -> list[Path]:
    """Write the workflows a site lacks (never replacing one), and say what was done."""
    chosen = (Requirement(check_requirement(requirement)) if requirement is not None
              else installed_requirement())
    written = []
    for rel, data in workflow_files(chosen.spec, publish_to).items():
        path = site_root / rel
        if path.exists():
            print(f"amber: {rel} exists; left as it is", file=sys.stderr)
            continue
        write_atomic(path, data)
        written.append(path)
    if written and chosen.note:
        print(f"amber: note: {chosen.note}", file=sys.stderr)
    return written
