#include "metrics/output_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace trail::metrics {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr double kNow = 1700000000.0;

// One recorded point, for exact comparisons.
struct P {
  std::string key;
  int64_t step;
  double value;
  bool operator==(const P& o) const {
    return key == o.key && step == o.step && (value == o.value || (std::isnan(value) && std::isnan(o.value)));
  }
};
void PrintTo(const P& p, std::ostream* os) { *os << "{" << p.key << ", " << p.step << ", " << p.value << "}"; }

// Every point, metric by metric in first-seen order.
std::vector<P> Points(const MetricSet& set) {
  std::vector<P> out;
  for (const std::string& key : set.Keys()) {
    for (const Point& p : *set.Series(key)) out.push_back({key, p.step, p.value});
  }
  return out;
}

// Feeds `bytes` in chunks of `chunk` bytes (0: one chunk), then Finish.
std::vector<P> Parse(std::string_view bytes, OutputParserOptions options = {}, size_t chunk = 0) {
  OutputParser parser(options);
  MetricSet set;
  if (chunk == 0) chunk = bytes.size() + 1;
  for (size_t i = 0; i < bytes.size(); i += chunk) parser.Feed(bytes.substr(i, chunk), kNow, set);
  parser.Finish(kNow, set);
  return Points(set);
}

OutputParserOptions KeyValues() {
  OutputParserOptions options;
  options.key_values = true;
  return options;
}

