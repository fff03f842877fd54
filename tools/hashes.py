"""Write the sha256 of every pinned requirement's target file into the requirements files.

    python tools/hashes.py                  # every file in FILES: download, hash, rewrite
    python tools/hashes.py requirements.txt # only these
    python tools/hashes.py --missing        # list what each install set pulls in unpinned
    python tools/hashes.py --missing --python /usr/bin/python3  # ... as Debian 12's own Python sees it

The target is the box and CI: Debian 12, CPython 3.11, x86-64. For each `name==version` pin
pip downloads the file it would install there (the manylinux wheel, or the sdist where there
is none or where FILES says the file is built from source) from the index, with this
machine's pip configuration (local wheel folders, mirrors, constraints) left out, so the
hash is the index's file's, and `pip hash` hashes it. Lines keep their comments and order;
a line's old hashes are replaced. Every install of these files runs with --require-hashes,
so a file that differs from the one hashed here, a new upload under the same version or an
unpinned dependency stops the install (tests/test_supply_chain.py checks the wiring).
`--missing` resolves each file with its venv's others and names what is unpinned, and each
form with extras (fastapi[standard]) that Debian 12's pip (23.0.1) needs pinned as well.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class FileSpec:
    """How one requirements file is installed: from source or not, and beside which others."""

    sdist: bool = False  # hash the sdist (the file is built from source), not a wheel
    no_deps: bool = False  # installed with --no-deps: nothing of its own to resolve
    installed_with: tuple[str, ...] = ()  # files already in the same venv when it is installed


# Every requirements file of the repository, relative to its root.
FILES: dict[str, FileSpec] = {
    "requirements-pip.txt": FileSpec(),
    "requirements.txt": FileSpec(),
    "requirements-dev.txt": FileSpec(),
    "requirements-model.txt": FileSpec(no_deps=True),
    "requirements-build.txt": FileSpec(),
    "requirements-llama.txt": FileSpec(sdist=True, no_deps=True),
    "bench/requirements-overhead.txt": FileSpec(),
    "bench/requirements-privacy.txt": FileSpec(installed_with=("requirements-dev.txt", "requirements-model.txt")),
    "image-build/requirements.txt": FileSpec(),
    "ansible/roles/home_engine/files/vllm-requirements.txt": FileSpec(),
}

# Debian 12's glibc is 2.36: every manylinux tag up to it, the newest first as pip ranks them.
PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in range(36, 4, -1)] + [
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
]
TARGET = ["--python-version", "3.11", "--implementation", "cp"]
TARGET += [arg for platform in PLATFORMS for arg in ("--platform", platform)]

REQUIREMENT = re.compile(
    r"^(?P<req>(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[(?P<extras>[A-Za-z0-9,._ -]*)\])?==(?P<version>[^\s;#\\]+)(?:\s*;[^#\\]*?)?)"
    r"(?P<gap>\s*)(?P<hashes>(?:--hash=sha256:[0-9a-f]{64}\s*)*)(?P<comment>#.*)?$"
)
# What every venv on Python 3.11 has from ensurepip, which satisfies spaCy's and thinc's
# unversioned need for setuptools: a pin would replace it in each venv.
BUNDLED = {"setuptools"}
NO_MATCH = re.compile(r"No matching distribution found for (\S+)")


@dataclass(frozen=True)
class Pin:
    """One `name==version` line of a requirements file."""

    name: str  # canonical (PEP 503)
    version: str  # normalized (PEP 440)
    extras: frozenset[str]
    req: str  # the line's requirement as written, extras and marker included
    gap: str
    hashes: tuple[str, ...]
    comment: str

    def line(self, hashes: Sequence[str]) -> str:
        """Return the line with these hashes between the requirement and its comment."""
        text = self.req + (self.gap or " ") + " ".join(f"--hash=sha256:{h}" for h in hashes)
        return f"{text}  {self.comment}" if self.comment else text


@dataclass
class Requirements:
    """A requirements file as lines, with the pins among them parsed."""

    path: Path
    lines: list[str]
    pins: dict[int, Pin] = field(default_factory=dict)  # line index -> pin
    includes: list[Path] = field(default_factory=list)  # -r files, resolved


class UnpinnedError(ValueError):
    """A requirement line that is not `name==version`."""


def parse_line(line: str) -> Pin | None:
    """Return the pin a line holds, None for a blank, comment or option line."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#") or stripped.startswith("-"):
        return None
    match = REQUIREMENT.match(stripped)
    if match is None:
        raise UnpinnedError(line)
    hashes = tuple(h.removeprefix("--hash=sha256:") for h in match["hashes"].split())
    return Pin(
        name=canonicalize_name(match["name"]),
        version=str(Version(match["version"])),
        extras=frozenset(canonicalize_name(e) for e in (match["extras"] or "").split(",") if e.strip()),
        req=match["req"],
        gap=match["gap"] if match["comment"] or hashes else "",
        hashes=hashes,
        comment=(match["comment"] or "").strip(),
    )


