"""Where libyaml is missing, the pure-Python parser gives the same data and the same problems."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import DataRepo

SCRIPT = """
import json, sys
sys.modules["yaml._yaml"] = None  # as on a machine where PyYAML was built without libyaml
from pathlib import Path
import crmdata.records.yamlread as reader
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
assert not reader.HAVE_LIBYAML, "libyaml was not hidden"
outcome = validate(Path(sys.argv[1]), LoadOptions(use_cache=False, jobs=1))
print(json.dumps([[p.file, p.line, p.column, p.field, p.message] for p in outcome.problems], ensure_ascii=False))
"""


def _problems(root: Path, hide_libyaml: bool) -> list[list[object]]:
    script = (
        SCRIPT
        if hide_libyaml
        else SCRIPT.replace('sys.modules["yaml._yaml"] = None', "").replace(
            'assert not reader.HAVE_LIBYAML, "libyaml was not hidden"', "assert reader.HAVE_LIBYAML"
        )
    )
    result = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, check=True)
    return list(json.loads(result.stdout))


def test_pure_python_parser_reports_the_same(repo: DataRepo) -> None:
    repo.put(
        """\
        id: KH-2024002
        name: 王芳
        name: 王芳芳
        type: individual
        tier: regular
        stage: active
        owner: ming
        since: 2024-02-30
        notes: no
        contacts:
          - {name: 张三, phone: 13800138000, primary: yes}
        tags: [a, &x b, *x]
        """,
    )
    repo.put("id: KH-2024003\n" + "x: " + "[" * 500 + "]" * 500 + "\n")
    with_libyaml = _problems(repo.root, hide_libyaml=False)
    without = _problems(repo.root, hide_libyaml=True)
    assert len(with_libyaml) >= 7
    assert without == with_libyaml
