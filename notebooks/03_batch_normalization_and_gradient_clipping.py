# %% [markdown] slideshow={"slide_type": "slide"}
# # 03 · Batch normalization and gradient clipping
#
# Notebook 01 showed that a good initialization keeps the signal at the same size in every
# layer, *at the start of training*. But training changes the weights, and nothing guarantees
# that the balance survives the first few hundred steps: the spread of a deep layer's inputs
# drifts, and gradients can grow or shrink again. **Batch normalization** (BN) re-standardizes
# each layer's inputs at every step and lets us train deep networks with much larger learning
# rates. **Gradient clipping** is the blunt, cheap safety net for the other failure: one huge
# gradient that throws the weights so far that training never recovers.
#
# **You will learn to**
# 1. measure how per-layer statistics drift during training, and say what "internal covariate shift" meant and what is believed today;
# 2. implement batch normalization in NumPy, in training and inference mode with moving averages, and check it against Keras;
# 3. use `keras.layers.BatchNormalization` well: where to put it, `use_bias=False`, `momentum`, `axis`, and `training=True/False`;
# 4. measure what BN buys (a larger tolerated learning rate, and why) and what it costs at prediction time, and fold it away for inference;
# 5. choose between `clipvalue`, `clipnorm` and `global_clipnorm`, set a clipping threshold from a healthy run, and tell clipping as insurance from a learning-rate cut in disguise.
#
# **Builds on:** notebooks 01 and 02 (per-layer probes, He initialization, ReLU and its variants, the `helpers`
# package). Next notebook: reusing pretrained layers.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup
#
# As in notebook 01: `helpers` first (it keeps TensorFlow's start-up messages out), then `setup()`
# for seeds and plot style. `ProbeHistory` is a small callback from `helpers.callbacks` that runs
# notebook 01's probes every few training steps. The data are Fashion-MNIST, standardized pixel by
# pixel with the training set's mean and standard deviation.
#
# A code cell that starts with the comment `# NBVAL_CHECK_OUTPUT` prints something that cannot depend on the
# data or the machine (a formula, a parameter count, a check against Keras): the course's tests run the notebook
# and check automatically that this cell's output is still exactly the one saved with it.

# %% slideshow={"slide_type": "-"}
from helpers import (  # first import: keeps TensorFlow's start-up chatter out of the notebook
    ProbeHistory, activation_stats, budget, check_function, check_value, gradient_norms,
    comparison_table, load_fashion_mnist, plot_learning_curves, plot_per_layer, rel_error, save_fig, set_seeds, setup,
    holm_adjusted, paired_difference,
)
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

setup(seed=42)
data = load_fashion_mnist(standardize=True)
print(data.summary())


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why a good start is not enough
#
# He initialization with ReLU keeps activations and gradients at the same size in every layer
# of a freshly built network (notebook 01). Training then changes every weight matrix at every
# step, and the layer above has to cope with inputs whose distribution keeps moving. Ioffe and
# Szegedy (2015) called this moving target **internal covariate shift**.
#
# Let's watch it happen. `build_deep_mlp` is the deep network of this notebook: 20 hidden ReLU
# layers of 100 units with He initialization (its `batch_norm=True` variant is for section 4).
# We train the plain one for one epoch with SGD at learning rate 0.05 and, every 40 steps, probe a
# fixed batch of 512 training images: the standard deviation of each layer's activations
# (the spread of the *next* layer's inputs) and each layer's gradient norm.

# %% slideshow={"slide_type": "-"}
def build_deep_mlp(batch_norm, n_hidden=20, units=100, momentum=0.9):
    # n_hidden ReLU layers with He initialization, then a 10-way softmax. With batch_norm=True
    # each Dense layer is followed by BN *before* the ReLU, and needs no bias (section 3).
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten()])
    for i in range(1, n_hidden + 1):
        if batch_norm:
            model.add(keras.layers.Dense(units, use_bias=False, kernel_initializer="he_normal", name=f"dense_{i}"))
            model.add(keras.layers.BatchNormalization(momentum=momentum, name=f"bn_{i}"))
            model.add(keras.layers.Activation("relu", name=f"relu_{i}"))
        else:
            model.add(keras.layers.Dense(units, activation="relu", kernel_initializer="he_normal", name=f"dense_{i}"))
    model.add(keras.layers.Dense(10, activation="softmax", name="output"))
    return model


# %% slideshow={"slide_type": "-"}
set_seeds(42)
deep_plain = build_deep_mlp(batch_norm=False)
deep_plain.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.05))
X_probe, y_probe = data.X_train[:512], data.y_train[:512]
probe = ProbeHistory(X_probe, y_probe, every=budget(40, quick=8))
deep_plain.fit(data.X_train, data.y_train, epochs=1, batch_size=64, verbose=0, callbacks=[probe])
act_std, grad_norm = probe.as_array("act_stds"), probe.as_array("grad_norms")  # (records, layers): column k - 1 is layer k

# %% [markdown] slideshow={"slide_type": "-"}
# Each layer keeps one colour in every figure of this notebook. The left panel shows the spread of each hidden
# layer's output, which is the input of the layer above it.

# %% slideshow={"slide_type": "-"}
LAYER_COLORS = {1: "tab:blue", 5: "tab:orange", 10: "tab:green", 15: "tab:red", 20: "tab:purple"}


def plot_layers(ax, steps, per_layer, layers=tuple(LAYER_COLORS)):
    # One line per layer k, in its own colour, from column k - 1 of an array of shape (records, layers).
    for k in layers:
        ax.plot(steps, per_layer[:, k - 1], color=LAYER_COLORS[k], label=f"layer {k}")
    ax.set_xlabel("training step")
    ax.legend()


fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
plot_layers(ax1, probe.steps, act_std)
plot_layers(ax2, probe.steps, grad_norm, layers=(1, 10, 20))
ax1.set(ylabel="std on the probe batch", title="Output spread of layer k (= input of layer k+1)")
ax2.set(ylabel="gradient norm (log scale)", yscale="log", title="Gradient norm of layer k")
fig.tight_layout()
save_fig("drift_during_training")
plt.show()
last_quarter = slice(-max(1, len(probe.steps) // 4), None)  # one probe is noisy: median of the last quarter
print("output std: at step 0, end of epoch / step 0, and at the probe furthest from step 0 (largest |log ratio|) / step 0;")
print("gradient norm: at step 0, and the median of the last quarter of the epoch / step 0")
for k in LAYER_COLORS:
    std, norm = act_std[:, k - 1], grad_norm[:, k - 1]
    furthest = np.abs(np.log(std / std[0])).argmax()  # below 1: the spread dipped; above 1: it grew
    print(f"layer {k:2d}: output std {std[0]:.2f}, end / start {std[-1] / std[0]:.2f}, furthest / start "
          f"{std[furthest] / std[0]:.2f} (at step {probe.steps[furthest]}); "
          f"gradient norm {norm[0]:.2g}, late / start {np.median(norm[last_quarter]) / norm[0]:.2g}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** At step 0 every line starts where He's initialization put it: similar spreads, and gradient norms of
# the same order, from layer 1 to layer 20. Then the lines part company. Over the epoch
# it is the shallow layers whose output spread ends furthest from where it started (the printed end / start ratios),
# while the deep layers swing early: within the first probes their spread dips below its starting value and then
# recovers (the printed furthest / start ratios below 1, and the step at which they happen), after which they too drift
# upwards. Either way, no layer keeps the input scale it had at
# step 0, and each layer is fitted to inputs whose scale keeps changing under it. The gradient norms change too (note the
# log scale). That they shrink is not the problem in itself: as a network learns, its errors, and with them its
# gradients, usually shrink. What matters is that the layers do not change *together*: the printed late / start factors
# (the median of the last quarter of the epoch, since a single probe is noisy) differ from layer to layer, so the balance
# between layers that the initialization set up at step 0 does not survive training. Initialization sets the start; it
# does not control how the statistics evolve once the weights move.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the paper claimed, and what is believed today
#
# Ioffe and Szegedy argued that this shift slows training, because every layer must keep re-adapting to
# its inputs, and proposed to **standardize each layer's inputs over the mini-batch at every step**.
# Their networks trained much faster, tolerated far larger learning rates, cared less about
# initialization, and needed less dropout.
#
# That BN works is not disputed; *why* it works has been revised:
# - **Santurkar et al. (2018)** added random noise with a changing mean and variance right after every BN
#   layer, so the internal covariate shift was *larger* than without BN, and the network still trained
#   about as well as with plain BN. They also found that BN does not necessarily reduce covariate shift as
#   they measured it. What BN does change is the loss landscape: the loss and its gradient vary more
#   smoothly along the update direction, so a large step is less likely to land somewhere bad.
# - **Bjorck et al. (2018)** found that most of BN's benefit comes from the **larger learning rates it
#   allows**; at a small learning rate a BN network is no better than a plain one.
# - The statistics of each mini-batch are noisy, which adds a mild **regularization** effect.
#
# Section 4 repeats the drift measurement above with BN, then puts the learning-rate claim to the test on our
# 20-layer network.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The algorithm
#
# For one feature (one unit of a layer) and a mini-batch $\mathcal{B} = \{x_1, \dots, x_m\}$ of $m$
# examples, batch normalization computes
#
# $$\mu_\mathcal{B} = \frac{1}{m}\sum_{i=1}^{m} x_i, \qquad
# \sigma_\mathcal{B}^2 = \frac{1}{m}\sum_{i=1}^{m} \big(x_i - \mu_\mathcal{B}\big)^2, \qquad
# \hat{x}_i = \frac{x_i - \mu_\mathcal{B}}{\sqrt{\sigma_\mathcal{B}^2 + \varepsilon}}, \qquad
# z_i = \gamma\,\hat{x}_i + \beta .$$
#
# $\mu_\mathcal{B}$ and $\sigma^2_\mathcal{B}$ are the mean and variance of the batch, $\hat{x}_i$ the
# standardized input (mean 0, variance close to 1), $\varepsilon$ a small constant that avoids a division by
# zero (Keras: $10^{-3}$), and $\gamma$ (scale) and $\beta$ (shift) two parameters *learned* by gradient
# descent, one pair per feature. For one batch, $\gamma = \sqrt{\sigma_\mathcal{B}^2 + \varepsilon}$ and
# $\beta = \mu_\mathcal{B}$ would undo the standardization exactly. But $\gamma$ and $\beta$ are learned once for all
# batches, so they cannot follow each batch's own statistics. As the paper puts it, setting $\gamma$ to the *population*
# standard deviation of $x$ and $\beta$ to its population mean recovers the original activations: the standardization
# can be undone relative to population statistics, not batch by batch. So BN takes little away from what the network
# can represent; mainly, it changes how the network is parameterized.

# %% [markdown] slideshow={"slide_type": "-"}
# Here is what the two transformations do to a batch of 200 two-dimensional inputs: standardize (centre, and rescale
# each feature to unit variance), then let $\gamma$ and $\beta$ choose a new scale and offset per feature.

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng(0)
batch = rng.normal(loc=[3.0, -2.0], scale=[2.0, 0.5], size=(200, 2))
batch_hat = (batch - batch.mean(axis=0)) / np.sqrt(batch.var(axis=0) + 1e-3)
gamma_demo, beta_demo = np.array([0.5, 2.0]), np.array([1.0, 1.0])
panels = {"inputs x": batch, r"standardized $\hat{x}$": batch_hat,
          r"$\gamma\hat{x} + \beta$, $\gamma=(0.5, 2)$, $\beta=(1, 1)$": gamma_demo * batch_hat + beta_demo}
fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharex=True, sharey=True)
for ax, (title, points) in zip(axes, panels.items()):
    ax.scatter(points[:, 0], points[:, 1], s=8, alpha=0.6)
    ax.scatter(*points.mean(axis=0), color="tab:red", marker="x", s=80, label="batch mean")
    ax.set(title=title, xlabel="feature 1", aspect="equal")
axes[0].set_ylabel("feature 2")
axes[0].legend(loc="lower left")
fig.tight_layout()
save_fig("bn_standardize_scale_shift")
plt.show()


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Inference: moving averages instead of batch statistics
#
# At prediction time there may be a single example, and a prediction should not depend on which other
# examples share its batch. So during training each BN layer also keeps a **moving average** of the batch
# statistics, updated at every training step with a `momentum` close to 1:
#
# $$\mu_\text{mov} \leftarrow \mu_\text{mov}\cdot\text{momentum} + \mu_\mathcal{B}\,(1 - \text{momentum}), \qquad
# \sigma^2_\text{mov} \leftarrow \sigma^2_\text{mov}\cdot\text{momentum} + \sigma^2_\mathcal{B}\,(1 - \text{momentum}),$$
#
# starting from $\mu_\text{mov} = 0$ and $\sigma^2_\text{mov} = 1$. At inference,
# $z = \gamma\,(x - \mu_\text{mov})/\sqrt{\sigma^2_\text{mov} + \varepsilon} + \beta$: a fixed, per-feature affine map.
# The paper uses both: moving averages to track the model's accuracy while it trains (its section 3.1), and, for the
# final network, statistics computed once after training over the training set with the weights frozen (its
# Algorithm 2). Keras keeps only the moving averages (PyTorch can also keep a cumulative average, with
# `momentum=None`); section 4 compares the two ways.
# In NumPy, with one row per example and one column per feature:

# %% slideshow={"slide_type": "-"}
def batch_norm_train(x, gamma, beta, epsilon=1e-3):
    # Training mode: standardize each feature (column) with the statistics of this batch.
    mean = x.mean(axis=0)
    var = x.var(axis=0)  # divides by m: see the check below for why
    x_hat = (x - mean) / np.sqrt(var + epsilon)
    return gamma * x_hat + beta, mean, var


def batch_norm_infer(x, gamma, beta, moving_mean, moving_var, epsilon=1e-3):
    # Inference mode: the same formula with the moving averages.
    return gamma * (x - moving_mean) / np.sqrt(moving_var + epsilon) + beta


def update_moving(moving, batch_value, momentum=0.99):
    return moving * momentum + batch_value * (1 - momentum)


# %% [markdown] slideshow={"slide_type": "-"}
# Now five training steps on five fixed batches of 16 examples with three features, side by side with a Keras
# `BatchNormalization` layer (defaults: `momentum=0.99`, `epsilon=1e-3`) whose $\gamma$ and $\beta$ we set to
# the same values. The Keras layer computes in float64 here, so that the comparison measures the algorithm and
# not float32 rounding. The paper estimates the inference variance with the *unbiased* estimate
# $\frac{m}{m-1}\sigma^2_\mathcal{B}$; we track both versions and let the experiment say which one Keras uses.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
rng = np.random.default_rng(0)
batches = [rng.normal(loc=[2.0, -1.0, 0.0], scale=[3.0, 0.5, 1.0], size=(16, 3)) for _ in range(5)]
gamma, beta = np.array([1.5, 0.5, 1.0]), np.array([0.2, -0.3, 0.0])
keras_bn = keras.layers.BatchNormalization(dtype="float64")
keras_bn.build((None, 3))
keras_bn.gamma.assign(gamma)
keras_bn.beta.assign(beta)

moving_mean, moving_var, moving_var_unbiased = np.zeros(3), np.ones(3), np.ones(3)
output_errors = []
for x in batches:
    out, mean, var = batch_norm_train(x, gamma, beta)
    output_errors.append(rel_error(out, keras_bn(x, training=True)))
    moving_mean = update_moving(moving_mean, mean)
    moving_var = update_moving(moving_var, var)
    moving_var_unbiased = update_moving(moving_var_unbiased, var * len(x) / (len(x) - 1))

checks = {
    "training-mode outputs, all 5 steps": max(output_errors),
    "moving_mean after 5 steps": rel_error(moving_mean, keras_bn.moving_mean),
    "moving_variance, biased batch variance (/m)": rel_error(moving_var, keras_bn.moving_variance),
}
for name, err in checks.items():
    assert err < 1e-6
    print(f"{name:45s} max relative error < 1e-6: {err < 1e-6}")
err_unbiased = rel_error(moving_var_unbiased, keras_bn.moving_variance)
assert err_unbiased > 1e-3
print(f"moving_variance with the unbiased m/(m-1) estimate: relative error {err_unbiased:.1e}, so Keras uses /m")

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
x_new = np.random.default_rng(1).normal(loc=[2.0, -1.0, 0.0], scale=[3.0, 0.5, 1.0], size=(4, 3))
scratch = batch_norm_infer(x_new, gamma, beta, moving_mean, moving_var)
err = rel_error(scratch, keras_bn(x_new, training=False))
assert err < 1e-6
print(f"inference-mode outputs, scratch vs Keras, max relative error < 1e-6: {err < 1e-6}")
print("moving_mean after 5 steps:", np.round(moving_mean, 3), " true mean of the inputs: [ 2. -1.  0.]")
print(f"weight still on the initial value after 5 steps: 0.99**5 = {0.99**5:.3f}")
same = np.allclose(keras_bn(x_new, training=True), keras_bn(x_new, training=False))
print("training and inference mode give the same output on this batch:", same)


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The NumPy version and Keras agree in both modes to rounding error. The biased variance
# (dividing by $m$) reproduces Keras' moving variance; the paper's unbiased estimate does not. The difference is a
# factor $m/(m-1)$, a few per cent for a batch of 32 and negligible for large batches, which is why frameworks
# disagree on it without much harm (PyTorch, for instance, stores the unbiased estimate, and its `momentum=0.1`
# means Keras' `momentum=0.9`).
#
# Notice the second half of the output: after 5 steps the moving mean is still far from the inputs' true mean,
# because with `momentum=0.99` the initial value $0$ still carries most of the weight. Training and inference
# outputs therefore differ. A network evaluated after only a few dozen steps can look much worse in inference
# mode than in training, until its moving averages catch up (Exercise 3 computes how long that takes).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Batch normalization in Keras
#
# ### The book's model
#
# Géron's first BN model adds a `BatchNormalization` layer after `Flatten`, where it standardizes the pixels
# (like a `Normalization` layer, but learned batch by batch), and after each hidden layer.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def build_book_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(300, activation="relu", kernel_initializer="he_normal"),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(10, activation="softmax"),
    ])