def read(path: Path) -> Requirements:
    """Parse a requirements file."""
    lines = path.read_text().splitlines()
    reqs = Requirements(path=path, lines=lines)
    for index, line in enumerate(lines):
        option = line.strip().split()
        if option[:1] in (["-r"], ["--requirement"]):
            reqs.includes.append((path.parent / option[1]).resolve())
        pin = parse_line(line)
        if pin is not None:
            reqs.pins[index] = pin
    return reqs


def pins_of(paths: Iterable[Path]) -> list[Pin]:
    """Return every pin of these files and of the files they include."""
    found: list[Pin] = []
    for path in paths:
        reqs = read(path)
        found += pins_of(reqs.includes) + list(reqs.pins.values())
    return found


def pip_env() -> dict[str, str]:
    """Return the environment pip runs in: this machine's configuration and local sources left out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


def pip(*args: str, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    """Run an interpreter's pip (this one's by default)."""
    return subprocess.run([python, "-m", "pip", *args], env=pip_env(), capture_output=True, text=True, check=False)


def download(pins: Sequence[Pin], folder: Path, sdist: bool) -> list[Pin]:
    """Download each pin's target file into folder; return the pins with no such file."""
    left, absent = list(pins), []
    kind = ["--no-binary=:all:"] if sdist else ["--only-binary=:all:", *TARGET]
    while left:
        result = pip("download", "--no-deps", "--quiet", "--dest", str(folder), *kind, *(p.req.split(";")[0] for p in left))
        if result.returncode == 0:
            break
        missing = NO_MATCH.search(result.stderr)
        if missing is None:
            raise SystemExit(f"pip download failed:\n{result.stderr}")
        name = canonicalize_name(re.split(r"[\[=<>!~]", missing[1])[0])
        absent += [p for p in left if p.name == name]
        left = [p for p in left if p.name != name]
    return absent


def file_key(filename: str) -> tuple[str, str]:
    """Return the canonical name and normalized version a distribution file is of."""
    if filename.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(filename)
    else:
        name, version = parse_sdist_filename(filename)
    return str(name), str(version)


def hash_folder(folder: Path) -> dict[tuple[str, str], list[str]]:
    """Return the sha256 of every file in folder by (name, version), through `pip hash`."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    if not files:
        return {}
    result = pip("hash", "--algorithm", "sha256", *map(str, files))
    if result.returncode != 0:
        raise SystemExit(f"pip hash failed:\n{result.stderr}")
    digests = re.findall(r"^(.+):\n--hash=sha256:([0-9a-f]{64})$", result.stdout, flags=re.MULTILINE)
    hashes: dict[tuple[str, str], list[str]] = {}
    for filename, digest in digests:
        hashes.setdefault(file_key(Path(filename).name), []).append(digest)
    return hashes


def fetch_hashes(pins: Sequence[Pin], sdist: bool, work: Path) -> tuple[dict[tuple[str, str], list[str]], list[Pin]]:
    """Return the hashes of these pins' target files and the pins hashed from their sdist instead of a wheel."""
    folder = Path(tempfile.mkdtemp(dir=work))
    fallback: list[Pin] = []
    absent = download(pins, folder, sdist)
    if absent and not sdist:
        fallback = absent
        absent = download(absent, folder, sdist=True)
    if absent:
        raise SystemExit("no file for the target: " + ", ".join(p.req for p in absent))
    return hash_folder(folder), fallback


def rewrite(reqs: Requirements, hashes: dict[tuple[str, str], list[str]]) -> str:
    """Return the file's text with every pin's line carrying its hashes."""
    lines = list(reqs.lines)
    for index, pin in reqs.pins.items():
        found = hashes.get((pin.name, pin.version))
        if not found:
            raise SystemExit(f"{reqs.path}: no hash for {pin.req}")
        lines[index] = pin.line(sorted(found))
    return "\n".join(lines) + "\n"


