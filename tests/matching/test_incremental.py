"""Registering, editing or importing a company updates the matcher's rows, not the whole
directory (issue 12)."""

from __future__ import annotations

import time

import numpy as np
from sqlmodel import Session, select

from core.time import utcnow
from matching.csv_import import import_text
from matching.engine import Matcher
from matching.models import Company
from matching.snapshot import Profile, Snapshot

HEADER = (
    "ref,country,name,sector,offers,seeks,partnership,certifications,employees,location,"
    "languages,email,phone,required_certifications\n"
)
NEW_THAI = (
    "TH-NEW,TH,Siam Gasket (Demo),22,ผลิตซีลยางและปะเก็นสำหรับรถยนต์ มาตรฐาน IATF 16949,"
    "หาลูกค้าญี่ปุ่น,buyer,IATF 16949,90,Rayong,th,a@example.com,+6620000999,\n"
)


def test_an_imported_company_appears_without_a_full_reload(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    assert matcher.full_loads == 1 and matcher.incremental_loads == 0
    before = len(matcher.snapshot)
    result = import_text(session, HEADER + NEW_THAI)
    assert result.ok, result.errors
    session.commit()
    refs = [m.ref for m in matcher.match(directory["JP-AUTO"], k=5, session=session)]
    assert "TH-NEW" in refs
    assert matcher.full_loads == 1  # the directory was not read again
    assert matcher.incremental_loads == 1
    assert len(matcher.snapshot) == before + 1
    # Nothing changed since: the next use reads nothing.
    matcher.match(directory["JP-AUTO"], k=5, session=session)
    assert matcher.incremental_loads == 1


def test_an_edited_company_is_rescored_in_place(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    shrimp = session.get(Company, directory["TH-SHRIMP"])
    assert shrimp is not None
    first = [m.ref for m in matcher.match(directory["JP-AUTO"], k=3, session=session)]
    assert "TH-SHRIMP" not in first
    shrimp.offers = "ผลิตซีลยางและปะเก็นสำหรับรถยนต์"
    shrimp.certifications = ["IATF 16949"]
    shrimp.updated_at = utcnow()
    session.add(shrimp)
    session.commit()
    after = [m.ref for m in matcher.match(directory["JP-AUTO"], k=3, session=session)]
    assert "TH-SHRIMP" in after
    assert matcher.full_loads == 1 and matcher.incremental_loads == 1
    row = matcher.snapshot.row_of[directory["TH-SHRIMP"]]
    assert matcher.snapshot.profiles[row].offers.startswith("ผลิตซีลยาง")


def test_a_deletion_reloads_in_the_background(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    shrimp = session.get(Company, directory["TH-SHRIMP"])
    session.delete(shrimp)
    session.commit()
    matcher.ensure_fresh(session)
    for _ in range(200):  # the reload runs on its own thread
        if directory["TH-SHRIMP"] not in matcher.snapshot.row_of:
            break
        time.sleep(0.05)
    assert directory["TH-SHRIMP"] not in matcher.snapshot.row_of
    assert matcher.full_loads == 2
    assert len(matcher.snapshot) == len(session.exec(select(Company)).all())


def _p(i: int, country: str) -> Profile:
    return Profile(id=i, ref=f"R{i}", name=f"N{i}", country=country, offers=f"o{i}", seeks="")


def test_snapshot_rows_stay_aligned_when_a_row_goes_into_the_first_block() -> None:
    profiles = [_p(1, "TH"), _p(2, "JP"), _p(3, "TH"), _p(4, "JP")]
    vecs = np.eye(6, 4, dtype=np.float32)[:4]
    snap = Snapshot(profiles, vecs, vecs)
    new = snap.updated([(_p(5, "JP"), np.full(4, 5, np.float32), np.zeros(4, np.float32))])
    new = new.updated([(_p(6, "TH"), np.full(4, 6, np.float32), np.zeros(4, np.float32))])
    assert len(new) == 6 and len(snap) == 4  # the old snapshot is untouched
    for pid in range(1, 7):
        row = new.row_of[pid]
        assert new.profiles[row].id == pid
    assert new.offers[new.row_of[5]].tolist() == [5, 5, 5, 5]
    assert new.offers[new.row_of[6]].tolist() == [6, 6, 6, 6]
    assert new.offers[new.row_of[3]].tolist() == vecs[2].tolist()
    for country, (start, end) in new.blocks.items():
        assert {p.country for p in new.profiles[start:end]} == {country}
        assert end - start == 3


def test_an_edit_and_an_insertion_before_it_in_one_update() -> None:
    profiles = [_p(1, "TH"), _p(2, "JP")]
    vecs = np.eye(2, 4, dtype=np.float32)
    snap = Snapshot(profiles, vecs, vecs)
    edited = Profile(id=1, ref="R1", name="edited", country="TH", offers="x", seeks="")
    new = snap.updated(
        [
            (_p(3, "JP"), np.full(4, 3, np.float32), np.zeros(4, np.float32)),  # shifts TH
            (edited, np.full(4, 9, np.float32), np.zeros(4, np.float32)),
        ]
    )
    assert [p.id for p in new.profiles] == [2, 3, 1]  # JP block first, then TH
    assert new.blocks["JP"] == (0, 2) and new.blocks["TH"] == (2, 3)
    assert new.profiles[new.row_of[1]].name == "edited"
    assert new.offers[new.row_of[1]].tolist() == [9, 9, 9, 9]
    assert new.offers[new.row_of[3]].tolist() == [3, 3, 3, 3]
    assert snap.profiles[snap.row_of[1]].name == "N1"  # the old snapshot is untouched
