"""trail.sklearn.autolog on real training: scikit-learn's bundled breast-cancer data."""
import pytest

from conftest import HAS_SKLEARN, PYTHON, functions, python, record, series, trail, write

pytestmark = pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn is not installed (python3-sklearn)")

AUTOLOG = """
import joblib, trail, trail.sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

trail.sklearn.autolog()
x, y = load_breast_cancer(return_X_y=True)
x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)

with trail.start_run(name="logreg") as run:
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=500))
    model.fit(x_train, y_train)
    print("VAL", model.score(x_val, y_val))
    model.score(x_train, y_train)  # the training data again: not a validation score
    # availability of optional methods is unchanged by the patching
    print("HAS", hasattr(model, "predict_proba"), hasattr(make_pipeline(StandardScaler(), SVC()), "predict_proba"))

with trail.start_run(name="search"):
    search = GridSearchCV(LogisticRegression(max_iter=500, solver="liblinear"), {"C": [0.1, 1.0], "penalty": ["l1", "l2"]}, cv=3)
    search.fit(x_train, y_train)
    search.score(x_val, y_val)
print("RUNS", run.id)
"""


def test_autolog_records_params_scores_time_model_and_functions(project):
    script = write(project, "train.py", AUTOLOG)
    out = python(script, cwd=project).stdout
    val = float(out.split("VAL ")[1].split()[0])
    assert "HAS True False" in out

    rec = record(project, "p-1")
    assert rec["status"] == "finished"
    p = rec["params"]
    assert p["logisticregression__C"] == 0.5 and p["logisticregression__max_iter"] == 500
    assert p["logisticregression__penalty"] == "l2" and p["standardscaler__with_mean"] is True
    assert p["logisticregression__class_weight"] == "None"
    assert rec["tags"]["estimator_name"] == "Pipeline"
    assert rec["tags"]["estimator_class"] == "sklearn.pipeline.Pipeline"
    m = rec["metrics"]["summary"]
    assert m["fit_time_s"]["count"] == 1 and 0 < m["fit_time_s"]["last"] < 60
    assert m["training_score"]["count"] == 1 and 0.95 < m["training_score"]["last"] <= 1.0
    assert series(project, "p-1", "validation_score") == [(0, val)]  # once: the training-data score is not one
    assert {("classification loss", "Cross entropy / negative log likelihood"), ("regularization", "L2"),
            ("optimizer", "L-BFGS")} <= functions(rec)
    [artifact] = rec["artifacts"]
    assert artifact["role"] == "model" and artifact["path"] == "models/p-1/Pipeline-1.joblib"

    # The saved model is the fitted one: it loads and scores the same.
    check = project / "check.py"
    check.write_text(f"""
import joblib
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
x, y = load_breast_cancer(return_X_y=True)
_, x_val, _, y_val = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
print(joblib.load("{artifact['path']}").score(x_val, y_val))
""")
    assert float(python(check, cwd=project).stdout) == val

    # A search: its inner fits are part of the one recorded fit.
    rec = record(project, "p-2")
    assert rec["tags"]["estimator_name"] == "GridSearchCV"
    m = rec["metrics"]["summary"]
    assert m["fit_time_s"]["count"] == 1 and m["best_cv_score"]["count"] == 1
    assert m["validation_score"]["count"] == 1
    assert rec["params"]["cv"] == 3 and rec["params"]["estimator__solver"] == "liblinear"
    assert ("optimizer", "Coordinate descent (liblinear)") in functions(rec)
    assert len(rec["artifacts"]) == 1


def test_autolog_under_trail_run(project):
    script = write(project, "fit.py", """
import trail.sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
trail.sklearn.autolog(log_models=False)
x, y = load_breast_cancer(return_X_y=True)
RandomForestClassifier(n_estimators=10, max_depth=3, random_state=0).fit(x, y)
""")
    trail("run", "--", PYTHON, script, cwd=project)
    rec = record(project, "p-1")
    assert rec["params"]["n_estimators"] == 10 and rec["params"]["max_depth"] == 3
    assert rec["metrics"]["summary"]["training_score"]["last"] > 0.9
    assert "artifacts" not in rec or not rec["artifacts"]


def test_autolog_disable(project):
    script = write(project, "off.py", """
import trail, trail.sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
trail.sklearn.autolog(disable=True)
x, y = load_breast_cancer(return_X_y=True)
LogisticRegression(max_iter=50).fit(x[:100], y[:100])
print("ACTIVE", trail.active_run())
""")
    assert "ACTIVE None" in python(script, cwd=project).stdout