def update(root: Path, paths: Sequence[str]) -> int:
    """Download, hash and rewrite these files."""
    with tempfile.TemporaryDirectory(prefix="hearth-hashes-") as tmp:
        work = Path(tmp)
        for name in paths:
            reqs = read(root / name)
            pins = list({(p.name, p.version): p for p in reqs.pins.values()}.values())
            hashes, fallback = fetch_hashes(pins, FILES[name].sdist, work)
            for pin in fallback:
                print(f"{name}: {pin.req} has no wheel for the target: hashed its sdist, which pip builds", file=sys.stderr)
            (root / name).write_text(rewrite(reqs, hashes))
            print(f"{name}: {len(pins)} pins hashed")
    return 0


def asked_forms(installed: list[dict[str, Any]], roots: Iterable[Pin]) -> set[tuple[str, frozenset[str]]]:
    """Return every (name, extras) a resolved set's packages and its roots ask for, as pip's resolver sees them."""
    requires = {
        str(canonicalize_name(item["metadata"]["name"])): [Requirement(line) for line in item["metadata"].get("requires_dist") or []]
        for item in installed
    }
    forms = {(pin.name, pin.extras) for pin in roots}
    # An extra can ask for another form of its own package (mistral_common[image] asks for
    # mistral_common[opencv]): follow the forms until no new one turns up.
    while True:
        extras: dict[str, set[str]] = {}
        for name, wanted in forms:
            extras.setdefault(name, set()).update(wanted)
        found = set(forms)
        for name, reqs in requires.items():
            for req in reqs:
                if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in ["", *extras.get(name, ())]):
                    found.add((str(canonicalize_name(req.name)), frozenset(str(canonicalize_name(e)) for e in req.extras)))
        if found == forms:
            return forms
        forms = found


def missing(root: Path, paths: Sequence[str], python: str) -> int:
    """Print, per file, the packages its install pulls in that no file of its venv pins."""
    status = 0
    with tempfile.TemporaryDirectory(prefix="hearth-resolve-") as tmp:
        # Markers are the interpreter's: Debian 12's Python is 3.11.2, and some packages
        # (redis: async-timeout) need more below 3.11.3 than CI's newer 3.11 shows.
        venv = Path(tmp) / "venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        for name in paths:
            spec = FILES[name]
            if spec.no_deps:
                continue
            files = [name, *spec.installed_with]
            pins = pins_of(root / f for f in files)
            forms = {(pin.name, pin.extras) for pin in pins}
            flat = Path(tmp) / "flat.txt"
            flat.write_text("".join(p.req + "\n" for p in pins_of(root / f for f in files if not FILES[f].no_deps)))
            report = Path(tmp) / "report.json"
            args = ["install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report), "-r", str(flat)]
            result = pip(*args, python=str(venv / "bin" / "python"))
            if result.returncode != 0:
                print(f"{name}: does not resolve:\n{result.stderr}", file=sys.stderr)
                status = 1
                continue
            installed = json.loads(report.read_text())["install"]
            versions = {str(canonicalize_name(item["metadata"]["name"])): str(item["metadata"]["version"]) for item in installed}
            unpinned = {key for key in versions if key not in {n for n, _ in forms} | BUNDLED}
            advice = [f"unpinned {key}=={versions[key]}" for key in sorted(unpinned)]
            # pip before 23.3 (Debian 12 has 23.0.1), in --require-hashes mode, takes each
            # form a package is asked for in (name, name[a], name[a,b]) as unpinned unless the
            # file pins that very form: pin name==v and every name[extras]==v asked for.
            resolved = pins_of(root / f for f in files if not FILES[f].no_deps)
            for key, wanted in sorted(asked_forms(installed, resolved), key=lambda form: (form[0], sorted(form[1]))):
                if key in versions and key not in unpinned | BUNDLED and (key, wanted) not in forms:
                    shown = f"[{','.join(sorted(wanted))}]" if wanted else ""
                    advice.append(f"pin this form too {key}{shown}=={versions[key]}")
            for line in sorted(advice):
                print(f"{name}: {line}")
            status |= bool(advice)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", metavar="FILE", help=f"requirements files (default: all): {', '.join(FILES)}")
    parser.add_argument("--missing", action="store_true", help="list unpinned dependencies instead of hashing")
    parser.add_argument("--python", default=sys.executable, help="with --missing: the interpreter whose markers count")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    args = parser.parse_args(argv)
    files = args.files or list(FILES)
    unknown = sorted(set(files) - set(FILES))
    if unknown:
        parser.error(f"not a requirements file of FILES: {', '.join(unknown)}")
    return missing(args.root, files, args.python) if args.missing else update(args.root, files)


if __name__ == "__main__":
    sys.exit(main())
