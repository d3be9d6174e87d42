"""The same choice of optimizer and activation, as four search libraries spell it."""
import keras_tuner
import optuna
from tensorboard.plugins.hparams import api as hp_api
from tensorflow import keras

HP_OPTIMIZER = hp_api.HParam("optimizer", hp_api.Discrete(["adam", "sgd"]))
HP_UNITS = hp_api.HParam("num_units", hp_api.Discrete([16, 32]))


def build_model(hp):
    model = keras.Sequential()
    model.add(keras.layers.Dense(hp.Choice("units", [32, 64]), activation=hp.Choice("act", ["relu", "tanh"])))
    model.compile(optimizer=hp.Choice("opt", ["adam", "rmsprop"]), loss="mse")
    return model


def objective(trial):
    optimizer = trial.suggest_categorical("optimizer", ["adam", "adagrad"])
    colour = trial.suggest_categorical("colour", ["relu", "sgd"])  # options of something else
    return 0.0


tuner = keras_tuner.RandomSearch(build_model, objective="val_loss", max_trials=2)
study = optuna.create_study()
study.optimize(objective, n_trials=2)