book_model = build_book_model()
print(f"{'layer':20s} {'output shape':>13s} {'parameters':>11s} {'non-trainable':>14s}")
for layer in book_model.layers:
    non_trainable = sum(int(np.prod(w.shape)) for w in layer.non_trainable_weights)
    print(f"{type(layer).__name__:20s} {str(layer.output.shape):>13s} {layer.count_params():11,d} {non_trainable:14,d}")
total = book_model.count_params()
non_trainable = sum(int(np.prod(w.shape)) for w in book_model.non_trainable_weights)
assert (total, non_trainable) == (271_346, 2_368)
print(f"total {total:,} parameters, {non_trainable:,} of them non-trainable")

# %% [markdown] slideshow={"slide_type": "-"}
# Each BN layer adds four parameters per input feature: $784 \times 4 = 3{,}136$ for the first. Half of them are
# non-trainable. Here are the four variables of the first BN layer:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
first_bn = book_model.layers[1]
for variable in first_bn.weights:
    print(f"{variable.name:16s} shape {tuple(variable.shape)}  trainable: {variable.trainable}")

# %% [markdown] slideshow={"slide_type": "-"}
# $\gamma$ and $\beta$ are learned by backpropagation like any weight. The moving mean and variance are not:
# no gradient reaches them, and the layer itself updates them with the moving average of section 2 at every
# training step. The total of $2{,}368 = 2 \times (784 + 300 + 100)$ non-trainable parameters checked above is
# exactly these moving statistics.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### BN before the activation, and the redundant bias
#
# Ioffe and Szegedy put BN *between* a layer's linear part and its activation. Then the layer's bias is useless:
# BN subtracts the batch mean, and a constant added to every example moves that mean by the same constant, so it
# cancels, and $\beta$ already provides a learned offset. Let's check it with a batch of fixed inputs, a weight
# matrix, and a large bias:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
rng = np.random.default_rng(1)
x, W, b = rng.normal(size=(32, 5)), rng.normal(size=(5, 4)), 10 * rng.normal(size=4)
bn = keras.layers.BatchNormalization(dtype="float64")
err = rel_error(bn(x @ W + b, training=True), bn(x @ W, training=True))
assert err < 1e-6
print(f"BN(xW + b) equals BN(xW) in training mode, max relative error < 1e-6: {err < 1e-6}")

# %% [markdown] slideshow={"slide_type": "-"}
# So the second version of the book's model drops the bias (`use_bias=False`) and moves the activation into its
# own layer after BN. It has the same non-trainable parameters and 400 fewer trainable ones (the two biases).

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
book_model_v2 = keras.Sequential([
    keras.Input(shape=(28, 28)),
    keras.layers.Flatten(),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(300, kernel_initializer="he_normal", use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Dense(100, kernel_initializer="he_normal", use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Dense(10, activation="softmax"),
])
total_v2 = book_model_v2.count_params()
non_trainable_v2 = sum(int(np.prod(w.shape)) for w in book_model_v2.non_trainable_weights)
assert (total - total_v2, non_trainable_v2) == (400, 2_368)
print(f"BN before the activation: {total_v2:,} parameters ({total - total_v2} fewer), "
      f"{non_trainable_v2:,} non-trainable")

# %% [markdown] slideshow={"slide_type": "-"}
# Before or after the activation? Both are used; the best choice depends on the task, so treat it as a
# hyperparameter. This notebook's deep network uses "before", as in the paper.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `momentum` and `axis`
#
# - **`momentum`** (default 0.99) sets how fast the moving averages follow the batch statistics. After $n$
#   training steps, the initial value still has weight $\text{momentum}^n$. Use values close to 1 (0.9, 0.99,
#   0.999): more nines for large data sets and small batches, whose individual statistics are noisier, fewer
#   for short training runs. Each run of section 4's learning-rate sweep is only a few hundred steps long (the sweep
#   cell prints the count), so `build_deep_mlp` uses 0.9.
# - **`axis`** (default $-1$, the last axis) says which axis holds the features: there is one $\gamma$, $\beta$,
#   mean and variance per entry along it, and statistics are computed over all other axes. After `Flatten` that is
#   one per pixel. On images with a channel axis it is one per channel, with statistics over the batch *and* all
#   pixel positions, which is what convolutional networks need.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
for momentum in (0.9, 0.99, 0.999):
    print(f"momentum {momentum}: weight left on the initial value after 100 steps {momentum**100:.1e}")
for shape, meaning in (((784,), "flattened image: one per pixel"),
                       ((28, 28), "image without Flatten, axis=-1: one per column"),
                       ((28, 28, 3), "colour image: one per channel")):
    layer = keras.layers.BatchNormalization()
    layer.build((None, *shape))
    print(f"input {str(shape):12s} gamma shape {str(tuple(layer.gamma.shape)):7s} "
          f"{layer.count_params():5,d} parameters  ({meaning})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `training=True` or `False`: what `fit()` and a plain call do
#
# A BN layer behaves differently in training mode (batch statistics, and it updates its moving averages) and in
# inference mode (moving averages, nothing updated). Keras picks the mode for you: `fit()` runs in training mode;
# `predict()`, `evaluate()` and calling the model directly, `model(X)`, run in inference mode. `predict()` and
# `evaluate()` take no `training` argument; only a direct call accepts `model(X, training=True)`. A frozen BN layer (`layer.trainable = False`) always runs in inference mode, which matters when
# fine-tuning a pretrained network (notebook 04). Let's watch the moving mean of a tiny model:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
x = np.random.default_rng(2).normal(loc=5.0, size=(8, 3)).astype("float32")
tiny = keras.Sequential([keras.Input(shape=(3,)), keras.layers.BatchNormalization()])
tiny.compile(loss="mse", optimizer="sgd")
tiny_bn = tiny.layers[0]
actions = {
    "model(x)": lambda: tiny(x),
    "model(x, training=True)": lambda: tiny(x, training=True),
    "model.predict(x)": lambda: tiny.predict(x, verbose=0),
    "model.evaluate(x, x)": lambda: tiny.evaluate(x, x, verbose=0),
    "model.fit(x, x)": lambda: tiny.fit(x, x, epochs=1, verbose=0),
}
for name, action in actions.items():
    before = tiny_bn.moving_mean.numpy().copy()
    action()
    print(f"{name:25s} updates the moving mean: {not np.allclose(before, tiny_bn.moving_mean.numpy())}")
tiny_bn.trainable = False
before = tiny_bn.moving_mean.numpy().copy()
tiny(x, training=True)
print(f"{'frozen, training=True':25s} updates the moving mean: {not np.allclose(before, tiny_bn.moving_mean.numpy())}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training the book's model
#
# Finally, the book's model trained for a few epochs. We keep it: section 5 times it and folds its BN layers away.

# %% slideshow={"slide_type": "-"}
set_seeds(42)
book_model = build_book_model()
book_model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.05),
                   metrics=["accuracy"])
book_history = book_model.fit(data.X_train, data.y_train, epochs=budget(3, quick=1), batch_size=128,
                              validation_data=(data.X_valid, data.y_valid), verbose=0)
print(f"validation accuracy after each epoch: {np.round(book_history.history['val_accuracy'], 3)}")
second_bn = book_model.layers[3]  # it sees the ReLU outputs of the first hidden layer
print("second BN layer, first 5 units: moving mean", np.round(second_bn.moving_mean.numpy()[:5], 3),
      " moving variance", np.round(second_bn.moving_variance.numpy()[:5], 3))


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The model learns like any other. The moving statistics of the second BN layer have left their
# initial values 0 and 1: they tracked, batch by batch, the mean and variance of the ReLU outputs it receives, which are
# never negative. (The first BN layer has little to do here: our pixels are already standardized.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The effect, measured
#
# ### The drift of section 1, with BN
#
# First, section 1's measurement again: the same 20-layer network, but with BN before every ReLU
# (`build_deep_mlp(batch_norm=True)`), the same seed, one epoch of SGD at learning rate 0.05, and the spread of each
# ReLU layer's output on the same probe batch every 40 steps. For a BN network the mode matters: in training mode
# (what `fit()` feeds the next layer) every BN layer uses the statistics of the batch; in inference mode it uses its
# moving averages (section 2). `ProbeHistory` measures in inference mode only (for the plain network the two are the
# same), so this small callback records both. It calls the model in training mode, which updates the moving averages,
# so it saves and restores them.

# %% slideshow={"slide_type": "-"}
class SpreadHistory(keras.callbacks.Callback):
    # Every `every` steps: the std of each ReLU layer's output on x, in training and in inference mode.

    def __init__(self, x, every):
        super().__init__()
        self.x, self.every, self.step = x, every, 0
        self.steps, self.training_mode, self.inference_mode = [], [], []

    def on_train_begin(self, logs=None):
        self.relus = [layer for layer in self.model.layers if isinstance(layer, keras.layers.Activation)]
        self.record()

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.step % self.every == 0:
            self.record()

    def record(self):
        # activation_stats leaves the moving averages as they were, even in training mode.
        for mode, records in ((True, self.training_mode), (False, self.inference_mode)):
            stats = activation_stats(self.model, self.x, layers=self.relus, training=mode)
            records.append([s.std for s in stats])
        self.steps.append(self.step)


set_seeds(42)
deep_bn_probed = build_deep_mlp(batch_norm=True)
deep_bn_probed.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.05))
spreads = SpreadHistory(X_probe, every=budget(40, quick=32))
deep_bn_probed.fit(data.X_train, data.y_train, epochs=1, batch_size=64, verbose=0, callbacks=[spreads])
bn_train_std, bn_infer_std = np.array(spreads.training_mode), np.array(spreads.inference_mode)  # (records, layers)

