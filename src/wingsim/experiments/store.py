"""Results on disk: a run store with a status record per run, checksums and a folder lock.

Every file is written to a hidden temporary name and ``os.replace``d into place, so a
reader never sees half a file. Each run has a status record, ``status/<run_id>.json``:
``planned`` (written when the folder is prepared), ``running`` (when it is handed to a
worker), then ``succeeded`` (with the sha256 of each of its files) or ``failed``; every
record carries the wingsim version and the time. A run counts as done only if its record
says ``succeeded`` and its files read back with the recorded checksums, so a truncated or
missing file is found and the run redone. The process writing runs holds an OS-level
lock on ``.lock`` (``flock``: released by the kernel when the process dies, however it
dies), so two sweeps never write into one folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import stat
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wingsim.experiments.runner import RunResult
from wingsim.scenario import InputFileError, read_input_file

try:  # POSIX; elsewhere folders are not locked
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms wingsim runs on
    fcntl = None  # type: ignore[assignment]

MANIFEST = "manifest.json"
LOCK = ".lock"
STATUSES = ("planned", "running", "succeeded", "failed")
#: Largest record (manifest, experiment.json, a status record) read from a results folder.
MAX_RECORD_BYTES = 64_000_000


def read_record(path: Path) -> Any:
    """A JSON record of a results folder: a regular file (never a pipe), parsed."""
    try:
        return json.loads(read_input_file(path, "record", MAX_RECORD_BYTES))
    except InputFileError as exc:
        if exc.reason == "file not found":
            raise FileNotFoundError(f"{path}: file not found") from None
        raise ValueError(exc.reason) from None


class StoreError(ValueError):
    """A results folder cannot be used as asked; the message is one line for the user."""


class FolderBusy(StoreError):
    """Another process holds the folder's lock."""

    def __init__(self, folder: Path, holder: dict[str, Any]):
        self.folder = folder
        self.holder = holder
        pid = holder.get("pid", "unknown")
        what = " ".join(str(a) for a in holder.get("command", []))[:120]
        since = holder.get("since")
        super().__init__(
            f"{folder}: in use by another wingsim process (pid {pid}"
            + (f", since {since}" if since else "")
            + (f": {what}" if what else "")
            + "); wait for it to finish (or pass --wait), or choose another --out"
        )


