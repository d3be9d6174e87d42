// The alias table of Table 1 detection. To teach trail a new spelling, add a
// row: a symbol to kSymbols, a string value to kStrings, a keyword to
// kKeywords, an argument with a meaning to kCalls. Canonical names are the
// paper's where it has one; docs/functions.md lists them.
#include "context/function_table.h"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace trail::context {
namespace {

// Short names for the categories, to keep the rows on one line.
constexpr std::string_view R = kRegressionLoss;
constexpr std::string_view C = kClassificationLoss;
constexpr std::string_view N = kNetworkLoss;
constexpr std::string_view O = kOptimizer;
constexpr std::string_view A = kActivation;
constexpr std::string_view G = kRegularization;

// Canonical names. The paper's Table 1 first.
constexpr std::string_view kL1 = "L1 (mean absolute error)";
constexpr std::string_view kL2 = "L2 (mean squared error)";
constexpr std::string_view kHuber = "Huber";
constexpr std::string_view kCrossEntropy = "Cross entropy / negative log likelihood";
constexpr std::string_view kHinge = "Hinge / multi-class SVM";
constexpr std::string_view kSquaredHinge = "Squared hinge";
constexpr std::string_view kMle = "MLE (maximum likelihood estimation)";
constexpr std::string_view kSgd = "Stochastic gradient descent";
constexpr std::string_view kAdagrad = "Adagrad";
constexpr std::string_view kRmsProp = "RMSProp";
constexpr std::string_view kAdam = "Adam";
constexpr std::string_view kSigmoid = "Sigmoid (logistic)";
constexpr std::string_view kSoftmax = "Softmax";
constexpr std::string_view kSoftplus = "Softplus";
constexpr std::string_view kTanh = "Tanh";
constexpr std::string_view kElu = "ELU";
constexpr std::string_view kRelu = "ReLU";
constexpr std::string_view kLeakyRelu = "Leaky ReLU";
// Losses the paper does not list.
constexpr std::string_view kMape = "Mean absolute percentage error";
constexpr std::string_view kMsle = "Mean squared logarithmic error";
constexpr std::string_view kLogCosh = "Log-cosh";
constexpr std::string_view kPoisson = "Poisson";
constexpr std::string_view kGamma = "Gamma";
constexpr std::string_view kTweedie = "Tweedie";
constexpr std::string_view kQuantile = "Quantile (pinball)";
constexpr std::string_view kEpsilonInsensitive = "Epsilon-insensitive";
constexpr std::string_view kSquaredEpsilonInsensitive = "Squared epsilon-insensitive";
constexpr std::string_view kFocal = "Focal";
constexpr std::string_view kModifiedHuber = "Modified Huber";
constexpr std::string_view kPerceptron = "Perceptron";
constexpr std::string_view kExponentialLoss = "Exponential";
constexpr std::string_view kKl = "KL divergence";
constexpr std::string_view kCosine = "Cosine similarity";
constexpr std::string_view kCtc = "CTC (connectionist temporal classification)";
constexpr std::string_view kTriplet = "Triplet margin";
constexpr std::string_view kRanking = "Margin ranking";
// Optimizers.
constexpr std::string_view kAdamW = "AdamW";
constexpr std::string_view kNadam = "Nadam";
constexpr std::string_view kRadam = "RAdam";
constexpr std::string_view kAdadelta = "Adadelta";
constexpr std::string_view kAdamax = "Adamax";
constexpr std::string_view kFtrl = "FTRL";
constexpr std::string_view kLion = "Lion";
constexpr std::string_view kAdafactor = "Adafactor";
constexpr std::string_view kLamb = "LAMB";
constexpr std::string_view kLbfgs = "L-BFGS";
constexpr std::string_view kRprop = "Rprop";
constexpr std::string_view kAsgd = "Averaged SGD";
constexpr std::string_view kSag = "Stochastic average gradient (SAG)";
constexpr std::string_view kSaga = "SAGA";
constexpr std::string_view kLiblinear = "Coordinate descent (liblinear)";
constexpr std::string_view kNewtonCg = "Newton-CG";
constexpr std::string_view kNewtonCholesky = "Newton-Cholesky";
// Activations.
constexpr std::string_view kGelu = "GELU";
constexpr std::string_view kSelu = "SELU";
constexpr std::string_view kCelu = "CELU";
constexpr std::string_view kSilu = "Swish / SiLU";
constexpr std::string_view kMish = "Mish";
constexpr std::string_view kRelu6 = "ReLU6";
constexpr std::string_view kPrelu = "PReLU";
constexpr std::string_view kRrelu = "RReLU";
constexpr std::string_view kThresholdedRelu = "Thresholded ReLU";
constexpr std::string_view kHardSigmoid = "Hard sigmoid";
constexpr std::string_view kHardTanh = "Hard tanh";
constexpr std::string_view kHardSwish = "Hard swish";
constexpr std::string_view kSoftsign = "Softsign";
constexpr std::string_view kExponential = "Exponential";
constexpr std::string_view kGlu = "GLU";
// Regularization.
constexpr std::string_view kRegL1 = "L1";
constexpr std::string_view kRegL2 = "L2";
constexpr std::string_view kRegL1L2 = "L1+L2 (elastic net)";
constexpr std::string_view kDropout = "Dropout";

// Which frameworks a resolved name's first component belongs to.
// tensorflow holds both tf.keras and TF's own (tf.nn, tf.train, tf.losses).
struct RootRow {
  std::string_view root, family;
};
constexpr RootRow kRoots[] = {
    {"tensorflow", "keras"}, {"tensorflow", "tf"},   {"keras", "keras"}, {"tf_keras", "keras"},
    {"torch", "torch"},      {"sklearn", "sklearn"}, {"jax", "jax"},     {"flax", "jax"},
    {"optax", "optax"},      {"transformers", "hf"}, {"apex", "apex"},   {"bitsandbytes", "bnb"},
};

// family, module (a component between root and symbol: "" = none, "*" =
// any, "a|b" = either), symbol, category, name.
struct SymbolRow {
  std::string_view family, module, symbol, category, name;
};
constexpr SymbolRow kSymbols[] = {
    // Keras / tf.keras losses: classes and their function aliases.
    {"keras", "losses", "MeanSquaredError", R, kL2},
    {"keras", "losses", "mean_squared_error", R, kL2},
    {"keras", "losses", "mse", R, kL2},
    {"keras", "losses", "MSE", R, kL2},
    {"keras", "losses", "MeanAbsoluteError", R, kL1},
    {"keras", "losses", "mean_absolute_error", R, kL1},
    {"keras", "losses", "mae", R, kL1},
    {"keras", "losses", "MAE", R, kL1},
    {"keras", "losses", "MeanAbsolutePercentageError", R, kMape},
    {"keras", "losses", "mean_absolute_percentage_error", R, kMape},
    {"keras", "losses", "mape", R, kMape},
    {"keras", "losses", "MeanSquaredLogarithmicError", R, kMsle},
    {"keras", "losses", "mean_squared_logarithmic_error", R, kMsle},
    {"keras", "losses", "msle", R, kMsle},
    {"keras", "losses", "Huber", R, kHuber},
    {"keras", "losses", "huber", R, kHuber},
    {"keras", "losses", "huber_loss", R, kHuber},
    {"keras", "losses", "LogCosh", R, kLogCosh},
    {"keras", "losses", "log_cosh", R, kLogCosh},
    {"keras", "losses", "logcosh", R, kLogCosh},
    {"keras", "losses", "Poisson", R, kPoisson},
    {"keras", "losses", "poisson", R, kPoisson},
    {"keras", "losses", "BinaryCrossentropy", C, kCrossEntropy},
    {"keras", "losses", "binary_crossentropy", C, kCrossEntropy},
    {"keras", "losses", "CategoricalCrossentropy", C, kCrossEntropy},
    {"keras", "losses", "categorical_crossentropy", C, kCrossEntropy},
    {"keras", "losses", "SparseCategoricalCrossentropy", C, kCrossEntropy},
    {"keras", "losses", "sparse_categorical_crossentropy", C, kCrossEntropy},
    {"keras", "losses", "BinaryFocalCrossentropy", C, kFocal},
    {"keras", "losses", "binary_focal_crossentropy", C, kFocal},
    {"keras", "losses", "CategoricalFocalCrossentropy", C, kFocal},
    {"keras", "losses", "categorical_focal_crossentropy", C, kFocal},
    {"keras", "losses", "Hinge", C, kHinge},
    {"keras", "losses", "hinge", C, kHinge},
    {"keras", "losses", "CategoricalHinge", C, kHinge},
    {"keras", "losses", "categorical_hinge", C, kHinge},
    {"keras", "losses", "SquaredHinge", C, kSquaredHinge},
    {"keras", "losses", "squared_hinge", C, kSquaredHinge},
    {"keras", "losses", "KLDivergence", N, kKl},
    {"keras", "losses", "kl_divergence", N, kKl},
    {"keras", "losses", "kld", N, kKl},
    {"keras", "losses", "KLD", N, kKl},
    {"keras", "losses", "kullback_leibler_divergence", N, kKl},
    {"keras", "losses", "CosineSimilarity", N, kCosine},
    {"keras", "losses", "cosine_similarity", N, kCosine},
    {"keras", "losses", "CTC", N, kCtc},
    {"keras", "losses", "ctc", N, kCtc},
    // TF1 losses (tf.losses, tf.compat.v1.losses).
    {"tf", "losses", "absolute_difference", R, kL1},
    {"tf", "losses", "log_loss", C, kCrossEntropy},
    {"tf", "losses", "softmax_cross_entropy", C, kCrossEntropy},
    {"tf", "losses", "sparse_softmax_cross_entropy", C, kCrossEntropy},
    {"tf", "losses", "sigmoid_cross_entropy", C, kCrossEntropy},
    {"tf", "losses", "hinge_loss", C, kHinge},
    {"tf", "losses", "cosine_distance", N, kCosine},
    // tf.nn: losses, activations, dropout; l2_loss is mostly a weight penalty.
    {"tf", "nn", "softmax_cross_entropy_with_logits", C, kCrossEntropy},
    {"tf", "nn", "softmax_cross_entropy_with_logits_v2", C, kCrossEntropy},
    {"tf", "nn", "sparse_softmax_cross_entropy_with_logits", C, kCrossEntropy},
    {"tf", "nn", "sigmoid_cross_entropy_with_logits", C, kCrossEntropy},
    {"tf", "nn", "weighted_cross_entropy_with_logits", C, kCrossEntropy},
    {"tf", "nn", "log_poisson_loss", R, kPoisson},
    {"tf", "nn", "l2_loss", G, kRegL2},
    {"tf", "nn", "dropout", G, kDropout},
    {"tf", "nn", "relu", A, kRelu},
    {"tf", "nn", "relu6", A, kRelu6},
    {"tf", "nn", "leaky_relu", A, kLeakyRelu},
    {"tf", "nn", "elu", A, kElu},
    {"tf", "nn", "selu", A, kSelu},
    {"tf", "nn", "gelu", A, kGelu},
    {"tf", "nn", "silu", A, kSilu},
    {"tf", "nn", "swish", A, kSilu},
    {"tf", "nn|math|", "sigmoid", A, kSigmoid},
    {"tf", "nn|math|", "tanh", A, kTanh},
    {"tf", "nn|math", "softplus", A, kSoftplus},
    {"tf", "nn|math", "softsign", A, kSoftsign},
    {"tf", "nn", "softmax", A, kSoftmax},
    {"tf", "nn", "log_softmax", A, kSoftmax},
    // Keras optimizers (lowercase aliases are Keras 2's).
    {"keras", "optimizers", "SGD", O, kSgd},
    {"keras", "optimizers", "sgd", O, kSgd},
    {"keras", "optimizers", "Adam", O, kAdam},
    {"keras", "optimizers", "adam", O, kAdam},
    {"keras", "optimizers", "AdamW", O, kAdamW},
    {"keras", "optimizers", "RMSprop", O, kRmsProp},
    {"keras", "optimizers", "rmsprop", O, kRmsProp},
    {"keras", "optimizers", "Adagrad", O, kAdagrad},
    {"keras", "optimizers", "adagrad", O, kAdagrad},
    {"keras", "optimizers", "Adadelta", O, kAdadelta},
    {"keras", "optimizers", "adadelta", O, kAdadelta},
    {"keras", "optimizers", "Adamax", O, kAdamax},
    {"keras", "optimizers", "adamax", O, kAdamax},
    {"keras", "optimizers", "Nadam", O, kNadam},
    {"keras", "optimizers", "nadam", O, kNadam},
    {"keras", "optimizers", "Ftrl", O, kFtrl},
    {"keras", "optimizers", "Lion", O, kLion},
    {"keras", "optimizers", "Adafactor", O, kAdafactor},
    {"keras", "optimizers", "Lamb", O, kLamb},
    // TF1 optimizers (tf.train, tf.compat.v1.train).
    {"tf", "train", "GradientDescentOptimizer", O, kSgd},
    {"tf", "train", "MomentumOptimizer", O, kSgd},
    {"tf", "train", "ProximalGradientDescentOptimizer", O, kSgd},
    {"tf", "train", "AdamOptimizer", O, kAdam},
    {"tf", "train", "AdagradOptimizer", O, kAdagrad},
    {"tf", "train", "AdagradDAOptimizer", O, kAdagrad},
    {"tf", "train", "ProximalAdagradOptimizer", O, kAdagrad},
    {"tf", "train", "AdadeltaOptimizer", O, kAdadelta},
    {"tf", "train", "RMSPropOptimizer", O, kRmsProp},
    {"tf", "train", "FtrlOptimizer", O, kFtrl},
    // Keras activations: functions and layers.
    {"keras", "activations", "relu", A, kRelu},
    {"keras", "activations", "relu6", A, kRelu6},
    {"keras", "activations", "leaky_relu", A, kLeakyRelu},
    {"keras", "activations", "elu", A, kElu},
    {"keras", "activations", "selu", A, kSelu},
    {"keras", "activations", "gelu", A, kGelu},
    {"keras", "activations", "silu", A, kSilu},
    {"keras", "activations", "swish", A, kSilu},
    {"keras", "activations", "mish", A, kMish},
    {"keras", "activations", "sigmoid", A, kSigmoid},
    {"keras", "activations", "hard_sigmoid", A, kHardSigmoid},
    {"keras", "activations", "hard_silu", A, kHardSwish},
    {"keras", "activations", "hard_swish", A, kHardSwish},
    {"keras", "activations", "tanh", A, kTanh},
    {"keras", "activations", "softplus", A, kSoftplus},
    {"keras", "activations", "softsign", A, kSoftsign},
    {"keras", "activations", "softmax", A, kSoftmax},
    {"keras", "activations", "log_softmax", A, kSoftmax},
    {"keras", "activations", "exponential", A, kExponential},
    {"keras", "layers", "ReLU", A, kRelu},
    {"keras", "layers", "LeakyReLU", A, kLeakyRelu},
    {"keras", "layers", "PReLU", A, kPrelu},
    {"keras", "layers", "ELU", A, kElu},
    {"keras", "layers", "Softmax", A, kSoftmax},
    {"keras", "layers", "ThresholdedReLU", A, kThresholdedRelu},
    // Keras regularization.
    {"keras", "regularizers", "l1", G, kRegL1},
    {"keras", "regularizers", "L1", G, kRegL1},
    {"keras", "regularizers", "l2", G, kRegL2},
    {"keras", "regularizers", "L2", G, kRegL2},
    {"keras", "regularizers", "l1_l2", G, kRegL1L2},
    {"keras", "regularizers", "L1L2", G, kRegL1L2},
    {"keras", "layers", "Dropout", G, kDropout},
    {"keras", "layers", "SpatialDropout1D", G, kDropout},
    {"keras", "layers", "SpatialDropout2D", G, kDropout},
    {"keras", "layers", "SpatialDropout3D", G, kDropout},
    {"keras", "layers", "AlphaDropout", G, kDropout},
    {"keras", "layers", "GaussianDropout", G, kDropout},

    // PyTorch loss modules (torch.nn) and functions (torch.nn.functional).
    {"torch", "nn", "L1Loss", R, kL1},
    {"torch", "nn", "MSELoss", R, kL2},
    {"torch", "nn", "HuberLoss", R, kHuber},
    {"torch", "nn", "SmoothL1Loss", R, kHuber},
    {"torch", "nn", "PoissonNLLLoss", R, kPoisson},
    {"torch", "nn", "CrossEntropyLoss", C, kCrossEntropy},
    {"torch", "nn", "NLLLoss", C, kCrossEntropy},
    {"torch", "nn", "BCELoss", C, kCrossEntropy},
    {"torch", "nn", "BCEWithLogitsLoss", C, kCrossEntropy},
    {"torch", "nn", "SoftMarginLoss", C, kCrossEntropy},
    {"torch", "nn", "MultiLabelSoftMarginLoss", C, kCrossEntropy},
    {"torch", "nn", "MultiMarginLoss", C, kHinge},
    {"torch", "nn", "MultiLabelMarginLoss", C, kHinge},
    {"torch", "nn", "HingeEmbeddingLoss", C, kHinge},
    {"torch", "nn", "GaussianNLLLoss", N, kMle},
    {"torch", "nn", "KLDivLoss", N, kKl},
    {"torch", "nn", "CosineEmbeddingLoss", N, kCosine},
    {"torch", "nn", "MarginRankingLoss", N, kRanking},
    {"torch", "nn", "TripletMarginLoss", N, kTriplet},
    {"torch", "nn", "TripletMarginWithDistanceLoss", N, kTriplet},
    {"torch", "nn", "CTCLoss", N, kCtc},
    {"torch", "functional", "l1_loss", R, kL1},
    {"torch", "functional", "mse_loss", R, kL2},
    {"torch", "functional", "huber_loss", R, kHuber},
    {"torch", "functional", "smooth_l1_loss", R, kHuber},
    {"torch", "functional", "poisson_nll_loss", R, kPoisson},
    {"torch", "functional", "cross_entropy", C, kCrossEntropy},
    {"torch", "functional", "nll_loss", C, kCrossEntropy},
    {"torch", "functional", "binary_cross_entropy", C, kCrossEntropy},
    {"torch", "functional", "binary_cross_entropy_with_logits", C, kCrossEntropy},
    {"torch", "functional", "soft_margin_loss", C, kCrossEntropy},
    {"torch", "functional", "multilabel_soft_margin_loss", C, kCrossEntropy},
    {"torch", "functional", "multi_margin_loss", C, kHinge},
    {"torch", "functional", "multilabel_margin_loss", C, kHinge},
    {"torch", "functional", "hinge_embedding_loss", C, kHinge},
    {"torch", "functional", "gaussian_nll_loss", N, kMle},
    {"torch", "functional", "kl_div", N, kKl},
    {"torch", "functional", "cosine_embedding_loss", N, kCosine},
    {"torch", "functional", "margin_ranking_loss", N, kRanking},
    {"torch", "functional", "triplet_margin_loss", N, kTriplet},
    {"torch", "functional", "triplet_margin_with_distance_loss", N, kTriplet},
    {"torch", "functional", "ctc_loss", N, kCtc},
    // PyTorch optimizers.
    {"torch", "optim", "SGD", O, kSgd},
    {"torch", "optim", "ASGD", O, kAsgd},
    {"torch", "optim", "Adam", O, kAdam},
    {"torch", "optim", "SparseAdam", O, kAdam},
    {"torch", "optim", "AdamW", O, kAdamW},
    {"torch", "optim", "NAdam", O, kNadam},
    {"torch", "optim", "RAdam", O, kRadam},
    {"torch", "optim", "Adamax", O, kAdamax},
    {"torch", "optim", "Adadelta", O, kAdadelta},
    {"torch", "optim", "Adagrad", O, kAdagrad},
    {"torch", "optim", "RMSprop", O, kRmsProp},
    {"torch", "optim", "Rprop", O, kRprop},
    {"torch", "optim", "LBFGS", O, kLbfgs},
    {"torch", "optim", "Adafactor", O, kAdafactor},
    // PyTorch activation modules, functions (also the in-place ones) and torch.*.
    {"torch", "nn", "ReLU", A, kRelu},
    {"torch", "nn", "ReLU6", A, kRelu6},
    {"torch", "nn", "LeakyReLU", A, kLeakyRelu},
    {"torch", "nn", "PReLU", A, kPrelu},
    {"torch", "nn", "RReLU", A, kRrelu},
    {"torch", "nn", "ELU", A, kElu},
    {"torch", "nn", "SELU", A, kSelu},
    {"torch", "nn", "CELU", A, kCelu},
    {"torch", "nn", "GELU", A, kGelu},
    {"torch", "nn", "SiLU", A, kSilu},
    {"torch", "nn", "Mish", A, kMish},
    {"torch", "nn", "Sigmoid", A, kSigmoid},
    {"torch", "nn", "Hardsigmoid", A, kHardSigmoid},
    {"torch", "nn", "Tanh", A, kTanh},
    {"torch", "nn", "Hardtanh", A, kHardTanh},
    {"torch", "nn", "Hardswish", A, kHardSwish},
    {"torch", "nn", "Softplus", A, kSoftplus},
    {"torch", "nn", "Softsign", A, kSoftsign},
    {"torch", "nn", "Softmax", A, kSoftmax},
    {"torch", "nn", "Softmax2d", A, kSoftmax},
    {"torch", "nn", "LogSoftmax", A, kSoftmax},
    {"torch", "nn", "GLU", A, kGlu},
    {"torch", "functional", "relu", A, kRelu},
    {"torch", "functional", "relu_", A, kRelu},
    {"torch", "functional", "relu6", A, kRelu6},
    {"torch", "functional", "leaky_relu", A, kLeakyRelu},
    {"torch", "functional", "leaky_relu_", A, kLeakyRelu},
    {"torch", "functional", "prelu", A, kPrelu},
    {"torch", "functional", "rrelu", A, kRrelu},
    {"torch", "functional", "elu", A, kElu},
    {"torch", "functional", "elu_", A, kElu},
    {"torch", "functional", "selu", A, kSelu},
    {"torch", "functional", "celu", A, kCelu},
    {"torch", "functional", "gelu", A, kGelu},
    {"torch", "functional", "silu", A, kSilu},
    {"torch", "functional", "mish", A, kMish},
    {"torch", "functional", "sigmoid", A, kSigmoid},
    {"torch", "functional", "hardsigmoid", A, kHardSigmoid},
    {"torch", "functional", "tanh", A, kTanh},
    {"torch", "functional", "hardtanh", A, kHardTanh},
    {"torch", "functional", "hardswish", A, kHardSwish},
    {"torch", "functional", "softplus", A, kSoftplus},
    {"torch", "functional", "softsign", A, kSoftsign},
    {"torch", "functional", "softmax", A, kSoftmax},
    {"torch", "functional", "log_softmax", A, kSoftmax},
    {"torch", "functional", "glu", A, kGlu},
    {"torch", "", "relu", A, kRelu},
    {"torch", "", "relu_", A, kRelu},
    {"torch", "", "selu", A, kSelu},
    {"torch", "", "celu", A, kCelu},
    {"torch", "", "rrelu", A, kRrelu},
    {"torch", "|special", "sigmoid", A, kSigmoid},
    {"torch", "special", "expit", A, kSigmoid},
    {"torch", "", "tanh", A, kTanh},
    {"torch", "|special", "softmax", A, kSoftmax},
    {"torch", "|special", "log_softmax", A, kSoftmax},
    // PyTorch dropout.
    {"torch", "nn", "Dropout", G, kDropout},
    {"torch", "nn", "Dropout1d", G, kDropout},
    {"torch", "nn", "Dropout2d", G, kDropout},
    {"torch", "nn", "Dropout3d", G, kDropout},
    {"torch", "nn", "AlphaDropout", G, kDropout},
    {"torch", "nn", "FeatureAlphaDropout", G, kDropout},
    {"torch", "functional|", "dropout", G, kDropout},
    {"torch", "functional", "dropout1d", G, kDropout},
    {"torch", "functional", "dropout2d", G, kDropout},
    {"torch", "functional", "dropout3d", G, kDropout},
    {"torch", "functional|", "alpha_dropout", G, kDropout},
    {"torch", "functional", "feature_alpha_dropout", G, kDropout},

    // scikit-learn estimators: the loss and penalty each one minimizes;
    // those with a choice take it from kCalls.
    {"sklearn", "*", "LinearRegression", R, kL2},
    {"sklearn", "*", "Ridge", R, kL2},
    {"sklearn", "*", "Ridge", G, kRegL2},
    {"sklearn", "*", "RidgeCV", R, kL2},
    {"sklearn", "*", "RidgeCV", G, kRegL2},
    {"sklearn", "*", "RidgeClassifier", R, kL2},
    {"sklearn", "*", "RidgeClassifier", G, kRegL2},
    {"sklearn", "*", "RidgeClassifierCV", R, kL2},
    {"sklearn", "*", "RidgeClassifierCV", G, kRegL2},
    {"sklearn", "*", "Lasso", R, kL2},
    {"sklearn", "*", "Lasso", G, kRegL1},
    {"sklearn", "*", "LassoCV", R, kL2},
    {"sklearn", "*", "LassoCV", G, kRegL1},
    {"sklearn", "*", "LassoLars", R, kL2},
    {"sklearn", "*", "LassoLars", G, kRegL1},
    {"sklearn", "*", "LassoLarsCV", R, kL2},
    {"sklearn", "*", "LassoLarsCV", G, kRegL1},
    {"sklearn", "*", "LassoLarsIC", R, kL2},
    {"sklearn", "*", "LassoLarsIC", G, kRegL1},
    {"sklearn", "*", "MultiTaskLasso", R, kL2},
    {"sklearn", "*", "MultiTaskLasso", G, kRegL1},
    {"sklearn", "*", "ElasticNet", R, kL2},
    {"sklearn", "*", "ElasticNet", G, kRegL1L2},
    {"sklearn", "*", "ElasticNetCV", R, kL2},
    {"sklearn", "*", "ElasticNetCV", G, kRegL1L2},
    {"sklearn", "*", "MultiTaskElasticNet", R, kL2},
    {"sklearn", "*", "MultiTaskElasticNet", G, kRegL1L2},
    {"sklearn", "*", "HuberRegressor", R, kHuber},
    {"sklearn", "*", "QuantileRegressor", R, kQuantile},
    {"sklearn", "*", "PoissonRegressor", R, kPoisson},
    {"sklearn", "*", "GammaRegressor", R, kGamma},
    {"sklearn", "*", "TweedieRegressor", R, kTweedie},
    {"sklearn", "*", "LogisticRegression", C, kCrossEntropy},
    {"sklearn", "*", "LogisticRegressionCV", C, kCrossEntropy},
    {"sklearn", "*", "SGDClassifier", O, kSgd},
    {"sklearn", "*", "SGDRegressor", O, kSgd},
    {"sklearn", "*", "Perceptron", C, kPerceptron},
    {"sklearn", "*", "Perceptron", O, kSgd},
    {"sklearn", "*", "SVC", C, kHinge},
    {"sklearn", "*", "SVC", G, kRegL2},
    {"sklearn", "*", "NuSVC", C, kHinge},
    {"sklearn", "*", "NuSVC", G, kRegL2},
    {"sklearn", "*", "SVR", R, kEpsilonInsensitive},
    {"sklearn", "*", "SVR", G, kRegL2},
    {"sklearn", "*", "NuSVR", R, kEpsilonInsensitive},
    {"sklearn", "*", "NuSVR", G, kRegL2},
    {"sklearn", "*", "LinearSVR", G, kRegL2},
    {"sklearn", "*", "MLPClassifier", C, kCrossEntropy},
    {"sklearn", "*", "MLPRegressor", R, kL2},

    // JAX / Flax activations, Optax optimizers and losses.
    {"jax", "nn|linen", "relu", A, kRelu},
    {"jax", "nn|linen", "relu6", A, kRelu6},
    {"jax", "nn|linen", "leaky_relu", A, kLeakyRelu},
    {"jax", "nn|linen", "elu", A, kElu},
    {"jax", "nn|linen", "selu", A, kSelu},
    {"jax", "nn|linen", "celu", A, kCelu},
    {"jax", "nn|linen", "gelu", A, kGelu},
    {"jax", "nn|linen", "silu", A, kSilu},
    {"jax", "nn|linen", "swish", A, kSilu},
    {"jax", "nn|linen", "sigmoid", A, kSigmoid},
    {"jax", "nn|linen", "hard_tanh", A, kHardTanh},
    {"jax", "nn|linen", "tanh", A, kTanh},
    {"jax", "nn|linen", "softplus", A, kSoftplus},
    {"jax", "nn|linen", "softmax", A, kSoftmax},
    {"jax", "nn|linen", "log_softmax", A, kSoftmax},
    {"jax", "nn|linen", "glu", A, kGlu},
    {"jax", "linen", "Dropout", G, kDropout},
    {"optax", "*", "sgd", O, kSgd},
    {"optax", "*", "adam", O, kAdam},
    {"optax", "*", "adamw", O, kAdamW},
    {"optax", "*", "nadam", O, kNadam},
    {"optax", "*", "radam", O, kRadam},
    {"optax", "*", "adamax", O, kAdamax},
    {"optax", "*", "adadelta", O, kAdadelta},
    {"optax", "*", "adagrad", O, kAdagrad},
    {"optax", "*", "rmsprop", O, kRmsProp},
    {"optax", "*", "lion", O, kLion},
    {"optax", "*", "lamb", O, kLamb},
    {"optax", "*", "adafactor", O, kAdafactor},
    {"optax", "*", "lbfgs", O, kLbfgs},
    {"optax", "*", "l2_loss", R, kL2},
    {"optax", "*", "squared_error", R, kL2},
    {"optax", "*", "huber_loss", R, kHuber},
    {"optax", "*", "softmax_cross_entropy", C, kCrossEntropy},
    {"optax", "*", "softmax_cross_entropy_with_integer_labels", C, kCrossEntropy},
    {"optax", "*", "sigmoid_binary_cross_entropy", C, kCrossEntropy},
    {"optax", "*", "hinge_loss", C, kHinge},
    {"optax", "*", "kl_divergence", N, kKl},
    {"optax", "*", "cosine_distance", N, kCosine},
    {"optax", "*", "ctc_loss", N, kCtc},
    // Optimizers other libraries ship for PyTorch.
    {"hf", "*", "AdamW", O, kAdamW},
    {"hf", "*", "Adafactor", O, kAdafactor},
    {"apex", "optimizers", "FusedAdam", O, kAdam},
    {"apex", "optimizers", "FusedSGD", O, kSgd},
    {"apex", "optimizers", "FusedLAMB", O, kLamb},
    {"bnb", "optim", "Adam8bit", O, kAdam},
    {"bnb", "optim", "AdamW8bit", O, kAdamW},
    {"bnb", "optim", "PagedAdamW", O, kAdamW},
    {"bnb", "optim", "PagedAdamW8bit", O, kAdamW},
};

// Arguments of calls whose value names a function: positional slots and
// scikit-learn's defaults (read when the argument is absent).
struct CallRow {
  std::string_view family, module, symbol;
  CallRule rule;
};
constexpr CallRow kCalls[] = {
    {"keras", "layers", "Activation", {"activation", 0, "", "activation"}},
    {"keras", "layers", "Dense", {"activation", 1, "", "activation"}},
    {"keras", "activations", "get", {"identifier", 0, "", "activation"}},
    {"keras", "losses", "get", {"identifier", 0, "", "loss"}},
    {"keras", "optimizers", "get", {"identifier", 0, "", "optimizer"}},
    {"keras", "regularizers", "get", {"identifier", 0, "", "regularizer"}},
    {"sklearn", "*", "LogisticRegression", {"penalty", -1, "l2", "regularizer"}},
    {"sklearn", "*", "LogisticRegressionCV", {"penalty", -1, "l2", "regularizer"}},
    {"sklearn", "*", "SGDClassifier", {"loss", -1, "hinge", "loss"}},
    {"sklearn", "*", "SGDClassifier", {"penalty", -1, "l2", "regularizer"}},
    {"sklearn", "*", "SGDClassifier", {"average", -1, "", "sgd_average"}},
    {"sklearn", "*", "SGDRegressor", {"loss", -1, "squared_error", "loss"}},
    {"sklearn", "*", "SGDRegressor", {"penalty", -1, "l2", "regularizer"}},
    {"sklearn", "*", "SGDRegressor", {"average", -1, "", "sgd_average"}},
    {"sklearn", "*", "LinearSVC", {"loss", -1, "squared_hinge", "loss"}},
    {"sklearn", "*", "LinearSVC", {"penalty", -1, "l2", "regularizer"}},
    {"sklearn", "*", "LinearSVR", {"loss", -1, "epsilon_insensitive", "loss"}},
    {"sklearn", "*", "PassiveAggressiveClassifier", {"loss", -1, "hinge", "loss"}},
    {"sklearn", "*", "PassiveAggressiveRegressor", {"loss", -1, "epsilon_insensitive", "loss"}},
    {"sklearn", "*", "MLPClassifier", {"activation", -1, "relu", "activation"}},
    {"sklearn", "*", "MLPClassifier", {"solver", -1, "adam", "solver"}},
    {"sklearn", "*", "MLPClassifier", {"alpha", -1, "0.0001", "l2_strength"}},
    {"sklearn", "*", "MLPRegressor", {"activation", -1, "relu", "activation"}},
    {"sklearn", "*", "MLPRegressor", {"solver", -1, "adam", "solver"}},
    {"sklearn", "*", "MLPRegressor", {"alpha", -1, "0.0001", "l2_strength"}},
    {"sklearn", "*", "HuberRegressor", {"alpha", -1, "0.0001", "l2_strength"}},
    {"sklearn", "*", "QuantileRegressor", {"alpha", -1, "1.0", "l1_strength"}},
    {"sklearn", "*", "PoissonRegressor", {"alpha", -1, "1.0", "l2_strength"}},
    {"sklearn", "*", "GammaRegressor", {"alpha", -1, "1.0", "l2_strength"}},
    {"sklearn", "*", "TweedieRegressor", {"alpha", -1, "1.0", "l2_strength"}},
    {"sklearn", "*", "GradientBoostingClassifier", {"loss", -1, "log_loss", "loss"}},
    {"sklearn", "*", "GradientBoostingRegressor", {"loss", -1, "squared_error", "loss"}},
    {"sklearn", "*", "HistGradientBoostingClassifier", {"loss", -1, "log_loss", "loss"}},
    {"sklearn", "*", "HistGradientBoostingRegressor", {"loss", -1, "squared_error", "loss"}},
};

// A keyword (or name) and the context it gives its value.
struct KeywordRow {
  std::string_view keyword, context;
};

// Methods called on an object of the program's own (model.compile), whose
// positional arguments name a function: Keras' Model.compile(optimizer, loss).
struct MethodRow {
  std::string_view method;
  CallRule rule;
};
constexpr MethodRow kMethods[] = {
    {"compile", {"optimizer", 0, "", "optimizer"}},
    {"compile", {"loss", 1, "", "loss"}},
};

// Calls whose argument is a list of options, one of which the program will
// use: search spaces (keras-tuner's hp.Choice, TensorBoard's hp.Discrete and
// hp.HParam, Optuna's suggest_categorical, Hyperopt's hp.choice, Ray Tune's
// tune.choice and tune.grid_search) and random.choice.
constexpr std::string_view kOptionListCalls[] = {"Choice",     "choice", "Discrete", "HParam", "suggest_categorical",
                                                 "grid_search"};

// Names of search-space parameters that say what their options are, beside
// the keywords of kKeywords ('optimizer', 'activation', 'loss').
constexpr KeywordRow kOptionNames[] = {
    {"opt", "optimizer"},
    {"optim", "optimizer"},
    {"optimiser", "optimizer"},
    {"act", "activation"},
    {"act_fn", "activation"},
    {"activation_fn", "activation"},
    {"activation_function", "activation"},
    {"loss_fn", "loss"},
};

// Keyword arguments (and dict keys) whose value names a function. Any
// keyword ending in "_regularizer" is a regularizer too.
constexpr KeywordRow kKeywords[] = {
    {"loss", "loss"},
    {"objective", "objective"},      // XGBoost, LightGBM
    {"loss_function", "objective"},  // CatBoost
    {"optimizer", "optimizer"},
    {"solver", "solver"},
    {"activation", "activation"},
    {"recurrent_activation", "activation"},
    {"hidden_activation", "activation"},
    {"output_activation", "activation"},
    {"out_activation", "activation"},
    {"hidden_act", "activation"},  // Hugging Face configs
    {"penalty", "regularizer"},
    {"weight_decay", "l2_strength"},
    {"dropout", "dropout_rate"},
    {"recurrent_dropout", "dropout_rate"},
    {"dropout_rate", "dropout_rate"},
    {"drop_rate", "dropout_rate"},
    {"attention_dropout", "dropout_rate"},
    {"hidden_dropout_prob", "dropout_rate"},
    {"attention_probs_dropout_prob", "dropout_rate"},
};

// context, value (lowercase, without '_', '-' and spaces), category, name.
struct StringRow {
  std::string_view context, value, category, name;
};
constexpr StringRow kStrings[] = {
    // loss= (Keras and scikit-learn share most spellings).
    {"loss", "mse", R, kL2},
    {"loss", "meansquarederror", R, kL2},
    {"loss", "squarederror", R, kL2},
    {"loss", "squaredloss", R, kL2},
    {"loss", "ls", R, kL2},
    {"loss", "mae", R, kL1},
    {"loss", "meanabsoluteerror", R, kL1},
    {"loss", "absoluteerror", R, kL1},
    {"loss", "lad", R, kL1},
    {"loss", "mape", R, kMape},
    {"loss", "meanabsolutepercentageerror", R, kMape},
    {"loss", "msle", R, kMsle},
    {"loss", "meansquaredlogarithmicerror", R, kMsle},
    {"loss", "huber", R, kHuber},
    {"loss", "huberloss", R, kHuber},
    {"loss", "logcosh", R, kLogCosh},
    {"loss", "poisson", R, kPoisson},
    {"loss", "gamma", R, kGamma},
    {"loss", "quantile", R, kQuantile},
    {"loss", "epsiloninsensitive", R, kEpsilonInsensitive},
    {"loss", "squaredepsiloninsensitive", R, kSquaredEpsilonInsensitive},
    {"loss", "binarycrossentropy", C, kCrossEntropy},
    {"loss", "categoricalcrossentropy", C, kCrossEntropy},
    {"loss", "sparsecategoricalcrossentropy", C, kCrossEntropy},
    {"loss", "crossentropy", C, kCrossEntropy},
    {"loss", "logloss", C, kCrossEntropy},
    {"loss", "log", C, kCrossEntropy},
    {"loss", "deviance", C, kCrossEntropy},
    {"loss", "binaryfocalcrossentropy", C, kFocal},
    {"loss", "categoricalfocalcrossentropy", C, kFocal},
    {"loss", "hinge", C, kHinge},
    {"loss", "categoricalhinge", C, kHinge},
    {"loss", "squaredhinge", C, kSquaredHinge},
    {"loss", "modifiedhuber", C, kModifiedHuber},
    {"loss", "perceptron", C, kPerceptron},
    {"loss", "exponential", C, kExponentialLoss},
    {"loss", "kld", N, kKl},
    {"loss", "kldivergence", N, kKl},
    {"loss", "kullbackleiblerdivergence", N, kKl},
    {"loss", "cosinesimilarity", N, kCosine},
    {"loss", "ctc", N, kCtc},
    // objective= (XGBoost, LightGBM) and loss_function= (CatBoost).
    {"objective", "reg:squarederror", R, kL2},
    {"objective", "reg:linear", R, kL2},
    {"objective", "reg:squaredlogerror", R, kMsle},
    {"objective", "reg:absoluteerror", R, kL1},
    {"objective", "reg:pseudohubererror", R, kHuber},
    {"objective", "reg:quantileerror", R, kQuantile},
    {"objective", "reg:gamma", R, kGamma},
    {"objective", "reg:tweedie", R, kTweedie},
    {"objective", "count:poisson", R, kPoisson},
    {"objective", "reg:logistic", C, kCrossEntropy},
    {"objective", "binary:logistic", C, kCrossEntropy},
    {"objective", "binary:logitraw", C, kCrossEntropy},
    {"objective", "binary:hinge", C, kHinge},
    {"objective", "multi:softmax", C, kCrossEntropy},
    {"objective", "multi:softprob", C, kCrossEntropy},
    {"objective", "regression", R, kL2},
    {"objective", "regressionl2", R, kL2},
    {"objective", "l2", R, kL2},
    {"objective", "mse", R, kL2},
    {"objective", "rmse", R, kL2},
    {"objective", "regressionl1", R, kL1},
    {"objective", "l1", R, kL1},
    {"objective", "mae", R, kL1},
    {"objective", "huber", R, kHuber},
    {"objective", "quantile", R, kQuantile},
    {"objective", "mape", R, kMape},
    {"objective", "poisson", R, kPoisson},
    {"objective", "gamma", R, kGamma},
    {"objective", "tweedie", R, kTweedie},
    {"objective", "binary", C, kCrossEntropy},
    {"objective", "multiclass", C, kCrossEntropy},
    {"objective", "multiclassova", C, kCrossEntropy},
    {"objective", "softmax", C, kCrossEntropy},
    {"objective", "crossentropy", C, kCrossEntropy},
    {"objective", "xentropy", C, kCrossEntropy},
    {"objective", "logloss", C, kCrossEntropy},
    // optimizer= (Keras accepts any case).
    {"optimizer", "sgd", O, kSgd},
    {"optimizer", "adam", O, kAdam},
    {"optimizer", "adamw", O, kAdamW},
    {"optimizer", "nadam", O, kNadam},
    {"optimizer", "radam", O, kRadam},
    {"optimizer", "adamax", O, kAdamax},
    {"optimizer", "adadelta", O, kAdadelta},
    {"optimizer", "adagrad", O, kAdagrad},
    {"optimizer", "rmsprop", O, kRmsProp},
    {"optimizer", "ftrl", O, kFtrl},
    {"optimizer", "lion", O, kLion},
    {"optimizer", "adafactor", O, kAdafactor},
    {"optimizer", "lamb", O, kLamb},
    {"optimizer", "lbfgs", O, kLbfgs},
    // solver= (scikit-learn); Ridge's direct solvers name no iterative optimizer.
    {"solver", "adam", O, kAdam},
    {"solver", "sgd", O, kSgd},
    {"solver", "lbfgs", O, kLbfgs},
    {"solver", "sag", O, kSag},
    {"solver", "saga", O, kSaga},
    {"solver", "liblinear", O, kLiblinear},
    {"solver", "newtoncg", O, kNewtonCg},
    {"solver", "newtoncholesky", O, kNewtonCholesky},
    {"solver", "auto", O, ""},
    {"solver", "svd", O, ""},
    {"solver", "cholesky", O, ""},
    {"solver", "lsqr", O, ""},
    {"solver", "sparsecg", O, ""},
    // activation= (Keras, scikit-learn's MLP, PyTorch's Transformer layers).
    {"activation", "relu", A, kRelu},
    {"activation", "relu6", A, kRelu6},
    {"activation", "leakyrelu", A, kLeakyRelu},
    {"activation", "prelu", A, kPrelu},
    {"activation", "elu", A, kElu},
    {"activation", "selu", A, kSelu},
    {"activation", "celu", A, kCelu},
    {"activation", "gelu", A, kGelu},
    {"activation", "geluapproximate", A, kGelu},
    {"activation", "gelunew", A, kGelu},
    {"activation", "silu", A, kSilu},
    {"activation", "swish", A, kSilu},
    {"activation", "mish", A, kMish},
    {"activation", "sigmoid", A, kSigmoid},
    {"activation", "logistic", A, kSigmoid},
    {"activation", "hardsigmoid", A, kHardSigmoid},
    {"activation", "hardsilu", A, kHardSwish},
    {"activation", "hardswish", A, kHardSwish},
    {"activation", "tanh", A, kTanh},
    {"activation", "softplus", A, kSoftplus},
    {"activation", "softsign", A, kSoftsign},
    {"activation", "softmax", A, kSoftmax},
    {"activation", "logsoftmax", A, kSoftmax},
    {"activation", "exponential", A, kExponential},
    {"activation", "glu", A, kGlu},
    {"activation", "linear", A, ""},
    {"activation", "identity", A, ""},
    {"activation", "none", A, ""},
    // penalty= and *_regularizer=.
    {"regularizer", "l1", G, kRegL1},
    {"regularizer", "l2", G, kRegL2},
    {"regularizer", "l1l2", G, kRegL1L2},
    {"regularizer", "elasticnet", G, kRegL1L2},
    {"regularizer", "none", G, ""},
};

std::string Normalize(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '_' || c == '-' || c == ' ') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool ModuleMatches(std::string_view spec, const std::vector<std::string_view>& middle) {
  if (spec == "*") return true;
  for (;;) {
    size_t bar = spec.find('|');
    std::string_view alt = spec.substr(0, bar);
    if (alt.empty()) {
      if (middle.empty()) return true;
    } else if (std::find(middle.begin(), middle.end(), alt) != middle.end()) {
      return true;
    }
    if (bar == std::string_view::npos) return false;
    spec.remove_prefix(bar + 1);
  }
}

bool FamilyOf(std::string_view root, std::string_view family) {
  for (const RootRow& r : kRoots) {
    if (r.root == root && r.family == family) return true;
  }
  return false;
}

// Symbol → rows, built once.
struct SymbolIndex {
  std::unordered_multimap<std::string_view, const SymbolRow*> symbols;
  std::unordered_multimap<std::string_view, const CallRow*> calls;
  SymbolIndex() {
    for (const SymbolRow& r : kSymbols) symbols.emplace(r.symbol, &r);
    for (const CallRow& r : kCalls) calls.emplace(r.symbol, &r);
  }
};

const SymbolIndex& Index() {
  static const SymbolIndex index;
  return index;
}

}  // namespace

