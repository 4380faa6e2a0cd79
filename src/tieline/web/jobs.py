"""Uploads ingested in the background by one writer thread, with progress to poll."""

from __future__ import annotations

import contextlib
import hashlib
import re
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tieline.api import Library
from tieline.config import Settings
from tieline.errors import InputError, TielineError
from tieline.ingest.decode import decode_bytes
from tieline.ingest.sources import SUPPORTED, load_text
from tieline.records import InputFailure

_SAFE_NAME = re.compile(r"[^\w .()-]+")
_JOB_ID = re.compile(r"[0-9a-f]{32}")


def upload_dir(db: str) -> Path:
    """The folder where a served store keeps uploads until they are ingested."""
    key = hashlib.sha256(db.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"tieline-uploads-{key}"


def display_name(filename: str | None) -> str:
    """The user's file name, reduced to a harmless label (never used as a path)."""
    base = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    return _SAFE_NAME.sub("_", base).strip(" .")[:120] or "upload"


def suffix_of(filename: str | None) -> str:
    """The file type from the name; raise InputError when it is not one ingest reads."""
    name = display_name(filename).lower()
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in SUPPORTED:
        raise InputError(
            f"unsupported file type '{suffix or '(none)'}'; "
            f"upload one of {', '.join(sorted(SUPPORTED))}"
        )
    return suffix


class QueueFull(TielineError):
    """Too many uploads wait to be ingested; the client should try again later."""


# Finished jobs remembered for polling; older ones are forgotten first.
KEEP_FINISHED = 1000


@dataclass
class Job:
    """One upload: where it stands and what it did."""

    id: str
    name: str
    state: str = "queued"  # queued | running | done | failed
    stage: str = "queued"
    done: int = 0
    total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    doc_ids: list[str] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in (
                "id",
                "name",
                "state",
                "stage",
                "done",
                "total",
                "added",
                "updated",
                "unchanged",
                "duplicates",
                "doc_ids",
                "failures",
                "error",
            )
        }


class Writer:
    """The single writer of a served store: uploads and curator actions run one at a time."""

    def __init__(self, store: Library, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.lock = threading.Lock()
        self.jobs: dict[str, Job] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tieline-ingest")
        # One folder per store, made at the first upload (an app built and never served
        # leaves nothing behind). It outlives a killed server: what is left in it at the next
        # start are uploads that were never ingested, and they are resumed.
        self._dir_path = upload_dir(settings.db)

    @property
    def _dir(self) -> Path:
        self._dir_path.mkdir(mode=0o700, exist_ok=True)
        return self._dir_path

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        # Uploads not ingested yet stay for the next start; an empty folder goes.
        with contextlib.suppress(OSError):
            self._dir_path.rmdir()

    def resume(self) -> list[Job]:
        """At start: queue the uploads a stopped or killed server left, under their old job
        ids, and relink when the store says documents were written without relinking."""
        resumed: list[Job] = []
        if self._dir_path.is_dir():
            for path in sorted(self._dir_path.iterdir()):
                job_id, _, suffix = path.name.partition(".")
                if not _JOB_ID.fullmatch(job_id) or "." + suffix not in SUPPORTED:
                    continue
                label = path.with_name(job_id + ".name")
                name = label.read_text(encoding="utf-8") if label.is_file() else path.name
                job = Job(id=job_id, name=display_name(name))
                self.jobs[job.id] = job
                self._pool.submit(self._run, job, path, "." + suffix)
                resumed.append(job)
        if not resumed and self.store.links_stale():
            self._pool.submit(self._relink)
        return resumed

    def _relink(self) -> None:
        with self.lock:
            with contextlib.suppress(TielineError):
                # Incremental: what the last writes left pending (or in full, if the store asks).
                self.store.link_pending()

    def submit(self, filename: str | None, data: bytes) -> Job:
        """Save the upload under a generated name and queue its ingest."""
        suffix = suffix_of(filename)
        waiting = sum(j.state in ("queued", "running") for j in self.jobs.values())
        if waiting >= max(1, self.settings.max_queued_jobs):
            raise QueueFull(f"{waiting} uploads are waiting to be ingested; try again later")
        finished = [k for k, j in self.jobs.items() if j.state in ("done", "failed")]
        for k in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self.jobs[k]
        job = Job(id=uuid.uuid4().hex, name=display_name(filename))
        path = self._dir / f"{job.id}{suffix}"
        (self._dir / f"{job.id}.name").write_text(job.name, encoding="utf-8")
        path.write_bytes(data)
        self.jobs[job.id] = job
        self._pool.submit(self._run, job, path, suffix)
        return job

    def _progress(self, job: Job) -> Any:
        def update(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, done, total

        return update

    def _run(self, job: Job, path: Path, suffix: str) -> None:
        from tieline.scale.runner import ingest_documents

        with self.lock:
            job.state, job.stage = "running", "read"
            try:
                data = path.read_bytes()
                digest = hashlib.sha256(data).hexdigest()[:16]
                loaded = load_text(
                    decode_bytes(data),
                    SUPPORTED[suffix],
                    source_key=f"upload:{digest}",
                    name=job.name,
                )
                job.failures = [{"source": job.name, "reason": f.reason} for f in loaded.failures]
                job.total = len(loaded.documents)
                job.stage = "extract"
                report = ingest_documents(
                    loaded.documents,
                    self.store.store,
                    replace(self.settings, progress=False),
                    progress=self._progress(job),
                    failures=[InputFailure(job.name, f["reason"]) for f in job.failures],
                )
                job.added, job.updated = report.added, report.updated
                job.unchanged, job.duplicates = report.unchanged, report.duplicates
                job.doc_ids = [d.id for d in loaded.documents]
                job.state, job.stage = "done", "done"
            except TielineError as e:
                job.state, job.stage, job.error = "failed", "failed", f"{job.name}: {e}"
            except Exception as e:  # a failed upload must not take the server down
                job.state, job.stage = "failed", "failed"
                job.error = f"{job.name}: {e.__class__.__name__}: {e}"
            finally:
                path.unlink(missing_ok=True)
                path.with_name(job.id + ".name").unlink(missing_ok=True)

    def curate(self, kind: str, a: str, b: str | None = None, alias: str | None = None) -> int:
        """Store a merge or split judgement and relink; returns the number of entities."""
        with self.lock:
            self.store.add_judgement(kind, a, b, alias)
            return self.store.link_judgements()
