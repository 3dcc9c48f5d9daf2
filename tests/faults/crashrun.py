"""Run one amber command many times, each copy killed with SIGKILL at another point.

Run as a script (``python crashrun.py SPEC.json``) by the fault tests. It imports amber
once, then for each kill point copies the template site to a fresh folder and forks a
child that runs ``amber.cli.main(ARGV)`` there, so each run starts warm and the
kill lands in amber's own work rather than in interpreter start-up. Two kinds of
kill point:

- ``ops``: the child kills itself with SIGKILL just before its Nth file-system
  mutation (create or open for writing, write-through ``fsync``, mkdir, rename,
  ``renameat2``, link, unlink, rmdir), so every step between two writes can be hit
  exactly;
- ``timed``: the parent sends SIGKILL after a given delay, wherever the child is.

``count`` runs the command once without killing and reports its mutations in order,
so the test can choose points. One JSON object per run goes to stdout.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

HUNG_SECONDS = 300.0
"""A run that neither finishes nor reaches its kill point by then is reported as hung."""
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class Mutations:
    """Counts file-system mutations of this process; kills it before the Nth one."""

    def __init__(self, kill_at: int | None) -> None:
        self.kill_at = kill_at
        self.pid = os.getpid()
        self.log: list[str] = []

    def hit(self, what: str, path: object) -> None:
        if os.getpid() != self.pid:
            return  # a worker process of amber's: only the command's own process counts
        shown = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else path
        self.log.append(f"{what} {shown}")
        if self.kill_at is not None and len(self.log) == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def install(self) -> None:
        def wrap(module: Any, name: str, test: Any = None) -> None:
            real = getattr(module, name)

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if test is None or test(*args, **kwargs):
                    self.hit(name, args[0] if args else "")
                return real(*args, **kwargs)

            setattr(module, name, wrapper)

        def opens_for_writing(file: object, mode: str = "r", *args: Any, **kwargs: Any) -> bool:
            return isinstance(mode, str) and any(c in mode for c in "wax+")

        def os_open_writes(path: object, flags: int, *args: Any, **kwargs: Any) -> bool:
            return bool(flags & _WRITE_FLAGS)

        for name in ("replace", "rename", "unlink", "remove", "rmdir", "link", "mkdir",
                     "fsync", "ftruncate", "sync"):
            if hasattr(os, name):
                wrap(os, name)
        wrap(os, "open", os_open_writes)
        wrap(io, "open", opens_for_writing)
        builtins.open = io.open
        self._wrap_renameat2()

    def _wrap_renameat2(self) -> None:
        """``renameat2`` (an atomic exchange of two folders) is called through ctypes."""
        import ctypes

        real_getattr = ctypes.CDLL.__getattr__
        hit = self.hit

        def getattr_(library: ctypes.CDLL, name: str) -> Any:
            function = real_getattr(library, name)
            if name != "renameat2":
                return function

            def renameat2(*args: Any) -> Any:
                hit("renameat2", os.fsdecode(args[1]) if len(args) > 1 else "")
                function.argtypes = renameat2.argtypes  # type: ignore[attr-defined]
                function.restype = renameat2.restype  # type: ignore[attr-defined]
                return function(*args)

            renameat2.argtypes = None  # type: ignore[attr-defined]
            renameat2.restype = ctypes.c_int  # type: ignore[attr-defined]
            return renameat2

        ctypes.CDLL.__getattr__ = getattr_  # type: ignore[method-assign]


def _warm_imports() -> None:
    """Import what the commands import lazily, before forking (each child starts warm)."""


def _run_child(site: Path, argv: list[str], log: Path, kill_at: int | None,
               count_file: Path | None) -> None:
    """In the forked child: run the command in ``site``; never returns."""
    code = 70
    try:
        os.chdir(site)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", closefd=False, buffering=1)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False, buffering=1)  # noqa: SIM115
        sys.argv = ["amber", *argv]
        mutations = Mutations(kill_at)
        mutations.install()
        from amber.cli import main

        code = main(argv)
        if count_file is not None:
            data = json.dumps(mutations.log).encode()
            with io.FileIO(count_file, "w") as fh:  # FileIO is not counted
                fh.write(data)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _fork(site: Path, argv: list[str], log: Path, kill_at: int | None,
          count_file: Path | None = None) -> int:
    pid = os.fork()
    if pid == 0:
        _run_child(site, argv, log, kill_at, count_file)
    return pid


def _outcome(status: int) -> dict[str, object]:
    if os.WIFSIGNALED(status):
        return {"killed": os.WTERMSIG(status) == signal.SIGKILL, "signal": os.WTERMSIG(status),
                "rc": None}
    return {"killed": False, "signal": None, "rc": os.WEXITSTATUS(status)}


def _prepare(site: Path, overlay: str | None, log: Path) -> None:
    """With an overlay: a cached build first, then the overlay's content changes.

    The command then finds ``.amber-cache/`` and ``quick.json`` from a build of the
    old content, as after a user's last build, and only the changed files changed
    (each written by rename, as amber writes): a build takes the delta route.
    """
    if overlay is None:
        return
    pid = _fork(site, ["build"], log, None)
    _, status = os.waitpid(pid, 0)
    if _outcome(status)["rc"] != 0:
        raise SystemExit(f"the preparing build failed: {log.read_text()}")
    source, dest = Path(overlay) / "content", site / "content"
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    for rel in sorted(wanted):
        data = (source / rel).read_bytes()
        target = dest / rel
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.prepare")
            tmp.write_bytes(data)
            os.replace(tmp, target)
    for path in sorted(dest.rglob("*")):
        if path.is_file() and path.relative_to(dest) not in wanted:
            path.unlink()


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    template = Path(spec["template"])
    work = Path(spec["work"])
    argv: list[str] = spec["argv"]
    _warm_imports()
    sys.dont_write_bytecode = True
    work.mkdir(parents=True, exist_ok=True)
    if spec["mode"] == "count":
        site = work / "count"
        shutil.copytree(template, site, symlinks=True)
        _prepare(site, spec.get("overlay"), work / "prepare.log")
        count_file = work / "count.json"
        started = time.monotonic()
        pid = _fork(site, argv, work / "count.log", None, count_file)
        _, status = os.waitpid(pid, 0)
        seconds = time.monotonic() - started
        ops = json.loads(count_file.read_text("utf-8")) if count_file.exists() else []
        print(json.dumps({**_outcome(status), "ops": ops, "dir": str(site),
                          "seconds": seconds}), flush=True)
        return
    points = spec["points"]
    for number, point in enumerate(points):
        site = work / f"run-{number:03d}"
        shutil.copytree(template, site, symlinks=True)
        _prepare(site, spec.get("overlay"), work / f"prepare-{number:03d}.log")
        log = work / f"run-{number:03d}.log"
        started = time.monotonic()
        timed = spec["mode"] == "timed"
        pid = _fork(site, argv, log, None if timed else int(point))
        deadline = started + (float(point) if timed else spec.get("hung_seconds", HUNG_SECONDS))
        status, hung = -1, False
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
                hung = not timed
                break
            time.sleep(min(left, 0.002))
        print(json.dumps({**_outcome(status), "point": point, "dir": str(site),
                          "log": str(log), "hung": hung,
                          "seconds": time.monotonic() - started}), flush=True)


if __name__ == "__main__":
    main()