SymbolMatch MatchSymbol(const std::vector<std::string_view>& path) {
  SymbolMatch out;
  const SymbolIndex& index = Index();
  for (size_t n = path.size(); n >= 2; --n) {
    std::string_view root = path[0], symbol = path[n - 1];
    if (!index.symbols.count(symbol) && !index.calls.count(symbol)) continue;  // most names: no rows at all
    std::vector<std::string_view> middle(path.begin() + 1, path.begin() + static_cast<long>(n) - 1);
    // Rows come out of the index in no set order; table order is the contract.
    std::vector<const SymbolRow*> symbols;
    auto [sb, se] = index.symbols.equal_range(symbol);
    for (auto it = sb; it != se; ++it) {
      if (FamilyOf(root, it->second->family) && ModuleMatches(it->second->module, middle))
        symbols.push_back(it->second);
    }
    std::vector<const CallRow*> calls;
    auto [cb, ce] = index.calls.equal_range(symbol);
    for (auto it = cb; it != ce; ++it) {
      if (FamilyOf(root, it->second->family) && ModuleMatches(it->second->module, middle)) calls.push_back(it->second);
    }
    if (symbols.empty() && calls.empty()) continue;
    std::sort(symbols.begin(), symbols.end());  // rows of one array: address order is table order
    std::sort(calls.begin(), calls.end());
    for (const SymbolRow* r : symbols) {
      FunctionKind kind{r->category, r->name};
      bool seen = std::any_of(out.kinds.begin(), out.kinds.end(), [&](const FunctionKind& k) {
        return k.category == kind.category && k.name == kind.name;
      });
      if (!seen) out.kinds.push_back(kind);
    }
    for (const CallRow* r : calls) out.call_rules.push_back(r->rule);
    out.parts = n;
    return out;
  }
  return out;
}

