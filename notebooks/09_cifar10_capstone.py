# %% [markdown] slideshow={"slide_type": "slide"}
# # 09 · The CIFAR-10 capstone, step by step, and training beyond one device
#
# The chapter ends with its hardest exercise (exercise 8 of chapter 11 in Géron, 2022): a deliberately too deep
# network of 20 dense layers on CIFAR-10, improved one idea at a time. It puts every earlier notebook to work
# at once: initialization and activations (01, 02), batch normalization (03), faster optimizers (05), the LR
# finder and 1cycle (06), dropout and MC dropout (07). This notebook is that exercise, worked and measured: every
# step is compared with the one before it in one table and one plot, every run is logged to TensorBoard, and a
# last section runs the same training under `tf.distribute.MirroredStrategy`, which is how the same code spreads
# over several GPUs.
#
# **You will learn to**
# 1. build and train a 20-layer network on CIFAR-10 and change one thing at a time, picking the learning rate
#    again with the LR finder after every change;
# 2. read what batch normalization, self-normalizing SELU, alpha dropout, MC dropout and 1cycle do to the best
#    validation accuracy, the epochs to get there and the time per epoch;
# 3. compare runs in TensorBoard;
# 4. run the same training under `MirroredStrategy`: global batch size, learning-rate scaling, `strategy.scope()`,
#    `tf.data` input, and what a multi-machine cluster adds.
#
# **Builds on:** notebooks 01-07. **About the outputs:** no machine of this course can download CIFAR-10, so this is
# the one notebook committed *without* the outputs of its data-dependent cells (only the checked cells keep theirs:
# formulas, counts and checks that hold by construction, whatever the data); run it yourself to see your results.
# Offline it runs on a synthetic stand-in of the same shape, for the tests only.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup
#
# `load_cifar10()` (in `helpers.data`) downloads CIFAR-10 through Keras' own downloader,
# `keras.datasets.cifar10.load_data()`, which checks the archive's SHA-256 digest. **The split** is the book's: the
# first 5,000 of the 50,000 training images are the validation set, the other 45,000 the training set, and the 10,000
# test images stay untouched. Pixels are scaled to [0, 1]. Without internet the loader says so in one line starting with
# `OFFLINE:` and uses 5,000 synthetic 32×32×3 images in 10 classes instead: fine for testing the code, meaningless as
# results. The standardised copy (every input feature centred and scaled by training-set statistics) is for SELU, step (d).

# %% slideshow={"slide_type": "-"}
from helpers import (  # first import: keeps TensorFlow's start-up chatter out of the notebook
    FreshStart, OneCycleSchedule, budget, check_condition, check_value, find_learning_rate, load_cifar10,
    rel_error, run_logdir, set_seeds, setup,
)
import math
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

setup(seed=42)
data = load_cifar10()
data_std = data.standardized()  # per-feature standardisation with training-set mean and std (for SELU)
print(data.summary())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The laptop budget
#
# The book's solution trains steps (b) to (e) with Keras' default batches of 32 for up to 100 epochs, stopping after
# 20 epochs without progress (its 1cycle step runs 15 epochs of batches of 128). On a 2-core laptop CPU one epoch of
# these networks on CIFAR-10 takes about 10 to 30 seconds with batches of 128 (several times longer with batches of
# 32), so that budget would take hours. The values below are a
# **laptop budget**: sized so that the whole notebook finishes in about 15 minutes on a 2-core CPU (the README gives
# the per-epoch times this was derived from). Batches of 128 (the book's batch size for its 1cycle step) keep the
# per-step overhead of `fit` low. With a GPU, or time to spare, raise `EPOCHS` to 100 and `PATIENCE` to 20 for the
# book's budget. (`budget(full, quick=...)` returns the small value only in the test suite's quick mode.)
#
# **What this budget changes.** Keras' `EarlyStopping` stops a run once `PATIENCE` epochs in a row have not beaten its
# best, so with 7 epochs and a patience of 3 a run can stop early only if its best epoch is the 3rd or earlier; most
# runs will simply hit the cap. Their "epoch of best" is then often the last epoch, which says that the cap was reached,
# not that the run converged. Section 7 therefore adds a measure the cap distorts less: the first epoch at which each
# step matches (a)'s best validation accuracy. Expect every step to end a few points below the book's 100-epoch
# figures quoted below, and do not be surprised if the steps come out in a different order.

