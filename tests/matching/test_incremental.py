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
    profile = matcher.snapshot.profiles[row]
    assert profile is not None and profile.offers.startswith("ผลิตซีลยาง")


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


def _rows(snap: Snapshot) -> dict[str, list[int]]:
    return {c: [snap.profile(r).id for r in range(*snap.blocks[c])] for c in ("JP", "TH")}


def _vec(x: float) -> np.ndarray:
    return np.full(4, x, np.float32)


def test_an_update_writes_rows_in_place_without_copying_the_vectors() -> None:
    profiles = [_p(1, "TH"), _p(2, "JP"), _p(3, "TH"), _p(4, "JP")]
    vecs = np.eye(6, 4, dtype=np.float32)[:4]
    snap = Snapshot(profiles, vecs, vecs)
    offers = snap.offers
    new = snap.updated([(_p(5, "JP"), _vec(5), _vec(0))])
    new = new.updated([(_p(6, "TH"), _vec(6), _vec(0))])
    assert new is snap and new.offers is offers  # in place: nothing was copied
    assert len(new) == 6
    assert _rows(new) == {"JP": [2, 4, 5], "TH": [1, 3, 6]}
    for pid in range(1, 7):
        assert new.profile(new.row_of[pid]).id == pid
    assert new.offers[new.row_of[5]].tolist() == [5, 5, 5, 5]
    assert new.offers[new.row_of[6]].tolist() == [6, 6, 6, 6]
    assert new.offers[new.row_of[3]].tolist() == vecs[2].tolist()


def test_a_full_block_grows_into_a_new_snapshot() -> None:
    profiles = [_p(1, "TH"), _p(2, "JP")]
    vecs = np.eye(2, 4, dtype=np.float32)
    snap = Snapshot(profiles, vecs, vecs, spare=0)
    edited = Profile(id=1, ref="R1", name="edited", country="TH", offers="x", seeks="")
    new = snap.updated([(_p(3, "JP"), _vec(3), _vec(0)), (edited, _vec(9), _vec(0))])
    assert new is not snap  # no spare row was left for the new company
    assert _rows(new) == {"JP": [2, 3], "TH": [1]}
    assert new.profile(new.row_of[1]).name == "edited"
    assert new.offers[new.row_of[1]].tolist() == [9, 9, 9, 9]
    assert new.offers[new.row_of[3]].tolist() == [3, 3, 3, 3]
    assert snap.profile(snap.row_of[1]).name == "N1"  # the full one was left as it was


def test_a_company_that_changes_country_moves_blocks() -> None:
    snap = Snapshot([_p(1, "TH"), _p(2, "JP")], np.eye(2, 4, dtype=np.float32), np.eye(2, 4))
    new = snap.updated([(_p(1, "JP"), _vec(1), _vec(0))])
    assert _rows(new) == {"JP": [1, 2], "TH": []}


def test_concepts_of_an_updated_row_are_current(embedder) -> None:
    def thai(offers: str, sector: str = "10") -> Profile:
        return Profile(id=1, ref="T", name="T", country="TH", sector=sector, offers=offers)

    m = Matcher(embedder)
    japanese = Profile(id=2, ref="J", name="J", country="JP", seeks="冷凍エビを探しています")
    m.load_profiles([thai("ผลิตข้าวหอมมะลิ"), japanese])
    shrimp = m.glossary.by_id["frozen_shrimp"].index
    query = m.snapshot.concept_vector(m.snapshot.row_of[2], "seeks")
    assert query is not None and query[shrimp] == 1.0
    block = slice(*m.snapshot.blocks["TH"])
    assert m.snapshot.concept_overlap(query, "offers", block).max() == 0.0  # postings built
    m.apply([thai("ผลิตกุ้งแช่แข็งส่งออก", sector="99")])  # a sector code never seen
    assert m.snapshot.concept_overlap(query, "offers", block).max() == 1.0
    assert m.snapshot.sector_codes[-1] == "99"
    assert m.match(2, k=1)[0].ref == "T"