std::string Format(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Keras's number format: %.4f, or %.4e for small values.
std::string KerasValue(double v) { return Format(std::fabs(v) > 1e-3 ? "%.4f" : "%.4e", v); }

// Running values a bar shows before the epoch's final ones: different from them, so a test
// catches a redraw recorded in place of the final line.
double Running(double final_value, int batch) { return final_value + 0.5 / batch; }

struct EpochValues {
  double loss, accuracy, val_loss, val_accuracy;
};

// One epoch as Keras 2's Progbar writes it to a terminal: each update erases the previous one
// with backspaces, returns with '\r', and pads with spaces when shorter; the last ends with '\n'.
std::string Keras2TtyEpoch(int epoch, int epochs, int batches, EpochValues v) {
  std::string out = "Epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) + "\n";
  size_t prev_width = 0;
  for (int b = 1; b <= batches; ++b) {
    std::string bar = std::to_string(b);
    bar.insert(0, std::to_string(batches).size() - bar.size(), ' ');
    bar += "/" + std::to_string(batches) + " [";
    int done = 30 * b / batches;
    bar += std::string(done > 0 ? done - 1 : 0, '=') + (b < batches ? ">" : "=") + std::string(30 - done, '.') + "]";
    bool last = b == batches;
    std::string info = last ? " - 1s 15ms/step" : " - ETA: " + std::to_string(batches - b) + "s";
    info += " - loss: " + KerasValue(last ? v.loss : Running(v.loss, b));
    info += " - accuracy: " + KerasValue(last ? v.accuracy : Running(v.accuracy, b));
    if (last) info += " - val_loss: " + KerasValue(v.val_loss) + " - val_accuracy: " + KerasValue(v.val_accuracy);
    std::string line = bar + info;
    std::string msg = std::string(prev_width, '\b') + "\r" + line;
    if (line.size() < prev_width) msg += std::string(prev_width - line.size(), ' ');
    prev_width = line.size();
    out += msg + (last ? "\n" : "");
  }
  return out;
}

// The same in Keras 3: bold counter, a ━ bar in two colours, time without "ETA:", metrics in
// alphabetical order.
std::string Keras3TtyEpoch(int epoch, int epochs, int batches, EpochValues v) {
  std::string out = "Epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) + "\n";
  for (int b = 1; b <= batches; ++b) {
    bool last = b == batches;
    int done = 20 * b / batches;
    std::string bar = "\x1b[1m" + std::to_string(b) + "/" + std::to_string(batches) + "\x1b[0m ";
    std::string glyph = "\u2501";
    std::string green, white;
    for (int i = 0; i < done; ++i) green += glyph;
    for (int i = done; i < 20; ++i) white += glyph;
    if (done > 0) bar += "\x1b[32m" + green + "\x1b[0m";
    bar += "\x1b[37m" + white + "\x1b[0m";
    std::string info = last ? " \x1b[1m1s\x1b[0m 15ms/step" : " \x1b[1m0s\x1b[0m 14ms/step";
    info += " - accuracy: " + KerasValue(last ? v.accuracy : Running(v.accuracy, b));
    info += " - loss: " + KerasValue(last ? v.loss : Running(v.loss, b));
    if (last) info += " - val_accuracy: " + KerasValue(v.val_accuracy) + " - val_loss: " + KerasValue(v.val_loss);
    out += std::string(b == 1 ? 0 : 60, '\b') + "\r" + bar + info + (last ? "\n" : "");
  }
  return out;
}

const EpochValues kEpochs[] = {
    {0.6931, 0.5012, 0.6502, 0.6100},
    {0.4100, 0.8300, 0.4400, 0.8100},
    {0.2100, 0.9100, 0.2500, 0.8900},
};

std::vector<P> ExpectedEpochs(bool keras3) {
  std::vector<P> want;
  const char* keys2[] = {"loss", "accuracy", "val_loss", "val_accuracy"};
  const char* keys3[] = {"accuracy", "loss", "val_accuracy", "val_loss"};
  for (const char* key : keras3 ? keys3 : keys2) {
    for (int e = 0; e < 3; ++e) {
      const EpochValues& v = kEpochs[e];
      std::string k = key;
      double value = k == "loss"       ? v.loss
                     : k == "accuracy" ? v.accuracy
                     : k == "val_loss" ? v.val_loss
                                       : v.val_accuracy;
      want.push_back({k, e + 1, value});
    }
  }
  return want;
}

std::string Keras2Fit() {
  std::string out;
  for (int e = 0; e < 3; ++e) out += Keras2TtyEpoch(e + 1, 3, 32, kEpochs[e]);
  return out;
}

std::string Keras3Fit() {
  std::string out;
  for (int e = 0; e < 3; ++e) out += Keras3TtyEpoch(e + 1, 3, 32, kEpochs[e]);
  return out;
}

// ---- Keras ----

TEST(OutputParserKerasTest, Keras2TtyGivesTheFinalValuesOncePerEpoch) {
  EXPECT_EQ(Parse(Keras2Fit()), ExpectedEpochs(false));
}

TEST(OutputParserKerasTest, Keras3UnicodeBarWithColours) { EXPECT_EQ(Parse(Keras3Fit()), ExpectedEpochs(true)); }

TEST(OutputParserKerasTest, BackspaceOnlyRedraws) {
  // Older Keras on some terminals: no '\r', only backspaces over the previous bar.
  std::string out = "Epoch 1/1\n";
  std::string prev;
  for (int b = 1; b <= 10; ++b) {
    std::string line = std::to_string(b) + "/10 [" + std::string(b, '=') + std::string(10 - b, '.') +
                       "] - loss: " + KerasValue(b == 10 ? 0.25 : Running(0.25, b));
    out += std::string(prev.size(), '\b') + line;
    prev = line;
  }
  out += "\n";
  EXPECT_THAT(Parse(out), ElementsAre(P{"loss", 1, 0.25}));
}

TEST(OutputParserKerasTest, Verbose2) {
  std::string out =
      "Epoch 1/2\n"
      "32/32 - 1s - loss: 0.6931 - accuracy: 0.5000 - val_loss: 0.6500 - val_accuracy: 0.6000 - 1s/epoch - 31ms/step\n"
      "Epoch 2/2\n"
      "32/32 - 0s - loss: 0.4000 - accuracy: 0.8000 - val_loss: 0.4500 - val_accuracy: 0.7800 - 215ms/epoch - "
      "7ms/step\n";
  EXPECT_THAT(Parse(out), ElementsAre(P{"loss", 1, 0.6931}, P{"loss", 2, 0.4}, P{"accuracy", 1, 0.5},
                                      P{"accuracy", 2, 0.8}, P{"val_loss", 1, 0.65}, P{"val_loss", 2, 0.45},
                                      P{"val_accuracy", 1, 0.6}, P{"val_accuracy", 2, 0.78}));
  // Keras 3's verbose=2 puts the time first.
  EXPECT_THAT(Parse("Epoch 7/9\n32/32 - 1s - 15ms/step - accuracy: 0.9100 - loss: 0.2100\n"),
              ElementsAre(P{"accuracy", 7, 0.91}, P{"loss", 7, 0.21}));
}

TEST(OutputParserKerasTest, LearningRateAndNumberForms) {
  std::string out =
      "Epoch 1/2\n"
      "10/10 [==============================] - 0s 2ms/step - loss: 1.2345e-04 - lr: 1.0000e-03\n"
      "Epoch 2/2\n"
      "10/10 [==============================] - 0s 2ms/step - loss: nan - learning_rate: 5.0000e-04"
      " - val_loss: inf - mae: -inf - big: 1234567.1250\n";
  EXPECT_THAT(Parse(out),
              ElementsAre(P{"loss", 1, 1.2345e-04}, P{"loss", 2, std::nan("")}, P{"lr", 1, 1e-3},
                          P{"learning_rate", 2, 5e-4}, P{"val_loss", 2, std::numeric_limits<double>::infinity()},
                          P{"mae", 2, -std::numeric_limits<double>::infinity()}, P{"big", 2, 1234567.125}));
}

TEST(OutputParserKerasTest, EvaluateAndPredictAddNothing) {
  // evaluate alone, then fit, then evaluate after the last epoch.
  std::string out =
      "10/10 [==============================] - 0s 2ms/step - loss: 0.9000 - accuracy: 0.1000\n"
      "Epoch 1/1\n"
      "32/32 [==============================] - 1s 15ms/step - loss: 0.2100 - accuracy: 0.9100\n"
      "10/10 [==============================] - 0s 2ms/step - loss: 0.3000 - accuracy: 0.8800\n"
      "10/10 [==============================] - 0s 1ms/step\n";
  EXPECT_THAT(Parse(out, KeyValues()), ElementsAre(P{"loss", 1, 0.21}, P{"accuracy", 1, 0.91}));
}

TEST(OutputParserKerasTest, NonTtyVerbose1LinesGiveOnePointPerEpoch) {
  // Without a terminal Keras 2 writes every update on a line of its own.
  std::string out = "Epoch 1/2\n";
  for (int b = 1; b <= 4; ++b) {
    out += "\n" + std::to_string(b) + "/4 [" + std::string(b, '=') + std::string(4 - b, '.') +
           "] - ETA: 1s - loss: " + KerasValue(b == 4 ? 0.5 : Running(0.5, b));
  }
  out += "\nEpoch 2/2\n\n4/4 [====] - 0s 1ms/step - loss: 0.2500\n";
  EXPECT_THAT(Parse(out), ElementsAre(P{"loss", 1, 0.5}, P{"loss", 2, 0.25}));
}

TEST(OutputParserKerasTest, AnEpochCutShortKeepsItsLastRedraw) {
  // The epoch never reaches 32/32: its last redraw is recorded at the next epoch, or at the end.
  std::string out =
      "Epoch 1/2\n\r 5/32 [===>....] - ETA: 3s - loss: 0.9000\r 6/32 [===>....] - ETA: 3s - loss: 0.8000\n"
      "Epoch 2/2\n\r 5/32 [===>....] - ETA: 3s - loss: 0.7000\r 6/32 [===>....] - ETA: 3s - loss: 0.6000";
  EXPECT_THAT(Parse(out), ElementsAre(P{"loss", 1, 0.8}, P{"loss", 2, 0.6}));
}

TEST(OutputParserKerasTest, FinalLineWithoutNewlineIsFlushedByFinish) {
  std::string out = "Epoch 1/1\n\r32/32 [==============================] - 1s 15ms/step - loss: 0.2100";
  OutputParser parser;
  MetricSet set;
  parser.Feed(out, kNow, set);
  EXPECT_EQ(set.TotalPoints(), 0);
  parser.Finish(kNow + 1, set);
  EXPECT_THAT(Points(set), ElementsAre(P{"loss", 1, 0.21}));
  EXPECT_EQ((*set.Series("loss"))[0].time, kNow + 1);
}

TEST(OutputParserKerasTest, CrLfLineEndings) {
  std::string out = "Epoch 1/1\r\n32/32 [==============================] - 1s 15ms/step - loss: 0.2100\r\n";
  EXPECT_THAT(Parse(out), ElementsAre(P{"loss", 1, 0.21}));
}

TEST(OutputParserKerasTest, PointsAreStampedWhenTheirLineCompletes) {
  OutputParser parser;
  MetricSet set;
  parser.Feed("Epoch 1/2\n32/32 [======] - 1s - loss: 0.2", 10.0, set);
  parser.Feed("100\n", 20.0, set);
  parser.Feed("Epoch 2/2\n", 30.0, set);  // without val_* items the epoch ends at the next one
  ASSERT_EQ(set.TotalPoints(), 1);
  EXPECT_EQ((*set.Series("loss"))[0].time, 20.0);
}

// ---- Keras: what is printed between the bar reaching its target and the epoch's final line ----

// The final update of an epoch whose last batch update (at the target, with "ETA: 0s" and the
// training values) was left on screen when `between` was printed: Keras 2's ProgbarLogger prints
// the final line after the other callbacks' on_epoch_end, which may print (ModelCheckpoint and
// ReduceLROnPlateau with verbose=1 begin their message with '\n').
std::string Keras2EpochInterrupted(int epoch, int epochs, std::string train, std::string between, std::string end) {
  std::string eta = "12/12 [==============================] - ETA: 0s - " + train;
  return "Epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) + "\n" +
         "\r 1/12 [=>............................] - ETA: 3s - loss: 0.9000 - accuracy: 0.1000" +
         std::string(80, '\b') + "\r" + eta + between + std::string(eta.size(), '\b') + "\r" +
         "12/12 [==============================] - 1s 5ms/step - " + train + end + "\n";
}

TEST(OutputParserKerasTest, ModelCheckpointMessageBeforeTheFinalLineKeepsValAndLr) {
  std::string out =
      Keras2EpochInterrupted(1, 2, "loss: 0.5000 - accuracy: 0.8000",
                             "\nEpoch 1: val_loss improved from inf to 0.45000, saving model to ckpt.h5\n",
                             " - val_loss: 0.4500 - val_accuracy: 0.8200 - lr: 0.0010") +
      Keras2EpochInterrupted(2, 2, "loss: 0.4000 - accuracy: 0.8500",
                             "\nEpoch 2: val_loss did not improve from 0.45000\n"
                             "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.00010000000474974513.\n",
                             " - val_loss: 0.4700 - val_accuracy: 0.8100 - lr: 1.0000e-04");
  EXPECT_THAT(Parse(out, KeyValues()),
              ElementsAre(P{"loss", 1, 0.5}, P{"loss", 2, 0.4}, P{"accuracy", 1, 0.8}, P{"accuracy", 2, 0.85},
                          P{"val_loss", 1, 0.45}, P{"val_loss", 2, 0.47}, P{"val_accuracy", 1, 0.82},
                          P{"val_accuracy", 2, 0.81}, P{"lr", 1, 0.001}, P{"lr", 2, 1e-4}));
}

TEST(OutputParserKerasTest, Keras3CheckpointMessageBeforeTheFinalLine) {
  // Keras 3: bold counter and coloured ━ bar, no "ETA:", metrics in alphabetical order,
  // "learning_rate" from ReduceLROnPlateau.
  std::string bar = "\x1b[1m12/12\x1b[0m \x1b[32m";
  for (int i = 0; i < 20; ++i) bar += "\u2501";
  bar += "\x1b[0m";
  std::string out = "Epoch 3/10\n\r" + bar + " \x1b[1m0s\x1b[0m 5ms/step - accuracy: 0.9000 - loss: 0.3000" +
                    "\nEpoch 3: val_loss did not improve from 0.25000\n" + std::string(60, '\b') + "\r" + bar +
                    " \x1b[1m1s\x1b[0m 6ms/step - accuracy: 0.9000 - learning_rate: 1.0000e-04 - loss: 0.3000"
                    " - val_accuracy: 0.8500 - val_loss: 0.4000\n";
  EXPECT_THAT(Parse(out), ElementsAre(P{"accuracy", 3, 0.9}, P{"loss", 3, 0.3}, P{"learning_rate", 3, 1e-4},
                                      P{"val_accuracy", 3, 0.85}, P{"val_loss", 3, 0.4}));
}

TEST(OutputParserKerasTest, WarningGluedOntoTheOpenLineLosesNothingTheFinalLinePrints) {
  // Under a pty (or 2>&1) TensorFlow's C++ log and Python's warnings land inside the open line:
  // the value they are glued to is unreadable there, but the final line prints it again.
  std::string tf_warning =
      "2026-12-06 16:00:01.234567: W tensorflow/core/kernels/data/generator_dataset_op.cc:108] Error occurred "
      "when finalizing GeneratorDataset iterator: FAILED_PRECONDITION: Python interpreter state is not "
      "initialized. The process may be terminated.\n\t [[{{node PyFunc}}]]\n";
  std::string py_warning =
      "/usr/lib/python3/dist-packages/keras/src/engine/training.py:3103: UserWarning: You are saving your "
      "model as an HDF5 file via `model.save()`. This file format is considered legacy.\n"
      "  saving_api.save_model(\n";
  std::string out = Keras2EpochInterrupted(1, 2, "loss: 0.5000 - accuracy: 0.8000", tf_warning,
                                           " - val_loss: 0.4500 - val_accuracy: 0.8200") +
                    Keras2EpochInterrupted(2, 2, "loss: 0.4000 - accuracy: 0.8500", py_warning, "");
  EXPECT_THAT(Parse(out), ElementsAre(P{"loss", 1, 0.5}, P{"loss", 2, 0.4}, P{"accuracy", 1, 0.8},
                                      P{"accuracy", 2, 0.85}, P{"val_loss", 1, 0.45}, P{"val_accuracy", 1, 0.82}));
}

TEST(OutputParserKerasTest, WithoutValidationTheEpochIsRecordedWhenItIsOver) {
  // No val_* items: the epoch's state is recorded at the next "Epoch" line, the next bar, or the
  // end of the output. An evaluate bar with the same target and metrics is not the epoch's.
  std::string out = Keras2EpochInterrupted(1, 2, "loss: 0.5000", "\nEpoch 1: loss improved from inf to 0.50000\n", "") +
                    Keras2EpochInterrupted(2, 2, "loss: 0.4000", "", " - lr: 0.0010") +
                    "12/12 [==============================] - 0s 2ms/step - loss: 0.9000\n";
  OutputParser parser;
  MetricSet set;
  parser.Feed(out, kNow, set);
  EXPECT_THAT(Points(set), ElementsAre(P{"loss", 1, 0.5}, P{"loss", 2, 0.4}, P{"lr", 2, 0.001}));
  parser.Finish(kNow, set);
  EXPECT_EQ(set.TotalPoints(), 3);
}

TEST(OutputParserKerasTest, AnEpochWithValidationIsRecordedAtItsFinalLine) {
  // Validation metrics appear only in the epoch's final line: its points are live at once.
  OutputParser parser;
  MetricSet set;
  parser.Feed(Keras2EpochInterrupted(1, 5, "loss: 0.5000", "\nEpoch 1: saving model to m.h5\n", " - val_loss: 0.6000"),
              kNow, set);
  EXPECT_THAT(Points(set), ElementsAre(P{"loss", 1, 0.5}, P{"val_loss", 1, 0.6}));
}

TEST(OutputParserKerasTest, TurnedOffKerasLinesAreNotReadAsKeyValues) {
  OutputParserOptions options = KeyValues();
  options.keras = false;
  EXPECT_THAT(Parse(Keras2Fit(), options), IsEmpty());
}

// ---- tqdm ----

// A tqdm bar state: "{desc}: {pct}%|{bar}| n/total [elapsed<remaining, rate{, postfix}]".
std::string TqdmState(std::string desc, int n, int total, std::string postfix) {
  int pct = 100 * n / total;
  std::string bar;
  for (int i = 0; i < 10; ++i) bar += i < pct / 10 ? "\u2588" : " ";
  std::string s = desc.empty() ? "" : desc + ": ";
  std::string pct_text = std::to_string(pct);
  s += std::string(3 - pct_text.size(), ' ') + pct_text + "%|" + bar + "| " + std::to_string(n) + "/" +
       std::to_string(total) + " [00:03<00:04, 12.1it/s";
  if (!postfix.empty()) s += ", " + postfix;
  return s + "]";
}

std::string Loss(double v) { return "loss=" + Format("%.3g", v); }

// for e in 1..3: for b in tqdm(range(4), desc=f"Epoch {e}"): bar.set_postfix(loss=...)
std::string TqdmEpochBars() {
  std::string out;
  for (int e = 1; e <= 3; ++e) {
    out += "\r" + TqdmState("Epoch " + std::to_string(e), 0, 4, "");
    for (int b = 1; b <= 4; ++b) out += "\r" + TqdmState("Epoch " + std::to_string(e), b, 4, Loss(e + b / 10.0));
    out += "\r" + TqdmState("Epoch " + std::to_string(e), 4, 4, Loss(e + 0.4)) + "\n";  // close(leave=True)
  }
  return out;
}

TEST(OutputParserTqdmTest, EpochBarsGiveOnePointPerEpoch) {
  EXPECT_THAT(Parse(TqdmEpochBars()), ElementsAre(P{"loss", 1, 1.4}, P{"loss", 2, 2.4}, P{"loss", 3, 3.4}));
}

TEST(OutputParserTqdmTest, CounterBarGivesTheLastStateOfEachCounterValue) {
  std::string out = "\r" + TqdmState("", 1, 100, "acc=0.5, loss=0.9") + "\r" +
                    TqdmState("", 1, 100, "acc=0.6, loss=0.8") + "\r" + TqdmState("", 2, 100, "acc=0.7, loss=0.7") +
                    "\r" + TqdmState("", 5, 100, "loss=0.5") + "   ";  // tqdm pads a shorter redraw
  EXPECT_THAT(Parse(out),
              ElementsAre(P{"acc", 1, 0.6}, P{"acc", 2, 0.7}, P{"loss", 1, 0.8}, P{"loss", 2, 0.7}, P{"loss", 5, 0.5}));
}

TEST(OutputParserTqdmTest, BarWithoutTotal) {
  std::string out = "\rtraining: 45it [00:03, 12.1it/s, loss=0.231]\rtraining: 46it [00:03, 12.1it/s, loss=0.23]\n";
  EXPECT_THAT(Parse(out), ElementsAre(P{"loss", 45, 0.231}, P{"loss", 46, 0.23}));
}

TEST(OutputParserTqdmTest, PostfixSetAfterTheBarFilledIsTheEpochsValue) {
  // Lightning fills the bar, validates, then adds val_loss to the postfix at the same step.
  std::string out = "\r" + TqdmState("Epoch 0", 100, 100, "v_num=3, train_loss=0.5") + "\r" +
                    TqdmState("Epoch 0", 100, 100, "v_num=3, train_loss=0.5, val_loss=0.6") + "\r" +
                    TqdmState("Epoch 1", 1, 100, "v_num=3, train_loss=0.4, val_loss=0.6") + "\r" +
                    TqdmState("Epoch 1", 100, 100, "v_num=3, train_loss=0.3, val_loss=0.35");
  EXPECT_THAT(Parse(out), ElementsAre(P{"train_loss", 0, 0.5}, P{"train_loss", 1, 0.3}, P{"val_loss", 0, 0.6},
                                      P{"val_loss", 1, 0.35}));
}

TEST(OutputParserTqdmTest, NestedBars) {
  // for e in trange(3, desc="Training"):                       # position 0
  //   for b in tqdm(range(4), desc=f"Epoch {e}", leave=False):  # position 1
  // tqdm draws the inner bar with "\n" (down a row), "\r", the bar, then ESC[A (back up).
  std::string out = "\r" + TqdmState("Training", 0, 3, "");
  for (int e = 0; e < 3; ++e) {
    for (int b = 0; b <= 4; ++b) {
      out += "\n\r" + TqdmState("Epoch " + std::to_string(e), b, 4, b == 0 ? "" : Loss(e + b / 10.0)) + "\x1b[A";
    }
    out += "\n\r" + std::string(60, ' ') + "\x1b[A";  // the inner bar closes and clears its row
    out += "\r" + TqdmState("Training", e + 1, 3, "best=" + Format("%.3g", 0.5 - e / 10.0));
  }
  out += "\n";
  EXPECT_THAT(Parse(out), ElementsAre(P{"loss", 0, 0.4}, P{"loss", 1, 1.4}, P{"loss", 2, 2.4}, P{"best", 1, 0.5},
                                      P{"best", 2, 0.4}, P{"best", 3, 0.3}));
}

TEST(OutputParserTqdmTest, NonNumbersAndTimeFieldsAreSkipped) {
  std::string out = "\r" + TqdmState("", 3, 10, "loss=tensor(0.2310), mode=train, lr=1e-5, err=nan") + "\n";
  EXPECT_THAT(Parse(out), ElementsAre(P{"lr", 3, 1e-5}, P{"err", 3, std::nan("")}));
}

TEST(OutputParserTqdmTest, ColouredBar) {
  std::string out = "\r\x1b[32m" + TqdmState("Epoch 2", 10, 10, "loss=0.1") + "\x1b[0m\n";
  EXPECT_THAT(Parse(out), ElementsAre(P{"loss", 2, 0.1}));
}

TEST(OutputParserTqdmTest, TurnedOff) {
  OutputParserOptions options = KeyValues();
  options.tqdm = false;
  EXPECT_THAT(Parse(TqdmEpochBars(), options), IsEmpty());
}

// ---- key=value lines ----

TEST(OutputParserKeyValuesTest, OffByDefault) {
  EXPECT_THAT(Parse("epoch 3: train_loss=0.21 val_loss=0.25\nstep 100 loss: 0.25 acc: 0.9\n"), IsEmpty());
}

TEST(OutputParserKeyValuesTest, StepKeysGiveTheStep) {
  std::string out =
      "epoch 3: train_loss=0.21 val_loss=0.25\n"
      "step 100 loss: 0.25 acc: 0.9\n"
      "INFO:root:epoch=4 loss=0.2\n"
      "Epoch 5/10 - iter=7 loss = 0.15\n";
  EXPECT_THAT(Parse(out, KeyValues()),
              ElementsAre(P{"train_loss", 3, 0.21}, P{"val_loss", 3, 0.25}, P{"loss", 100, 0.25}, P{"loss", 4, 0.2},
                          P{"loss", 7, 0.15}, P{"acc", 100, 0.9}));
}

TEST(OutputParserKeyValuesTest, WithoutAStepEachMetricCountsItsOwn) {
  std::string out =
      "{'loss': 0.6931, 'grad_norm': 1.5, 'learning_rate': 5e-05, 'epoch': 0.27}\n"
      "{'loss': 0.5, 'learning_rate': 4e-05, 'epoch': 0.53}\n";
  EXPECT_THAT(Parse(out, KeyValues()), ElementsAre(P{"loss", 0, 0.6931}, P{"loss", 1, 0.5}, P{"grad_norm", 0, 1.5},
                                                   P{"learning_rate", 0, 5e-05}, P{"learning_rate", 1, 4e-05}));
}

TEST(OutputParserKeyValuesTest, OnlyWholeNumberTokensAndMetricNames) {
  std::string out =
      "acc=91% eta=3s time=12:30:45 url=http://x/y v=1.2.3 x=0x10 loss=0.25, n=3; 9k=1 done.\n"
      "loss=0.5 loss=0.7 step=2\n"
      "2024-01-01 12:00:00,123 - INFO - lr: 0.001 val/acc: 0.5\n";
  EXPECT_THAT(Parse(out, KeyValues()), ElementsAre(P{"loss", 0, 0.25}, P{"loss", 2, 0.5}, P{"n", 0, 3},
                                                   P{"lr", 0, 0.001}, P{"val/acc", 0, 0.5}));
}

TEST(OutputParserKeyValuesTest, ALineRecordsAtMost256Metrics) {
  std::string line;
  for (int i = 0; i < 300; ++i) line += "m" + std::to_string(i) + "=1 ";
  EXPECT_EQ(Parse(line + "step=3\n", KeyValues()).size(), 256u);
}

TEST(OutputParserKeyValuesTest, StepKeyPreferredToEpoch) {
  EXPECT_THAT(Parse("epoch 2 global_step 500 loss=0.1\n", KeyValues()), ElementsAre(P{"loss", 500, 0.1}));
  // A step that is not an integer is neither the step nor a metric.
  EXPECT_THAT(Parse("step=1.5 loss=0.1\n", KeyValues()), ElementsAre(P{"loss", 0, 0.1}));
}

TEST(OutputParserKeyValuesTest, OnlyTheLineAsItFinallyStands) {
  EXPECT_THAT(Parse("\rstep 1 loss=0.9\rstep 2 loss=0.8\rstep 3 loss=0.7\n", KeyValues()),
              ElementsAre(P{"loss", 3, 0.7}));
}

TEST(OutputParserKeyValuesTest, ColoursAndLastLineWithoutNewline) {
  EXPECT_THAT(Parse("\x1b[1mepoch\x1b[0m 1 \x1b[32mloss\x1b[0m=\x1b[33m0.5\x1b[0m\nepoch 2 loss=0.4", KeyValues()),
              ElementsAre(P{"loss", 1, 0.5}, P{"loss", 2, 0.4}));
}

// ---- everything at once ----

std::vector<std::string> Samples() {
  std::string mixed =
      "Epoch 1/1\n"
      "\r1/2 [===>...] - ETA: 1s - loss: 0.9"
      "\x1b[K\r2/2 [======] - 1s - loss: 0.3\r\n" +
      TqdmEpochBars() +
      "\xe2\x94\x81 half a glyph: \xe2\x94"
      "\nstep=4 acc=0.5\r\n";
  return {Keras2Fit(), Keras3Fit(), TqdmEpochBars(), mixed};
}

TEST(OutputParserTest, AnyChunkingGivesTheSamePoints) {
  std::mt19937 rng(7);
  for (const std::string& sample : Samples()) {
    std::vector<P> whole = Parse(sample, KeyValues());
    ASSERT_FALSE(whole.empty());
    EXPECT_EQ(Parse(sample, KeyValues(), 1), whole);
    EXPECT_EQ(Parse(sample, KeyValues(), 7), whole);
    for (int round = 0; round < 20; ++round) {
      OutputParser parser(KeyValues());
      MetricSet set;
      for (size_t i = 0; i < sample.size();) {
        size_t n = std::uniform_int_distribution<size_t>(0, 40)(rng);
        parser.Feed(std::string_view(sample).substr(i, n), kNow, set);
        i += n;
      }
      parser.Finish(kNow, set);
      EXPECT_EQ(Points(set), whole);
    }
  }
}

TEST(OutputParserTest, GarbageDoesNotStopLaterOutput) {
  std::mt19937 rng(11);
  std::string garbage;
  for (int i = 0; i < 200000; ++i) garbage += static_cast<char>(rng());
  // Whatever state the garbage leaves (an open escape, an over-long line, a '\r'), a line break
  // ends it, and the output after is read as usual.
  std::string out = garbage + "\n" + Keras2Fit();
  std::vector<P> got = Parse(out);
  std::vector<P> want = ExpectedEpochs(false);
  // Random bytes may well look like nothing; the epochs after them must all be there.
  EXPECT_EQ(std::vector<P>(got.end() - std::min(got.size(), want.size()), got.end()), want);
}

TEST(OutputParserTest, OverlongLinesAreDropped) {
  std::string huge = "loss=0." + std::string(100 * 1024, '1');
  EXPECT_THAT(Parse(huge + "\nloss=0.5\n", KeyValues()), ElementsAre(P{"loss", 0, 0.5}));
  // An over-long value token is not read by its prefix either.
  EXPECT_THAT(Parse("loss=0." + std::string(100, '1') + "\n", KeyValues()), IsEmpty());
}

TEST(OutputParserTest, BinaryAndNulBytes) {
  using namespace std::string_literals;
  std::string out = "Epoch 1/1\n\0\0\xff\xfe\x01\n32/32 [===] - loss: 0.2\0"s + "100\n";
  // NUL bytes inside the line show nothing, so the value reads "0.2100".
  EXPECT_THAT(Parse(out), ElementsAre(P{"loss", 1, 0.21}));
}

}  // namespace
}  // namespace trail::metrics
