"""`./hearth models list|fit|pull NAME|use NAME|rm NAME [QUANT]|add NAME`: the home tier's model store from the console."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from appliance import engine, hardware
from appliance.store import active, disk, fetch, integrity, progress, services
from appliance.store import fit as store_fit
from appliance.store.catalogue import CatalogueError
from gateway.services import ensure_home_provider


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "time left unknown"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s left" if minutes else f"{secs} s left"


class Command(BaseCommand):
    help = "List, fit, fetch (verified) and add the home tier's models."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="the catalogue, what is in the store, and what the engine serves")
        actions.add_parser("fit", help="what fits this box, in words")
        pull = actions.add_parser("pull", help="fetch a model's files, verified by sha256, if it fits")
        pull.add_argument("name")
        pull.add_argument("--quantization", help="which of the model's quantizations (default: the first this box's engine loads)")
        verify = actions.add_parser("verify", help="hash every stored model again, at a rate that leaves the box its disk")
        verify.add_argument("--rate", type=float, default=100.0, help="MB/s at most (default 100)")
        verify.add_argument("--repair", action="store_true", help="fetch a damaged model again from its sources")
        use = actions.add_parser("use", help="serve a pulled model (the home engine restarts on it), or --shipped to go back")
        use.add_argument("name", nargs="?", default="")
        use.add_argument("--quantization", help="which of the model's quantizations (default: the first this box's engine loads)")
        use.add_argument("--shipped", action="store_true", help="serve the model shipped with Hearth again")
        use.add_argument("--embeddings", action="store_true", help="serve it as the home embeddings model, in an engine of its own")
        use.add_argument(
            "--no-embeddings", action="store_true", help="stop the embeddings engine: the chat model makes the embeddings again"
        )
        rm = actions.add_parser("rm", help="remove a stored model version the home engine does not serve, freeing its disk")
        rm.add_argument("name")
        rm.add_argument("quantization", nargs="?", default="", help="which version (default: the only one in the store)")
        add = actions.add_parser("add", help="add a GGUF model by hand: a local file, or a file on the hub or an HTTPS folder")
        add.add_argument("name", help="the name to pull it by (lower case, digits, '.', '-')")
        add.add_argument("--file", required=True, help="a local GGUF file, or the file's name in --hf/--url")
        add.add_argument("--hf", default="", help="hub repository (owner/name)")
        add.add_argument("--url", default="", help="HTTPS folder the file is in")
        add.add_argument("--sha256", default="", help="the file's sha256 (otherwise the one the source states is used)")
        makes = add.add_mutually_exclusive_group()
        makes.add_argument(
            "--embeddings", action="store_true", default=None, help="it is an embeddings model (a local file's header says otherwise)"
        )
        makes.add_argument("--chat", action="store_false", dest="embeddings", help="it is a chat model, whatever its header says")
        for figure in ("size", "parameters", "context-length", "layers", "kv-heads", "head-dim"):
            add.add_argument(f"--{figure}", type=int, default=0, help="needed for a remote file (a local one's header says)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except (CatalogueError, fetch.FetchError) as exc:
            raise CommandError(str(exc)) from exc

    def _list(self, options: dict[str, Any]) -> None:
        models = hardware.catalogue()
        try:
            served = engine.model_path()
        except engine.EngineUnavailable as exc:
            served = ""
            self.stderr.write(f"the home engine has no model: {exc}")
        for entry in models.entries:
            for q in entry.quantizations:
                record = fetch.installed(entry, q)
                state = "in the store" if record else ("shipped with Hearth" if entry.bundled else "not fetched")
                names = {f.name for f in record.files} if record else {f.name for f in q.files}
                if served and (Path(served).name in names or (record is not None and served == record.path)):
                    state += ", served now"
                if record is not None and active.chosen_names(active.EMBEDDINGS) == (entry.name, q.name):
                    state += ", makes the home embeddings now"
                weights = store_fit.size(-(-q.weights_bytes // store_fit.MIB))
                self.stdout.write(
                    f"{entry.name:28} {q.name:10} {q.format:5} {weights:>9}  {','.join(entry.capabilities):18} {entry.licence:28} {state}"
                )

    def _fit(self, options: dict[str, Any]) -> None:
        found = hardware.survey()
        room = hardware.budget(found)
        self.stdout.write(f"This box gives a model {room.usable_mib} MiB {room.where} ({room.free_mib} MiB free now).")
        for f in store_fit.table(hardware.catalogue(), room):
            self.stdout.write(("  fits  " if f.fits else "  no    ") + f.sentence)
        best = store_fit.recommend(hardware.catalogue(), room)
        self.stdout.write(f"Recommended: {best.entry.name} {best.quantization.name}." if best else "Nothing in the catalogue fits well.")

    def _pull(self, options: dict[str, Any]) -> None:
        entry = hardware.catalogue().get(options["name"])
        room = hardware.budget(hardware.survey())
        if options["quantization"]:
            quantization = entry.quantization(options["quantization"])
        else:
            quantization = next((q for q in entry.quantizations if q.engine == room.engine), entry.quantizations[0])
        interactive = sys.stdout.isatty()

        status = progress.Writer(entry.name, quantization.name)  # what the pages show, and how they cancel it

        def shown(p: fetch.Progress) -> None:
            percent = 100 * p.done / p.total if p.total else 0.0
            line = (
                f"{p.file}: {store_fit.size(p.done // store_fit.MIB)} of {store_fit.size(p.total // store_fit.MIB)} "
                f"({percent:.0f} %), {p.rate_bps / store_fit.MIB:.1f} MiB/s, {_eta(p.eta_s)}"
            )
            self.stdout.write(("\r" + line) if interactive else line, ending="" if interactive else "\n")
            self.stdout.flush()
            status.progress(p)

        def say(message: str) -> None:
            self.stdout.write(("\n" if interactive else "") + message)
            status.say(message)

        try:
            record = fetch.pull(entry, quantization, room, say=say, on_progress=shown, cancelled=status.cancelled)
        except fetch.Cancelled as exc:
            status.end("cancelled", str(exc))
            raise
        except fetch.FetchError as exc:
            status.end("failed", str(exc))
            raise
        done = f"{entry.name} {quantization.name} is in the store and verified: {record.path}"
        status.end("done", done)
        self.stdout.write(done)

    def _verify(self, options: dict[str, Any]) -> None:
        found = integrity.verify_all(options["rate"] * 1e6, options["repair"], self.stdout.write)
        damaged = 0 if options["repair"] else len(found)  # repaired ones were fetched again
        if damaged:
            raise CommandError(
                f"{damaged} stored model{'s' if damaged > 1 else ''} damaged; `./hearth models verify --repair` fetches again"
            )

    def _use(self, options: dict[str, Any]) -> None:
        if options["shipped"] or options["no_embeddings"]:
            role = active.CHAT if options["shipped"] else active.EMBEDDINGS
            active.forget(role)
            ensure_home_provider()
            self.stdout.write(
                "the home engine serves the model shipped with Hearth again (it restarts on it)"
                if role == active.CHAT
                else "the embeddings engine stops; the chat model makes the embeddings again"
            )
            return
        if not options["name"]:
            raise CommandError("name a model in the store, or --shipped")
        entry = hardware.catalogue().get(options["name"])
        room = hardware.budget(hardware.survey())
        if options["quantization"]:
            quantization = entry.quantization(options["quantization"])
        else:
            quantization = next((q for q in entry.quantizations if q.engine == room.engine), entry.quantizations[0])
        role = active.EMBEDDINGS if options["embeddings"] else active.CHAT
        try:
            chosen = services.serve(entry, quantization, room, role)
        except fetch.FetchError as exc:
            raise CommandError(str(exc)) from exc
        what = "home engine" if role == active.CHAT else "home embeddings engine"
        self.stdout.write(
            f"the {what} serves {entry.name} {quantization.name} now, with {chosen.context:,} tokens of context "
            "(it restarts on it once the answers it is writing are finished)"
        )

    def _rm(self, options: dict[str, Any]) -> None:
        entry = hardware.catalogue().get(options["name"])
        if options["quantization"]:
            quantization = entry.quantization(options["quantization"])
        else:
            stored = [q for q in entry.quantizations if fetch.installed(entry, q) or fetch.folder_for(entry, q).exists()]
            if len(stored) != 1:
                kept = ", ".join(q.name for q in stored) or "none"
                raise CommandError(f"name the version of {entry.name} to remove (in the store: {kept})")
            quantization = stored[0]
        try:
            served = engine.model_path()
        except engine.EngineUnavailable:
            served = ""
        freed = services.remove(entry, quantization, served)
        self.stdout.write(f"removed {entry.name} {quantization.name} from the store: {disk.words(freed)} freed")

    def _add(self, options: dict[str, Any]) -> None:
        if not options["hf"] and not options["url"]:
            entry = services.add_local(options["name"], Path(options["file"]), options["embeddings"])
        else:
            remote = services.Remote(
                file=options["file"],
                size=options["size"],
                parameters=options["parameters"],
                context_length=options["context_length"],
                layers=options["layers"],
                kv_heads=options["kv_heads"],
                head_dim=options["head_dim"],
                hf=options["hf"],
                url=options["url"],
                sha256=options["sha256"],
            )
            entry = services.add_remote(options["name"], remote, bool(options["embeddings"]))
        file = entry.quantizations[0].files[0]
        self.stdout.write(
            f"added {entry.name}: {file.name}, {file.size} bytes, sha256 {file.sha256 or '(taken from the source at the pull)'}"
        )
