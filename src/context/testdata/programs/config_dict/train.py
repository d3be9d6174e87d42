import keras

config = {
    "optimizer": "RMSprop",
    "loss": "mean_squared_logarithmic_error",
    "activation": "LeakyReLU",
    "epochs": 10,
}
model = keras.Sequential([keras.layers.Dense(8, activation=config["activation"]), keras.layers.Dense(1)])
model.compile(optimizer=config["optimizer"], loss=config["loss"])
model.fit(epochs=config["epochs"])
