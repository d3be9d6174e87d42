import lightgbm as lgb
import xgboost as xgb
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingClassifier

params = {"objective": "binary:logistic", "eval_metric": "logloss", "max_depth": 4}
booster = xgb.train(params, xgb.DMatrix([[0.0]], label=[0]), num_boost_round=10)
reg = lgb.LGBMRegressor(objective="regression_l1", n_estimators=50)
gbr = GradientBoostingRegressor(loss="quantile", alpha=0.9)
hgb = HistGradientBoostingClassifier()
