"""Fetch a model's files: fit first, disk checked, resumable, sha256-verified, source after source."""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import httpx
from django.conf import settings

from .catalogue import SHA256, Entry, ModelFile, Quantization, Source
from .fit import MIB, Budget, fit, size

log = logging.getLogger(__name__)

CHUNK = 1 * MIB
TRIES_PER_SOURCE = 3  # a cut transfer resumes from where it stopped this many times before the next source
PROGRESS_EVERY_S = 0.5
RECORD = "record.json"
LOCK = ".store.lock"


class FetchError(Exception):
    """A pull was refused or failed; the message says why in words."""


class Cancelled(FetchError):
    """The household cancelled a pull; what was fetched is kept and the next pull resumes it."""


@dataclass(frozen=True)
class Progress:
    file: str
    done: int  # bytes
    total: int
    rate_bps: float
    eta_s: float | None
    source: str  # in words, without credentials


@dataclass(frozen=True)
class StoredFile:
    name: str
    path: str
    size: int
    sha256: str
    source: str  # where it came from, without credentials
    hash_from: str  # "catalogue" or "source": who stated the sha256 it was checked against


@dataclass(frozen=True)
class Record:
    entry: str
    quantization: str
    files: tuple[StoredFile, ...]
    verified_at: float
    folder: str  # the checkpoint's folder in the store

    @property
    def path(self) -> str:
        """Return what the engine loads: the file for a one-file GGUF, else the folder."""
        if len(self.files) == 1 and self.files[0].name.endswith(".gguf"):
            return self.files[0].path
        return self.folder


Say = Callable[[str], None]
OnProgress = Callable[[Progress], None]


def models_dir() -> Path:
    """Return the folder the store keeps models in."""
    return Path(settings.HEARTH_MODELS_DIR)


@contextmanager
def locked() -> Iterator[None]:
    """Hold the store's lock: removing a version and choosing the served one never interleave."""
    root = models_dir()
    root.mkdir(parents=True, exist_ok=True)
    with (root / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def folder_for(entry: Entry, quantization: Quantization) -> Path:
    """Return the folder one quantization of a model is kept in."""
    return models_dir() / entry.name / quantization.name


def redact(url: str) -> str:
    """Return a URL without its user, password or query (tokens live there), fit to show or log."""
    parts = urlsplit(url)
    if not parts.scheme:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def sha256_of(path: Path, already: int | None = None, rate_bps: float | None = None) -> str:
    """Return a file's sha256 (of its first `already` bytes when given; read no faster than rate_bps when given)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        _hash_into(digest, f, already, rate_bps)
    return digest.hexdigest()


def _hash_into(digest: hashlib._Hash, f: IO[bytes], limit: int | None = None, rate_bps: float | None = None) -> None:
    left = limit
    started, done = time.monotonic(), 0
    while left is None or left > 0:
        block = f.read(CHUNK if left is None else min(CHUNK, left))
        if not block:
            break
        digest.update(block)
        done += len(block)
        if left is not None:
            left -= len(block)
        if rate_bps:  # a scheduled check must not starve the box's disk and CPU
            ahead = done / rate_bps - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)


def git_blob_sha1(path: Path) -> str:
    """Return the id git gives a file's content (how the hub names a file it keeps outside LFS)."""
    digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode(), usedforsecurity=False)
    with path.open("rb") as f:
        _hash_into(digest, f)
    return digest.hexdigest()


# What vLLM loads from a checkpoint's repository; READMEs, pictures and duplicate weights are left.
CHECKPOINT_SUFFIXES = (".json", ".safetensors", ".model", ".txt", ".tiktoken", ".jinja")


def list_hub_files(source: Source) -> tuple[ModelFile, ...]:
    """Return a hub repository's checkpoint files with the sha256 (or git blob id) its file listing states."""
    endpoint = settings.HEARTH_HF_ENDPOINT.rstrip("/")
    url = f"{endpoint}/api/models/{source.location}/tree/{quote(source.revision, safe='')}?recursive=true"
    response = httpx.get(url, timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True)
    response.raise_for_status()
    files = []
    for item in response.json():
        path = str(item.get("path", ""))
        if item.get("type") != "file" or not path.endswith(CHECKPOINT_SUFFIXES) or path.startswith(("original/", "/")) or ".." in path:
            continue
        lfs = item.get("lfs") or {}
        if SHA256.match(str(lfs.get("oid", ""))):
            files.append(ModelFile(path, int(lfs.get("size", item.get("size", 0))), str(lfs["oid"]), stated_by="source's listing"))
        else:
            files.append(ModelFile(path, int(item.get("size", 0)), None, str(item.get("oid", "")), "source's listing"))
    return tuple(files)


