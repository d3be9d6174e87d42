import tensorflow as tf
from tensorflow.keras import Input, Model
from tensorflow.keras.layers import Dense, Concatenate, Activation, LeakyReLU
from tensorflow.keras import regularizers
from tensorflow.keras.optimizers import Adam as MyAdam

inputs = Input(shape=(32,))
x = Dense(64, kernel_regularizer=regularizers.l2(1e-4))(inputs)
x = LeakyReLU(alpha=0.1)(x)
y = Dense(64, 'tanh', kernel_regularizer='l1')(inputs)
z = Concatenate()([x, y])
z = Dense(1)(z)
out = Activation('sigmoid')(z)
model = Model(inputs, out)
model.compile(optimizer=MyAdam(learning_rate=3e-4),
              loss=tf.keras.losses.BinaryCrossentropy(from_logits=False),
              metrics=[tf.keras.metrics.AUC(), tf.keras.metrics.mean_squared_error])
