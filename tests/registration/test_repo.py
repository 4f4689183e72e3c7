"""matching.repo: the company directory's data access."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from core.db import session_scope
from matching import repo
from matching.models import Company, CompanyMember

NOW = datetime(2026, 11, 28, tzinfo=UTC)
VALUES = {
    "country": "TH",
    "name": "Repo Test Co",
    "sector": "22",
    "phone": "+66812345678",
    "languages": ["th"],
}


def test_create_assigns_our_ref_and_links_the_member(db_engine) -> None:
    with session_scope(db_engine) as session:
        company = repo.create_chat_company(session, values=VALUES, channel="line", user_id="U1", lang="th",
                                           consent_at=NOW)  # fmt: skip
        assert company.ref == f"TH-CHAT-{company.id:06d}"
    with Session(db_engine) as session:
        found = repo.get_company_for_member(session, channel="line", user_id="U1")
        assert found is not None and found.name == "Repo Test Co" and found.source == "chat"
        assert repo.get_company_by_ref(session, ref=found.ref) is not None
        assert repo.get_company_for_member(session, channel="telegram", user_id="U1") is None


def test_a_second_confirmation_updates_instead_of_duplicating(db_engine) -> None:
    for name in ("First", "Second"):
        with session_scope(db_engine) as session:
            repo.create_chat_company(session, values={**VALUES, "name": name}, channel="line", user_id="U2",
                                     lang="th", consent_at=NOW)  # fmt: skip
    with Session(db_engine) as session:
        assert [c.name for c in repo.list_companies(session)] == ["Second"]
        assert len(list(session.exec(select(CompanyMember)))) == 1


def test_update_refuses_unknown_or_protected_columns(db_engine) -> None:
    with session_scope(db_engine) as session:
        company = repo.create_chat_company(session, values=VALUES, channel="line", user_id="U3", lang="th",
                                           consent_at=NOW)  # fmt: skip
        company_id = company.id
        assert company_id is not None
        with pytest.raises(ValueError):
            repo.update_company(session, company_id=company_id, values={"ref": "HIJACK"})
        with pytest.raises(ValueError):
            repo.update_company(session, company_id=company_id, values={"password": "x"})
        with pytest.raises(LookupError):
            repo.update_company(session, company_id=99999, values={"name": "x"})
        repo.update_company_field(session, company_id=company_id, name="employees", value=12)
    with Session(db_engine) as session:
        stored = session.get(Company, company_id)
        assert stored is not None and stored.employees == 12 and stored.ref.startswith("TH-CHAT-")


def test_delete_member_data_removes_company_and_every_link(db_engine) -> None:
    with session_scope(db_engine) as session:
        company = repo.create_chat_company(session, values=VALUES, channel="line", user_id="U4", lang="th",
                                           consent_at=NOW)  # fmt: skip
        assert company.id is not None
        session.add(CompanyMember(company_id=company.id, channel="telegram", user_id="T4"))
        repo.create_chat_company(session, values={**VALUES, "name": "Keep"}, channel="line", user_id="U5",
                                 lang="th", consent_at=NOW)  # fmt: skip
    with session_scope(db_engine) as session:
        deleted = repo.delete_member_data(session, channel="line", user_id="U4")
    assert deleted.company_name == "Repo Test Co" and deleted.member_links == 2
    with Session(db_engine) as session:
        assert [c.name for c in repo.list_companies(session)] == ["Keep"]
        assert [m.user_id for m in session.exec(select(CompanyMember))] == ["U5"]
    with session_scope(db_engine) as session:
        nothing = repo.delete_member_data(session, channel="line", user_id="nobody")
    assert nothing == repo.Deleted(company_ref=None, company_name=None, member_links=0)


def test_list_companies_by_country(db_engine) -> None:
    with session_scope(db_engine) as session:
        session.add(Company(ref="A", country="JP", name="A"))
        session.add(Company(ref="B", country="TH", name="B"))
    with Session(db_engine) as session:
        assert [c.ref for c in repo.list_companies(session)] == ["A", "B"]
        assert [c.ref for c in repo.list_companies(session, country="TH")] == ["B"]


def test_erasure_also_removes_rows_of_the_matching_feature(tmp_path) -> None:
    intro_models = pytest.importorskip("matching.intro_models")
    from datetime import timedelta

    from core.db import init_db, make_engine
    from core.settings import Settings

    engine = make_engine(Settings(data_dir=tmp_path / "cascade"))
    init_db(engine)  # intro_models is imported, so its tables exist too
    with session_scope(engine) as session:
        mine = repo.create_chat_company(
            session, values=VALUES, channel="line", user_id="U", lang="th", consent_at=NOW
        )
        other = repo.create_chat_company(session, values={**VALUES, "country": "JP", "name": "Other"},
                                         channel="telegram", user_id="T", lang="ja", consent_at=NOW)  # fmt: skip
        session.add(intro_models.NotInterested(company_id=other.id, target_company_id=mine.id))
        session.add(intro_models.Introduction(
            requester_company_id=mine.id, target_company_id=other.id, requester_channel="line",
            requester_user_id="U", expires_at=NOW + timedelta(days=7)))  # fmt: skip
    with session_scope(engine) as session:
        repo.delete_member_data(session, channel="line", user_id="U")
    with Session(engine) as session:
        assert list(session.exec(select(intro_models.NotInterested))) == []
        assert list(session.exec(select(intro_models.Introduction))) == []
        assert [c.name for c in repo.list_companies(session)] == ["Other"]
    engine.dispose()
