"""The ingest run: inputs -> documents -> extraction (any executor) -> one writer -> linking."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from datasketch import MinHash

from tieline import nearbands
from tieline.config import Settings
from tieline.errors import InputError
from tieline.ingest.dedupe import (
    NUM_PERM,
    NearDuplicates,
    from_signature,
    minhash,
    signature_bytes,
)
from tieline.ingest.sources import discover, load_file, shown_path
from tieline.nearbands import band_keys
from tieline.records import Document, IngestReport, InputFailure
from tieline.scale.executor import Executor, make_executor
from tieline.store.clusters import cluster_store, link_digest
from tieline.store.db import Store

# Files read, extracted and stored at a time by ingest_paths: a few batches' worth, so that
# memory stays flat on a corpus of any size while each chunk still fills nlp.pipe batches.
STREAM_FILES = 256
# progress(stage, done, total) is called as work advances; the CLI draws it.
Progress = Callable[[str, int, int], None]
FailureHook = Callable[[InputFailure], None]


@dataclass(frozen=True, slots=True)
class Loaded:
    documents: list[Document]
    failures: list[InputFailure]


def load_inputs(
    paths: Iterable[str | Path],
    settings: Settings,
    progress: Progress | None = None,
    on_failure: FailureHook | None = None,
) -> Loaded:
    """Read every input into documents; failures are collected, never raised."""
    docs: list[Document] = []
    failures: list[InputFailure] = []

    def fail(f: InputFailure) -> None:
        failures.append(f)
        if on_failure:
            on_failure(f)

    items = list(discover(paths, follow_links=settings.follow_links))
    files = [x for x in items if isinstance(x, Path)]
    for x in items:
        if isinstance(x, InputFailure):
            fail(x)
    for i, path in enumerate(files, 1):
        try:
            loaded = load_file(path, max_bytes=settings.max_file_mb << 20)
            docs.extend(loaded.documents)
            for f in loaded.failures:
                fail(f)
        except InputError as e:
            fail(InputFailure(shown_path(path), str(e)))
        except (RecursionError, MemoryError) as e:
            fail(
                InputFailure(
                    shown_path(path),
                    f"too deeply nested or too large to parse ({e.__class__.__name__})",
                )
            )
        if progress:
            progress("read", i, len(files))
    return Loaded(docs, failures)


def _batches(items: Sequence[Document], size: int) -> Iterator[Sequence[Document]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def ingest_documents(
    documents: Sequence[Document],
    store: Store,
    settings: Settings,
    executor: Executor | None = None,
    progress: Progress | None = None,
    failures: Sequence[InputFailure] = (),
    *,
    near: NearDuplicates | None = None,
    link: bool = True,
) -> IngestReport:
    """Extract and store documents that are new or changed; skip what is already stored.

    ``near``: the near-duplicate index of a run that calls this chunk by chunk (else it is
    read from the store); ``link``: rebuild corpus-level links at the end (a chunked run
    links once, after its last chunk).
    """
    own = executor is None
    executor = executor or make_executor(settings)
    try:
        version = executor.pipeline_version()
        # Ids first, then sources: an ingest running beside this one that stores a document
        # between the two reads then shows it as this source's own (unchanged), never as
        # another source's copy (a duplicate).
        existing = store.existing_ids(d.id for d in documents)
        stored = store.stored_by_source(d.source_key for d in documents)
        if near is None:
            near = stored_signatures(store, settings)
        todo: list[Document] = []
        sigs: dict[str, bytes] = {}
        unchanged = duplicates = near_dups = 0
        seen: set[str] = set()
        for d in documents:
            old = stored.get(d.source_key)
            if old is not None and old.id == d.id and old.pipeline_version == version:
                unchanged += 1
                continue
            if d.id in seen or (d.id in existing and (old is None or old.id != d.id)):
                duplicates += 1
                continue
            seen.add(d.id)
            m = minhash(d.text)
            # Never its own twin: an ingest running beside this one may have stored it since.
            twin = near.match(m, exclude={d.id} | ({old.id} if old else set()))
            if twin is not None:
                d = replace(d, near_duplicate_of=twin)
                near_dups += 1
            near.add(d.id, m)
            sigs[d.id] = signature_bytes(m)
            todo.append(d)
        added = updated = 0
        done = 0
        # Executors yield results in input order, so batch i of results belongs to batch i.
        results = executor.map_batches(_batches(todo, settings.batch_size))
        for batch, exts in zip(_batches(todo, settings.batch_size), results, strict=True):
            res = store.write([(d, e, sigs.get(d.id)) for d, e in zip(batch, exts, strict=True)])
            added += res.added
            updated += res.updated
            unchanged += res.unchanged
            duplicates += res.duplicates
            done += len(batch)
            if progress:
                progress("extract", done, len(todo))
        # A run killed after its last batch but before linking leaves the links stale.
        if link:
            finish_links(store, settings, changed=bool(todo))
        return IngestReport(
            added=added,
            updated=updated,
            unchanged=unchanged,
            duplicates=duplicates,
            near_duplicates=near_dups,
            failures=tuple(failures),
            doc_ids=tuple(d.id for d in todo),
        )
    finally:
        if own:
            executor.close()


class StoredNearDuplicates(NearDuplicates):
    """The near-duplicate index of a run: the stored documents through the store's LSH bands
    (``near_bands``), read per new document, and this run's documents in memory; it matches
    what an in-memory index of every stored signature matches."""

    def __init__(self, store: Store, threshold: float) -> None:
        super().__init__(threshold)
        self._store = store

    def match(self, m: MinHash, exclude: Collection[str] = ()) -> str | None:
        """The most similar earlier document above the threshold, stored or of this run."""
        stored = self._store.near_candidates(band_keys(signature_bytes(m)))
        sigs = {k: from_signature(v) for k, v in stored.items()}
        sigs.update((k, self._sigs[k]) for k in self._lsh.query(m))
        best: tuple[float, str] | None = None
        for key, other in sigs.items():
            if key in exclude:
                continue
            j = m.jaccard(other)
            better = best is None or j > best[0] or (j == best[0] and key < best[1])
            if j >= self.threshold and better:
                best = (j, key)
        return best[1] if best else None


def stored_signatures(store: Store, settings: Settings) -> NearDuplicates:
    """The near-duplicate index over every stored document: by the store's bands at the
    threshold they were written for, else every stored signature read into memory."""
    if settings.near_dup_threshold == nearbands.THRESHOLD and NUM_PERM == nearbands.NUM_PERM:
        return StoredNearDuplicates(store, settings.near_dup_threshold)
    near = NearDuplicates(settings.near_dup_threshold)
    for did, sig in store.signatures():
        near.add(did, from_signature(sig))
    return near


def finish_links(store: Store, settings: Settings, *, changed: bool) -> None:
    """Link and cluster what changed, or what an earlier run stopped before linking.

    Linking is incremental (``scale/linking.py``): only the entities a batch reaches are
    rebuilt, then only the clusters they reopened and the new events are placed.
    """
    if changed or store.links_stale() or not store.count("entities"):
        from tieline.scale.linking import link_store

        before = link_digest(store)
        _, full = link_store(store, settings)
        recluster(store, full=full and link_digest(store) != before)
    else:
        recluster(store)


def relink(store: Store, settings: Settings) -> int:
    """Rebuild every corpus-level entity from what is stored, applying curator judgements,
    then the event clusters that rest on them (after a curator's bulk change, or a new linker
    version or gazetteer); returns the entities written."""
    return relink_all(store, settings)[0]


def relink_all(
    store: Store, settings: Settings, *, all_clusters: bool = False
) -> tuple[int, int | None]:
    """``relink``, returning the entities and the clusters written (None when the clusters were
    fresh); ``all_clusters`` re-places every event even where no entity changed (``tieline
    relink``: a user asking for a rebuild gets one)."""
    from tieline.scale.linking import link_store

    before = link_digest(store)
    n, _ = link_store(store, settings, full=True)
    return n, recluster(store, full=all_clusters or link_digest(store) != before)


def link_judgement(store: Store, settings: Settings) -> int:
    """Link again what a curator's new merge or split reaches (not the whole store), then the
    clusters it changed; returns the entities written."""
    from tieline.scale.linking import link_store

    before = link_digest(store)
    n, full = link_store(store, settings, judged=True)
    recluster(store, full=full and link_digest(store) != before)
    return n


def recluster(store: Store, *, full: bool = False) -> int | None:
    """Cluster reports of one event across documents where the store needs it; returns the
    number of clusters, or None when they were fresh.

    Incremental (only events without a cluster id are placed) unless ``full``, set when
    relinking changed which entity a name stands for, or the store asks for a full pass.
    """
    state = store.clusters_state()
    if not full and state == "fresh":
        return None
    return cluster_store(store, only_new=not full and state != "all")


def ingest_paths(
    paths: Iterable[str | Path],
    settings: Settings,
    *,
    progress: Progress | None = None,
    on_failure: FailureHook | None = None,
) -> IngestReport:
    """Ingest files and folders into the store that ``settings.db`` names.

    Files are read, extracted and stored a chunk at a time, so memory stays flat however many
    there are; corpus-level links are rebuilt once, at the end.
    """
    items = list(discover(paths, follow_links=settings.follow_links))
    files = [x for x in items if isinstance(x, Path)]
    failures = [x for x in items if isinstance(x, InputFailure)]
    for f in failures:
        if on_failure:
            on_failure(f)
    added = updated = unchanged = duplicates = near_dups = 0
    doc_ids: list[str] = []
    with Store(settings.db) as store:
        executor = make_executor(settings)
        try:
            near = stored_signatures(store, settings)
            done_files = done_docs = 0
            for i in range(0, len(files), STREAM_FILES):
                chunk = files[i : i + STREAM_FILES]

                def shift(stage: str, done: int, total: int, base: int = done_docs) -> None:
                    if progress and stage == "extract":
                        progress(stage, base + done, base + total)

                loaded = load_inputs(chunk, settings, None, on_failure)
                done_files += len(chunk)
                if progress:
                    progress("read", done_files, len(files))
                rep = ingest_documents(
                    loaded.documents,
                    store,
                    settings,
                    executor,
                    shift,
                    loaded.failures,
                    near=near,
                    link=False,
                )
                done_docs += len(rep.doc_ids)
                added, updated = added + rep.added, updated + rep.updated
                unchanged, duplicates = unchanged + rep.unchanged, duplicates + rep.duplicates
                near_dups += rep.near_duplicates
                failures.extend(rep.failures)
                doc_ids.extend(rep.doc_ids)
            finish_links(store, settings, changed=bool(doc_ids))
        finally:
            executor.close()
    return IngestReport(
        added=added,
        updated=updated,
        unchanged=unchanged,
        duplicates=duplicates,
        near_duplicates=near_dups,
        failures=tuple(failures),
        doc_ids=tuple(doc_ids),
    )


def ingest_urls(
    urls: Iterable[str],
    files: Iterable[str | Path],
    settings: Settings,
    *,
    progress: Progress | None = None,
    on_failure: FailureHook | None = None,
) -> IngestReport:
    """Fetch web pages (and read files) and ingest them together into ``settings.db``."""
    from tieline.ingest.fetch import fetch_documents

    loaded = load_inputs(files, settings, progress, on_failure)
    fetched, failed = fetch_documents(urls, settings, progress, on_failure)
    with Store(settings.db) as store:
        return ingest_documents(
            [*loaded.documents, *fetched],
            store,
            settings,
            progress=progress,
            failures=[*loaded.failures, *failed],
        )
