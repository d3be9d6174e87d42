from __future__ import print_function
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()

x = tf.placeholder(tf.float32, [None, 784])
y = tf.placeholder(tf.float32, [None, 10])
keep_prob = tf.placeholder(tf.float32)

W1 = tf.Variable(tf.truncated_normal([784, 256], stddev=0.1))
b1 = tf.Variable(tf.zeros([256]))
h1 = tf.nn.relu(tf.matmul(x, W1) + b1)
h1 = tf.nn.dropout(h1, keep_prob)
W2 = tf.Variable(tf.truncated_normal([256, 10], stddev=0.1))
logits = tf.matmul(h1, W2)

cross_entropy = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
l2 = 5e-4 * (tf.nn.l2_loss(W1) + tf.nn.l2_loss(W2))
train_op = tf.train.MomentumOptimizer(0.01, momentum=0.9).minimize(cross_entropy + l2)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
