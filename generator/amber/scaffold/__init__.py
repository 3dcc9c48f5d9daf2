"""The GitHub Actions workflows that `amber init` writes into a new site.

The workflow texts are package data (``pages.yml``, ``review.yml`` beside this
file) with one placeholder: the pip requirement CI installs amber from. amber's
own repository runs the same two files with the requirement ``.`` (this
checkout), and a test holds the two copies together.

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

PLACEHOLDER = "@AMBER_REQUIREMENT@"
WORKFLOWS = ("pages.yml", "review.yml")
"""File names, the same under ``.github/workflows/`` of a site."""

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
    if name not in WORKFLOWS:
        raise ValueError(f"no workflow template {name!r}")
    return resources.files(__package__).joinpath(name).read_text("utf-8")


def render_workflow(name: str, requirement: str) -> str:
    """A workflow with its requirement filled in, as a YAML double-quoted string.

    JSON string syntax is a subset of YAML's double-quoted scalars, so any
    requirement text (``amber @ git+https://…@abc``) stays one plain value.
    """
    return workflow_template(name).replace(PLACEHOLDER, json.dumps(requirement))


def workflow_files(requirement: str) -> dict[str, bytes]:
    """``.github/workflows/<name>`` -> bytes, for a site whose CI installs ``requirement``."""
    return {
        f".github/workflows/{name}": render_workflow(name, requirement).encode()
        for name in WORKFLOWS
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


def write_workflows(site_root: Path, requirement: str | None) -> list[Path]:
    """Write the workflows a site lacks (never replacing one), and say what was done."""
    chosen = (Requirement(check_requirement(requirement)) if requirement is not None
              else installed_requirement())
    written = []
    for rel, data in workflow_files(chosen.spec).items():
        path = site_root / rel
        if path.exists():
            print(f"amber: {rel} exists; left as it is", file=sys.stderr)
            continue
        write_atomic(path, data)
        written.append(path)
    if written and chosen.note:
        print(f"amber: note: {chosen.note}", file=sys.stderr)
    return written