def now() -> str:
    """The time, as records state it (ISO 8601, local time with offset)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def wingsim_version() -> str:
    import wingsim

    return wingsim.__version__


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file so no reader ever sees half of it."""
    _atomic_write_bytes(Path(path), text.encode("utf-8"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- the folder lock --------------------------------------------------------------------------
#: Locks this process holds: real path -> [fd, count] (re-entrant within one process).
_HELD: dict[str, list[int]] = {}


class FolderLock:
    """An exclusive ``flock`` on ``FOLDER/.lock``; the file names the holder's process id.

    ``acquire`` refuses at once with :class:`FolderBusy` if another process holds it, or
    waits (``wait=True``). The kernel releases it when the holding process dies. Within one
    process the lock is re-entrant (a notebook may prepare the same folder twice).
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / LOCK
        self._key = os.path.realpath(self.folder)
        self.held = False

    def holder(self) -> dict[str, Any]:
        try:
            data = read_record(self.path)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def acquire(
        self, wait: bool = False, on_wait: Callable[[dict[str, Any]], None] | None = None
    ) -> FolderLock:
        if self.held:
            return self
        if self._key in _HELD:
            _HELD[self._key][1] += 1
            self.held = True
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self.holder()
                if not wait:
                    os.close(fd)
                    raise FolderBusy(self.folder, holder) from None
                if on_wait:
                    on_wait(holder)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
        info = {"pid": os.getpid(), "since": now(), "command": sys.argv}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        _HELD[self._key] = [fd, 1]
        self.held = True
        return self

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        entry = _HELD.get(self._key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _HELD[self._key]
        fd = entry[0]
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        if fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.release()


# -- verification -----------------------------------------------------------------------------
@dataclass
class Verification:
    """What a folder's status records and files say about its runs."""

    planned: list[str]  # every run of the design, in design order
    succeeded: set[str] = field(default_factory=set)  # record says so and the files check out
    failed: set[str] = field(default_factory=set)
    running: set[str] = field(default_factory=set)  # interrupted (nothing is running now)
    damaged: dict[str, str] = field(default_factory=dict)  # run id -> what is wrong
    versions: dict[str, int] = field(default_factory=dict)  # wingsim version -> runs
    digest: str = ""  # changes whenever a run's state or files change

    @property
    def not_run(self) -> int:
        return len(self.planned) - len(self.succeeded) - len(self.failed) - len(self.damaged)

    @property
    def complete(self) -> bool:
        return len(self.succeeded) == len(self.planned)

    def counts(self) -> dict[str, int]:
        return {
            "planned": len(self.planned),
            "finished": len(self.succeeded),
            "failed": len(self.failed),
            "damaged": len(self.damaged),
            "not_run": self.not_run,
        }

    def describe(self) -> str:
        """``8 of 18 runs finished (1 failed, 1 damaged, 8 not run)``."""
        c = self.counts()
        rest = [f"{c[k]} {k.replace('_', ' ')}" for k in ("failed", "damaged", "not_run") if c[k]]
        tail = f" ({', '.join(rest)})" if rest else ""
        return f"{c['finished']} of {c['planned']} planned runs finished{tail}"


class RunStore:
    """The ``runs/``, ``timeseries/``, ``status/`` and ``failures/`` folders of one experiment."""

    def __init__(self, folder: str | Path, create: bool = True):
        self.folder = Path(folder)
        self.runs = self.folder / "runs"
        self.timeseries = self.folder / "timeseries"
        self.failures = self.folder / "failures"
        self.status = self.folder / "status"
        self.damaged = self.folder / "damaged"
        self.lock: FolderLock | None = None
        self.notes: list[str] = []
        self._hashes: dict[tuple[str, int, int], str] = {}
        if create:
            self.create()

    def create(self) -> None:
        """Make the store's folders (``runs/``, ``timeseries/``, ``status/``, ``failures/``)."""
        for d in (self.folder, self.runs, self.timeseries, self.failures, self.status):
            d.mkdir(parents=True, exist_ok=True)

    # -- lock ----------------------------------------------------------------------------------
    def acquire(self, wait: bool = False, on_wait=None) -> RunStore:
        self.lock = (self.lock or FolderLock(self.folder)).acquire(wait, on_wait)
        return self

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def clean_temporaries(self) -> int:
        """Remove half-written files left by a killed process; return how many.

        Only wingsim's own temporary names (``.NAME.tmp-PID``) are removed, and only by the
        process holding the folder's lock, so no other process's file is touched.
        """
        n = 0
        for d in (self.folder, self.runs, self.timeseries, self.failures, self.status):
            for p in d.glob(".*.tmp-*"):
                p.unlink(missing_ok=True)
                n += 1
        return n

    # -- status records ------------------------------------------------------------------------
    def _record_path(self, run_id: str) -> Path:
        return self.status / f"{run_id}.json"

    def record(self, run_id: str, status: str, **fields: Any) -> dict[str, Any]:
        """Write the status record of one run (atomically) and return it."""
        rec = {
            "run_id": run_id,
            "status": status,
            "time": now(),
            "wingsim_version": fields.pop("wingsim_version", None) or wingsim_version(),
            **fields,
        }
        atomic_write_text(self._record_path(run_id), json.dumps(rec, indent=1, default=str))
        return rec

    def records(self) -> dict[str, dict[str, Any]]:
        """Every status record, by run id; an unreadable record reads as ``damaged``."""
        out = {}
        if not self.status.is_dir():
            return out
        for p in self.status.glob("*.json"):
            run_id = p.name[: -len(".json")]
            try:
                rec = read_record(p)
                if not isinstance(rec, dict) or rec.get("status") not in STATUSES:
                    raise ValueError("not a status record")
            except (OSError, ValueError) as exc:
                rec = {"run_id": run_id, "status": "damaged", "error": str(exc)[:200]}
            out[run_id] = rec
        return out

    def mark_planned(self, run_ids: Iterable[str]) -> int:
        """A ``planned`` record for every run that has none yet; return how many."""
        have = {p.name[: -len(".json")] for p in self.status.glob("*.json")}
        n = 0
        for run_id in run_ids:
            if run_id not in have:
                self.record(run_id, "planned")
                n += 1
        return n

    def mark_running(self, run_id: str) -> None:
        self.record(run_id, "running", pid=os.getpid())

    # -- writing results -----------------------------------------------------------------------
    def write(self, result: RunResult) -> None:
        """Record one result: files first, then the status record with their checksums."""
        fail_file = self.failures / f"{result.run_id}.json"
        version = result.row.get("wingsim_version")
        if not result.ok:
            record = {
                "run_id": result.run_id,
                "error": result.error,
                "traceback": result.traceback,
                "run": result.row,
                "time": now(),
            }
            atomic_write_text(fail_file, json.dumps(record, indent=2, default=str))
            self.record(result.run_id, "failed", error=result.error, wingsim_version=version)
            return
        files = {}
        for name, data in result.files.items():
            _atomic_write_bytes(self.folder / name, data)
            files[name] = sha256(data)
        self.record(
            result.run_id,
            "succeeded",
            files=files,
            seconds=round(result.seconds, 3),
            wingsim_version=version,
        )
        fail_file.unlink(missing_ok=True)

    # -- reading and checking ------------------------------------------------------------------
    def _hash(self, path: Path) -> str | None:
        try:
            st = path.stat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return "not a regular file"
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key not in self._hashes:
            try:
                self._hashes[key] = file_sha256(path)
            except OSError:
                return None
        return self._hashes[key]

    def verify(self, planned: Iterable[str] | None = None) -> Verification:
        """Check every run's record against its files (read back and hashed).

        ``planned`` is the design's run ids (default: those with a record). A run whose
        files are missing or do not match their checksums is *damaged*; so is a result
        file with no ``succeeded`` record (e.g. left by a process killed in between).
        """
        records = self.records()
        planned = list(planned) if planned is not None else sorted(records)
        v = Verification(planned)
        digest = hashlib.sha256()
        for run_id in planned:
            rec = records.get(run_id)
            status = rec.get("status") if rec else None
            state = status or "none"
            if status == "succeeded":
                problem = None
                files = rec.get("files") or {}
                if not files:
                    problem = "status record lists no files"
                for name, expected in files.items():
                    got = self._hash(self.folder / name)
                    if got is None:
                        problem = f"{name} is missing"
                    elif got != expected:
                        problem = f"{name} does not match its checksum (damaged or changed)"
                    if problem:
                        break
                    digest.update(f"{name}={got};".encode())
                if problem:
                    v.damaged[run_id] = problem
                    state = "damaged"
                else:
                    v.succeeded.add(run_id)
                    ver = str(rec.get("wingsim_version"))
                    v.versions[ver] = v.versions.get(ver, 0) + 1
            elif status == "damaged":
                v.damaged[run_id] = "status record unreadable"
            elif (self.runs / f"{run_id}.parquet").exists():
                v.damaged[run_id] = "result file without a succeeded status record"
                state = "unrecorded"
            elif status == "failed":
                v.failed.add(run_id)
                ver = str(rec.get("wingsim_version"))
                v.versions[ver] = v.versions.get(ver, 0) + 1
            elif status == "running":
                v.running.add(run_id)
            digest.update(f"{run_id}:{state};".encode())
        v.digest = digest.hexdigest()[:16]
        return v

    def quarantine(self, run_ids: Iterable[str]) -> list[Path]:
        """Move the files of damaged runs into ``damaged/`` (kept for inspection, out of
        the ``runs/*.parquet`` glob); return where they went."""
        moved = []
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for run_id in run_ids:
            for d in (self.runs, self.timeseries):
                src = d / f"{run_id}.parquet"
                if src.exists():
                    self.damaged.mkdir(exist_ok=True)
                    dst = self.damaged / f"{d.name}-{run_id}-{stamp}.parquet"
                    os.replace(src, dst)
                    moved.append(dst)
        return moved

    def finished(self) -> set[str]:
        """Run ids that are done: ``succeeded`` and their files match their checksums."""
        return self.verify().succeeded

    def failed(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in sorted(self.failures.glob("*.json"))]

    def read_runs(self, verification: Verification | None = None) -> pd.DataFrame:
        """All finished (verified) runs, one row each, in run-id (= design) order."""
        done = (verification or self.verify()).succeeded
        return _read_files([self.runs / f"{r}.parquet" for r in sorted(done)], "run_id")

    def read_timeseries(self, verification: Verification | None = None) -> pd.DataFrame:
        done = (verification or self.verify()).succeeded
        files = [self.timeseries / f"{r}.parquet" for r in sorted(done)]
        return _read_files([f for f in files if f.exists()], ["run_id", "day"])


def _read_files(files: list[Path], order) -> pd.DataFrame:
    if not files:
        return pd.DataFrame()
    import duckdb

    order_by = ", ".join([order] if isinstance(order, str) else order)
    con = duckdb.connect()
    try:
        return con.execute(
            f"SELECT * FROM read_parquet(?, union_by_name=true) ORDER BY {order_by}",
            [[str(f) for f in files]],
        ).df()
    finally:
        con.close()


# -- manifest ---------------------------------------------------------------------------------
def _provenance(event: str) -> dict[str, Any]:
    return {
        "event": event,
        "time": now(),
        "wingsim_version": wingsim_version(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "command": sys.argv,
    }


def write_manifest(folder: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The folder's provenance: package version, seeds, platform, command line, history.

    A new folder's manifest records who made it; a resumed folder's keeps every original
    field and appends a ``history`` entry (time, version, command) for each resumption.
    """
    path = Path(folder) / MANIFEST
    old = read_manifest(folder) if path.exists() else None
    if old is None:
        created = _provenance("created")
        record = {
            "wingsim_version": created["wingsim_version"],
            "python": created["python"],
            "platform": created["platform"],
            "created": created["time"],
            "command": created["command"],
            **data,
            "history": [created],
        }
    else:
        record = {**data, **old}
        history = list(old.get("history") or [])
        if not history:  # a folder from before the history was kept
            history.append(
                {
                    "event": "created",
                    "time": old.get("created"),
                    "wingsim_version": old.get("wingsim_version"),
                    "command": old.get("command"),
                }
            )
        history.append(_provenance("resumed"))
        record["history"] = history
    record["wingsim_versions"] = sorted({str(h.get("wingsim_version")) for h in record["history"]})
    atomic_write_text(path, json.dumps(record, indent=2, default=str))
    return record


def read_manifest(folder: str | Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not Path(folder).is_dir():
        raise StoreError(f"{folder}: no such folder")
    if not path.exists():
        raise StoreError(f"{folder}: not an experiment folder (no {MANIFEST})")
    try:
        data = read_record(path)
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: damaged or unreadable ({str(exc)[:80]})") from None
    if not isinstance(data, dict):
        raise StoreError(f"{path}: damaged (not a JSON object)")
    return data


def safe_name(name: str) -> str:
    """A file or folder name from any label: letters, digits, ``-`` and ``_`` only.

    ``"../../../escaped"`` becomes ``"escaped"``, so a name never leads out of its folder.
    """
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name).strip("_")
    return safe or "unnamed"