def _listed(entry: Entry, quantization: Quantization, budget: Budget | None, say: Say) -> Quantization:
    """Return the quantization with its files as the first hub source lists them, fitted again with their real size."""
    failures = []
    for source in (s for s in quantization.sources if s.kind == "hf"):
        try:
            files = list_hub_files(source)
        except (httpx.HTTPError, ValueError) as exc:
            failures.append(f"{describe(source)}: {type(exc).__name__}")
            continue
        weights = sum(f.size for f in files if f.name.endswith(".safetensors"))
        if not weights:
            failures.append(f"{describe(source)}: lists no .safetensors file")
            continue
        say(f"{describe(source)} lists {len(files)} files, {size(weights // MIB)} of weights")
        listed = replace(quantization, files=files, weights_bytes=weights)
        if budget is not None and not (fitted := fit(entry, listed, budget)).fits:
            raise FetchError(f"refused before any download: {fitted.sentence}")
        return listed
    reasons = "; ".join(failures) or "it names no hub source to list them"
    raise FetchError(f"{entry.name} {quantization.name}: the catalogue does not list its files and no source could ({reasons})")


def locate(source: Source, name: str) -> str:
    """Return where a source keeps a file: an HTTPS URL or a local path."""
    if source.kind == "hf":
        endpoint = settings.HEARTH_HF_ENDPOINT.rstrip("/")
        return f"{endpoint}/{source.location}/resolve/{quote(source.revision, safe='')}/{quote(name)}"
    if source.kind == "url":
        return f"{redact(source.location).rstrip('/')}/{quote(name)}"
    if source.kind == "package":
        spec = importlib.util.find_spec(source.location)
        folders = list(spec.submodule_search_locations or []) if spec else []
        found = [p for folder in folders for p in Path(folder).rglob(Path(name).name)]
        return str(found[0]) if found else f"(package {source.location} is not installed)"
    return str(Path(source.location).expanduser() / name)


def credentials(source: Source) -> tuple[str, str] | None:
    """Return the user and password a url source names, sent as basic auth and never in the address."""
    parts = urlsplit(source.location) if source.kind == "url" else None
    if parts is None or parts.username is None:
        return None
    return unquote(parts.username), unquote(parts.password or "")


def describe(source: Source) -> str:
    """Say where a source is, in words, without credentials."""
    if source.kind == "hf":
        return f"the hub ({redact(settings.HEARTH_HF_ENDPOINT)}) {source.location}"
    if source.kind == "url":
        return redact(source.location)
    if source.kind == "package":
        return f"the {source.location} package installed with Hearth"
    return f"the folder {source.location}"


def installed(entry: Entry, quantization: Quantization) -> Record | None:
    """Return the store's record of a quantization if its files are all there at their recorded size."""
    path = folder_for(entry, quantization) / RECORD
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    files = tuple(StoredFile(**f) for f in data["files"])
    record = Record(data["entry"], data["quantization"], files, data["verified_at"], data["folder"])
    if all(Path(f.path).is_file() and Path(f.path).stat().st_size == f.size for f in record.files):
        return record
    return None


def check(record: Record, full: bool, rate_bps: float | None = None) -> list[str]:
    """Say what differs between a record's files on disk and the record (full: hash each file again, at most rate_bps)."""
    found = []
    for f in record.files:
        path = Path(f.path)
        if not path.is_file():
            found.append(f"{f.name} is missing")
        elif path.stat().st_size != f.size:
            found.append(f"{f.name} is {path.stat().st_size} bytes, the record says {f.size}")
        elif full and sha256_of(path, rate_bps=rate_bps) != f.sha256:
            found.append(f"{f.name} does not match its recorded sha256 (changed or damaged since it was verified)")
    return found


