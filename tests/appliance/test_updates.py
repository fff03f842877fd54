"""A/B updates: what each boot does with an update in flight, and what the owner is told."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from appliance import updates
from appliance.updates import Box, BundleInfo, Health, Pending, State


def make_box(tmp_path: Path, slot: str = "a", version: str = "1.0") -> Box:
    (tmp_path / "release").write_text(f"# made by the build\nVERSION={version}\nBUILD_DATE=2026-12-01T00:00:00Z\nPROFILE=cpu\n")
    (tmp_path / "cmdline").write_text(f"BOOT_IMAGE=/vmlinuz root=PARTLABEL=hearth-root-{slot} rauc.slot={slot} rw\n")
    (tmp_path / "system.conf").write_text("[system]\ncompatible=hearth-cpu\nbootloader=custom\n")
    db = tmp_path / "db.sqlite3"
    if not db.exists():
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT)")
            conn.execute("INSERT INTO audit (what) VALUES ('before the update')")
    return Box(
        update_dir=tmp_path / "updates",
        release_file=tmp_path / "release",
        rauc_conf=tmp_path / "system.conf",
        cmdline=tmp_path / "cmdline",
        database=db,
    )


def rows(box: Box) -> list[str]:
    assert box.database is not None
    with sqlite3.connect(box.database) as conn:
        return [r[0] for r in conn.execute("SELECT what FROM audit ORDER BY id")]


def installed(box: Box, version: str = "1.1", slot: str = "b") -> None:
    updates.save_state(box, State(slots={"a": {"version": "1.0"}}, pending=Pending(slot, version, "a", "1.0", "2026-12-01T01:00:00+00:00")))


def test_the_first_start_of_a_new_version_saves_the_database_before_its_migrations(tmp_path: Path) -> None:
    box = make_box(tmp_path, slot="b", version="1.1")
    installed(box)
    line = updates.on_boot("b", "b", box)
    state = updates.load_state(box)
    assert state.pending is not None and state.pending.started_at
    with sqlite3.connect(state.pending.snapshot) as conn:
        assert [r[0] for r in conn.execute("SELECT what FROM audit")] == ["before the update"]
    assert line.startswith("first start of 1.1 on trial: database saved")


def test_coming_back_on_the_old_slot_restores_the_database_and_records_why(tmp_path: Path) -> None:
    box = make_box(tmp_path, slot="b", version="1.1")
    installed(box)
    updates.on_boot("b", "b", box)
    assert box.database is not None
    with sqlite3.connect(box.database) as conn:
        conn.execute("INSERT INTO audit (what) VALUES ('written by the broken version')")
    updates.on_health("b", Health(ok=False, final=True, problems=("hearth-migrate.service failed",)), box)
    box = make_box(tmp_path, slot="a", version="1.0")  # GRUB booted slot a again
    line = updates.on_boot("a", "a", box)
    assert rows(box) == ["before the update"]
    newest = updates.history(box)[0]
    assert (newest["event"], newest["version"], newest["slot"]) == ("rolled-back", "1.1", "b")
    assert "hearth-migrate.service failed" in newest["detail"] and "back on 1.0" in newest["detail"]
    assert updates.load_state(box).pending is None
    assert line.startswith("rolled back to 1.0")


def test_a_new_version_that_never_finished_booting_is_rolled_back_with_that_reason(tmp_path: Path) -> None:
    box = make_box(tmp_path, slot="b", version="1.1")
    installed(box)
    updates.on_boot("b", "b", box)
    box = make_box(tmp_path, slot="a", version="1.0")
    updates.on_boot("a", "b", box)
    assert "no health verdict" in updates.history(box)[0]["detail"]


def test_a_healthy_new_version_is_marked_good_and_no_longer_in_flight(tmp_path: Path) -> None:
    box = make_box(tmp_path, slot="b", version="1.1")
    installed(box)
    updates.on_boot("b", "b", box)
    line = updates.on_health("b", Health(ok=True, final=False), box)
    assert updates.load_state(box).pending is None
    assert updates.history(box)[0]["event"] == "marked-good"
    assert line == "1.1 is healthy"


def test_a_second_boot_of_a_version_on_trial_keeps_the_first_database_copy(tmp_path: Path) -> None:
    box = make_box(tmp_path, slot="b", version="1.1")
    installed(box)
    updates.on_boot("b", "b", box)
    first = updates.load_state(box).pending
    assert box.database is not None
    with sqlite3.connect(box.database) as conn:
        conn.execute("INSERT INTO audit (what) VALUES ('migrated by 1.1')")
    updates.on_boot("b", "b", box)
    again = updates.load_state(box).pending
    assert first is not None and again is not None and again.started_at == first.started_at
    with sqlite3.connect(again.snapshot) as conn:
        assert conn.execute("SELECT count(*) FROM audit").fetchone() == (1,)


def test_status_shows_the_running_slot_the_other_slots_version_and_the_history(tmp_path: Path) -> None:
    box = make_box(tmp_path, slot="b", version="1.1")
    installed(box)
    updates.on_boot("b", "b", box)
    updates.on_health("b", Health(ok=True, final=False), box)
    st = updates.status(box)
    assert (st.slot, st.version, st.other_slot, st.other_version) == ("b", "1.1", "a", "1.0")
    assert [e["event"] for e in st.history] == ["marked-good", "first-start"]


def test_a_fresh_box_shows_its_other_slot_as_empty(tmp_path: Path) -> None:
    st = updates.status(make_box(tmp_path))
    assert (st.slot, st.version, st.other_version, st.history) == ("a", "1.0", "empty", [])


def test_a_bundle_built_for_the_gpu_box_is_refused_on_the_cpu_box(tmp_path: Path) -> None:
    with pytest.raises(updates.UpdateError, match="is for 'hearth-gpu', this box is 'hearth-cpu'"):
        updates.check_compatible(BundleInfo("hearth-gpu", "1.1", ""), make_box(tmp_path))


def test_installing_is_refused_on_a_box_without_a_b_slots(tmp_path: Path) -> None:
    box = make_box(tmp_path)
    box.cmdline.write_text("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro\n")
    with pytest.raises(updates.UpdateError, match="does not boot from A/B slots"):
        updates.install(str(tmp_path / "x.raucb"), lambda _: None, box)


def test_installing_waits_while_a_new_version_is_still_on_trial(tmp_path: Path) -> None:
    box = make_box(tmp_path, slot="b", version="1.1")
    installed(box)
    updates.on_boot("b", "b", box)
    with pytest.raises(updates.UpdateError, match="still on trial"):
        updates.install(str(tmp_path / "x.raucb"), lambda _: None, box)


def test_a_failed_unit_is_a_final_verdict() -> None:
    problems, final = updates.unit_problems([{"Id": "hearth-migrate.service", "ActiveState": "failed", "SubState": "failed"}])
    assert (problems, final) == (["hearth-migrate.service failed"], True)


def test_a_unit_still_starting_is_waited_for() -> None:
    problems, final = updates.unit_problems(
        [{"Id": "hearth-web.service", "ActiveState": "activating", "SubState": "start", "NRestarts": "0"}]
    )
    assert (problems, final) == (["hearth-web.service is activating/start"], False)


def test_a_unit_restarting_in_a_loop_is_a_final_verdict() -> None:
    states = [{"Id": "hearth-beat.service", "ActiveState": "activating", "SubState": "auto-restart", "NRestarts": "3"}]
    assert updates.unit_problems(states)[1] is True


def test_the_history_skips_a_line_cut_by_a_power_loss(tmp_path: Path) -> None:
    box = make_box(tmp_path)
    updates.record(box, "installed", "1.1", "b", "restart to finish")
    with (box.update_dir / "history.jsonl").open("a") as out:
        out.write('{"at": "2026-12-01T02:00')
    assert [e["event"] for e in updates.history(box)] == ["installed"]