# %% slideshow={"slide_type": "-"}
# LAPTOP BUDGET: about 15 minutes for the whole notebook on a 2-core CPU with the real CIFAR-10.
BATCH_SIZE = 128
DEPTH = budget(20, quick=3)              # hidden layers: the exercise's 20 (fewer only in the tests)
EPOCHS = budget(7, quick=2)              # the book: 100
PATIENCE = budget(3, quick=1)            # early stopping; the book: 20
LR_FINDER_STEPS = budget(100, quick=12)  # batches in each LR range test
MC_SAMPLES = budget(20, quick=3)         # forward passes for MC dropout
MIRRORED_EPOCHS = budget(3, quick=2)     # per timing run in section 8; epoch 1 (tracing) is left out of the median

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The networks of the six steps
#
# Each step changes one thing (two in (b), as the exercise asks):
#
# | step | network | optimizer and rate | inputs |
# |---|---|---|---|
# | (a) | 20 × `Dense(100)`, He initialization, Swish | Nadam at Keras' default rate (0.001), a fixed number of epochs | pixels in [0, 1] |
# | (b) | same | Nadam, rate from the LR finder, early stopping | same |
# | (c) | + batch normalization after the input and after every hidden layer (before its activation) | rate from the LR finder again | same |
# | (d) | BN removed, SELU with LeCun initialization | LR finder | standardised |
# | (e) | + alpha dropout (10%) before the output layer; then MC dropout at prediction time | LR finder | standardised |
# | (f) | same as (e) | 1cycle schedule | standardised |
#
# SELU self-normalizes only under conditions (Klambauer et al., 2017; notebook 02): standardised inputs, LeCun normal
# initialization, a plain stack of dense layers, and no ordinary dropout (alpha dropout keeps the mean and variance that
# SELU needs). The BN network puts BN after every hidden `Dense` layer and before its activation, as the book's solution
# does, and drops the dense layers' biases, which BN's own shift makes redundant (notebook 03). It also puts a BN layer
# on the raw inputs, which the 3rd edition's solution does not (the 2nd edition's did): that one is this notebook's
# choice.

# %% slideshow={"slide_type": "-"}
def build_swish(batch_norm=False, depth=DEPTH):
    layers = [keras.Input(shape=(32, 32, 3)), keras.layers.Flatten()]
    if batch_norm:
        layers.append(keras.layers.BatchNormalization())
    for _ in range(depth):
        if batch_norm:
            layers += [keras.layers.Dense(100, kernel_initializer="he_normal", use_bias=False),
                       keras.layers.BatchNormalization(), keras.layers.Activation("swish")]
        else:
            layers.append(keras.layers.Dense(100, activation="swish", kernel_initializer="he_normal"))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)


def build_selu(alpha_dropout=0.0, depth=DEPTH):
    layers = [keras.Input(shape=(32, 32, 3)), keras.layers.Flatten()]
    layers += [keras.layers.Dense(100, activation="selu", kernel_initializer="lecun_normal") for _ in range(depth)]
    if alpha_dropout:
        layers.append(keras.layers.AlphaDropout(alpha_dropout))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)


def compiled(model, learning_rate=1e-3):
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Nadam(learning_rate=learning_rate),
                  metrics=["accuracy"], steps_per_execution=32)
    return model


# %% [markdown] slideshow={"slide_type": "-"}
# The parameter counts follow from the layer sizes: the first layer has $3072 \times 100 + 100$ weights, each of the 19
# others $100 \times 100 + 100$, the output $100 \times 10 + 10$. BN adds four vectors per normalized layer (scale and
# shift are trained; the moving mean and variance are not) and saves the 20 hidden biases. Alpha dropout has no weights.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
expected_plain = (3072 * 100 + 100) + 19 * (100 * 100 + 100) + (100 * 10 + 10)
expected_bn = expected_plain - 20 * 100 + 4 * (3072 + 20 * 100)
counts = {"(a), (b) Swish": build_swish(depth=20).count_params(),
          "(c) Swish + BN": build_swish(batch_norm=True, depth=20).count_params(),
          "(d) SELU": build_selu(depth=20).count_params(),
          "(e), (f) SELU + alpha dropout": build_selu(0.1, depth=20).count_params()}
assert list(counts.values()) == [expected_plain, expected_bn, expected_plain, expected_plain]
for name, count in counts.items():
    print(f"{name:32s} {count:9,d} parameters")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Recording each run
#
# `train` runs one step and keeps what the comparison needs: the validation accuracy per epoch, the best of it and the
# epoch it came at ("epochs to converge"), and the wall time per epoch (the median, so the first epoch's one-off
# tracing does not count). Early stopping watches the validation accuracy and restores the best weights. Every run
# also logs to TensorBoard under `work/logs/09_<step>/<time>`.

# %% slideshow={"slide_type": "-"}
class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch (training plus validation), in seconds."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


results, finders = {}, {}


def train(step, model, inputs, learning_rate, *, early_stopping=True):
    timer = EpochTimer()
    callbacks = [timer, keras.callbacks.TensorBoard(run_logdir(f"09_{step}"))]
    if early_stopping:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=PATIENCE,
                                                       restore_best_weights=True))
    history = model.fit(inputs.X_train, inputs.y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0,
                        validation_data=(inputs.X_valid, inputs.y_valid), callbacks=callbacks)
    val = history.history["val_accuracy"]
    results[step] = {"val_accuracy": val, "best": max(val), "best_epoch": int(np.argmax(val)) + 1,
                     "epochs_run": len(val), "s_per_epoch": float(np.median(timer.seconds)), "rate": learning_rate}
    r = results[step]
    print(f"({step}) best validation accuracy {r['best']:.3f} at epoch {r['best_epoch']} of {r['epochs_run']}, "
          f"{r['s_per_epoch']:.1f} s per epoch")