def _write_record(entry: Entry, quantization: Quantization, files: list[StoredFile]) -> Record:
    folder = folder_for(entry, quantization)
    record = Record(entry.name, quantization.name, tuple(files), time.time(), str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{RECORD}.tmp"
    temporary.write_text(json.dumps({**asdict(record), "files": [asdict(f) for f in files]}, indent=1))
    temporary.replace(folder / RECORD)
    return record


def _stated_sha256(response: httpx.Response) -> str | None:
    """Return the sha256 a server states for a file (the hub's X-Linked-Etag, or an ETag that is one)."""
    for r in [*response.history, response]:
        for header in ("x-linked-etag", "etag"):
            value = str(r.headers.get(header, "")).removeprefix("W/").strip('"').lower()
            if SHA256.match(value):
                return value
    return None


class _Transfer:
    """One file from one source into `<name>.part`, resumed from what is already there."""

    def __init__(self, file: ModelFile, part: Path, source_words: str, on_progress: OnProgress | None, cancelled: Callable[[], bool]):
        self.file, self.part, self.words = file, part, source_words
        self.on_progress, self.cancelled = on_progress, cancelled
        self.started = time.monotonic()
        self.last = 0.0
        self.first_byte = 0

    def report(self, done: int, total: int, final: bool = False) -> None:
        now = time.monotonic()
        if self.on_progress is None or (not final and now - self.last < PROGRESS_EVERY_S):
            return
        self.last = now
        rate = (done - self.first_byte) / max(now - self.started, 1e-6)
        eta = (total - done) / rate if rate > 0 and total else None
        self.on_progress(Progress(self.file.name, done, total, rate, eta, self.words))

    def copy(self, origin: Path) -> str:
        """Copy a local file into the part file, resuming; return the stated sha256 (none: local files state none)."""
        have = self.part.stat().st_size if self.part.exists() else 0
        total = origin.stat().st_size
        if have > total:
            self.part.unlink()
            have = 0
        self.first_byte = have
        with origin.open("rb") as src, self.part.open("ab") as out:
            src.seek(have)
            done = have
            while block := src.read(CHUNK):
                if self.cancelled():
                    raise Cancelled(f"cancelled: {size(done // MIB)} of {self.file.name} kept; the next pull resumes it")
                out.write(block)
                done += len(block)
                self.report(done, total)
        self.report(total, total, final=True)
        return ""

    def download(self, client: httpx.Client, url: str) -> str:
        """Download into the part file, resuming with a Range request; return the sha256 the server states."""
        have = self.part.stat().st_size if self.part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 416 and have:
                # Nothing left to send: the part is whole (or longer than the file; the hash will say).
                self.report(have, have, final=True)
                return _stated_sha256(response) or ""
            if response.status_code not in (200, 206):
                raise httpx.HTTPStatusError(f"answered HTTP {response.status_code}", request=response.request, response=response)
            resumed = response.status_code == 206
            length = int(response.headers.get("content-length", "0") or 0)
            total = have + length if resumed else length
            self.first_byte = have if resumed else 0
            done = self.first_byte
            with self.part.open("ab" if resumed else "wb") as out:
                for block in response.iter_bytes(CHUNK):
                    if self.cancelled():
                        raise Cancelled(f"cancelled: {size(done // MIB)} of {self.file.name} kept; the next pull resumes it")
                    out.write(block)
                    done += len(block)
                    self.report(done, total)
            self.report(done, total, final=True)
            return _stated_sha256(response) or ""


def _disk_check(folder: Path, wanted: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    reserve = settings.HEARTH_MODELS_DISK_RESERVE_MIB * MIB
    if free - wanted < reserve:
        raise FetchError(
            f"not enough disk: the files need {size(wanted // MIB)} more, {size(free // MIB)} is free and "
            f"{size(reserve // MIB)} is kept free for the box; nothing was fetched"
        )


def _transfer(transfer: _Transfer, source: Source, where: str, client: httpx.Client, say: Say, failures: list[str]) -> str | None:
    """Bring one file from one source into its part file, resuming after a cut; the stated sha256, or None: give up on it."""
    name = transfer.file.name
    for _ in range(TRIES_PER_SOURCE):
        try:
            return transfer.copy(Path(where)) if source.kind == "path" else transfer.download(client, where)
        except httpx.HTTPStatusError as exc:
            failures.append(f"{transfer.words}: {exc.args[0]}")
            say(f"{name}: {transfer.words} {exc.args[0]}; trying the next source")
            return None
        except httpx.ConnectError:
            failures.append(f"{transfer.words}: cannot be reached")
            say(f"{name}: {transfer.words} cannot be reached; trying the next source")
            return None
        except (httpx.HTTPError, OSError) as exc:
            kept = transfer.part.stat().st_size if transfer.part.exists() else 0
            say(f"{name}: the transfer from {transfer.words} stopped ({type(exc).__name__}) with {size(kept // MIB)} kept")
    failures.append(f"{transfer.words}: stopped {TRIES_PER_SOURCE} times")
    return None


def _fetch_file(
    file: ModelFile, quantization: Quantization, folder: Path, say: Say, on_progress: OnProgress | None, cancelled: Callable[[], bool]
) -> StoredFile:
    target = folder / file.name
    part = target.with_name(target.name + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0, connect=10.0)) as client:
        for source in quantization.sources:
            words = describe(source)
            where = locate(source, file.name)
            if source.kind == "package":
                origin = Path(where)
                if origin.is_file() and file.sha256 and sha256_of(origin) == file.sha256:
                    say(f"{file.name}: the copy installed with Hearth matches its sha256; used where it is")
                    return StoredFile(file.name, str(origin), origin.stat().st_size, file.sha256, words, "catalogue")
                failures.append(f"{words}: {'no such file' if not origin.is_file() else 'its sha256 does not match'}")
                continue
            if source.kind == "path" and not Path(where).is_file():
                failures.append(f"{words}: no {file.name} there")
                say(f"{file.name}: not in {words}; trying the next source")
                continue
            client.auth = credentials(source)  # type: ignore[assignment]
            stated = _transfer(_Transfer(file, part, words, on_progress, cancelled), source, where, client, say, failures)
            if stated is None:
                continue
            if file.git_sha1 and not file.sha256:
                expected, got, checksum, hash_from = file.git_sha1, git_blob_sha1(part), "git blob id", "source's listing"
            else:
                expected, checksum = file.sha256 or stated, "sha256"
                hash_from = file.stated_by if file.sha256 else "source"
                got = sha256_of(part) if expected else ""
            if not expected:
                part.unlink(missing_ok=True)
                failures.append(f"{words}: states no sha256 and the catalogue records none")
                say(f"{file.name}: neither the catalogue nor {words} states its sha256, so it cannot be verified; deleted")
                continue
            if got != expected:
                part.unlink()
                failures.append(f"{words}: {checksum} mismatch")
                say(
                    f"{file.name} from {words} does not match its {checksum} (expected {expected[:12]}…, got {got[:12]}…): "
                    "deleted; trying the next source"
                )
                continue
            part.replace(target)
            say(f"{file.name}: verified ({checksum} {got[:12]}…, checked against the {hash_from})")
            sha = got if checksum == "sha256" else sha256_of(target)
            return StoredFile(file.name, str(target), target.stat().st_size, sha, words, hash_from)
    raise FetchError(f"{file.name} could not be fetched and verified from any source: {'; '.join(failures)}")


def pull(
    entry: Entry,
    quantization: Quantization,
    budget: Budget | None,
    say: Say = log.info,
    on_progress: OnProgress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Record:
    """Fetch and verify a quantization's files if it fits the budget and the disk, and record them in the store."""
    if budget is not None:
        fitted = fit(entry, quantization, budget)
        if not fitted.fits:
            raise FetchError(f"refused before any download: {fitted.sentence}")
    done = installed(entry, quantization)
    if done is not None:
        damaged = check(done, full=True)
        if not damaged:
            say(f"{entry.name} {quantization.name} is already in the store, and its files match their sha256")
            return done
        say(f"{entry.name} {quantization.name} in the store is damaged ({'; '.join(damaged)}): fetching it again")
        store = folder_for(entry, quantization)
        for f in done.files:
            path = Path(f.path)
            if path.is_relative_to(store) and (not path.is_file() or sha256_of(path) != f.sha256):
                path.unlink(missing_ok=True)  # only the store's own copies: a file shipped with Hearth stays where it is
        (store / RECORD).unlink(missing_ok=True)
    if not quantization.files:
        quantization = _listed(entry, quantization, budget, say)
    folder = folder_for(entry, quantization)
    missing = [f for f in quantization.files if not (folder / f.name).is_file()]
    local_copy = any(s.kind == "package" and Path(locate(s, f.name)).is_file() for s in quantization.sources for f in missing)
    if not local_copy:
        parts = sum((folder / f"{f.name}.part").stat().st_size for f in missing if (folder / f"{f.name}.part").exists())
        _disk_check(folder, max(sum(f.size for f in missing) - parts, 0))
    stored = []
    for file in quantization.files:
        target = folder / file.name
        if target.is_file() and file.sha256 and sha256_of(target) == file.sha256:
            stored.append(StoredFile(file.name, str(target), target.stat().st_size, file.sha256, "the store", file.stated_by))
            continue
        stored.append(_fetch_file(file, quantization, folder, say, on_progress, cancelled))
    return _write_record(entry, quantization, stored)
