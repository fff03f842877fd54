"""A local file server shaped like the hub's resolve endpoint: ranges, ETag with the sha256, faults on demand."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Served:
    body: bytes | Path  # a Path is streamed from disk (the real GGUF)
    corrupt: bool = False  # flip one byte in the middle of every transfer
    cut_after: int | None = None  # close the connection after this many body bytes, once
    state_sha256: bool = True  # send X-Linked-Etag with the true sha256, as the hub does for LFS files

    def size(self) -> int:
        return self.body.stat().st_size if isinstance(self.body, Path) else len(self.body)

    def read(self, start: int, end: int) -> bytes:
        if isinstance(self.body, Path):
            with self.body.open("rb") as f:
                f.seek(start)
                return f.read(end - start)
        return self.body[start:end]

    def sha256(self) -> str:
        if isinstance(self.body, Path):
            return hashlib.sha256(self.body.read_bytes()).hexdigest()
        return hashlib.sha256(self.body).hexdigest()


@dataclass
class FileServer:
    port: int = 0
    files: dict[str, Served] = field(default_factory=dict)  # path (/owner/repo/resolve/main/name) -> file
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Range header or "")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    listings: dict[str, bytes] = field(default_factory=dict)  # /api/models/<repo>/tree/main -> JSON

    def hub(self, repo: str, name: str, served: Served) -> None:
        self.files[f"/{repo}/resolve/main/{name}"] = served

    def hub_repo(self, repo: str, files: dict[str, bytes], lfs: tuple[str, ...] = (".safetensors",)) -> None:
        """Serve a repository's files and its listing as the hub does: sha256 for LFS files, the git blob id for the rest."""
        listing = []
        for name, body in files.items():
            self.hub(repo, name, Served(body))
            item: dict[str, object] = {"type": "file", "path": name, "size": len(body)}
            if name.endswith(lfs):
                item["oid"] = "0" * 40  # the LFS pointer's id, not the content's
                item["lfs"] = {"oid": hashlib.sha256(body).hexdigest(), "size": len(body), "pointerSize": 134}
            else:
                item["oid"] = hashlib.sha1(b"blob %d\0" % len(body) + body).hexdigest()
            listing.append(item)
        listing.append({"type": "file", "path": "README.md", "size": 5, "oid": "1" * 40})
        self.listings[f"/api/models/{repo}/tree/main"] = json.dumps(listing).encode()


def _handler(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            wanted = self.headers.get("Range", "")
            server.requests.append((self.path, wanted))
            listing = server.listings.get(self.path.split("?")[0])
            if listing is not None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(listing)))
                self.end_headers()
                self.wfile.write(listing)
                return
            served = server.files.get(self.path)
            if served is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            total = served.size()
            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", wanted)
            if match:
                start = int(match.group(1))
                if start >= total:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{total}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self.send_response(206 if match else 200)
            self.send_header("Content-Length", str(total - start))
            if match:
                self.send_header("Content-Range", f"bytes {start}-{total - 1}/{total}")
            self.send_header("Accept-Ranges", "bytes")
            if served.state_sha256:
                self.send_header("X-Linked-Etag", f'"{served.sha256()}"')
            self.end_headers()
            stop = total
            if served.cut_after is not None:
                stop = min(total, start + served.cut_after)
                served.cut_after = None
            position = start
            while position < stop:
                block = bytearray(served.read(position, min(position + 2**20, stop)))
                middle = total // 2
                if served.corrupt and position <= middle < position + len(block):
                    block[middle - position] ^= 0xFF
                self.wfile.write(block)
                position += len(block)
            if stop < total:
                self.close_connection = True  # a cut: fewer bytes than Content-Length promised

    return Handler


@contextmanager
def file_server() -> Iterator[FileServer]:
    """Run a file server on a free loopback port for the length of a test."""
    state = FileServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
