from __future__ import annotations
from . import models
from ..pkg.nets import (Net as N,
                        Head)
from .layers import *
import os.path as osp, sys, numpy.linalg
from sklearn.svm import SVC, LinearSVC as LSVC
from sklearn.linear_model import LogisticRegression, SGDClassifier
if True: import xgboost as xgb; from lightgbm import LGBMClassifier
try:
    import tensorflow.compat.v1 as tf
except ImportError:
    tf = None
clf = LogisticRegression(penalty='elasticnet', solver='saga')
sgd = SGDClassifier(loss="modified_huber", penalty="l1", alpha=0.0)
svc = LSVC(); m = xgb.XGBRegressor(objective='reg:squarederror', reg_alpha=0.5)
grid = {'clf__penalty': ['l1', 'l2'], 'loss': 'huber', "activation": ["relu", "tanh", "logistic"]}
from import x
import
from . import
