"""Every dependency is pinned with its hash and every install checks the hashes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools import hashes

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[^\s;=<>!~*]+(\s*;[^#]+?)?\s+--hash=sha256:[0-9a-f]{64}(\s|$)")
PIP_COMMAND = re.compile(r"""\bpip3?["']?(\s+|["'],\s*["'])(install|wheel)\b""")
# Files that name pip's commands without running them: this test and the hash tool.
NOT_COMMANDS = {"tests/test_supply_chain.py", "tools/hashes.py"}
# Requests people write to the box, for training and judging the classifiers: "pip install
# says permission denied" there is a question, not a command anything runs.
PROMPT_DATA = ("policies/classification/data/", "policies/evaldata/")


def repository_files() -> list[str]:
    """Return the repository's files, tracked or new, that git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [name for name in listed.stdout.splitlines() if (ROOT / name).is_file()]


def commands_of(name: str) -> str:
    """Return what in a file could be run: all of it, or a Markdown file's code; nothing of a binary file."""
    try:
        text = (ROOT / name).read_text()
    except UnicodeDecodeError:
        return ""
    if name.endswith(".md"):
        return "\n".join(re.findall(r"```.*?```|`[^`\n]+`", text, flags=re.DOTALL))
    return text


def commands(text: str) -> list[str]:
    """Return the shell commands in a text: continuation lines joined, split at ;, &&, || and |."""
    return [part for line in re.sub(r"\\\n", " ", text).splitlines() for part in re.split(r"&&|\|\||;|\|", line)]


def requirement_lines(name: str) -> list[str]:
    """Return the lines of a requirements file that are neither blank, comments nor -r options."""
    lines = [line.strip() for line in (ROOT / name).read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#") and not line.startswith("-r ")]


def pip_tasks() -> list[tuple[str, dict[str, Any]]]:
    """Return every Ansible task that runs pip, with the file it is in."""
    found = []
    for path in sorted((ROOT / "ansible").rglob("*.yml")):
        for task in yaml.safe_load(path.read_text()) or []:
            if isinstance(task, dict) and "ansible.builtin.pip" in task:
                found.append((str(path.relative_to(ROOT)), task["ansible.builtin.pip"]))
    return found


def test_every_requirements_file_in_the_repository_is_one_the_hash_tool_writes() -> None:
    found = {name for name in repository_files() if re.search(r"(^|/)[^/]*requirements[^/]*\.txt$", name)}
    assert found == set(hashes.FILES)


@pytest.mark.parametrize("name", sorted(hashes.FILES))
def test_every_requirement_is_pinned_with_double_equals_and_carries_a_sha256(name: str) -> None:
    lines = requirement_lines(name)
    assert lines
    assert [line for line in lines if not PIN.match(line)] == []


@pytest.mark.parametrize("name", sorted(hashes.FILES))
def test_a_package_pinned_with_an_extra_is_pinned_without_it_too(name: str) -> None:
    # Debian 12's pip (23.0.1) takes a plain requirement of it by another package as unpinned otherwise.
    pins = hashes.pins_of([ROOT / name])
    plain = {(pin.name, pin.version) for pin in pins if not pin.extras}
    assert [pin.req for pin in pins if pin.extras and (pin.name, pin.version) not in plain] == []


def test_every_pip_command_in_the_repository_requires_hashes() -> None:
    unchecked = []
    for name in repository_files():
        for command in commands(commands_of(name) if name not in NOT_COMMANDS and not name.startswith(PROMPT_DATA) else ""):
            if PIP_COMMAND.search(command) and "--require-hashes" not in command:
                unchecked.append(f"{name}: {command.strip()}")
    assert unchecked == []


def test_every_ansible_pip_task_installs_a_requirements_file_with_require_hashes() -> None:
    tasks = pip_tasks()
    assert len(tasks) >= 4  # the app, llama.cpp's wheel, the model, vLLM
    for path, task in tasks:
        assert "requirements" in task and "name" not in task, path  # a bare name cannot carry a hash
        assert "--require-hashes" in task["extra_args"].split(), path


def test_the_makefile_builds_llama_cpp_from_its_hashed_sdist_with_hashed_build_tools() -> None:
    recipe = " ".join(commands((ROOT / "Makefile").read_text()))
    assert "--no-build-isolation --require-hashes -w" in recipe
    assert "-r requirements-llama.txt" in recipe
    assert "--require-hashes -r requirements-build.txt" in recipe


def test_llama_cpp_is_the_same_version_in_the_makefile_the_role_and_the_hashed_sdist_pin() -> None:
    makefile = re.search(r"^LLAMA_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    role = yaml.safe_load((ROOT / "ansible/roles/home_engine/defaults/main.yml").read_text())
    pin = requirement_lines("requirements-llama.txt")
    assert makefile is not None
    assert [line.split()[0] for line in pin] == [f"llama-cpp-python=={makefile[1]}"]
    assert str(role["home_engine_llama_version"]) == makefile[1]


def test_the_tool_puts_the_hash_between_the_pin_and_its_comment(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("# heading\n-r other.txt\n\nDjango==5.2.19             # the web admin\nsix==1.17.0\n")
    reqs = hashes.read(path)
    text = hashes.rewrite(reqs, {("django", "5.2.19"): ["a" * 64], ("six", "1.17.0"): ["b" * 64, "c" * 64]})
    assert text.splitlines() == [
        "# heading",
        "-r other.txt",
        "",
        f"Django==5.2.19             --hash=sha256:{'a' * 64}  # the web admin",
        f"six==1.17.0 --hash=sha256:{'b' * 64} --hash=sha256:{'c' * 64}",
    ]


def test_the_tool_replaces_old_hashes_when_run_again(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(f"six==1.17.0 --hash=sha256:{'b' * 64}  # why\n")
    text = hashes.rewrite(hashes.read(path), {("six", "1.17.0"): ["d" * 64]})
    assert text == f"six==1.17.0 --hash=sha256:{'d' * 64}  # why\n"


def test_the_tool_refuses_a_requirement_that_is_not_pinned(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("six>=1.16\n")
    with pytest.raises(hashes.UnpinnedError):
        hashes.read(path)