# %% slideshow={"slide_type": "-"}
spread_panels = {"Without BN (section 1)": (probe.steps, act_std),
                 "With BN, training mode (batch statistics)": (spreads.steps, bn_train_std),
                 "With BN, inference mode (moving averages; own scale)": (spreads.steps, bn_infer_std)}
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
axes[1].sharey(axes[0])  # the first two panels on the same scale; inference mode on its own
for ax, (title, (steps, per_layer)) in zip(axes, spread_panels.items()):
    plot_layers(ax, steps, per_layer)
    ax.set(title=title, ylabel="output std of layer k on the probe batch")
fig.tight_layout()
save_fig("drift_with_and_without_bn")
plt.show()
print("output std of layer k on the probe batch: value at step 0 -> range over the rest of the epoch")
print(f"{'':8s} {'without BN':22s} {'BN, training mode':22s} {'BN, inference mode':22s}")
for k in (1, 10, 20):
    cells = [f"{std[0, k - 1]:.2f} -> {std[1:, k - 1].min():.2f} to {std[1:, k - 1].max():.2f}"
             for _, std in spread_panels.values()]
    print(f"layer {k:2d} {cells[0]:22s} {cells[1]:22s} {cells[2]:22s}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** In training mode, the BN network's lines are flat and close together: every BN layer standardizes
# its batch, so the spread of each layer's output is set by that layer's $\gamma$ and $\beta$ (which move slowly), not
# by everything below it. The drift of the plain network (left) is gone, by construction: in this sense BN does remove
# the internal covariate shift of section 1. (Why BN helps is another question: recall Santurkar et al.) In inference
# mode the spreads move more, most of all in the deep layers and early in training: the moving averages lag behind
# the batch statistics (section 2), and each layer's small mismatch feeds the next. At step 0 the moving averages
# still hold their initial values (mean 0, variance 1), so in inference mode BN does not standardize at all yet.
# Keep this in mind when you read validation curves of BN networks: validation runs in inference mode.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The learning-rate sweep
#
# Now the 20-layer network with and without BN, trained with plain SGD at five learning rates from 0.01 to 1.0,
# **five seeds each**. To fit the time budget each run sees a subset of 5,120 training images (40 full batches of
# 128: a later subsection says why) for a few epochs (the cell prints how many steps; fewer than we would like).
# A pilot run of this sweep shaped its design (the number of epochs, the subset size, and the re-estimation
# described below). That is far from convergence, so expect accuracies well below those
# of the book's model above: the question is how the two networks compare at the same budget, not how good either can get.
# Each run is evaluated on the full validation set after every epoch.
#
# For a BN network, "validation accuracy" needs a word. `fit()` measures it in inference mode, with the moving
# averages. These averages are only as good as the weights they were collected under: each is mostly made of the last
# 10-20 batches (at momentum 0.9 the last 10 carry 65% of the weight, the last 20 88%), during which the weights kept moving, the faster the larger the learning rate,
# and a small mismatch in one layer is passed on to the next, 20 times. So after training we also **re-estimate the
# statistics** the way the paper's Algorithm 2 does: with the weights frozen, each BN layer gets the mean and variance
# of its inputs over the training images. `reestimate_bn_statistics` does it in one pass: the 5,120 training images
# of the run go through the network in training mode as *one* batch, with every BN layer's momentum set to 0, so
# each moving mean and variance becomes exactly the statistic of that batch (Keras' biased variance; the paper's
# factor $m/(m-1)$ is negligible for $m = 5{,}120$). We report, per run: validation accuracy with the moving
# averages; the training accuracy of the last epoch (averaged over that epoch, in training mode, as `fit()` reports
# it); and for BN, three measurements of the final weights: validation accuracy in **batch mode** (training mode on
# batches of 125, each normalized with its own statistics, as during training), and validation and training accuracy
# with re-estimated statistics.

# %% [markdown] slideshow={"slide_type": "fragment"}
# For speed, each network is built and compiled once, with `steps_per_execution=32` (32 training steps per call into
# TensorFlow: same arithmetic, less Python overhead; notebook 01 explains it); for every seed and learning rate we
# reset it to that seed's initial weights and set the optimizer's learning rate without re-compiling (safe only
# because plain SGD keeps no state that affects its steps, just a step counter, which matters only with a learning-rate
# schedule; with momentum or Adam the optimizer's slot variables and its step counter would carry over from one run to
# the next: build a new optimizer and re-compile instead). Validation runs as one batch of all the validation
# images (`validation_batch_size`): in inference mode BN uses its moving averages, so the accuracy does not depend on
# the batch size, and one call per epoch instead of 40 saves a second per run. A run that diverges (NaN loss) is
# stopped at the end of that epoch. After each run we record the learning curves, the time taken, the
# weights, BN's extra accuracies, and (at learning rate 0.1) the per-layer gradient norms on the probe batch.

# %% slideshow={"slide_type": "-"}
LEARNING_RATES = budget([0.01, 0.03, 0.1, 0.3, 1.0], quick=[0.1, 1.0])  # quick mode (tests): the two read below
SEEDS = list(range(budget(5, quick=2)))
SWEEP_EPOCHS = budget(6, quick=2)
n_sweep = budget(5_120, quick=2_048)  # a multiple of the batch size, 128: see "every batch full" below
X_sweep, y_sweep = data.X_train[:n_sweep], data.y_train[:n_sweep]


def dense_layers_only(norms):
    return {name: value for name, value in norms.items() if not name.startswith("bn_")}


def accuracy_of(model, X, y):
    # Inference mode (moving averages). A network whose weights are NaN predicts class 0 for every image.
    return float(np.mean(np.argmax(model.predict(X, batch_size=1_000, verbose=0), axis=1) == y))


training_mode_forwards = {}  # one compiled forward pass per network: traced once, called 40 times per run


def batch_mode_accuracy(model, X, y, batch_size=125):
    # Training mode, as fit() runs: each batch normalized with its own statistics (the final weights; the moving
    # statistics this updates are overwritten by the re-estimation that follows). Batches of 125, not 128: 5,000
    # validation images split into 40 equal batches, with no small last one (see "every batch full" below).
    # Compiled with tf.function, as fit() compiles its steps: 40 eager calls of a 20-layer network cost seconds.
    if model.name not in training_mode_forwards:
        training_mode_forwards[model.name] = tf.function(lambda x: model(x, training=True))
    forward = training_mode_forwards[model.name]
    predictions = [np.argmax(forward(X[i:i + batch_size]), axis=1) for i in range(0, len(X), batch_size)]
    return float(np.mean(np.concatenate(predictions) == y))


def reestimate_bn_statistics(model, X):
    # The paper's Algorithm 2 in one pass: X as ONE training-mode batch, with momentum 0, so that each BN layer's
    # moving mean and variance become the statistics of its inputs over X, under the current (frozen) weights.
    bn_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in bn_layers]
    for layer in bn_layers:
        layer.momentum = 0.0
    model(X, training=True)  # no optimizer step: only the moving statistics change
    for layer, momentum in zip(bn_layers, momenta):
        layer.momentum = momentum


# %% [markdown] slideshow={"slide_type": "-"}
# Then the training itself: one run (`train_run`), and one seed's five runs from the same initial weights (`lr_sweep`).

# %% slideshow={"slide_type": "-"}
class StopOnNaN(keras.callbacks.Callback):
    # End a run after the first epoch whose loss is NaN: a network whose weights are NaN stays NaN.
    def on_epoch_end(self, epoch, logs=None):
        if not np.isfinite(logs["loss"]):
            self.model.stop_training = True


def compiled_deep_mlp(batch_norm):
    model = build_deep_mlp(batch_norm)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  metrics=["accuracy"], steps_per_execution=32)  # fewer Python round trips: see notebook 01
    return model


def train_run(model, learning_rate, X, y):
    # One run from the model's current weights; for a BN network, also the three measurements of its final weights.
    model.optimizer.learning_rate = learning_rate   # safe without re-compiling: plain SGD has no state
    start = time.perf_counter()
    history = model.fit(X, y, epochs=SWEEP_EPOCHS, batch_size=128, verbose=0, callbacks=[StopOnNaN()],
                        validation_data=(data.X_valid, data.y_valid), validation_batch_size=len(data.X_valid))
    run = {"history": history.history, "seconds": time.perf_counter() - start, "weights": model.get_weights()}
    if any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers):
        run["val_batch_mode"] = batch_mode_accuracy(model, data.X_valid, data.y_valid)
        reestimate_bn_statistics(model, X)
        run["val_reestimated"] = accuracy_of(model, data.X_valid, data.y_valid)
        run["train_reestimated"] = accuracy_of(model, X, y)  # the end-of-training weights
    return run


def lr_sweep(model, seed, batch_norm):
    # One compiled model per network (tracing its graph once), reset to this seed's initial weights.
    set_seeds(seed)
    initial_weights = build_deep_mlp(batch_norm).get_weights()
    model.set_weights(initial_weights)
    runs = {"initial_weights": initial_weights,
            "init_grad_norms": dense_layers_only(gradient_norms(model, X_probe, y_probe))}
    for learning_rate in LEARNING_RATES:
        model.set_weights(initial_weights)              # the same start for every learning rate
        runs[learning_rate] = train_run(model, learning_rate, X_sweep, y_sweep)
        if learning_rate == 0.1:  # the per-layer gradient profile after training, plotted below
            runs[learning_rate]["grad_norms"] = dense_layers_only(gradient_norms(model, X_probe, y_probe))
    return runs


# %% [markdown] slideshow={"slide_type": "-"}
# The sweep itself, the slowest cell of the notebook:

# %% slideshow={"slide_type": "-"}
sweep_models = {"plain": compiled_deep_mlp(batch_norm=False), "BN": compiled_deep_mlp(batch_norm=True)}
sweeps = {name: [lr_sweep(model, seed, batch_norm=(name == "BN")) for seed in SEEDS]
          for name, model in sweep_models.items()}
steps_per_epoch = int(np.ceil(n_sweep / 128))
print(f"each run: {SWEEP_EPOCHS} epochs x {steps_per_epoch} steps = {SWEEP_EPOCHS * steps_per_epoch} training steps")

# %% [markdown] slideshow={"slide_type": "-"}
# The table gives, for each learning rate, mean ± sample standard deviation over the seeds. A run **diverged** when its
# loss became NaN: its weights are NaN, it predicts the same class for every image, and the table says "diverged"
# instead of printing that accuracy. (A run that did not diverge can still be stuck at chance.)

# %% slideshow={"slide_type": "-"}
def diverged(name, learning_rate):
    return np.array([not np.isfinite(runs[learning_rate]["history"]["loss"][-1]) for runs in sweeps[name]])


def sweep_results(name, learning_rate, key):
    # One value per seed: "val" (moving averages), "train" (last epoch, training mode), or for BN only
    # "val_batch_mode", "val_reestimated" and "train_reestimated" (measured after training).
    if key not in ("val", "train"):
        return np.array([runs[learning_rate][key] for runs in sweeps[name]])
    history_key = {"val": "val_accuracy", "train": "accuracy"}[key]
    return np.array([runs[learning_rate]["history"][history_key][-1] for runs in sweeps[name]])


def summary_cell(name, learning_rate, key):
    values, gone = sweep_results(name, learning_rate, key), diverged(name, learning_rate)
    if gone.all():
        return f"diverged ({gone.sum()}/{len(gone)})"
    kept = values[~gone]
    spread = f" ± {kept.std(ddof=1):.3f}" if len(kept) > 1 else ""
    return f"{kept.mean():.3f}{spread}" + (f" ({gone.sum()}/{len(gone)} div.)" if gone.any() else "")


tables = {"plain": {"valid": "val", "train (fit)": "train"},
          "BN": {"valid, moving avg": "val", "valid, batch mode": "val_batch_mode",
                 "valid, re-estimated": "val_reestimated", "train (fit)": "train",
                 "train, re-estimated": "train_reestimated"}}
for name, columns in tables.items():
    print(f"{name}: accuracy after {SWEEP_EPOCHS} epochs, mean ± sample std over {len(SEEDS)} seeds")
    print(f"{'rate':>5s} " + " ".join(f"{title:>22s}" for title in columns))
    for learning_rate in LEARNING_RATES:
        print(f"{learning_rate:5g} " + " ".join(f"{summary_cell(name, learning_rate, key):>22s}"
                                             for key in columns.values()))
    print()
