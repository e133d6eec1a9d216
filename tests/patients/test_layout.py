"""patients/ is laid out by feature (issue "Solid ground"): no module of it over 400 lines, and
patients/models.py only gathers the features' models for Django."""

import ast
from pathlib import Path

import pytest

PATIENTS = Path(__file__).resolve().parents[2] / "patients"
LIMIT = 400
MODULES = sorted(p for p in PATIENTS.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PATIENTS.parent)))
def test_no_module_of_patients_is_over_400_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= LIMIT, f"{path.relative_to(PATIENTS.parent)} has {lines} lines; split it by what it does"


def test_the_check_sees_the_modules():
    assert len(MODULES) > 100 and PATIENTS / "booking" / "views.py" in MODULES


def test_patients_models_only_imports_the_features_models():
    tree = ast.parse((PATIENTS / "models.py").read_text())
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    assert all(isinstance(node, ast.ImportFrom) and node.module.startswith("patients.") and
               node.module.endswith(("models", "photo_models")) or
               (isinstance(node, ast.Assign) and node.targets[0].id == "__all__") for node in body)
