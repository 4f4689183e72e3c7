"""The floors of DESIGN.md hold, are checked by import-linter, and that check can fail.

Also the size limits the layering issue set: no file over 500 lines (migrations and
message catalogues aside) and no function over 60 lines.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "core",
    "language",
    "channels",
    "knowledge",
    "matching",
    "registration",
    "handoff",
    "bot",
    "inbox",
    "console",
    "assembly",
)
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_tree(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "data", "starter", "messages", "migrations")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, dest / package, ignore=ignore)
    shutil.copy(ROOT / ".importlinter", dest / ".importlinter")


def test_the_project_keeps_every_contract() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # a feature reaching into another feature
        ("registration/steps.py", "from matching import repo", "never import each other"),
        # the kernel reaching up to a feature
        ("core/turn.py", "import knowledge.service", "floors below"),
        # the dialogue manager importing a feature instead of receiving its skill
        (
            "bot/dialogue.py",
            "from registration.skill import RegistrationSkill",
            "imports no feature",
        ),
        # the language layer importing a platform SDK
        ("language/detect.py", "import telegram", "no web framework or platform SDK"),
    ],
)
def test_a_forbidden_import_fails_the_check(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    _copy_tree(tmp_path)
    path = tmp_path / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(contract in row for row in broken), result.stdout


def _project_files() -> list[Path]:
    files = [ROOT / "server.py", ROOT / "cli.py"]
    for folder in (*PACKAGES, "tests", "benchmarks", "web"):
        files += sorted((ROOT / folder).rglob("*.py"))
    return [f for f in files if "migrations" not in f.parts]


def test_no_package_imports_the_top_modules() -> None:
    offenders = []
    for path in _project_files():
        if path.parent == ROOT or "tests" in path.parts or "benchmarks" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [
                f"{path.relative_to(ROOT)} imports {n}" for n in names if n in {"server", "cli"}
            ]
    assert offenders == []


def test_no_file_over_500_lines_and_no_function_over_60() -> None:
    too_long = []
    for path in _project_files():
        source = path.read_text(encoding="utf-8")
        lines = source.count("\n")
        if lines > 500:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length}")
    assert too_long == []
