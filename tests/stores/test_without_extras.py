"""Without the elasticsearch extra: the embedded default still works, and asking for the
Elasticsearch store says which extra to install instead of a bare ModuleNotFoundError.

Each case runs in a fresh interpreter whose import system refuses ``elasticsearch`` (a meta-path
finder that raises ModuleNotFoundError, exactly what Python does when the package is not
installed). That stands in for an environment without the package; it is not a mock of our own
I/O: every line of hirewatch runs for real, as it would after ``pip install hirewatch``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

BLOCK = textwrap.dedent("""
    import sys

    class NotInstalled:
        def find_spec(self, name, path=None, target=None):
            if name == "elasticsearch" or name.startswith("elasticsearch."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())
""")


def _run(code: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    environment = {k: v for k, v in os.environ.items() if not k.startswith("HIREWATCH_")}
    environment.update({"HIREWATCH_HOME": str(tmp_path / "home"), **(env or {})})
    return subprocess.run([sys.executable, "-c", BLOCK + textwrap.dedent(code), *args], capture_output=True,
                          text=True, timeout=120, env=environment, cwd=tmp_path)


def test_open_store_names_the_extra(tmp_path: Path) -> None:
    result = _run("""
        import json
        from hirewatch.errors import MissingExtra
        from hirewatch.settings import StoreSettings
        from hirewatch.stores.registry import open_store

        with open_store() as store:  # the embedded default needs no extra
            count = store.count()
        try:
            open_store(StoreSettings(kind="elasticsearch", es_url="http://127.0.0.1:9"))
        except MissingExtra as exc:
            print(json.dumps({"count": count, "error": str(exc), "extra": exc.extra}))
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["count"] == 0 and out["extra"] == "elasticsearch"
    assert "install hirewatch[elasticsearch]" in out["error"]
    assert "the Elasticsearch store needs the elasticsearch extra" in out["error"]


def test_the_cli_says_which_extra_to_install(tmp_path: Path) -> None:
    result = _run("""
        import sys
        from hirewatch.cli import main

        sys.argv = ["hirewatch", *sys.argv[1:]]
        main()
    """, tmp_path, "search", "acme", env={"HIREWATCH_ES_URL": "http://127.0.0.1:9"})
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "install hirewatch[elasticsearch]" in result.stderr
    assert "Traceback" not in result.stderr