for name, runs in sweeps.items():  # seed 0's five runs (the first of them also traced the graph): left out
    seconds = [r[lr]["seconds"] / len(r[lr]["history"]["loss"]) for r in runs[1:] for lr in LEARNING_RATES]
    print(f"{name:5s}: {np.median(seconds):.2f} s per epoch (median), validation included: training "
          f"on {n_sweep:,} images, then predicting {len(data.X_valid):,}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Every batch full: why the subset has 5,120 images
#
# 5,000 images, the obvious round number, is not a multiple of 128: every epoch would end with a batch of only 8
# images, and the BN network would take a full-size step with the statistics of 8 examples (Exercise 2 shows the
# extreme case, a batch of one). In the pilot run this visibly hurt the BN network at large learning rates, so the sweep
# uses 5,120 images. The cell below measures the effect at learning rate 1.0 only (to save time): the BN network on the
# first 5,000 images (the same initial weights per seed), against the sweep's runs on 5,120, with all five of the
# sweep's accuracy columns. The two sets of runs pair up by seed (same initial weights), though they do not see exactly
# the same data: 120 fewer images, and so a different order of batches.

# %% slideshow={"slide_type": "-"}
n_tail = n_sweep - 120  # 5,000 in full mode: the last batch of every epoch has 8 images
tail_runs = []
for seed, runs in zip(SEEDS, sweeps["BN"]):
    sweep_models["BN"].set_weights(runs["initial_weights"])
    tail_runs.append(train_run(sweep_models["BN"], 1.0, data.X_train[:n_tail], data.y_train[:n_tail]))
full_runs = [runs[1.0] for runs in sweeps["BN"]]
measures = {"valid, moving avg": "val_accuracy", "valid, batch mode": "val_batch_mode",
            "valid, re-estimated": "val_reestimated", "train (fit)": "accuracy", "train, re-estimated": "train_reestimated"}
print(f"BN network, learning rate 1.0, {SWEEP_EPOCHS} epochs; mean ± sample std over {len(SEEDS)} seeds")
print(f"{'':31s}" + " ".join(f"{m:>20s}" for m in measures))
for label, subset_runs in ((f"{n_tail:,} images (last batch {n_tail % 128})", tail_runs),
                           (f"{n_sweep:,} images (every batch full)", full_runs)):
    values = {m: [r[key] if key in r else r["history"][key][-1] for r in subset_runs] for m, key in measures.items()}
    print(f"{label:31s}" + " ".join(f"{np.mean(v):12.3f} ± {np.std(v, ddof=1):.3f}" for v in values.values()))
print(paired_difference([r["val_reestimated"] for r in full_runs], [r["val_reestimated"] for r in tail_runs],
                        name="valid, re-estimated: full batches - small last batch"))

# %% [markdown] slideshow={"slide_type": "-"}
# A cheap look at the size of those small steps: at the final weights of each run (on 5,000 and on 5,120 images), the
# norm of the whole gradient (all layers) on ten random batches of 8 training images and ten of 128, in training mode
# as in `fit()`. What to expect without BN: each example's gradient would not depend on the rest of its batch, and a
# mean of $m$ such gradients has an expected squared norm of (squared mean) + (variance)/$m$, so an 8-image gradient
# would be at most about $\sqrt{128/8} = 4$ times as long as a 128-image one (exactly 4 when the noise dominates).
# With BN, each example's gradient depends on its batch's statistics, and nothing bounds the ratio.

# %% slideshow={"slide_type": "-"}
def whole_gradient_norm(model, X, y):
    return float(np.sqrt(sum(value**2 for value in gradient_norms(model, X, y).values())))


print("BN network, learning rate 1.0: whole-gradient norm at the final weights, median over 10 random batches")
for label, subset_runs in ((f"{n_tail:,} images", tail_runs), (f"{n_sweep:,} images", full_runs)):
    for seed, run in zip(SEEDS, subset_runs):
        sweep_models["BN"].set_weights(run["weights"])
        starts = np.random.default_rng(seed).integers(0, n_tail - 128, size=budget(10, quick=3))
        norms = {size: np.median([whole_gradient_norm(sweep_models["BN"], data.X_train[i:i + size],
                                                      data.y_train[i:i + size]) for i in starts]) for size in (8, 128)}
        print(f"run on {label}, seed {seed}: batches of 8 {norms[8]:.2f}, batches of 128 {norms[128]:.2f}, "
              f"ratio {norms[8] / norms[128]:.1f}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** At learning rate 1.0, with a tiny last batch in every epoch, the BN network ends less accurate
# on validation than with every batch full (the paired difference above: its interval lies clearly above
# 0). Re-estimating the statistics recovers little or none of the gap (compare the two rows' moving-average and
# re-estimated columns), so the lag of the moving averages is ruled out as the main cause here: the damage is in the weights. It is there during the last epoch
# (`fit()`'s training accuracy, averaged over that epoch, is lower too) and worse at its end: the final weights, with
# re-estimated statistics, score far lower on the training set than that average, whereas with full batches they
# score higher (the last two columns). That is consistent with the small steps doing damage each time, the last one
# included; we did not compare the weights just before and just after a small step.

# %% [markdown] slideshow={"slide_type": "fragment"}
# What this does *not* show: that the effect grows with the learning rate (we measured one rate), or that it is
# specific to BN (the plain network diverges at 1.0 even with full batches, so there is no plain control at this
# rate); and the 5,000-image runs also see 120 fewer images, in another order. The gradient norms point the same way
# as a BN-specific **hypothesis**. At the final weights of the full-batch runs, an 8-image gradient is longer than a
# 128-image one by more than the factor 4 that a network without BN would allow (the ratios printed for the 5,120-image
# runs); at the weights of the 5,000-image runs, the ratio is smaller for every seed (compare seed by seed). One way
# this can happen: BN divides by
# $\sqrt{\sigma_\mathcal{B}^2 + \varepsilon}$, which is large when a small batch happens to have a small variance, and
# Yang et al. (2019) report that BN's gradient explosion worsens as the batch shrinks. Ten batches per size and five
# seeds make this a pointer, not a proof. In practice: Keras' `fit()` keeps a last partial batch by default; with BN,
# drop it (a `tf.data` pipeline with `batch(..., drop_remainder=True)`) or make the data a multiple of the batch size.

# %% [markdown] slideshow={"slide_type": "-"}
# In the figure, each series is shifted a little sideways so that error bars at the same learning rate do not hide one
# another; the points are the means over the seeds that did not diverge, and a red × at the chance line marks a learning
# rate at which some runs of that network diverged (with their count).

# %% slideshow={"slide_type": "-"}
series = {"plain": ("plain", "val", "o", "tab:blue", 1 / 1.2),
          "BN, moving averages": ("BN", "val", "s", "tab:orange", 1 / 1.06),
          "BN, batch mode": ("BN", "val_batch_mode", "D", "tab:purple", 1.06),
          "BN, re-estimated statistics": ("BN", "val_reestimated", "^", "tab:green", 1.2)}
fig, ax = plt.subplots(figsize=(8, 4.5))
for label, (name, key, marker, color, shift) in series.items():
    x, mean, std = [], [], []
    for learning_rate in LEARNING_RATES:
        kept = sweep_results(name, learning_rate, key)[~diverged(name, learning_rate)]
        if len(kept):
            x.append(learning_rate * shift)
            mean.append(kept.mean())
            std.append(kept.std(ddof=1) if len(kept) > 1 else 0.0)
    ax.errorbar(x, mean, yerr=std, marker=marker, color=color, capsize=4, label=label)
for name, shift in (("plain", 1 / 1.2), ("BN", 1.0)):
    for learning_rate in LEARNING_RATES:
        gone = diverged(name, learning_rate)
        if gone.any():
            ax.plot(learning_rate * shift, 0.1, "x", color="tab:red", markersize=10, markeredgewidth=2)
            ax.annotate(f"{name}: {gone.sum()}/{len(gone)}\ndiverged (NaN)", (learning_rate * shift, 0.1),
                        textcoords="offset points", xytext=(-30, 10), fontsize=8, color="tab:red")
ax.axhline(0.1, color="gray", linestyle=":", label="chance (10 classes)")
ax.set(xscale="log", xlabel="learning rate (log scale)", ylabel="validation accuracy", ylim=(0, None),
       title=f"After {SWEEP_EPOCHS} epochs on {n_sweep:,} images (mean ± sample std over seeds)")
ax.set_xticks(LEARNING_RATES, labels=[f"{lr:g}" for lr in LEARNING_RATES])
ax.minorticks_off()
ax.legend(fontsize=8, loc="lower left")
save_fig("bn_learning_rate_sweep")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# The learning curves behind each point, one panel per learning rate (lines: means over seeds; bands: ± one sample
# standard deviation over the seeds), with the runs that diverged left out (the panel
# title says how many). Dashed lines are training accuracy, solid lines validation accuracy, and the two are not
# measured alike. Keras averages the training metric over the whole epoch, while the weights are still changing, in
# training mode: for the BN network, with batch statistics. It measures validation once, at the end of the epoch, in
# inference mode: for the BN network, with the moving averages. The green triangle at the last epoch is the BN
# network's validation accuracy with re-estimated statistics.

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(1, len(LEARNING_RATES), figsize=(17, 3.8), sharey=True)
for ax, learning_rate in zip(axes, LEARNING_RATES):
    gone = {name: diverged(name, learning_rate) for name in sweeps}
    for name, color in (("plain", "tab:blue"), ("BN", "tab:orange")):
        kept = [runs[learning_rate]["history"] for runs, g in zip(sweeps[name], gone[name]) if not g]
        if kept:
            with plt.rc_context({"axes.prop_cycle": plt.cycler(color=[color])}):  # the same colour in every panel
                plot_learning_curves({name: kept}, "accuracy", ax=ax)
    kept_bn = sweep_results("BN", learning_rate, "val_reestimated")[~gone["BN"]]
    if len(kept_bn):
        ax.plot(SWEEP_EPOCHS, kept_bn.mean(), "^", color="tab:green", markersize=9, label="BN (valid, re-estimated)")
    notes = [f"{name} {g.sum()}/{len(g)} diverged" for name, g in gone.items() if g.any()]
    ax.set_title(f"learning rate {learning_rate:g}" + ("\n" + ", ".join(notes) if notes else ""), fontsize=10)
    ax.tick_params(labelleft=True)  # sharey would hide the tick labels of panels 2-5
    ax.legend(fontsize=7)
for ax in axes[1:]:
    ax.get_legend().remove()
fig.tight_layout()
save_fig("bn_learning_curves")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the comparison, with the plain network as the baseline: at each learning rate, **BN minus plain**, with BN's
# validation accuracy measured with re-estimated statistics (the network BN's algorithm intends to deploy; the
# moving-average column of the table is the cheaper stand-in). The runs pair up by seed: BN's initializers (ones and
# zeros) draw no random numbers and the plain network's biases start at zero, so with the same seed the two networks
# start from the same 21 kernels (the cell checks it). So: paired intervals over the seeds, and Holm's correction
# across the five rates (`holm_adjusted`). A run that diverged counts with the accuracy it actually has (it predicts
# one class).
#
# Then **best against best**: each network at its own best learning rate. Picking the best rate on the validation set
# and comparing there would flatter both (a winner's curse), so the rate is picked on validation (mean over seeds) and
# the comparison is made on the **test set**, which played no part in the choice.

# %% slideshow={"slide_type": "-"}
def initial_kernels(runs):
    return [w for w in runs["initial_weights"] if w.ndim == 2]


print("same seed, same initial kernels in both networks:", all(
    all(np.array_equal(a, b) for a, b in zip(initial_kernels(plain_runs), initial_kernels(bn_runs)))
    for plain_runs, bn_runs in zip(sweeps["plain"], sweeps["BN"])))
per_rate = holm_adjusted([paired_difference(sweep_results("BN", lr, "val_reestimated"), sweep_results("plain", lr, "val"),
                                            name=f"lr {lr:g}: BN - plain") for lr in LEARNING_RATES])
print("validation accuracy, BN (re-estimated statistics) minus plain, at each learning rate")
print(comparison_table(per_rate))

best_rate = {name: max(LEARNING_RATES, key=lambda lr: sweep_results(name, lr, key).mean())
             for name, key in (("plain", "val"), ("BN", "val_reestimated"))}
test_accuracy = {}
for name, runs in sweeps.items():
    model = sweep_models[name]  # the sweep's network, given each run's final weights below (no new model to trace)
    test_accuracy[name] = []
    for run in runs:
        model.set_weights(run[best_rate[name]]["weights"])
        if name == "BN":
            reestimate_bn_statistics(model, X_sweep)
        test_accuracy[name].append(accuracy_of(model, data.X_test, data.y_test))
    print(f"{name:5s}: best learning rate on validation {best_rate[name]:g}; test accuracy there "
          f"{np.mean(test_accuracy[name]):.3f} ± {np.std(test_accuracy[name], ddof=1):.3f}")
print(paired_difference(test_accuracy["BN"], test_accuracy["plain"], name="test accuracy, best BN - best plain"))

# %% [markdown] slideshow={"slide_type": "-"}
# And inside the networks: the per-layer gradient norms of the 21 Dense layers (20 hidden layers, then the output
# layer) on the probe batch, at initialization and after training at learning rate 0.1, a rate at which no run of
# either network diverged in this sweep (a plain run that diverged there would show as `nan` in the table).
# The figure shows the first seed; the table below it gives each profile's largest / smallest ratio for every seed.
# What to look for is the *shape* of each profile: a flat one means that all layers get gradients of the same size.

# %% slideshow={"slide_type": "-"}
profiles = {"at initialization": {name: runs[0]["init_grad_norms"] for name, runs in sweeps.items()},
            f"after {SWEEP_EPOCHS} epochs at learning rate 0.1": {name: runs[0][0.1]["grad_norms"]
                                                                 for name, runs in sweeps.items()}}
fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
for ax, (title, norms) in zip(axes, profiles.items()):
    plot_per_layer(norms, "gradient norm (log scale)", ax=ax, log=True)
    ax.axvline(len(norms["plain"]), color="gray", linestyle=":", label="output layer")
    ax.set_title(title[0].upper() + title[1:] + " (first seed)")
    ax.tick_params(labelleft=True)
    ax.legend()
fig.tight_layout()
save_fig("bn_per_layer_gradients")
plt.show()


def spread_ratio(per_layer):
    values = np.array(list(per_layer.values()))
    return values.max() / values.min()


print("largest / smallest gradient norm over the 21 Dense layers")
print(f"{'seed':>4s} {'plain, init':>12s} {'BN, init':>12s} {'plain, after':>13s} {'BN, after':>12s}")
for seed, plain_runs, bn_runs in zip(SEEDS, sweeps["plain"], sweeps["BN"]):
    ratios = [spread_ratio(plain_runs["init_grad_norms"]), spread_ratio(bn_runs["init_grad_norms"]),
              spread_ratio(plain_runs[0.1]["grad_norms"]), spread_ratio(bn_runs[0.1]["grad_norms"])]
    print(f"{seed:4d} {ratios[0]:12.1f} {ratios[1]:12.1f} {ratios[2]:13.1f} {ratios[3]:12.1f}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Read the tables, the comparisons and the three figures of the sweep together.
# - **Tolerated learning rate.** Follow each curve of the sweep plot to the right. The plain network does best at the
#   small rates, falls apart at 0.1 (a wide spread over seeds, though no run diverges), partly diverges at 0.3 (what
#   survives sits near chance), and diverges at 1.0 (the counts in the table). The BN network trains at every rate,
#   none of its runs diverged, and its accuracy stays
#   on a plateau from 0.1 up to 1.0. At the two largest rates the BN-minus-plain differences are clear even after
#   Holm's correction (the comparison table); at 0.1, where the plain network's seeds spread widely, the interval is
#   wide and its lower end close to 0, but above it, and after Holm's correction the verdict there is "higher" too.
#   This is the effect that Bjorck et al. and Santurkar et al. put at the heart of BN.
# - **At a small learning rate BN is no magic.** At the smallest rate BN is behind by a wide margin (the first row of
#   the comparison table), and with five seeds it is "lower" even after Holm's correction; at the next rate the
#   difference is small, but its interval stays below 0, and BN is "lower" there too. The first panel of learning
#   curves shows why it is behind at the smallest rate: in the few hundred steps of this sweep, BN at
#   a small rate is simply slower. Bjorck et al. (2018) likewise found BN no better than a plain network at a small
#   rate; its gain is the freedom to take larger steps.
# - **Best against best: inconclusive here.** Each network picked its own best rate on validation (printed) and was
#   compared on the test set: the interval of the difference straddles 0. At this budget (a small subset, a few
#   epochs, five seeds) BN lets the network use much larger rates, but we cannot say that it ends up more accurate.
#   Ioffe and Szegedy (2015) report that BN reached their baseline's accuracy in 14 times fewer training steps, and
#   Bjorck et al. (2018) that the larger rates BN allows are what makes it converge faster and generalize better; a
#   longer run than ours is needed to see that.

# %% [markdown] slideshow={"slide_type": "fragment"}
# - **The three validation measurements.** With every batch full, BN's three validation measurements agree
#   closely, and they agree with its training accuracy: the BN network trained at a large rate has really learned. The
#   moving averages lag a little behind the weights: they are made mostly of the last 10-20 batches (momentum 0.9),
#   collected while the weights moved, and a small mismatch in one layer is passed on to the next, 20 times.
#   Re-estimating the statistics (Algorithm 2) removes that lag; compare the moving-average and re-estimated columns
#   to see how little it was worth here. Batch mode is a little lower still: a batch of 125 images gives noisier
#   statistics than the whole training subset. A tiny last batch in each epoch is another matter (the comparison just
#   after the table).

# %% [markdown] slideshow={"slide_type": "fragment"}
# - **Training and validation curves.** Early on, a solid (validation) curve can lie above the dashed (training) one.
#   Two reasons: the training figure is an average over an epoch during which the network improved, and for the BN
#   network it is measured in training mode (batch statistics), validation in inference mode. Both reasons also
#   explain why the final weights of the BN network, with re-estimated statistics, score higher on the training set than
#   `fit()`'s last-epoch average, most of all at the smallest rate (the table's last two columns); this sweep does not
#   separate the two.

# %% [markdown] slideshow={"slide_type": "fragment"}
# - **Gradient balance is not required.** At initialization the plain network's profile is fairly flat: He's
#   initialization at work. The BN network's is not: its gradient norms grow steadily from the output towards the input,
#   and its largest / smallest ratio is far larger than the plain network's, for every seed. This is a known property of
#   deep fully connected networks with BN and no skip connections: at initialization, BN makes gradients *explode* with
#   depth (Yang et al., 2019). After training at learning rate 0.1 the picture has changed: the BN network's ratios have
#   come down to the plain network's level, and across seeds neither network is consistently the more balanced one
#   (no plain run diverged at this rate here; one that did would be left out, its ratio `nan`).
#   So the network that tolerates large learning rates starts out the *less* balanced of the two: balanced per-layer
#   gradients at the start are not required for what BN buys (with five seeds and one learning rate, that is as far as
#   this goes). Compare shapes and ratios only, not the heights of the two networks' curves: the gradient of a kernel
#   followed by BN scales as $1/\lVert\mathbf{W}\rVert$ (next subsection), and the plain network's norms include the
#   gradients of its biases, which the BN network does not have.
# - **Cost.** Compare the printed seconds per epoch (validation included): the BN network has 20 BN layers (plus 20
#   separate `Activation` layers) more to run, so each step costs more. At prediction time that cost buys nothing, and
#   section 5 removes it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why BN tolerates large steps
#
# If BN comes right after a Dense layer without bias, multiplying that layer's kernel by any $c > 0$ changes nothing
# downstream: BN divides the scale out again (up to $\varepsilon$). Write the loss as a function of that kernel alone,
# $f(\mathbf{W})$; then $f(c\mathbf{W}) = f(\mathbf{W})$ for every $c > 0$. Differentiate this identity twice:
#
# - with respect to $\mathbf{W}$ (the chain rule brings out a factor $c$ on the left): $c\,\nabla f(c\mathbf{W}) =
#   \nabla f(\mathbf{W})$, so $\nabla f(c\mathbf{W}) = \nabla f(\mathbf{W})/c$: **the gradient shrinks as $1/c$** when
#   the kernel grows;
# - with respect to $c$, at $c = 1$: $\frac{d}{dc} f(c\mathbf{W}) = \langle \nabla f(c\mathbf{W}), \mathbf{W}\rangle$
#   must be 0, so $\langle \nabla f(\mathbf{W}), \mathbf{W}\rangle = 0$: **the gradient is orthogonal to the kernel**.
#
# BN standardizes each feature on its own, so scaling a single column $\mathbf{W}_{:,j}$ (the weights that feed
# feature $j$) changes nothing either. Both results therefore hold column by column: each column's gradient shrinks as
# $1/c$ when that column is scaled by $c$, and is orthogonal to that column. Let's check them on fixed arrays, with a
# tiny $\varepsilon$ to isolate the property:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
rng = np.random.default_rng(4)
x, W, dout = rng.normal(size=(32, 5)), rng.normal(size=(5, 4)), rng.normal(size=(32, 4))
bn = keras.layers.BatchNormalization(epsilon=1e-9, dtype="float64")


def cosine(a, b):
    return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))


def bn_output_and_kernel_gradient(kernel):
    kernel = tf.Variable(kernel)
    with tf.GradientTape() as tape:
        output = bn(tf.matmul(x, kernel), training=True)
        loss = tf.reduce_sum(output * dout)  # any loss of the output would do
    return output.numpy(), tape.gradient(loss, kernel).numpy()


out_1, grad_1 = bn_output_and_kernel_gradient(W)
out_10, grad_10 = bn_output_and_kernel_gradient(10 * W)
W_col = W.copy()
W_col[:, 0] *= 10                                   # scale the first column (feature 1) only
out_col, grad_col = bn_output_and_kernel_gradient(W_col)
expected_col = grad_1.copy()
expected_col[:, 0] /= 10                            # that column's gradient / 10, the others unchanged
checks = {"whole kernel x 10: output unchanged": rel_error(out_10, out_1),
          "whole kernel x 10: gradient divided by 10": rel_error(grad_10, grad_1 / 10),
          "gradient orthogonal to the kernel (|cosine|)": abs(cosine(W.ravel(), grad_1.ravel())),
          "column 1 x 10: output unchanged": rel_error(out_col, out_1),
          "column 1 x 10: its gradient / 10, others unchanged": rel_error(grad_col, expected_col),
          "each column's gradient orthogonal to it (max |cosine|)": max(abs(cosine(W[:, j], grad_1[:, j]))
                                                                        for j in range(W.shape[1]))}
for name, err in checks.items():
    assert err < 1e-6
    print(f"{name:55s} error < 1e-6: {err < 1e-6}")


# %% [markdown] slideshow={"slide_type": "-"}
# Because each plain SGD step $\Delta\mathbf{W} = -\eta\,\mathbf{g}$ is orthogonal to $\mathbf{W}$, Pythagoras gives
# $\lVert\mathbf{W} + \Delta\mathbf{W}\rVert^2 = \lVert\mathbf{W}\rVert^2 + \eta^2\lVert\mathbf{g}\rVert^2$: the kernel can
# only grow (without weight decay), and it grows faster when the learning rate $\eta$ is large. A larger kernel gets smaller
# gradients and smaller relative steps: the step relative to the kernel is
# $\eta\lVert\mathbf{g}\rVert/\lVert\mathbf{W}\rVert$, and $\lVert\mathbf{g}\rVert$ itself shrinks as
# $1/\lVert\mathbf{W}\rVert$, so the kernel's direction moves as if the learning rate were $\eta/\lVert\mathbf{W}\rVert^2$.
# A kernel whose norm grew by a factor $r$ has its **effective learning rate** divided by $r^2$: a too-large learning
# rate is partly damped by itself (Arora et al., 2019). A plain ReLU network has the opposite feedback: larger weights
# give *larger* gradients to the layers below (section 6). The kernels stored after each run of the sweep show how much
# they grew, and the brake column gives $1/r^2$, the factor by which that growth divided the BN network's effective
# learning rate by the end of training (mean over layers and seeds). The effective rate itself is
# $\eta/\lVert\mathbf{W}\rVert^2$, with $\lVert\mathbf{W}\rVert^2$ about 200 for a He-initialized $100 \times 100$
# kernel (twice the number of weights over the fan-in), so it is on a different scale from a plain network's $\eta$:
# the two cannot be compared directly.

# %% slideshow={"slide_type": "-"}
def kernel_growth(name, learning_rate):
    # Norm of each hidden Dense kernel after training / before: shape (seeds, layers), NaN for a seed that diverged.
    growth = []
    for runs in sweeps[name]:
        pairs = [(b, a) for b, a in zip(runs["initial_weights"], runs[learning_rate]["weights"]) if b.ndim == 2]
        growth.append([np.linalg.norm(a) / np.linalg.norm(b) for b, a in pairs[:-1]])  # 2-D: kernels; drop the output
    growth = np.array(growth)
    diverged = ~np.isfinite(growth).all(axis=1)
    growth[diverged] = np.nan
    return growth, int(diverged.sum())


def mean_or_nan(values):
    return np.nanmean(values) if np.isfinite(values).any() else np.nan  # NaN only if every seed diverged


print("hidden kernel norm after training / before (r), mean over layers and over the seeds that did not diverge")
print("(n/N: the number of seeds that diverged; nan: every seed diverged); brake 1/r²: the factor by which the")
print("kernel growth divided the BN network's effective learning rate by the end of training")
print(f"{'learning rate':>13s} {'plain: r':>14s} {'BN: r':>14s} {'BN: brake 1/r²':>15s}")
for learning_rate in LEARNING_RATES:
    (plain, plain_div), (bn, bn_div) = kernel_growth("plain", learning_rate), kernel_growth("BN", learning_rate)
    print(f"{learning_rate:13g} {mean_or_nan(plain):8.3f} ({plain_div}/{len(SEEDS)}) {mean_or_nan(bn):8.3f} "
          f"({bn_div}/{len(SEEDS)}) {mean_or_nan(1 / bn**2):15.3f}")


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** In the BN network the kernels grow more, the larger the learning rate, and the growth does divide
# the effective learning rate (the brake column). But the brake is modest: small at the rates where the plain network
# still trains, and even at the largest rate it divides the effective rate by less than the factor between the
# largest and the smallest rates of the sweep. So in these short runs kernel growth is a small part of the answer. Most of
# the tolerance comes from the scale invariance itself: a large step can make a kernel longer, but BN divides the
# length out again, so the next layer's inputs keep their scale, and the feedback loop of a plain ReLU network (larger
# weights, larger activations and gradients, larger steps: section 6) has nothing to feed on. The smoother loss
# landscape that Santurkar et al. measured is the other part of the story. In the plain network the kernels hardly
# changed length in the runs that did not diverge (first column), including any at the rate where it already sits
# near chance in the sweep table: they failed without blowing up, so the explosion story does not explain them
# (we did not measure why; ReLUs that die under large steps, notebook 02, are one candidate). Where it diverged (the
# counts), its weights became NaN.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The runtime cost, and folding BN away
#
# In inference mode a BN layer is a fixed affine map, feature by feature:
# $\mathrm{BN}(x) = s \odot x + t$ with $s = \gamma / \sqrt{\sigma^2_\text{mov} + \varepsilon}$ and
# $t = \beta - \mu_\text{mov} \odot s$. An affine map next to a Dense layer can be merged into it:
#
# - **BN after a Dense layer** (output side, with no activation in between, as in our deep network): for each output
#   unit $j$, $\mathrm{BN}(\mathbf{x}\mathbf{W} + \mathbf{b})_j = \mathbf{x}\,(\mathbf{W}_{:,j} s_j) + (b_j s_j + t_j)$,
#   so $\mathbf{W}' = \mathbf{W}\,\mathrm{diag}(s)$ and $\mathbf{b}' = \mathbf{b} \odot s + t$.
# - **BN feeding a Dense layer** (input side, as in the book's model, where every BN is followed by a Dense layer):
#   $(s \odot \mathbf{x} + t)\,\mathbf{W} + \mathbf{b} = \mathbf{x}\,\big(\mathrm{diag}(s)\,\mathbf{W}\big) + (t\,\mathbf{W} + \mathbf{b})$,
#   so each *row* $i$ of $\mathbf{W}$ is scaled by $s_i$ and the bias becomes $t\mathbf{W} + \mathbf{b}$.
#
# A BN layer cannot be folded through a nonlinearity, so a BN placed after a ReLU must be folded into the *next*
# Dense layer, from its input side. We fold the BN right after `Flatten` that way too, rather than keep it, since the
# result is exact for Dense layers and removes one more layer. (Deployment tools for convolutional networks usually
# fold only on the output side: with zero padding, folding into the next convolution from its input side is not exact
# at the image borders.) `fold_batch_norm` handles both cases, and merges a separate `Activation` layer into the
# folded Dense layer before it.

# %% slideshow={"slide_type": "-"}
def bn_as_affine(bn):
    # A BN layer in inference mode computes x * scale + shift, feature by feature.
    scale = bn.gamma.numpy() / np.sqrt(bn.moving_variance.numpy() + bn.epsilon)
    return scale, bn.beta.numpy() - bn.moving_mean.numpy() * scale


def fold_batch_norm(model):
    # Return a Sequential model without BN layers that computes the same function in inference mode.
    folded = keras.Sequential([keras.Input(shape=model.input_shape[1:])])
    waiting = None  # (scale, shift) of a BN layer to fold into the next Dense layer (input side)
    for layer in model.layers:
        previous = folded.layers[-1] if folded.layers else None
        linear_dense_before = isinstance(previous, keras.layers.Dense) and previous.activation is keras.activations.linear
        if isinstance(layer, keras.layers.BatchNormalization):
            scale, shift = bn_as_affine(layer)
            if linear_dense_before:  # output side: W' = W diag(scale), b' = b * scale + shift
                kernel, bias = previous.get_weights()
                previous.set_weights([kernel * scale, bias * scale + shift])
            else:
                waiting = (scale, shift)
        elif isinstance(layer, keras.layers.Dense):
            kernel = layer.kernel.numpy()
            bias = layer.bias.numpy() if layer.use_bias else np.zeros(layer.units)
            if waiting is not None:  # input side: W' = diag(scale) W, b' = shift W + b
                scale, shift = waiting
                kernel, bias, waiting = scale[:, None] * kernel, shift @ kernel + bias, None
            dense = keras.layers.Dense(layer.units, activation=layer.activation, name=layer.name, dtype=layer.dtype_policy)
            folded.add(dense)
            dense.set_weights([kernel, bias])
        elif waiting is not None:
            raise ValueError(f"cannot fold a BN layer through {layer.name}: a Dense layer must come next")
        elif isinstance(layer, keras.layers.Activation) and linear_dense_before:
            previous.activation = layer.activation  # Dense + Activation -> one Dense layer
        else:
            folded.add(type(layer).from_config(layer.get_config()))
    if waiting is not None:
        raise ValueError("cannot fold a BN layer that is not followed by a Dense layer")
    return folded


# %% [markdown] slideshow={"slide_type": "-"}
# First a check that cannot depend on the data: a small float64 model with both kinds of BN placement, whose
# weights and moving statistics are drawn from a fixed random generator.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
rng = np.random.default_rng(3)
toy = keras.Sequential([
    keras.Input(shape=(6,)),
    keras.layers.BatchNormalization(dtype="float64"),                        # folded from the input side
    keras.layers.Dense(5, use_bias=False, dtype="float64"),
    keras.layers.BatchNormalization(dtype="float64"),                        # folded from the output side
    keras.layers.Activation("relu", dtype="float64"),
    keras.layers.Dense(4, activation="relu", dtype="float64"),
    keras.layers.BatchNormalization(dtype="float64"),                        # after a ReLU: into the next Dense
    keras.layers.Dense(3, activation="softmax", dtype="float64"),
])
for layer in toy.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        n = layer.gamma.shape[0]
        layer.set_weights([rng.uniform(0.5, 2, n), rng.normal(size=n), rng.normal(size=n), rng.uniform(0.5, 2, n)])
    else:
        layer.set_weights([rng.normal(size=w.shape) for w in layer.get_weights()])
toy_folded = fold_batch_norm(toy)
x = rng.normal(size=(16, 6))
err = rel_error(toy_folded(x), toy(x, training=False))
assert err < 1e-6
print("layers before:", [type(layer).__name__ for layer in toy.layers])
print("layers after: ", [type(layer).__name__ for layer in toy_folded.layers])
print(f"folded vs original (inference mode), max relative error < 1e-6: {err < 1e-6}")

# %% [markdown] slideshow={"slide_type": "-"}
# Now the two trained networks: the book's model of section 3, and the 20-layer BN network trained at learning rate
# 0.1 in section 4 (first seed). We fold each and compare the predicted probabilities on the test set. We compare
# them in absolute terms: a relative error would be dominated by the tiniest probabilities (say $10^{-6}$), where
# float32 rounding that differs along 20 layers shows up as a large *relative* difference although the probabilities
# agree to many decimals.

# %% slideshow={"slide_type": "-"}
deep_bn = build_deep_mlp(batch_norm=True)
deep_bn.set_weights(sweeps["BN"][0][0.1]["weights"])
trained_bn_models = {"book's model": book_model, "20-layer BN network": deep_bn}
folded_models = {name: fold_batch_norm(model) for name, model in trained_bn_models.items()}
for name, model in trained_bn_models.items():
    p_bn, p_folded = model.predict_on_batch(data.X_test), folded_models[name].predict_on_batch(data.X_test)
    max_difference = np.abs(p_folded - p_bn).max()
    assert max_difference < 1e-4
    print(f"{name}: {len(model.layers)} layers -> {len(folded_models[name].layers)}; largest |difference| between "
          f"predicted probabilities < 1e-4: {max_difference < 1e-4} ({max_difference:.1e}); "
          f"same predicted class for {np.mean(p_bn.argmax(1) == p_folded.argmax(1)):.2%} of the test set")


# %% [markdown] slideshow={"slide_type": "-"}
# Now the timing: one forward pass over the whole test set and over a batch of 32 images, repeated many times with the
# two models alternating, so that both see the same load on the machine. We report the median of the repeats (one
# lucky or unlucky measurement does not move it) and, to show how noisy such timings are, the range of the speed-up
# between its quartiles, pairing each repeat of one model with the repeat of the other that ran next to it.

# %% slideshow={"slide_type": "-"}
def prediction_times(models, X, repeats):
    # Times of one forward pass over X for each model, timing the models in turn: {name: array of repeats}.
    for model in models.values():
        model.predict_on_batch(X)  # the first call traces the graph: not timed
    times = {name: [] for name in models}
    for _ in range(repeats):
        for name, model in models.items():
            start = time.perf_counter()
            model.predict_on_batch(X)
            times[name].append(time.perf_counter() - start)
    return {name: np.array(t) for name, t in times.items()}


for name in trained_bn_models:
    pair = {"with BN": trained_bn_models[name], "folded": folded_models[name]}
    for X, label, repeats in ((data.X_test, f"{len(data.X_test):,} images", budget(15, quick=3)),
                              (data.X_test[:32], "32 images", budget(100, quick=5))):
        times = prediction_times(pair, X, repeats)
        with_bn, folded = np.median(times["with BN"]), np.median(times["folded"])
        low, high = np.percentile(times["with BN"] / times["folded"], [25, 75])
        print(f"{name:20s} {label:>13s}: median with BN {with_bn * 1e3:7.2f} ms, folded {folded * 1e3:7.2f} ms "
              f"({with_bn / folded:.2f}x; per-repeat speed-ups, middle half: {low:.2f}x to {high:.2f}x)")


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The folded networks give the same predictions as the BN networks (the largest difference is
# printed, and every predicted class is the same). Whether they also run faster is a measurement, not a rule, and on
# a small, shared CPU a noisy one: read each row's median together with the middle half of its per-repeat speed-ups,
# and treat a factor whose range includes 1 as "no measurable difference" in this run. A modest gain is the typical
# outcome; we make no prediction about which batch size or which network gains more, since four rows of noisy timings
# cannot carry one (a larger gain for small batches is a common expectation; four noisy rows cannot confirm it).
# Note also that folding the 20-layer network merged its 20 separate `Activation` layers into the Dense layers, so not all of its
# change is BN's. At prediction time BN's arithmetic buys nothing, so removing it can only help or leave the time
# unchanged; folding is what deployment tools do before quantizing a network (Jacob et al., 2018).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Gradient clipping
#
# BN is hard to use in recurrent networks, and it is no general protection against a single bad batch. (It does absorb
# some: in training mode a batch whose inputs are all multiplied by 100 gives the same BN outputs and loss, since BN
# divides the scale out again, and the kernel feeding the first BN layer gets the same gradient as for the normal
# batch: the inputs are 100 times larger, the gradient reaching the kernel's outputs 100 times smaller. What such a
# batch damages is that layer's moving variance: a check in the next subsection measures all three.)
# **Gradient clipping** (Pascanu et al., 2013) caps the gradient before the optimizer uses it. Keras' optimizers offer
# three rules, for a threshold $c$:
#
# - `clipvalue=c`: clip every component, $g_i \leftarrow \max(-c, \min(c, g_i))$;
# - `clipnorm=c`: rescale each variable's gradient $\mathbf{g}$ so its L2 norm is at most $c$,
#   $\mathbf{g} \leftarrow \mathbf{g}\cdot\min\big(1, c/\lVert\mathbf{g}\rVert\big)$;
# - `global_clipnorm=c`: rescale *all* gradients $\mathbf{g}_1, \dots, \mathbf{g}_K$ by the same factor
#   $\min\big(1, c/G\big)$, where $G = \sqrt{\sum_k \lVert\mathbf{g}_k\rVert^2}$ is the norm of the whole gradient.

# %% slideshow={"slide_type": "-"}
def clip_by_value(g, c):
    return np.clip(g, -c, c)


def clip_by_norm(g, c):
    return g * min(1.0, c / np.linalg.norm(g))


def clip_by_global_norm(grads, c):
    global_norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * min(1.0, c / global_norm) for g in grads]


def keras_sgd_updates(grads, **clipping):
    # The change that one SGD step with learning rate 1 applies to zero-initialized variables: -clipped gradient.
    variables = [keras.Variable(np.zeros_like(g)) for g in grads]
    optimizer = keras.optimizers.SGD(learning_rate=1.0, **clipping)
    optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), v) for g, v in zip(grads, variables)])
    return [v.numpy() for v in variables]