def pick_learning_rate(step, model, inputs):
    finder = find_learning_rate(model, inputs.X_train, inputs.y_train, start=1e-5, stop=1.0,
                                num_steps=LR_FINDER_STEPS, batch_size=BATCH_SIZE)
    finders[step] = finder
    print(f"({step}) LR finder: smoothed loss lowest at {finder.best_learning_rate:.1e}; "
          f"rate used: a tenth of that, {finder.suggestion:.1e}")
    return finder.suggestion


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Steps (a) and (b): the deep Swish network, then Nadam at the LR finder's rate with early stopping
#
# **What to expect.** He initialization keeps the variance of the signal roughly constant through the 20 Swish layers
# (notebooks 01 and 02), so the network trains at all; but a dense network sees an image as 3,072 unrelated numbers, so
# nobody should expect much more than about 50% validation accuracy (a convolutional network does far better). "The
# book's run", here and below, means the single run of each step in Géron's solution notebook (batches of 32, up to
# 100 epochs, patience 20; see the references). For step (b) it reached about 46.8% validation accuracy, with its
# lowest validation loss after 29 epochs of roughly 10 s each on a laptop without a GPU. At the laptop budget expect
# a few points less. Keras' default rate is a guess, not a choice; the LR finder
# (notebook 06) measures the loss while the rate grows batch by batch, and we take a tenth of the rate where the
# smoothed loss is lowest.
#
# Steps (a) and (b) share one architecture, so they share one compiled model: `FreshStart` puts back exactly the weights
# and optimizer state a fresh build with the same seed would have, without paying for tracing a second time.

# %% slideshow={"slide_type": "-"}
model_ab = compiled(build_swish())
restart = FreshStart(model_ab, build_swish)
restart(42)
train("a", model_ab, data, learning_rate=1e-3, early_stopping=False)

# %% slideshow={"slide_type": "-"}
restart(42)
rate_b = pick_learning_rate("b", model_ab, data)  # the finder leaves weights and optimizer state as they were
model_ab.optimizer.learning_rate = rate_b
train("b", model_ab, data, learning_rate=rate_b)

# %% [markdown] slideshow={"slide_type": "-"}
# **What to look for.** Compare the two lines above: (a) ran every epoch; (b) had early stopping, but at this budget it
# stops early only if its best epoch came by the 3rd (then "of N" is below `EPOCHS`, and it kept its best weights);
# otherwise it ran every epoch too. If the finder's rate is far from 0.001, the gap between (a) and (b) shows how much a
# measured rate is worth; if it is close, the two differ by little more than noise.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Step (c): batch normalization
#
# **What to expect.** BN normalizes each layer's inputs over the batch, which makes training far less sensitive to the
# scale of the weights and tolerates larger rates (notebook 03). In the book's run (BN after every hidden layer, before
# the activation, Nadam at 5e-4) the BN network matched (b)'s lowest validation loss after 12 epochs instead of 29,
# kept improving until the 17th, and ended at 50.7% validation accuracy instead of 46.7%. But each epoch took about 15 s
# instead of 10 s, since BN costs arithmetic and memory traffic at every layer, so the wall time to the best model was
# only about 10% shorter. At the laptop budget expect a few points below the book; the order of the steps can differ.
# The LR finder runs again, because the best rate changes with the architecture.

