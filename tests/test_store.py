"""The process-wide store: one connection, reopened when closed or when the path changes."""

from data_sources.store import get_store, reset_store


def test_get_store_reopens_after_reset_and_follows_path(tmp_path):
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    try:
        s1 = get_store(a)
        assert get_store(a) is s1  # one connection per process
        reset_store()
        assert s1.closed
        s2 = get_store(a)
        assert s2 is not s1 and not s2.closed
        assert s2.scalar("SELECT count(*) FROM sources") == 0
        s2.close()  # closed behind get_store's back (e.g. a test or a page)
        s3 = get_store(a)
        assert not s3.closed and s3.scalar("SELECT 1") == 1
        s4 = get_store(b)
        assert s3.closed and s4.path == b
    finally:
        reset_store()