# %% [markdown] slideshow={"slide_type": "-"}
# Take the gradient $[0.9, 100.0]$: almost all of its length lies along the second axis. One SGD step with learning rate
# 1 shows what each rule hands to the optimizer:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
gradient = np.array([0.9, 100.0], dtype="float32")
print(f"gradient {gradient}, norm {np.linalg.norm(gradient):.2f}")
for rule, scratch_clip in (("clipvalue", clip_by_value), ("clipnorm", clip_by_norm)):
    (update,) = keras_sgd_updates([gradient], **{rule: 1.0})
    err = rel_error(-update, scratch_clip(gradient, 1.0))
    assert err < 1e-6
    angle = np.degrees(np.arccos(np.clip(cosine(-update, gradient), -1, 1)))
    print(f"{rule}=1.0: update {np.round(update, 4)}, norm {np.linalg.norm(update):.4f}, "
          f"cosine with the gradient {cosine(-update, gradient):.4f} ({angle:.1f} degrees); "
          f"scratch vs Keras < 1e-6: {err < 1e-6}")

# %% [markdown] slideshow={"slide_type": "-"}
# `clipvalue` shrank the large component and left the small one alone, so the step now points about 42 degrees away
# from the gradient (printed above): nearly as far along the first axis as along the second, although the gradient said the second mattered a
# hundred times more. `clipnorm` shortened the step and kept its direction. With several variables, `clipnorm` treats each
# one separately, which changes the direction of the *whole* update; `global_clipnorm` rescales everything together:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
grads = [np.array([0.9, 100.0], dtype="float32"), np.array([-50.0], dtype="float32")]  # e.g. a kernel and a bias
full_gradient = np.concatenate(grads)
for rule in ("clipnorm", "global_clipnorm"):
    updates = keras_sgd_updates(grads, **{rule: 1.0})
    scratch = [clip_by_norm(g, 1.0) for g in grads] if rule == "clipnorm" else clip_by_global_norm(grads, 1.0)
    err = max(rel_error(-u, s) for u, s in zip(updates, scratch))
    assert err < 1e-6
    step = -np.concatenate(updates)
    print(f"{rule:15s}: per-variable norms {[round(float(np.linalg.norm(u)), 4) for u in updates]}, "
          f"total norm {np.linalg.norm(step):.4f}, cosine with the full gradient {cosine(step, full_gradient):.4f}; "
          f"scratch vs Keras < 1e-6: {err < 1e-6}")

