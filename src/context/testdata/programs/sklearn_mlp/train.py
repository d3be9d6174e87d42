from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.svm import LinearSVC
from sklearn.linear_model import Ridge, Lasso, ElasticNet, LinearRegression, HuberRegressor
from sklearn.datasets import make_classification, make_regression

Xc, yc = make_classification(n_samples=200, random_state=0)
Xr, yr = make_regression(n_samples=200, random_state=0)

mlp = MLPClassifier(hidden_layer_sizes=(64, 32), activation='tanh', solver='sgd', alpha=0.0, max_iter=300)
mlp.fit(Xc, yc)
mlp_r = MLPRegressor(hidden_layer_sizes=(32,))
mlp_r.fit(Xr, yr)
svc = LinearSVC(C=0.5).fit(Xc, yc)

for model in (Ridge(alpha=1.0), Lasso(alpha=0.1), ElasticNet(), LinearRegression(), HuberRegressor()):
    model.fit(Xr, yr)