# %% slideshow={"slide_type": "-"}
set_seeds(42)
model_c = compiled(build_swish(batch_norm=True))
rate_c = pick_learning_rate("c", model_c, data)
model_c.optimizer.learning_rate = rate_c
train("c", model_c, data, learning_rate=rate_c)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Step (d): SELU instead of BN
#
# A self-normalizing network needs standardised inputs. The check below is on the training set that (d) trains on:
# every input feature, and hence every colour channel, has mean 0 and standard deviation 1 (a channel's variance is the
# mean of its features' variances plus the variance of their means, $1 + 0$).

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
features = data_std.X_train.reshape(len(data_std.X_train), -1).astype(np.float64)
channels = data_std.X_train.reshape(-1, 3).astype(np.float64)
per_feature = np.abs(features.mean(axis=0)).max() < 1e-3 and np.abs(features.std(axis=0) - 1).max() < 1e-3
per_channel = np.abs(channels.mean(axis=0)).max() < 1e-3 and np.abs(channels.std(axis=0) - 1).max() < 1e-3
assert per_feature and per_channel  # to 1e-3: the statistics were computed in float32
print(f"every feature: mean 0 and std 1 (to 1e-3): {per_feature}")
print(f"every channel: mean 0 and std 1 (to 1e-3): {per_channel}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What to expect.** Without BN's extra work, and with SELU cheaper to compute than Swish, an epoch should cost a
# little less than in (b). SELU keeps the activations normalized by itself, so it may converge in fewer epochs than (b);
# the book's run had its best epoch at the 14th, with about 50.3% (better than (b), a little below BN's 50.7%), and was
# its quickest to train so far. At the laptop budget expect a few points below the book; the order of the steps can
# differ. Its input condition holds (checked above); the network is a plain stack of dense layers.

# %% slideshow={"slide_type": "-"}
set_seeds(42)
model_d = compiled(build_selu())
rate_d = pick_learning_rate("d", model_d, data_std)
model_d.optimizer.learning_rate = rate_d
train("d", model_d, data_std, learning_rate=rate_d)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Step (e): alpha dropout, then MC dropout
#
# **What to expect.** Ordinary dropout would break self-normalization; alpha dropout sets dropped units to SELU's
# negative saturation value and then rescales so that mean and variance are kept (Klambauer et al., 2017). A
# regularizer helps when the network overfits; with a short budget it may simply slow training down. The book's run
# (10% alpha dropout before the output layer) got 48.1%, worse than (d)'s 50.3% without dropout. At the laptop budget
# expect a few points below the book; the order of the steps can differ.

# %% slideshow={"slide_type": "-"}
set_seeds(42)
model_e = compiled(build_selu(alpha_dropout=0.1))
rate_e = pick_learning_rate("e", model_e, data_std)
model_e.optimizer.learning_rate = rate_e
train("e", model_e, data_std, learning_rate=rate_e)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### MC dropout, without retraining
#
# MC dropout (Gal and Ghahramani, 2016) keeps dropout on at prediction time and averages the predicted probabilities
# over many forward passes. `helpers.MCDropout` does this for ordinary `Dropout` layers, but this network
# uses `AlphaDropout`; its only layer that behaves differently in training is that dropout layer (there is no BN), so
# calling the model with `training=True` samples exactly the MC-dropout predictions, and the trained weights are used
# as they are. Each pass gives a different prediction; their mean is the MC estimate.

# %% slideshow={"slide_type": "-"}
def mc_predict(model, X, n_samples):
    """Mean predicted probabilities over ``n_samples`` passes with dropout active."""
    return np.mean([keras.ops.convert_to_numpy(model(X, training=True)) for _ in range(n_samples)], axis=0)


set_seeds(42)
plain_proba = model_e.predict(data_std.X_valid, verbose=0)
mc_proba = mc_predict(model_e, data_std.X_valid, MC_SAMPLES)
plain_acc = np.mean(plain_proba.argmax(axis=1) == data_std.y_valid)
mc_acc = np.mean(mc_proba.argmax(axis=1) == data_std.y_valid)
results["e"]["mc_accuracy"] = mc_acc
print(f"(e) validation accuracy, dropout off: {plain_acc:.3f}; MC dropout over {MC_SAMPLES} passes: {mc_acc:.3f}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What to look for.** With only 10% dropout before the output layer, the passes differ little, so the MC average
# should stay close to the plain prediction; in the book, MC dropout brought (e) back to roughly (d)'s 50.3%, and the
# book then named the BN model the best of its steps so far. MC dropout's main gift is not accuracy but an estimate of
# uncertainty (the spread of the passes), at the cost of `MC_SAMPLES` forward passes per prediction.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Step (f): 1cycle
#
# 1cycle (Smith, 2018; notebook 06) warms the rate up linearly to a peak and anneals it far below its start. Because it
# spends only a short time near the peak, the peak can be higher than a good constant rate (Smith and Topin, 2019): we
# take a third of the rate where (e)'s LR finder saw the lowest loss, about 3.3 times the constant rate (e) used (a
# tenth of it), and run the whole schedule (no early stopping: stopping would cut the anneal off). The schedule's
# formula is checked first, on round numbers.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
demo = OneCycleSchedule(0.01, total_steps=1000)  # warmup 300 steps from 0.01/25, anneal to that / 10^4
start, end = 0.01 / 25, 0.01 / 25 / 1e4
steps = np.array([0, 150, 300, 650, 1000])
formula = np.where(steps < 300, start + (0.01 - start) * steps / 300,
                   end + (0.01 - end) * 0.5 * (1 + np.cos(np.pi * (steps - 300) / 700)))
err = rel_error(np.array([float(demo(s)) for s in steps]), formula)
assert err < 1e-6
print("1cycle rates at steps", steps.tolist(), ":", [f"{r:.2e}" for r in formula])
print(f"schedule vs formula, max relative error < 1e-6: {err < 1e-6}")

# %% slideshow={"slide_type": "-"}
set_seeds(42)
steps_per_epoch = math.ceil(len(data_std.X_train) / BATCH_SIZE)
peak = finders["e"].best_learning_rate / 3
model_f = compiled(build_selu(alpha_dropout=0.1), OneCycleSchedule(peak, total_steps=EPOCHS * steps_per_epoch))
train("f", model_f, data_std, learning_rate=peak, early_stopping=False)

# %% [markdown] slideshow={"slide_type": "-"}
# **What to expect.** The book's 1cycle run (plain SGD, peak rate 0.05, 15 epochs of batches of 128, about 2 s each)
# reached about 52.0%, above its BN model's 50.7%, in less wall time than any other step: the best of the exercise.
# At the laptop budget expect a few points below the book; the order of the steps can differ. Here (e) and (f) get the
# same number of epochs, but the comparison does **not** isolate the schedule: (f) also trains at a peak about 3.3 times
# (e)'s rate (a third of the finder's lowest-loss rate against a tenth) and runs without early stopping. Unlike the
# book's step (f) it keeps Nadam rather than SGD, and it does not cycle the momentum, which Smith (2018) lowers while
# the rate rises.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Every step against the last
#
# One table and one plot. "rate" is the constant learning rate of the run (for (f), 1cycle's peak); "Δ" is the change
# in best validation accuracy from the step above; "epoch of best" is the
# epoch at which the best validation accuracy came, and "epochs" how many ran. At the laptop budget early stopping rarely
# fires, so "epochs" is mostly the cap and "epoch of best" often the last epoch: a run still improving when the cap
# stops it has not converged. "reaches (a)" is the first epoch at which the step's validation accuracy matched (a)'s
# best ("-" if it never did), a speed measure the cap distorts less. Each step is **one run with one seed**,
# as in the book: a single run cannot tell a real difference from seed-to-seed noise (notebooks 02-06 measure that
# noise over seeds), so the table orders the steps without testing them (exercise 4 asks how to test one). The plot shows the validation
# curves (left), the LR finder's smoothed loss for each step (middle) and time per epoch (right).

# %% slideshow={"slide_type": "-"}
labels = {"a": "Swish, He, Nadam 1e-3", "b": "+ LR finder, early stop", "c": "+ batch norm",
          "d": "SELU, LeCun, standardised", "e": "+ alpha dropout", "f": "+ 1cycle"}
target = results["a"]["best"]  # every step is timed to (a)'s best validation accuracy
print(f"{'step':30s} {'rate':>8s} {'best val acc':>12s} {'Δ':>7s} {'epoch of best':>13s} {'epochs':>6s} "
      f"{'reaches (a)':>11s} {'s/epoch':>7s}")
previous = None
for step, r in results.items():
    delta = "" if previous is None else f"{r['best'] - previous:+.3f}"
    reach = next((str(i + 1) for i, v in enumerate(r["val_accuracy"]) if v >= target), "-")
    print(f"({step}) {labels[step]:26s} {r['rate']:8.1e} {r['best']:12.3f} {delta:>7s} {r['best_epoch']:13d} "
          f"{r['epochs_run']:6d} {reach:>11s} {r['s_per_epoch']:7.1f}")
    previous = r["best"]
print(f"(e) with MC dropout: validation accuracy {results['e']['mc_accuracy']:.3f}")

# %% slideshow={"slide_type": "-"}
fig, (ax_curves, ax_finder, ax_time) = plt.subplots(1, 3, figsize=(15, 4.2))
for step, r in results.items():
    ax_curves.plot(range(1, r["epochs_run"] + 1), r["val_accuracy"], marker="o", label=f"({step}) {labels[step]}")
ax_curves.set(xlabel="epoch", ylabel="validation accuracy", title="validation accuracy per epoch")
ax_curves.legend(fontsize=8)
for step, finder in finders.items():
    ax_finder.semilogx(finder.learning_rates, finder.smoothed, label=f"({step})")
    ax_finder.axvline(finder.suggestion, color=ax_finder.lines[-1].get_color(), linestyle=":", linewidth=1)
ax_finder.set(xlabel="learning rate", ylabel="smoothed batch loss", title="LR finder (dotted: rate used)")
ax_finder.set_ylim(top=min(4.0, max(max(f.smoothed[np.isfinite(f.smoothed)]) for f in finders.values())))
ax_finder.legend(fontsize=8)
ax_time.bar([f"({s})" for s in results], [r["s_per_epoch"] for r in results.values()], color="tab:gray")
ax_time.set(ylabel="seconds per epoch (median)", title="time per epoch")
plt.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Comparing the runs in TensorBoard
#
# Every run above logged its loss and accuracy per epoch under `work/logs/09_<step>/<time>`. From the repository's
# folder, run `python3 -m tensorboard.main --logdir work/logs` and open http://localhost:6006 (in JupyterLab:
# `%load_ext tensorboard`, then `%tensorboard --logdir ../work/logs`). Keras writes each run's training and validation
# curves as two separate runs, `<run>/train` and `<run>/validation`. Type `09_` in the run filter to keep this
# notebook's runs, tick the ones ending in `/validation` (and their `/train` partners to see the gap between the two),
# and open the tag `epoch_accuracy`; the smoothing slider only changes the display, not the logs. Runs from earlier
# sessions stay in the folder with their own timestamps, so you can compare today's run with yesterday's.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Beyond one device: `MirroredStrategy`
#
# `tf.distribute.MirroredStrategy` keeps one copy (replica) of the model on every local device (every GPU of a machine,
# or the CPU when there is none), splits each batch between the replicas, and adds up their gradients (an all-reduce)
# before every update, so all copies stay identical. One change to the code is required, and three more are ones you
# should make or consider:
#
# - **required: build and compile inside `with strategy.scope():`**, so that the variables are created mirrored;
# - **the global batch size (a choice)**: the batch you feed is split across replicas, so to keep each replica's batch
#   as it was you feed the per-replica batch times the number of replicas (`strategy.num_replicas_in_sync`); keeping the
#   old batch instead gives each replica a smaller share;
# - **the learning rate (tuning)**: with a batch $k$ times larger there are $k$ times fewer updates per epoch. For SGD
#   with momentum, Goyal et al. (2017) scale the rate linearly with the batch size, with a warmup for large $k$; that is
#   a heuristic, not a law, and for Adam-type optimizers such as Nadam a square-root rule is often suggested (Malladi
#   et al., 2022). The safe route is to run the LR finder again at the new batch size;
# - **input as a `tf.data.Dataset` (recommended)**, batched with the global batch size and prefetched, so the next
#   batch is ready while the replicas compute; `fit` also splits NumPy arrays across replicas, only less efficiently.
#
# What does not change: the model, the loss, `fit`, the callbacks, the saved `.keras` file. The arithmetic of the first
# two points, for a per-replica batch of 128 on CIFAR-10's 45,000 training images and a rate of 0.001 on one device,
# with the linear rule (meant for SGD with momentum):

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
PER_REPLICA_BATCH, BASE_RATE, N_CIFAR_TRAIN = 128, 1e-3, 45_000
for replicas in (1, 2, 4, 8):
    global_batch = PER_REPLICA_BATCH * replicas
    print(f"{replicas} replica(s): global batch {global_batch:5d}, {math.ceil(N_CIFAR_TRAIN / global_batch):3d} steps "
          f"per epoch, linearly scaled rate {BASE_RATE * replicas:.0e}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Here the strategy finds the devices this machine has: on a CPU-only machine, one replica on the CPU; with GPUs, one
# replica per GPU (nothing in the code changes). We train the network of step (b) for `MIRRORED_EPOCHS` epochs twice,
# on the same `tf.data` input: plainly, and under the strategy, and compare the median time per epoch over epochs 2
# onward (the first epoch also pays for tracing the graph, so it is left out). On one device the rate factor is 1, so
# the linear rule in the code changes nothing here; on several GPUs, with Nadam, rerun the LR finder rather than trust
# it.

# %% slideshow={"slide_type": "-"}
strategy = tf.distribute.MirroredStrategy()
replicas = strategy.num_replicas_in_sync
print(f"{replicas} replica(s) on {list(strategy.extended.worker_devices)}")
global_batch = BATCH_SIZE * replicas


def cifar_dataset(X, y, shuffle):
    ds = tf.data.Dataset.from_tensor_slices((X, y))
    if shuffle:
        ds = ds.shuffle(10_000, seed=42)  # a buffer of 10,000 images, reshuffled every epoch
    return ds.batch(global_batch).prefetch(tf.data.AUTOTUNE)


train_ds = cifar_dataset(data.X_train, data.y_train, shuffle=True)
valid_ds = cifar_dataset(data.X_valid, data.y_valid, shuffle=False)


def time_per_epoch(model):
    timer = EpochTimer()
    model.fit(train_ds, validation_data=valid_ds, epochs=MIRRORED_EPOCHS, callbacks=[timer], verbose=0,
              shuffle=False)  # train_ds shuffles itself, every epoch
    return float(np.median(timer.seconds[1:])), model.evaluate(valid_ds, verbose=0)[1]  # epoch 1 traces: skip it


set_seeds(42)
plain_seconds, plain_accuracy = time_per_epoch(compiled(build_swish(), rate_b))
set_seeds(42)
with strategy.scope():  # variables created here are mirrored on every replica
    mirrored_model = compiled(build_swish(), rate_b * replicas)  # linear scaling (x1 on one device)
mirrored_seconds, mirrored_accuracy = time_per_epoch(mirrored_model)
print(f"plain: {plain_seconds:.1f} s per epoch, validation accuracy {plain_accuracy:.3f}")
print(f"MirroredStrategy ({replicas} replica(s)): {mirrored_seconds:.1f} s per epoch, validation accuracy "
      f"{mirrored_accuracy:.3f}; time ratio {mirrored_seconds / plain_seconds:.2f}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What to look for.** On one device the strategy has nothing to split, so its time per epoch should be close to the
# plain run's (any gap is the strategy's bookkeeping); the accuracies differ only by run-to-run noise. On $k$ GPUs the
# same cell would process each global batch in roughly the time one GPU takes for a per-replica batch, so an epoch takes
# up to $k$ times less, minus the cost of the all-reduce; small dense networks like this one rarely keep a GPU busy
# enough for that to pay.
#
# **On a cluster of machines**, `tf.distribute.MultiWorkerMirroredStrategy` does the same across machines: every
# machine runs the same script, and the environment variable `TF_CONFIG` tells each one the addresses of all workers
# and its own role and index (for example `{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type":
# "worker", "index": 0}}`); it must be set before the strategy is created. The gradients are all-reduced over the
# network, and the global batch is the per-replica batch times all replicas on all machines. Saving is collective: every
# worker must take part in saving a model or checkpoint, but the non-chief workers write to temporary paths that are
# deleted afterwards, and only the chief's (worker 0's) copy is kept; TensorBoard logs are usually written by the chief
# only. TensorFlow's
# guide covers this and the other strategies (`TPUStrategy`, `ParameterServerStrategy`):
# https://www.tensorflow.org/guide/distributed_training, with a worked example in
# https://www.tensorflow.org/tutorials/distribute/multi_worker_with_keras.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - Change one thing at a time, and pick the learning rate again after every change: the best rate moves with the
#   architecture (compare the finder's curves for each step in the plot of section 7).
# - A deep dense network on CIFAR-10 stays around 50% validation accuracy whatever the tricks (the book's best, with
#   1cycle, was about 52%); the tricks change how fast and how reliably it gets there. Images want convolutional networks.
# - Batch normalization usually converges in fewer epochs and tolerates larger rates, but each epoch costs more; judge it
#   by wall time to a given accuracy, not by epochs.
# - SELU self-normalizes only with standardised inputs, LeCun initialization and a plain dense stack; alpha dropout is
#   its dropout. MC dropout reuses a trained dropout model: average many passes with dropout on.
# - 1cycle runs a fixed budget with a warmup and a long anneal; it allows a higher peak rate than a constant schedule.
# - One run per step orders the steps; it does not prove one better than another. Use several seeds and paired intervals
#   (as notebooks 02-06 do) before claiming a difference.
# - `MirroredStrategy` needs one change, building and compiling inside `strategy.scope()`, and three more you should
#   make or consider: a global batch of per-replica batch × replicas, a learning rate retuned for it (linear scaling is
#   a heuristic for SGD with momentum; rerun the LR finder to be safe), and `tf.data` input with prefetching.
#   `MultiWorkerMirroredStrategy` and `TF_CONFIG` take the same code to several machines.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Each exercise has a self-check cell: run it after your answer and it tells you whether you are right.
# Worked solutions are at the end of the notebook; try first.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: steps per epoch on four GPUs
#
# Under `MirroredStrategy` on 4 GPUs with a per-replica batch of 64, how many steps does one epoch over CIFAR-10's
# 45,000 training images take? Set `steps_on_4_gpus`.

# %% slideshow={"slide_type": "-"}
steps_on_4_gpus = ...  # your value here

# %% slideshow={"slide_type": "-"}
check_value("Exercise 1", steps_on_4_gpus, math.ceil(45_000 / (64 * 4)),
            hint="The global batch is the per-replica batch times the replicas; the last batch may be smaller.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: scaling the learning rate
#
# A run of SGD with momentum, with batches of 128, worked well at a learning rate of 0.002. You move it to 8 GPUs,
# keeping 128 images per replica. Set `scaled_rate` to the rate the linear scaling rule for SGD gives (Goyal et al.,
# 2017).

# %% slideshow={"slide_type": "-"}
scaled_rate = ...  # your value here

# %% slideshow={"slide_type": "-"}
check_value("Exercise 2", scaled_rate, 0.002 * 8, hint="The global batch is 8 times larger; so is the rate.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: parameters of the BN network
#
# Complete `bn_parameters(n_inputs, n_hidden, width)`: the total number of parameters (trainable and not) of a network
# like step (c)'s, with BN on the `n_inputs` inputs, `n_hidden` hidden layers of `width` units without biases, each
# followed by BN, and a 10-way softmax output with biases. The check compares it with Keras' count.

# %% slideshow={"slide_type": "-"}
def bn_parameters(n_inputs, n_hidden, width):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def keras_bn_count(n_inputs, n_hidden, width):
    layers = [keras.Input(shape=(n_inputs,)), keras.layers.BatchNormalization()]
    for _ in range(n_hidden):
        layers += [keras.layers.Dense(width, use_bias=False), keras.layers.BatchNormalization()]
    return keras.Sequential(layers + [keras.layers.Dense(10)]).count_params()


def matches_keras(fn):
    return all(int(fn(*args)) == keras_bn_count(*args) for args in ((3072, 20, 100), (10, 2, 7), (5, 1, 3)))


check_condition("Exercise 3", bn_parameters, matches_keras,
                hint="BN has 4 vectors per normalized layer (gamma, beta, moving mean, moving variance).");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: is BN better than SELU here?
#
# Section 7 compares single runs. To test whether (c) beats (d), you would train both with several seeds and compare
# them paired by seed (`helpers.stats.compare_to_baseline`). Complete `paired_differences(acc_c, acc_d)` so that it
# returns the per-seed differences (c) minus (d) as a NumPy array, the numbers a paired interval is built from; the
# check feeds it made-up accuracies.

# %% slideshow={"slide_type": "-"}
def paired_differences(acc_c, acc_d):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
check_condition("Exercise 4", paired_differences,
                lambda fn: np.allclose(fn([0.55, 0.53, 0.56], [0.51, 0.52, 0.50]), [0.04, 0.01, 0.06]),
                hint="Pair the runs by seed and subtract; return an array.");

# %% [markdown] slideshow={"slide_type": "slide"} tags=["solution"]
# ## Solutions
#
# Look only after trying. Each solution is followed by its self-check.

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 1.** The global batch is $64 \times 4 = 256$ images; $\lceil 45000 / 256 \rceil = 176$ steps (the last
# batch holds 200 images, split between the replicas).

# %% slideshow={"slide_type": "-"} tags=["solution"]
steps_on_4_gpus = math.ceil(45_000 / (64 * 4))
assert check_value("Exercise 1", steps_on_4_gpus, math.ceil(45_000 / (64 * 4)))

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 2.** The global batch grows from 128 to $8 \times 128 = 1024$, 8 times larger, so the rate becomes
# $8 \times 0.002 = 0.016$. Goyal et al. (2017) pair this with a few epochs of warmup, since the full rate at the start
# can diverge; 1cycle's warmup does the same job. The rule is a heuristic for SGD with momentum; with an Adam-type
# optimizer, rerun the LR finder at the new batch size instead.

# %% slideshow={"slide_type": "-"} tags=["solution"]
scaled_rate = 0.002 * 8
assert check_value("Exercise 2", scaled_rate, 0.002 * 8)

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 3.** Input BN: $4 n_{in}$; each hidden layer: the first takes $n_{in} \times w$ weights, the others
# $w \times w$, plus $4w$ for its BN; the output layer: $10w + 10$. For step (c) this gives the count of section 1.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def bn_parameters(n_inputs, n_hidden, width):
    hidden = n_inputs * width + (n_hidden - 1) * width * width + n_hidden * 4 * width
    return 4 * n_inputs + hidden + 10 * width + 10


assert check_condition("Exercise 3", bn_parameters, matches_keras)

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 4.** Pairing by seed removes what the two runs of a seed share (here the order of the batches), so the
# interval of the mean difference can be narrower than when two independent groups are compared.
# `compare_to_baseline` builds a t interval from exactly these differences and Holm-corrects across comparisons.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def paired_differences(acc_c, acc_d):
    return np.asarray(acc_c) - np.asarray(acc_d)


assert check_condition("Exercise 4", paired_differences,
                       lambda fn: np.allclose(fn([0.55, 0.53, 0.56], [0.51, 0.52, 0.50]), [0.04, 0.01, 0.06]))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - A. Géron (2022). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 3rd ed., chapter 11,
#   exercise 8, and its solution notebook `11_training_deep_neural_networks.ipynb` (github.com/ageron/handson-ml3;
#   the figures quoted above are from its single runs: steps (b) to (e) with batches of 32, up to 100 epochs and a
#   patience of 20, step (f) 15 epochs of batches of 128).
# - A. Krizhevsky (2009). *Learning Multiple Layers of Features from Tiny Images.* Technical report, University of Toronto (CIFAR-10).
# - K. He, X. Zhang, S. Ren and J. Sun (2015). *Delving Deep into Rectifiers.* ICCV (He initialization).
# - P. Ramachandran, B. Zoph and Q. V. Le (2017). *Searching for Activation Functions.* arXiv:1710.05941 (Swish).
# - T. Dozat (2016). *Incorporating Nesterov Momentum into Adam.* ICLR workshop (Nadam).
# - S. Ioffe and C. Szegedy (2015). *Batch Normalization.* ICML.
# - G. Klambauer, T. Unterthiner, A. Mayr and S. Hochreiter (2017). *Self-Normalizing Neural Networks.* NeurIPS (SELU, alpha dropout).
# - Y. Gal and Z. Ghahramani (2016). *Dropout as a Bayesian Approximation.* ICML (MC dropout).
# - L. N. Smith (2017). *Cyclical Learning Rates for Training Neural Networks.* WACV (the LR range test).
# - L. N. Smith (2018). *A disciplined approach to neural network hyper-parameters: Part 1.* arXiv:1803.09820 (1cycle).
# - L. N. Smith and N. Topin (2019). *Super-Convergence: Very Fast Training of Neural Networks Using Large Learning Rates.* SPIE.
# - P. Goyal, P. Dollár, R. Girshick et al. (2017). *Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour.* arXiv:1706.02677 (linear scaling, warmup).
# - S. Malladi, K. Lyu, A. Panigrahi and S. Arora (2022). *On the SDEs and Scaling Rules for Adaptive Gradient Algorithms.* NeurIPS (square-root scaling for Adam-type optimizers).
# - TensorFlow (2025). *Distributed training with TensorFlow* (guide) and *Multi-worker training with Keras* (tutorial), tensorflow.org.