# %% [markdown] slideshow={"slide_type": "-"}
# `global_clipnorm` is the usual choice: it bounds the length of the gradient and never changes its direction. With plain
# SGD the step is $-\eta$ times the gradient, so the step keeps its direction too. With momentum or Adam, clipping keeps
# the direction of the gradient handed to the optimizer, not that of the step the optimizer then takes, which also
# depends on its running averages. The threshold is a hyperparameter; a common heuristic is to look at the gradient norms
# of a healthy run and clip somewhat above their typical value, so that clipping fires only on the rare spikes.
#
# Clipping insures against large **finite** gradients only. When the norm is already `inf` or NaN (an overflow, a
# division by zero, a log of 0), there is nothing sensible to rescale, and Keras' clipping deliberately returns NaN, so
# the step ruins the weights anyway:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
for bad in (np.inf, np.nan):
    (update,) = keras_sgd_updates([np.array([bad, 1.0], dtype="float32")], global_clipnorm=1.0)
    print(f"gradient [{bad}, 1.0], global_clipnorm=1.0: update {update}, finite: {bool(np.isfinite(update).all())}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Clipping as insurance against a rare spike
#
# Take the plain 20-layer network of section 1 and SGD at learning rate 0.05, the rate it trained with in section 1. To
# see every step we write the training loop ourselves with `tf.GradientTape`, and record at every step the loss and the
# norm of the whole gradient *before* clipping; clipping, if any, happens inside `apply_gradients`. A run stops as soon as
# its loss or its gradient norm is no longer a finite number. `train_with_tape` can also feed, at one given step, a
# **corrupted batch** whose inputs are multiplied by 100: a stand-in for a batch of broken or wrongly preprocessed
# images. We use the plain network here: a BN network would absorb this particular corruption in training mode, as
# the next check shows, though not every corruption (wrong labels, or a few extreme pixels in one image).

# %% slideshow={"slide_type": "-"}
CLIP_STEPS = budget(150, quick=60)
BAD_STEP = CLIP_STEPS // 2


def train_with_tape(optimizer, seed, bad_batch_at=None, n_steps=CLIP_STEPS, batch_size=64):
    set_seeds(seed)
    model = build_deep_mlp(batch_norm=False)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))  # clipping, if any, happens here
        return loss, tf.linalg.global_norm(grads)                         # the norm before clipping

    rng = np.random.default_rng(seed)
    losses, norms = [], []
    for step in range(1, n_steps + 1):
        batch = rng.integers(0, len(data.X_train), batch_size)
        x = data.X_train[batch] * (100.0 if step == bad_batch_at else 1.0)  # the corrupted batch, if any
        loss, norm = train_step(x, data.y_train[batch])
        losses.append(float(loss))
        norms.append(float(norm))
        if not (np.isfinite(losses[-1]) and np.isfinite(norms[-1])):  # NaN or inf: this run has diverged
            break
    diverged = not (np.isfinite(losses[-1]) and np.isfinite(norms[-1]))
    accuracy = np.nan if diverged else np.mean(np.argmax(model(data.X_valid), axis=1) == data.y_valid)
    return {"losses": np.array(losses), "norms": np.array(norms), "diverged": diverged, "accuracy": accuracy}


