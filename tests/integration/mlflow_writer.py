"""Writes MLflow file stores (mlruns/ folders) as MLflow's FileStore lays them out, for tests.

mlflow is not installed here, so this follows its documented on-disk format: per experiment a
folder named by its id with meta.yaml; per run a folder named by its run id with meta.yaml,
params/<key> and tags/<key> holding the value as text, metrics/<key> holding one
`timestamp value step` line per point (timestamp in ms), and artifacts/. Keys with '/' are
subfolders. Deleted experiments move to .trash/; deleted runs stay, lifecycle_stage: deleted.
meta.yaml is written with yaml.safe_dump(default_flow_style=False), as MLflow writes it.
"""
import os
from pathlib import Path

import yaml

RUNNING, SCHEDULED, FINISHED, FAILED, KILLED = 1, 2, 3, 4, 5


class MlflowStore:
    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def experiment(self, exp_id, name, deleted=False):
        folder = self.root / (".trash" if deleted else "") / str(exp_id)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "artifact_location": f"file://{folder}",
            "creation_time": 1764142177000,
            "experiment_id": str(exp_id),
            "last_update_time": 1764142177000,
            "lifecycle_stage": "deleted" if deleted else "active",
            "name": name,
        }
        (folder / "meta.yaml").write_text(yaml.safe_dump(meta, default_flow_style=False))
        return folder

    def run(self, exp_folder, run_id, name, status=FINISHED, start=1764142177000, end=1764142237000,
            user="ann", deleted=False, params=None, tags=None, metrics=None, artifacts=None):
        folder = Path(exp_folder) / run_id
        for sub in ("params", "metrics", "tags", "artifacts"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        meta = {
            "artifact_uri": f"file://{folder}/artifacts",
            "end_time": end,
            "entry_point_name": "",
            "experiment_id": Path(exp_folder).name,
            "lifecycle_stage": "deleted" if deleted else "active",
            "run_id": run_id,
            "run_name": name,
            "run_uuid": run_id,
            "source_name": "",
            "source_type": 4,
            "source_version": "",
            "start_time": start,
            "status": status,
            "tags": [],
            "user_id": user,
        }
        (folder / "meta.yaml").write_text(yaml.safe_dump(meta, default_flow_style=False))
        all_tags = {"mlflow.runName": name, "mlflow.user": user}
        all_tags.update(tags or {})
        for key, value in (params or {}).items():
            self._write(folder / "params" / key, str(value))
        for key, value in all_tags.items():
            self._write(folder / "tags" / key, str(value))
        for key, points in (metrics or {}).items():
            path = folder / "metrics" / key
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a") as f:
                for timestamp, value, step in points:
                    f.write("%s %s %s\n" % (timestamp, value, step))
        for rel, content in (artifacts or {}).items():
            self._write(folder / "artifacts" / rel, content)
        return folder

    @staticmethod
    def _write(path, content):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
