from tests.server_process import serve  # noqa: F401  (fixture)
