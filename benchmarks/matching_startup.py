"""What the matching part adds to `make run`'s start-up: loading the demo directory into an
empty database and building the matcher, with a cold and a warm embedding cache.

    .venv/bin/python benchmarks/matching_startup.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.db import init_db, make_engine
from core.settings import Settings
from language.embeddings import get_embedder
from matching import wiring


def main() -> None:
    started = time.perf_counter()
    get_embedder("usem3")
    print(f"model load: {time.perf_counter() - started:.1f} s")
    root = Path(tempfile.mkdtemp(prefix="kakehashi-startup-"))
    try:
        settings = Settings(data_dir=root / "data", load_demo_content=True, database_url=None)
        engine = make_engine(settings)
        init_db(engine)
        t0 = time.perf_counter()
        added = wiring.ensure_demo_directory(settings, engine)
        print(f"demo directory: {added} companies inserted in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        matcher = wiring.build_matcher(settings, engine)
        print(
            f"matcher, cold cache: {len(matcher.snapshot)} companies in {time.perf_counter() - t0:.1f} s"
        )
        t0 = time.perf_counter()
        matcher = wiring.build_matcher(settings, engine)
        print(f"matcher, warm cache (a restart): {time.perf_counter() - t0:.1f} s")
        size = wiring.embedding_cache_path(settings).stat().st_size / 2**20
        print(f"embedding cache on disk: {size:.1f} MB")
        engine.dispose()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
