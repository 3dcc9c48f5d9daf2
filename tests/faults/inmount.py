"""Run amber on a full or read-only file system, inside a private mount namespace.

Started by the fault tests as ``unshare -rm python inmount.py SPEC.json`` (a user and
mount namespace of its own: root needs no help, and other users need no privilege
where the kernel allows unprivileged namespaces). Every mount dies with the namespace,
so nothing is left mounted on the machine. Writes its findings as JSON to the result
path of the spec, which lies outside the mounts.

Scenarios, each on a copy of the template site (content changed since its output/
was built):

- ``full``: the site on a small tmpfs, filled up so that the new site cannot be
  written; ``build`` and ``share`` fail; once space is freed, ``build`` succeeds;
- ``ro-output``: output/ is a read-only bind mount; ``build`` fails; once it is
  writable again, ``build`` succeeds;
- ``ro-site``: the whole site folder is read-only; ``build`` and ``share`` fail;
  once writable again, ``build`` succeeds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.helpers.trees import leftovers, tree_digest


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, text=True)


def amber(site: Path, *args: str) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-m", "amber", *args], cwd=site,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=300, check=False)
    return {"rc": result.returncode, "stderr": result.stderr, "stdout": result.stdout,
            "output": tree_digest(site / "output"), "leftovers": leftovers(site),
            "content": tree_digest(site / "content")}


def fill(folder: Path, leave: int, name: str) -> Path:
    """A file that takes all free space of ``folder``'s file system but ``leave`` bytes."""
    filler = folder / name
    stat = os.statvfs(folder)
    size = stat.f_bavail * stat.f_frsize - leave
    with filler.open("wb") as fh:
        block = b"\0" * (1 << 20)
        while size > 0:
            size -= fh.write(block[: min(len(block), size)])
    return filler


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    template, place = Path(spec["template"]), Path(spec["place"])
    scenario, out = spec["scenario"], {}
    site = place / "site"
    if scenario == "full":
        mount("-t", "tmpfs", "-o", f"size={spec['tmpfs_bytes']}", "tmpfs", str(place))
        shutil.copytree(template, site, symlinks=True)
        filler = fill(place, int(spec["leave_bytes"]), "filler.bin")
        out["build"] = amber(site, "build")
        full = fill(place, 0, "the-rest.bin")
        out["share"] = amber(site, "share", spec["conversation"], "--yes")
        full.unlink()
        filler.unlink()
        out["after"] = amber(site, "build")
    else:
        shutil.copytree(template, site, symlinks=True)
        locked = site / "output" if scenario == "ro-output" else site
        mount("--bind", str(locked), str(locked))
        mount("-o", "remount,bind,ro", str(locked))
        out["build"] = amber(site, "build")
        if scenario == "ro-site":  # (with only output/ read-only, sharing works)
            out["share"] = amber(site, "share", spec["conversation"], "--yes")
        mount("-o", "remount,bind,rw", str(locked))
        subprocess.run(["umount", str(locked)], check=True)
        out["after"] = amber(site, "build")
    Path(spec["result"]).write_text(json.dumps(out), "utf-8")


if __name__ == "__main__":
    main()
