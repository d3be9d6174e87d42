from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression as LR
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import log_loss, mean_squared_error

X, y = load_breast_cancer(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0)

pipe = Pipeline([("scale", StandardScaler()), ("clf", LR(max_iter=1000))])
grid = {
    "clf__C": [0.1, 1.0, 10.0],
    "clf__penalty": ["l1", "l2"],
    "clf__solver": ["liblinear"],
}
search = GridSearchCV(pipe, grid, cv=5, scoring="neg_log_loss")
search.fit(X_tr, y_tr)
print(log_loss(y_te, search.predict_proba(X_te)), mean_squared_error(y_te, search.predict(X_te)))
