import tensorflow as tf


def build_optimizer(cfg):
    if cfg["optimizer"] == "adagrad":
        return tf.keras.optimizers.Adagrad(cfg["lr"])
    return tf.keras.optimizers.SGD(cfg["lr"], momentum=0.9, nesterov=True)