def outcome(run, threshold=None):
    # One line about a run: where it diverged, or how well it trained and how often clipping fired.
    if run["diverged"]:
        finite = run["norms"][np.isfinite(run["norms"])]
        return f"diverged at step {len(run['losses'])} (largest finite gradient norm {finite.max():.1e})"
    text = f"trained {len(run['losses'])} steps, validation accuracy {run['accuracy']:.3f}"
    if threshold is not None:
        text += f", clipped on {np.mean(run['norms'] > threshold):.1%} of the steps"
    return text


# %% [markdown] slideshow={"slide_type": "-"}
# The check: a bias-free Dense layer followed by BN (`momentum=0.9`), whose moving statistics have already settled on
# the statistics of normal batches, takes one training step on a normal batch, and, in a copy, on the same batch ×100.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
rng = np.random.default_rng(5)
x, W, dout = rng.normal(size=(64, 8)), rng.normal(size=(8, 4)), rng.normal(size=(64, 4))


def bn_step_on(inputs):
    # One training-mode step of Dense (no bias) + BN; the moving statistics start at those of normal batches.
    bn = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-9, dtype="float64")  # tiny ε, as in section 4
    bn.build((None, 4))
    bn.moving_mean.assign((x @ W).mean(axis=0))
    bn.moving_variance.assign((x @ W).var(axis=0))
    kernel = tf.Variable(W)
    with tf.GradientTape() as tape:
        output = bn(tf.matmul(inputs, kernel), training=True)
        loss = tf.reduce_sum(output * dout)  # any loss of the output would do
    return output.numpy(), tape.gradient(loss, kernel).numpy(), bn.moving_variance.numpy()


(out_1, grad_1, var_1), (out_100, grad_100, var_100) = bn_step_on(x), bn_step_on(100 * x)
errors = {"inputs x100, training mode: outputs unchanged": rel_error(out_100, out_1),
          "inputs x100: kernel gradient unchanged": rel_error(grad_100, grad_1)}
for name, err in errors.items():
    assert err < 1e-6
    print(f"{name} (error < 1e-6): {err < 1e-6}")
print(f"moving variance after the x100 step / after the normal step, per feature: {np.round(var_100 / var_1, 1)}")

# %% [markdown] slideshow={"slide_type": "-"}
# One such batch multiplies the moving variance by $0.9 + 0.1 \times 100^2 \approx 1{,}000$ (printed above), so in
# inference mode this layer would shrink its outputs about $\sqrt{1{,}000} \approx 32$-fold until the moving average
# forgets the bad batch (60-90 steps at `momentum=0.9`: $999 \times 0.9^n$ falls below 1 after 66 steps and below 0.1
# after 88; Exercise 3): the damage is done to *predictions*, not to
# training. For the plain network there is no such cushion, which is what the experiment below is about.

# %% [markdown] slideshow={"slide_type": "-"}
# First the healthy runs, one per seed. Their gradient norms give the threshold: the 99th percentile, a value that the
# gradient norm of a healthy run exceeds on about one step in a hundred.

# %% slideshow={"slide_type": "-"}
healthy = {seed: train_with_tape(keras.optimizers.SGD(learning_rate=0.05), seed) for seed in SEEDS}
healthy_norms = np.concatenate([run["norms"] for run in healthy.values()])
healthy_norms = healthy_norms[np.isfinite(healthy_norms)]  # (all of them, unless a healthy run diverged)
CLIP_THRESHOLD = round(float(np.percentile(healthy_norms, 99)), 1)  # a Python float, as the optimizer wants
for seed, run in healthy.items():
    print(f"healthy, seed {seed}: {outcome(run)}; largest gradient norm {run['norms'].max():.1f} "
          f"at step {run['norms'].argmax() + 1}")
print(f"gradient norms of the healthy runs: median {np.median(healthy_norms):.1f}, "
      f"99th percentile {CLIP_THRESHOLD} (the clipping threshold)")

# %% [markdown] slideshow={"slide_type": "-"}
# Now the same runs with one corrupted batch halfway through, without clipping and with `global_clipnorm` at that
# threshold:

# %% slideshow={"slide_type": "-"}
clipped_name = f"global_clipnorm={CLIP_THRESHOLD}"
bad_batch_runs = {
    "no clipping": {seed: train_with_tape(keras.optimizers.SGD(learning_rate=0.05), seed, bad_batch_at=BAD_STEP)
                    for seed in SEEDS},
    clipped_name: {seed: train_with_tape(keras.optimizers.SGD(learning_rate=0.05, global_clipnorm=CLIP_THRESHOLD),
                                         seed, bad_batch_at=BAD_STEP) for seed in SEEDS},
}
for name, runs in bad_batch_runs.items():
    for seed, run in runs.items():
        threshold = CLIP_THRESHOLD if name == clipped_name else None
        print(f"corrupted batch at step {BAD_STEP}, {name:21s} seed {seed}: {outcome(run, threshold)}")

# %% slideshow={"slide_type": "-"}
curves = {"healthy (no corrupted batch)": ("0.6", 2.5, healthy),  # colour, line width, runs
          "no clipping": ("tab:red", 1.2, bad_batch_runs["no clipping"]),
          clipped_name: ("tab:blue", 1.2, bad_batch_runs[clipped_name])}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.2), sharex=True)
for label, (color, width, runs) in curves.items():
    for i, run in enumerate(runs.values()):
        steps = np.arange(1, len(run["losses"]) + 1)
        for ax, values in ((ax1, run["norms"]), (ax2, run["losses"])):
            ax.plot(steps, values, color=color, linewidth=width, alpha=0.7, label=label if i == 0 else None)
last_finite = [(np.flatnonzero(np.isfinite(r["norms"]))[-1], r["norms"]) for r in bad_batch_runs["no clipping"].values()
               if r["diverged"]]
for i, (last, norms) in enumerate(last_finite):  # mark where the runs without clipping blew up
    ax1.plot(last + 1, norms[last], "x", color="black", markersize=9,
             label="last finite value (then inf or NaN)" if i == 0 else None)
for ax in (ax1, ax2):
    ax.axvline(BAD_STEP, color="black", linestyle=":", linewidth=1, label="corrupted batch")
ax1.axhline(CLIP_THRESHOLD, color="tab:blue", linestyle="--", label="clipping threshold")
ax1.set(yscale="log", xlabel="step", ylabel="gradient norm before clipping (log scale)")
ax2.set(ylim=(0, 4), xlabel="step", ylabel="training loss of each batch")
ax2.text(BAD_STEP + 0.03 * CLIP_STEPS, 3.5, "no clipping: off the scale,\nthen inf or NaN", color="tab:red", fontsize=8)
ax1.legend(fontsize=8)
ax2.legend(fontsize=8)
fig.tight_layout()
save_fig("clipping_corrupted_batch")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Up to the corrupted batch, the three kinds of run are the same runs, so their lines overlap, except
# where a healthy run had a spike of its own above the threshold before the corrupted batch (the healthy runs'
# largest gradient norms and their steps are printed above; by construction about one healthy step in a hundred
# exceeds the 99th percentile): from there the clipped run takes a shorter step and parts company. Such natural
# spikes are what clipping is for in practice.
# The corrupted batch itself has a huge loss and gradient in every run (its loss is off the scale on the right). Without
# clipping (red), the step taken with that gradient throws the weights far away, and within a few steps the gradient and the loss
# overflow to `inf` or NaN (the printed lines say at which step; × marks the last finite gradient norm). From then on the weights are
# garbage: the run cannot recover. The mechanism is a feedback loop: a too-large step makes some weights larger; in a deep
# ReLU network the gradient of the lower layers is a product of all the weight matrices above them, so larger weights give
# an even larger gradient, hence an even larger next step. With `global_clipnorm` at the healthy runs' 99th percentile
# (blue), the corrupted batch's gradient is cut down to the threshold, the loop never starts, and the run carries on: its
# validation accuracies span about the same range as the healthy runs', and seed by seed they differ from them in both
# directions (after so few steps the seed-to-seed spread is wide, so "much like the healthy ones" is as far as this
# comparison goes). The printed fractions show that clipping fired on
# only a small share of the steps: the rest of training was plain SGD. That is what clipping is for: cheap insurance
# that costs nothing on normal steps. It works here because the corrupted batch's gradient is huge but still *finite*;
# had it already overflowed to `inf`, clipping would have returned NaN (the check above) and the run would be lost all
# the same.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### When the learning rate itself is too large
#
# Clipping that fires rarely is insurance against rare spikes. What if the learning rate itself is too large? Take
# learning rate 0.5, ten times the healthy one, and train without clipping, with the healthy threshold, and with a
# threshold of 1.0, far below the typical gradient norm of a healthy run.

# %% slideshow={"slide_type": "-"}
large_lr_runs = {}
for name, threshold in (("no clipping", None), (clipped_name, CLIP_THRESHOLD), ("global_clipnorm=1.0", 1.0)):
    clipping = {} if threshold is None else {"global_clipnorm": threshold}
    for seed in SEEDS:
        run = train_with_tape(keras.optimizers.SGD(learning_rate=0.5, **clipping), seed)
        large_lr_runs[name, seed] = run
        print(f"learning rate 0.5, {name:21s} seed {seed}: {outcome(run, threshold)}")