std::string_view KeywordContext(std::string_view keyword) {
  size_t prefix = keyword.rfind("__");  // scikit-learn's step__param
  if (prefix != std::string_view::npos) keyword.remove_prefix(prefix + 2);
  for (const KeywordRow& k : kKeywords) {
    if (k.keyword == keyword) return k.context;
  }
  constexpr std::string_view kSuffix = "_regularizer";
  if (keyword.size() > kSuffix.size() && keyword.substr(keyword.size() - kSuffix.size()) == kSuffix) {
    return "regularizer";
  }
  return "";
}

bool IsNumericContext(std::string_view context) {
  return context == "l1_strength" || context == "l2_strength" || context == "dropout_rate" || context == "sgd_average";
}

std::vector<CallRule> MethodCallRules(std::string_view method) {
  std::vector<CallRule> out;
  for (const MethodRow& m : kMethods) {
    if (m.method == method) out.push_back(m.rule);
  }
  return out;
}

bool IsOptionListCall(std::string_view symbol) {
  return std::find(std::begin(kOptionListCalls), std::end(kOptionListCalls), symbol) != std::end(kOptionListCalls);
}

std::string_view OptionNameContext(std::string_view name) {
  std::string_view context = KeywordContext(name);
  if (!context.empty()) return context;
  for (const KeywordRow& k : kOptionNames) {
    if (k.keyword == name) return k.context;
  }
  return "";
}

std::optional<FunctionKind> LookupString(std::string_view context, std::string_view value) {
  std::string key = Normalize(value);
  for (const StringRow& s : kStrings) {
    if (s.context == context && s.value == key) return FunctionKind{s.category, s.name};
  }
  return std::nullopt;
}

FunctionKind NumericMeaning(std::string_view context) {
  if (context == "l1_strength") return {G, kRegL1};
  if (context == "l2_strength") return {G, kRegL2};
  if (context == "sgd_average") return {O, kAsgd};
  return {G, kDropout};
}

std::vector<FunctionKind> AllFunctionKinds() {
  std::vector<FunctionKind> out;
  auto add = [&](std::string_view category, std::string_view name) {
    if (name.empty()) return;
    for (const FunctionKind& k : out) {
      if (k.category == category && k.name == name) return;
    }
    out.push_back({category, name});
  };
  for (const SymbolRow& r : kSymbols) add(r.category, r.name);
  for (const StringRow& r : kStrings) add(r.category, r.name);
  for (const char* context : {"l1_strength", "l2_strength", "dropout_rate", "sgd_average"}) {
    FunctionKind k = NumericMeaning(context);
    add(k.category, k.name);
  }
  return out;
}

}  // namespace trail::context
