import numpy as np
from sklearn import linear_model
from sklearn.linear_model import SGDRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(500, 10))
y_cls = (X[:, 0] > 0).astype(int)
y_reg = X @ rng.normal(size=10)

clf = linear_model.SGDClassifier(loss="modified_huber", penalty="elasticnet", l1_ratio=0.15)
clf.fit(X, y_cls)
svm = linear_model.SGDClassifier()  # hinge loss and an L2 penalty by default
svm.fit(X, y_cls)
reg = SGDRegressor(loss='huber', epsilon=0.1, alpha=1e-4)
reg.fit(X, y_reg)
