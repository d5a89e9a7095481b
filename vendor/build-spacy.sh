#!/usr/bin/env bash
# Rebuild vendor/wheels/spacy-3.8.18-cp311-cp311-linux_x86_64.whl: spaCy's
# own source with vendor/spacy-no-profiling.patch applied (about 6 minutes on
# 2 cores). Needs Python 3.11, a C++ compiler and PyPI.
#
# Why: spaCy's setup.py compiles its Cython modules with profiling hooks on
# Pythons before 3.12. A hooked function that runs without the GIL takes the
# GIL at every call to ask whether a profiler is on, and the parser and the
# NER call such functions (StateC.B_, the NER moves' is_valid) for every
# move of every state: 41-48 of our model's 53-60 ms an article went to the
# parser and NER, and 40 % of the NER's to taking and dropping the GIL. Without the hooks the
# whole pipeline costs 22-26 ms an article, with the same annotations.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${WORK:-$(mktemp -d)}
cd "$work"
curl -sSLO https://files.pythonhosted.org/packages/01/3a/1805baf651a20b9f2dbc2e76bc9ba085028175a9d104c5e72da514e34c50/spacy-3.8.18.tar.gz
echo "cbb0a630b30b2c20f96eefc5c7c65f8b2ca264c943050043db0c9315d1cc876d  spacy-3.8.18.tar.gz" | sha256sum -c -
tar xzf spacy-3.8.18.tar.gz
patch -d spacy-3.8.18 -p1 < "$here/spacy-no-profiling.patch"
python3.11 -m venv build-env
# the versions our constraints.txt pins, so that the wheel is built against them
build-env/bin/pip install -q cython==3.1.6 setuptools==65.5.0 wheel==0.48.0 cymem==2.0.16 murmurhash==1.0.16 \
  numpy==2.4.6 preshed==3.0.15 thinc==8.3.14
(cd spacy-3.8.18 && SPACY_NUM_BUILD_JOBS=2 ../build-env/bin/pip wheel -q --no-deps --no-build-isolation -w "$here/wheels" .)
ls -l "$here/wheels"/spacy-3.8.18-*.whl
