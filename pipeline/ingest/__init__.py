"""Ingestion: news sources in, one JSON envelope per story on the raw topic.

Owns: fetching over HTTP with limits (`fetch`), reading feeds, ninjs,
NewsML-G2, article pages and plain files into stories (`documents`, `html`),
the sources a command line names (`sources`), what was already sent
(`state`), the polling loop (`runner`) and the `ingest` command (`cli`;
`python -m pipeline.ingest` runs it on its own).
May import: the standard library, feedparser, trafilatura, lxml, defusedxml,
`pipeline.news.articles` (the envelope's rules), `pipeline.kafka` (`runner`
only, to produce) and `pipeline.flags`. Never Beam, spaCy or `pipeline.dev`;
`cli` imports the heavy parts only when the command runs.
"""
