"""Estimators configured from literal dicts, as many tuning scripts do."""
import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier

params = {"C": 0.5, "max_iter": 200}
clf = LogisticRegression(**params)

sgd_params = dict(loss="log_loss", average=True)
sgd = SGDClassifier(**sgd_params)

X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
clf.fit(X, y)
sgd.fit(X, y)