print(f"step length of the healthy runs (0.05 x gradient norm): median {0.05 * np.median(healthy_norms):.2f}; "
      f"with global_clipnorm=1.0 at learning rate 0.5, every clipped step: 0.5 x 1.0 = 0.5")


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Without clipping, learning rate 0.5 diverges within a few steps: the feedback loop again, started this
# time by ordinary batches. The healthy threshold keeps every number finite, yet it does not rescue the run: compare its
# validation accuracies with the healthy runs'. It fires rarely (printed fractions), because the damage is done by
# gradients of ordinary size: at this learning rate a gradient of typical size already gives a step ten times longer than
# a healthy one, and clipping bounds the gradient, not the learning rate.
#
# With a threshold of 1.0, clipping fires on (nearly) every step, and training works. But look at what it has become:
# every clipped step has the same length, $0.5 \times 1.0$, of the same order as the printed typical step of the healthy
# runs. That is
# SGD with a fixed step length, an effective learning-rate cut in disguise, not insurance. Clipping treats the symptom,
# not the cause: a smaller learning rate, a learning-rate warm-up (a schedule that starts small, notebook 06) or BN (section 4) remove the cause;
# clipping at a threshold above the healthy norms is the cheap insurance you keep anyway, especially in recurrent
# networks.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - A good initialization balances the network **at the start**; during training the statistics of each layer's inputs
#   drift and gradients can become unbalanced again. In training mode BN pins each layer's output spread by construction.
# - **Batch normalization** standardizes each feature over the mini-batch, then applies a learned scale $\gamma$ and shift
#   $\beta$. At inference it uses moving averages (`momentum` close to 1; Keras uses the biased batch variance).
# - Its main measured benefit is that a network tolerates **much larger learning rates**. With BN after a bias-free
#   layer, the scale of the kernel does not matter, its gradient is orthogonal to it and shrinks as it grows: the
#   effective learning rate $\eta/\lVert\mathbf{W}\rVert^2$ falls as the kernel grows, a built-in brake, but a mild
#   one: most of the tolerance comes from the scale invariance itself. In our short runs BN did not make the network
#   more accurate at its own best rate (inconclusive here), and at a small rate it was slower.
#   The "internal covariate shift" story is no longer believed to be the reason, and BN does not equalize per-layer
#   gradients at initialization either (in a deep fully connected network without skip connections it makes them grow
#   towards the input).
# - Each BN layer adds 4 parameters per feature; the moving mean and variance (half of them) are **non-trainable**.
#   BN before the activation makes the preceding layer's bias redundant: `use_bias=False`.
# - `fit()` runs BN in training mode; `predict()`, `evaluate()` and `model(X)` in inference mode (only a direct call
#   accepts `training=True`). Frozen BN layers (`trainable=False`) always run in inference mode. Training metrics are
#   averaged over an epoch in training mode, validation metrics measured at its end in inference mode.
# - Keep every training batch reasonably large: BN normalizes with the batch's own statistics, and a last partial batch
#   of a few images (`fit()` keeps it by default) gives noisy ones. In our sweep, at learning rate 1.0, a last batch of
#   8 images in every epoch cost the BN network a clear part of its accuracy, and re-estimating the statistics brought
#   little of it back (why is a hypothesis here). Make the data a multiple of the batch size or drop the remainder.
# - The moving averages can lag behind weights that move fast: to judge or deploy a BN network, you can
#   **re-estimate its BN statistics** on training data with the weights frozen (the paper's Algorithm 2; one
#   training-mode pass with `momentum=0` on a large batch does it).
# - At inference BN is an affine map: **fold** it into the adjacent Dense layer and its runtime cost disappears.
# - **Gradient clipping**: `clipvalue` can change the direction of the step; `clipnorm` keeps each variable's direction;
#   `global_clipnorm` keeps the direction of the whole gradient and is the usual choice. Set the threshold from a healthy
#   run's gradient norms (say their 99th percentile): clipping then fires only on spikes, and stops one exploding step
#   from ruining training, as long as the gradient is still finite: once it is `inf` or NaN, clipping cannot help. A threshold far below the typical norm clips every step: a learning-rate cut in disguise.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Each exercise has a self-check cell: run it after your answer and it tells you whether you are right.
# Worked solutions are at the end of the notebook; try first.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: count the parameters
#
# Complete `bn_mlp_params(n_inputs, hidden_units, n_outputs)` so that it returns `(total, non_trainable)`, the number
# of parameters of a network built like `book_model_v2` of section 3: `BatchNormalization` on the inputs, then for each
# entry of `hidden_units` a `Dense` layer without bias, a `BatchNormalization` and a ReLU, then a softmax `Dense` output
# layer (with bias). The check builds such networks in Keras and counts.

# %% slideshow={"slide_type": "-"}
def bn_mlp_params(n_inputs, hidden_units, n_outputs):
    ...  # your code here: return (total, non_trainable)


# %% slideshow={"slide_type": "-"}
def keras_bn_mlp_params(n_inputs, hidden_units, n_outputs):
    model = keras.Sequential([keras.Input(shape=(n_inputs,)), keras.layers.BatchNormalization()])
    for units in hidden_units:
        model.add(keras.layers.Dense(units, use_bias=False))
        model.add(keras.layers.BatchNormalization())
        model.add(keras.layers.Activation("relu"))
    model.add(keras.layers.Dense(n_outputs, activation="softmax"))
    return model.count_params(), sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)


param_cases = [((784, (300, 100), 10), keras_bn_mlp_params(784, (300, 100), 10)),
               ((20, (64, 64, 64), 3), keras_bn_mlp_params(20, (64, 64, 64), 3))]
check_function("Exercise 1", bn_mlp_params, param_cases,
               hint="A BN layer over n features has 4n parameters, 2n of them non-trainable.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: a batch of one
#
# A Keras BN layer with $\gamma = (2, 2, 2)$ and $\beta = (0.5, -0.5, 1)$ is called **in training mode** on a batch that
# holds a single example, $x = (3, -1, 2)$. Without running the layer, what does it output? Set `single_example_output` to
# your answer (a NumPy array), then think about what this means for BN with very small batches.

# %% slideshow={"slide_type": "-"}
single_example_output = ...  # your answer here

# %% slideshow={"slide_type": "-"}
x_single = np.array([[3.0, -1.0, 2.0]])
bn_single = keras.layers.BatchNormalization(dtype="float64")
bn_single.build((None, 3))
bn_single.gamma.assign([2.0, 2.0, 2.0])
bn_single.beta.assign([0.5, -0.5, 1.0])
check_value("Exercise 2", single_example_output, bn_single(x_single, training=True)[0],
            hint="What are the mean and the variance of a batch with one example?");


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: how long until the moving averages forget their start?
#
# A moving average starts at its initial value and is updated with `update_moving` (section 2) at every step. Complete
# `steps_to_forget(momentum, fraction)` so that it returns the smallest number of steps after which the initial value
# weighs at most `fraction` in the average. The check simulates the moving average in NumPy.

# %% slideshow={"slide_type": "-"}
def steps_to_forget(momentum, fraction):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def simulated_steps_to_forget(momentum, fraction):
    # Average a constant 1 starting from 0: the weight left on the start is 1 - average.
    average, steps = 0.0, 0
    while 1 - average > fraction:
        average = update_moving(average, 1.0, momentum)
        steps += 1
    return steps


forget_cases = [((m, f), simulated_steps_to_forget(m, f)) for m, f in ((0.99, 0.01), (0.9, 0.01), (0.999, 0.05))]
check_function("Exercise 3", steps_to_forget, forget_cases,
               hint="What weight is left on the initial value after one step? After two? After n?");


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4 (challenge): the backward pass of BN
#
# In training mode, $\mu_\mathcal{B}$ and $\sigma_\mathcal{B}^2$ depend on every example of the batch, so the gradient
# with respect to one input flows through them too. Complete `batch_norm_backward(dout, x, gamma)` so that it returns
# $\partial L / \partial x$ (same shape as `x`), given `dout` $= \partial L / \partial z$ for the outputs $z$ of
# `batch_norm_train(x, gamma, beta)`. The check compares with `tf.GradientTape` through a Keras BN layer.

# %% slideshow={"slide_type": "-"}
def batch_norm_backward(dout, x, gamma, epsilon=1e-3):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def keras_bn_input_gradient(dout, x, gamma):
    bn = keras.layers.BatchNormalization(dtype="float64")
    bn.build(x.shape)
    bn.gamma.assign(gamma)
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(bn(x, training=True) * dout)  # so that dL/dz = dout
    return tape.gradient(loss, x).numpy()


rng_ex = np.random.default_rng(7)
backward_cases = []
for m in (4, 16):
    dout, x, gamma_ex = rng_ex.normal(size=(m, 3)), rng_ex.normal(2, 3, size=(m, 3)), rng_ex.uniform(0.5, 2, 3)
    backward_cases.append(((dout, x, gamma_ex), keras_bn_input_gradient(dout, x, gamma_ex)))
check_function("Exercise 4", batch_norm_backward, backward_cases,
               hint="Differentiate x_hat = (x - mean) / sqrt(var + eps) through mean and var as well: three terms.");


# %% [markdown] slideshow={"slide_type": "slide"} tags=["solution"]
# ## Solutions
#
# Look only after trying. Each solution is followed by its self-check.

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 1.** The input BN has $4 n_\text{in}$ parameters; each hidden block has $n_\text{prev}\,n_h$ weights and
# $4 n_h$ BN parameters; the output layer has $(n_\text{prev} + 1)\,n_\text{out}$. Half of every BN layer's parameters are
# non-trainable.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def bn_mlp_params(n_inputs, hidden_units, n_outputs):
    total, non_trainable, previous = 4 * n_inputs, 2 * n_inputs, n_inputs
    for units in hidden_units:
        total += previous * units + 4 * units
        non_trainable += 2 * units
        previous = units
    return total + (previous + 1) * n_outputs, non_trainable


assert check_function("Exercise 1", bn_mlp_params, param_cases)

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 2.** With one example, the batch mean is the example itself and the variance is 0, so
# $\hat{x} = 0/\sqrt{0 + \varepsilon} = 0$ and the output is $\beta$, *whatever the input*. In training mode the layer
# has erased the example. Small batches give noisy statistics, and a batch of one gives none at all, which is why BN needs
# reasonably large batches (or an alternative such as layer normalization) and why prediction uses the moving averages.

# %% slideshow={"slide_type": "-"} tags=["solution"]
single_example_output = np.array([0.5, -0.5, 1.0])  # beta
assert check_value("Exercise 2", single_example_output, bn_single(x_single, training=True)[0])


# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 3.** Each update keeps a fraction `momentum` of the old average, so after one step the initial value
# weighs $\text{momentum}$, and after $n$ steps $\text{momentum}^n$. The smallest $n$ with
# $\text{momentum}^n \le \text{fraction}$ is $n = \lceil \ln(\text{fraction}) / \ln(\text{momentum}) \rceil$. The cell
# prints what this means here. With the default `momentum=0.99`, forgetting the start to within 1% takes about as many
# steps as one epoch of the full training set in batches of 128, and more than a whole run of section 4's sweep (its
# length is printed too): those runs would end before their moving averages caught up. Hence `momentum=0.9` there.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def steps_to_forget(momentum, fraction):
    return int(np.ceil(np.log(fraction) / np.log(momentum)))


print(f"to within 1%: momentum 0.99 takes {steps_to_forget(0.99, 0.01)} steps, momentum 0.9 takes "
      f"{steps_to_forget(0.9, 0.01)}; one epoch of 55,000 images in batches of 128 is {int(np.ceil(55_000 / 128))} "
      f"steps; one run of section 4's sweep is {SWEEP_EPOCHS * steps_per_epoch} steps")
assert check_function("Exercise 3", steps_to_forget, forget_cases)


# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 4.** With $\hat{x}_i = (x_i - \mu)/\sqrt{\sigma^2 + \varepsilon}$ and $z_i = \gamma\hat{x}_i + \beta$
# (per feature; sums run over the $m$ examples of the batch), go backwards one quantity at a time, so that you can
# compare each intermediate result with your own:
#
# $$\frac{\partial L}{\partial \hat{x}_i} = \gamma\,\frac{\partial L}{\partial z_i}, \qquad
# \frac{\partial L}{\partial \sigma^2} = -\frac{1}{2}\,(\sigma^2 + \varepsilon)^{-3/2}
# \sum_i \frac{\partial L}{\partial \hat{x}_i}\,(x_i - \mu),$$
#
# $$\frac{\partial L}{\partial \mu} = -\frac{1}{\sqrt{\sigma^2 + \varepsilon}}\sum_i \frac{\partial L}{\partial \hat{x}_i}
# + \frac{\partial L}{\partial \sigma^2}\cdot\frac{-2}{m}\sum_i (x_i - \mu)
# \quad\text{(the last sum is 0)},$$
#
# $$\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial \hat{x}_i}\,\frac{1}{\sqrt{\sigma^2 + \varepsilon}}
# + \frac{\partial L}{\partial \sigma^2}\,\frac{2\,(x_i - \mu)}{m} + \frac{\partial L}{\partial \mu}\,\frac{1}{m}.$$
#
# The three terms of the last line are the three paths from $x_i$ to the loss: directly, through $\sigma^2$ and through
# $\mu$. Substituting and simplifying gives the compact form
#
# $$\frac{\partial L}{\partial x_i} = \frac{\gamma}{\sqrt{\sigma^2 + \varepsilon}}
# \left(\frac{\partial L}{\partial z_i} - \frac{1}{m}\sum_{j}\frac{\partial L}{\partial z_j}
# - \hat{x}_i\,\frac{1}{m}\sum_{j}\frac{\partial L}{\partial z_j}\,\hat{x}_j\right),$$
#
# whose two subtracted terms remove from the gradient any component that would only shift or rescale the whole batch,
# which BN would undo anyway.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def batch_norm_backward(dout, x, gamma, epsilon=1e-3):
    m, mean, var = len(x), x.mean(axis=0), x.var(axis=0)
    dx_hat = gamma * dout
    dvar = -0.5 * (var + epsilon) ** -1.5 * np.sum(dx_hat * (x - mean), axis=0)
    dmean = -np.sum(dx_hat, axis=0) / np.sqrt(var + epsilon)  # the dvar term is 0: sum(x - mean) = 0
    return dx_hat / np.sqrt(var + epsilon) + dvar * 2 * (x - mean) / m + dmean / m


assert check_function("Exercise 4", batch_norm_backward, backward_cases)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - S. Ioffe and C. Szegedy (2015). *Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift.* ICML.
# - S. Santurkar, D. Tsipras, A. Ilyas and A. Madry (2018). *How Does Batch Normalization Help Optimization?* NeurIPS.
# - N. Bjorck, C. P. Gomes, B. Selman and K. Q. Weinberger (2018). *Understanding Batch Normalization.* NeurIPS.
# - G. Yang, J. Pennington, V. Rao, J. Sohl-Dickstein and S. S. Schoenholz (2019). *A Mean Field Theory of Batch Normalization.* ICLR.
# - S. Arora, Z. Li and K. Lyu (2019). *Theoretical Analysis of Auto Rate-Tuning by Batch Normalization.* ICLR.
# - B. Jacob, S. Kligys, B. Chen, M. Zhu, M. Tang, A. Howard, H. Adam and D. Kalenichenko (2018). *Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference.* CVPR (section 3.2: folding BN).
# - R. Pascanu, T. Mikolov and Y. Bengio (2013). *On the difficulty of training recurrent neural networks.* ICML.
# - J. L. Ba, J. R. Kiros and G. E. Hinton (2016). *Layer Normalization.* arXiv:1607.06450.
# - A. Géron (2022). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 3rd ed., chapter 11. O'Reilly.
