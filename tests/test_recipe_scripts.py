"""Every recipe folder has its glue script, summary step and README; the scripts parse."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import ROOT

RECIPES = sorted(path.parent for path in (ROOT / "recipes").glob("*/run.sh"))


def test_the_recipes_are_found():
    names = {recipe.name for recipe in RECIPES}
    assert {"demo", "fsdd", "fsdd_adapt", "fsdd_speaker_count", "synthetic_large"} <= names


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda recipe: recipe.name)
def test_recipe_has_a_valid_script_a_summary_and_a_readme(recipe):
    script = recipe / "run.sh"
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)
    assert os.access(script, os.X_OK)
    assert "set -euo pipefail" in script.read_text()
    assert "<<'PYEOF'" not in script.read_text()  # Python lives in the recipe's modules
    assert (recipe / "summarize.py").is_file() and (recipe / "README.md").is_file()


def test_make_demo_runs_the_demo_recipe():
    assert "bash recipes/demo/run.sh" in (ROOT / "Makefile").read_text()
