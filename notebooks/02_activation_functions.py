# %% [markdown] slideshow={"slide_type": "slide"}
# # 02 · Activation functions: non-saturating activations, dying ReLUs and self-normalising SELU
#
# Notebook 01 showed that backpropagation multiplies the error signal by one activation derivative
# $f'(z)$ per layer, and that a saturating activation such as the sigmoid makes that factor tiny.
# A good initialization was half of the cure; the activation function is the other half. The ReLU
# (Nair and Hinton, 2010) does not saturate for positive inputs, and Glorot, Bordes and Bengio (2011) showed
# that it made deep networks trainable without unsupervised pre-training; but it brought a problem
# of its own: units that die and never recover. A whole family of variants followed (leaky,
# randomized and parametric ReLUs, ELU, SELU, GELU, Swish, Mish), each with a claim attached.
# This notebook measures most of these claims instead of repeating them, and marks the few it does not
# test as "not tested here".
#
# **You will learn to**
# 1. write the common activation functions and their derivatives, and check them against Keras' autodiff;
# 2. detect dying ReLUs by counting dead units during training, and avoid them with leaky, randomized (RReLU) and parametric (PReLU) ReLUs;
# 3. explain what ELU buys (outputs centred nearer 0, a gradient that is never exactly 0 for $z<0$, smoothness) and what it costs;
# 4. derive SELU's two constants (numerically, and from the paper's closed form), watch a deep network normalise itself, and list the conditions this needs;
# 5. compare activations fairly, over several seeds, and choose one for a given job.
#
# **Builds on:** notebook 01 (backpropagation as a product of factors, saturation, Glorot/He/LeCun
# initialization, the probes in `helpers`). Next notebook: batch normalization and gradient clipping.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup
#
# As in notebook 01: `helpers` first (it keeps TensorFlow's start-up messages out), then `setup()` for
# seeds and plot style, then Fashion-MNIST standardised pixel by pixel with the training set's statistics
# (SELU in section 4 needs standardised inputs). `RReLU` is this notebook's own layer, written in
# `helpers/layers.py` because Keras has none (section 2).
#
# The experiments train about sixty-five networks in full mode (fewer in quick mode), so to fit a few minutes on a laptop CPU they use the
# **first 10,000 training images** (`X_small`); validation always uses all 5,000 validation images.
# With the full 55,000 every network would reach a higher accuracy, but what we study here are
# *differences* between activations trained under identical conditions.

# %% slideshow={"slide_type": "-"}
from helpers import (  # first import: keeps TensorFlow's start-up chatter out of the notebook
    FreshStart, RReLU, activation_stats, budget, check_condition, check_function, compare_to_baseline, comparison_table,
    gradient_norms, load_fashion_mnist, plot_learning_curves, plot_per_layer, rel_error, save_fig, set_seeds, setup,
)
import functools
import timeit

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from scipy import integrate, optimize, special, stats

setup(seed=42)
data = load_fashion_mnist(standardize=True)
print(data.summary())
N_TRAIN = budget(10_000, quick=2_000)
X_small, y_small = data.X_train[:N_TRAIN], data.y_train[:N_TRAIN]
print(f"training subset for the experiments: {len(X_small):,} images")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why saturating activations hurt, and the alternatives
#
# Recall the backward recursion of notebook 01,
# $\boldsymbol{\delta}^{(l)} = f'\big(\mathbf{z}^{(l)}\big) \odot \big(\mathbf{W}^{(l+1)\top}\boldsymbol{\delta}^{(l+1)}\big)$:
# every layer multiplies the error signal elementwise by the derivative $f'$ of its activation at its
# pre-activation $\mathbf{z}^{(l)}$. Where $f'(z) \approx 0$ the unit is *saturated* and passes almost no
# gradient down. The sigmoid and tanh saturate on **both** sides; the ReLU family was designed not to
# saturate for $z>0$.
#
# Here are nine activations from scratch in NumPy, each with its derivative. $\Phi$ and $\varphi$ are
# the standard normal CDF and density, $\sigma$ the sigmoid, $\operatorname{softplus}(z) = \ln(1+e^z)$.
# The SELU constants $\alpha \approx 1.6733$ and $\lambda \approx 1.0507$ are derived in section 4.

# %% slideshow={"slide_type": "-"}
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805  # derived and checked in section 4


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))  # minimum: no overflow for large z


def softplus(z):
    return np.logaddexp(0, z)  # ln(1 + e^z), computed stably


ACTIVATIONS = {  # Keras name: (f, f'); leaky ReLU with slope 0.2, Keras' default for the function
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: np.where(z > 0, 1.0, 0.0)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.2 * z), lambda z: np.where(z > 0, 1.0, 0.2)),
    "elu": (elu, lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))),
    "selu": (lambda z: SELU_SCALE * elu(z, SELU_ALPHA),
             lambda z: SELU_SCALE * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0)))),
    "gelu": (lambda z: z * stats.norm.cdf(z), lambda z: stats.norm.cdf(z) + z * stats.norm.pdf(z)),
    "silu": (lambda z: z * sigmoid(z), lambda z: sigmoid(z) * (1 + z * (1 - sigmoid(z)))),
    "mish": (lambda z: z * np.tanh(softplus(z)),
             lambda z: np.tanh(softplus(z)) + z * sigmoid(z) / np.cosh(softplus(z)) ** 2),
}


# %% [markdown] slideshow={"slide_type": "-"}
# Each function is checked against Keras' own (`keras.activations.get(name)`), and each derivative against
# the gradient that TensorFlow's automatic differentiation computes for Keras' function, on 1,000 points
# of $[-5, 5]$ (0 itself is left out: the ReLU family has no derivative there). The tolerance is $10^{-5}$ rather
# than $10^{-6}$ because one comparison is looser than the rest: the autodiff derivative of Keras' GELU differs
# from the exact formula by a few parts in a million. The formula is exact (Keras 3.15 calls
# `tf.nn.gelu(approximate=False)`, which computes $\tfrac12 z\,\operatorname{erfc}(-z/\sqrt2)$, identical to
# $z\,\Phi(z)$), and TensorFlow's float64 $\operatorname{erfc}$ agrees with SciPy's to about $10^{-15}$. The gap
# comes from one constant: `tf.nn.gelu` casts the Python constant $1/\sqrt2$ to float32 before using it, a
# relative error of about $2\times10^{-8}$; near the point where $f'$ crosses 0, a relative comparison turns that
# into a few parts in a million. Every other function and derivative agrees far more closely.
# The table lists a few derivative values.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def keras_derivative(name, z):
    # f'(z) of Keras' activation `name`, by automatic differentiation (float64 throughout).
    z = tf.constant(np.asarray(z, dtype="float64"))
    with tf.GradientTape() as tape:
        tape.watch(z)
        out = keras.activations.get(name)(z)
    return tape.gradient(out, z).numpy()


z_grid = np.linspace(-5, 5, 1000)  # an even number of points: 0 is not among them
worst = 0.0
for name, (f, df) in ACTIVATIONS.items():
    worst = max(worst, rel_error(f(z_grid), keras.activations.get(name)(z_grid)),
                rel_error(df(z_grid), keras_derivative(name, z_grid)))
assert worst < 1e-5
print(f"9 activations and derivatives, scratch vs Keras autodiff, max relative error < 1e-5: {worst < 1e-5}")
points = np.array([-3.0, -1.0, 0.5, 2.0])
print(f"{'activation':11s}" + "".join(f"f'({p:g})".rjust(9) for p in points))
for name, (f, df) in ACTIVATIONS.items():
    print(f"{name:11s}" + "".join(f"{d:9.3f}" for d in df(points)))

# %% [markdown] slideshow={"slide_type": "-"}
# The gallery: each function (solid) with its derivative (dashed), on the same axes. Where a derivative jumps
# (ReLU, leaky ReLU and SELU at 0) the dashed line is broken rather than joined by a vertical stroke: the
# derivative takes no value in between.

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(3, 3, figsize=(11, 8), sharex=True, sharey=True)
z_plot = np.linspace(-4, 4, 801)
for ax, (name, (f, df)) in zip(axes.flat, ACTIVATIONS.items()):
    ax.axhline(0, color="gray", lw=0.8)
    ax.plot(z_plot, f(z_plot), label="f(z)")
    d = df(z_plot)
    d[1:][np.abs(np.diff(d)) > 0.1] = np.nan  # break the line where f' jumps (at 0) instead of drawing a wall
    ax.plot(z_plot, d, "--", label="f'(z)")
    ax.set_title(name)
    ax.set_ylim(-2, 3)
axes[0, 0].legend(loc="upper left")
for ax in axes[-1]:
    ax.set_xlabel("z")
for ax in axes[:, 0]:
    ax.set_ylabel("f(z) and f'(z)")
fig.tight_layout()
save_fig("activation_gallery")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# How much gradient gets through? Draw pre-activations $z \sim \mathcal{N}(0, s^2)$, once well scaled ($s=1$)
# and once too spread out ($s=3$, as with a poor initialization), and measure two things:
# - $\mathbb{E}[f'(z)^2]$. One layer multiplies the *variance* of the backpropagated gradient by
#   $n_\text{out}\,\sigma_w^2\,\mathbb{E}[f'(z)^2]$ ($n_\text{out}$ the number of units it feeds, $\sigma_w^2$ the
#   variance of their weights). **With $\sigma_w^2 = 1/n$** (LeCun's variance) that factor is $\mathbb{E}[f'(z)^2]$
#   itself: below 1 the layer shrinks the gradient, above 1 it grows it. He initialization doubles the
#   variance, $\sigma_w^2 = 2/n$, so the last column gives the factor $2\,\mathbb{E}[f'(z)^2]$ at $s=1$ for networks
#   initialised that way (section 4 uses the same quantity).
#
#   The table is a **snapshot of one layer at a fixed variance** ($s=1$ or $s=3$). In a real network the
#   pre-activations' variance drifts from layer to layer, and $\mathbb{E}[f'^2]$ drifts with it, so a row of the
#   table is not the factor of every layer.
# - the share of inputs where $|f'(z)| < 0.05$, the same absolute threshold for every function: there, the gradient
#   is practically **blocked**.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
z_sample = np.random.default_rng(0).standard_normal(1_000_000)
print(f"{'':11s}{'s = 1: E[f-prime^2]':>21s}{'blocked':>9s}{'s = 3: E[f-prime^2]':>22s}{'blocked':>9s}"
      f"{'He, s = 1: 2 E[f-prime^2]':>28s}")
for name, (f, df) in ACTIVATIONS.items():
    row = ""
    for s in (1, 3):
        d = df(s * z_sample)
        row += f"{np.mean(d**2):21.3f}{np.mean(np.abs(d) < 0.05):9.0%} "
    print(f"{name:11s}{row}{2 * np.mean(df(z_sample) ** 2):27.3f}")


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** In the table, spreading the inputs out ($s=3$) makes the sigmoid and tanh block the
# gradient for a large share of inputs: they saturate on both sides. At $s=1$ the sigmoid blocks almost
# nothing, yet its $\mathbb{E}[f'^2]$ is the smallest in the table by far: its derivative is at most 0.25, so
# $\mathbb{E}[f'^2] \le 1/16$, and every sigmoid layer divides the gradient's variance by a large factor even where
# no single input is blocked. Over ten layers that compounds into the collapse of notebook 01; the weights
# would have to be several times larger to compensate, which pushes the inputs into saturation. That, not the
# blocked share, is the sigmoid's real problem. The ReLU never saturates for $z>0$, but its derivative
# is exactly 0 for *every* negative input, whatever the spread: half the inputs are blocked. That is harmless
# as long as each unit is positive for *some* inputs; section 2 shows what happens when a unit is negative for
# all of them, and its $\mathbb{E}[f'^2]$ is the 1/2 that He initialization's factor 2 makes up for: in the last
# column, ReLU's factor with He weights is exactly 1. Read the other rows of that column too: the first columns alone
# would seem to condemn ReLU, GELU, SiLU, Mish and ELU, but with the He weights they are used with, their factors
# are much nearer 1 (the smooth ones below, ELU above). Nearer is not the same as close: the factor compounds, so
# raise it to the power 10 for a ten-layer network, and a factor that looks near 1 can still grow or shrink the
# gradient's variance many times over (try it with SiLU's and ELU's rows) *if* the variance stayed at 1 in every
# layer. It does not: the variance drifts, and the factor with it. With Glorot weights, for instance, a tanh
# network's pre-activations shrink from layer to layer towards the region where $\tanh' \approx 1$, so its
# per-layer factor rises towards 1 with depth; that is why its curve in the next figure is much flatter than the
# table's tanh row suggests. The leaky ReLU never blocks. ELU and SELU block only inputs far out on the negative side, a share
# that grows with the spread; GELU, SiLU and Mish do too, and also block a narrow band around the point where
# their derivative crosses 0.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same probe as notebook 01, on real networks
#
# `build_mlp` is the one model builder of this notebook: `n_hidden` dense layers, each followed by its
# activation, then a 10-way softmax. The activation is either a Keras name (`"relu"`, `"selu"`, ...),
# or a function that returns a new activation *layer*, placed after a `Dense` with no activation of its own
# (the way `LeakyReLU`, `PReLU` and our `RReLU` are used).
#
# We measure the per-layer gradients of five untrained 10-layer networks, each with the initialization
# notebook 01 recommends for its activation (Glorot and Bengio, 2010, for sigmoid and tanh; He et al., 2015, for
# the ReLU family; LeCun for SELU), on one batch of 512 validation images. The layers have different
# sizes (the first has 78,500 weights, the hidden ones 10,100, the output 1,010), so we plot the gradient's
# **RMS per weight**, its norm divided by the square root of the layer's number of parameters.

# %% slideshow={"slide_type": "-"}
def build_mlp(activation, n_hidden=4, units=100, initializer="he_normal"):
    # An MLP for 28x28 images: n_hidden blocks of Dense + activation, then a 10-way softmax.
    # `activation`: a Keras name, or a function returning a new activation layer.
    layers = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
    for _ in range(n_hidden):
        if isinstance(activation, str):
            layers.append(keras.layers.Dense(units, activation=activation, kernel_initializer=initializer))
        else:  # a function that makes a new activation layer
            layers += [keras.layers.Dense(units, kernel_initializer=initializer), activation()]
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)


X_probe, y_probe = data.X_valid[:512], data.y_valid[:512]
init_configs = {"sigmoid, Glorot": ("sigmoid", "glorot_normal"), "tanh, Glorot": ("tanh", "glorot_normal"),
                "ReLU, He": ("relu", "he_normal"), "ELU, He": ("elu", "he_normal"),
                "SELU, LeCun": ("selu", "lecun_normal")}
init_grads = {}
for label, (activation, initializer) in init_configs.items():
    set_seeds(42)
    model = build_mlp(activation, n_hidden=10, initializer=initializer)
    norms = gradient_norms(model, X_probe, y_probe, loss="sparse_categorical_crossentropy")
    init_grads[label] = [norm / np.sqrt(model.get_layer(name).count_params()) for name, norm in norms.items()]
ax = plot_per_layer(init_grads, "RMS gradient per weight (log scale)", log=True)
for line, style, marker in zip(ax.get_lines(), ["-", "--", "-.", ":", "-"], "os^vD"):
    line.set_linestyle(style), line.set_marker(marker)  # ELU and SELU nearly coincide: keep both visible
ax.legend()
plt.title("Per-layer gradients at initialization (last point: output layer)")
save_fig("gradient_norms_by_activation")
plt.show()


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** As in notebook 01, the sigmoid network's curve falls steeply towards layer 1: its lowest layers
# get only a tiny fraction of the gradient its top layer gets. The other four curves stay within a small factor
# of their top value across all layers (the ELU and SELU curves nearly coincide; the line styles keep both
# visible). With a matching initialization, tanh is usable at this depth: its curve is as flat as ELU's and SELU's
# (flatter than its table row predicts, because its variance drifts, as explained above). The
# ReLU's sags by a small factor from the top hidden layer down to layer 1, so at initialization it does *not* pass
# the gradient down better than tanh; what the ReLU family buys is that it does not saturate as training moves
# the pre-activations, and that is what the sigmoid and tanh cannot offer. The differences between the
# non-saturating activations are subtler than "works / does not work", and the rest of the notebook measures them
# one by one.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Dying ReLUs
#
# A ReLU unit computes $a = \max(0, z)$ with $z = \mathbf{w}^\top\mathbf{x} + b$. If $z<0$ for **every**
# input in the training set, the unit outputs 0 everywhere and its derivative is 0 everywhere: no gradient
# ever reaches $\mathbf{w}$ or $b$, gradient descent cannot move them, and the unit is **dead**. (It can only
# come back if the layers below it change its inputs.) The usual cause is one large update that pushes $b$ or
# $\mathbf{w}$ far into that region, and the usual culprit is a learning rate that is too high. (Depth alone can
# do it too: Lu et al. (2020) show that a deep, narrow ReLU network is dead at initialization with a probability
# that tends to 1 as its depth grows; not tested here.)
#
# We count dead units as `activation_stats` does: the fraction of a layer's units that output exactly 0
# for every image of a fixed **probe set** (1,000 validation images). A small callback records it a few
# times per epoch and once more when training ends. It also records a wider quantity that will matter for the
# leaky variants below: which units have an *input* $z$ that is negative for every probe image (for a ReLU,
# exactly the dead ones). It keeps these per unit, so that we can follow individual units and count
# **recoveries**: units that are negative on every probe image at one recording and no longer at a later one.
#
# "Dead on the probe set" is a cheap stand-in for "dead on the training set". The network trains on 10,000
# images, not on these 1,000, so a unit that is negative on every probe image can still be positive on a few
# training images, get a gradient from them and come back; and the layers below keep changing its inputs. So
# even ReLUs can "recover" in this count. At the end of every run we therefore also test the units on all
# 10,000 training images (one extra forward pass), which tells us how good the stand-in was.

# %% slideshow={"slide_type": "-"}
class DeadUnitTracker(keras.callbacks.Callback):
    # Record, `points_per_epoch` times per epoch, for each hidden layer of a model from build_mlp
    # with activation layers: the fraction of dead units and of units with z < 0 on every probe image.
    def __init__(self, X_probe, points_per_epoch=5):
        super().__init__()
        self.X_probe, self.points_per_epoch = X_probe, points_per_epoch
        self.epochs, self.dead, self.negative = [], [], []

    def on_train_begin(self, logs=None):
        self.every = max(1, self.params["steps"] // self.points_per_epoch)
        self.steps_done = 0
        self.masks = []  # per recording: a boolean per hidden unit (all layers), True if z < 0 on every image
        self.record()

    def on_train_batch_end(self, batch, logs=None):
        self.steps_done += 1
        if self.steps_done % self.every == 0:
            self.record()

    def on_train_end(self, logs=None):
        if self.steps_done % self.every != 0:  # so that the last point is the end of training
            self.record()

    def recovered(self):
        # Fraction of hidden units negative on every probe image at some recording and not at a later one.
        masks = np.array(self.masks)  # (recordings, units)
        later_ok = np.flip(np.logical_or.accumulate(np.flip(~masks, axis=0), axis=0), axis=0)  # not negative at t or later
        return float(np.mean(np.any(masks[:-1] & later_ok[1:], axis=0)))

    def negative_on(self, X):
        # Per hidden unit (all layers): True if its input z is negative on every image of X.
        dense = [layer for layer in self.model.layers[:-1] if isinstance(layer, keras.layers.Dense)]
        return np.concatenate([np.all(st.values.reshape(len(X), -1) < 0, axis=0)
                               for st in activation_stats(self.model, X, layers=dense)])

    def record(self):
        layers = self.model.layers
        dense = [i for i, layer in enumerate(layers[:-1]) if isinstance(layer, keras.layers.Dense)]
        probed = activation_stats(self.model, self.X_probe, layers=[layers[j] for i in dense for j in (i, i + 1)])
        z_stats, a_stats = probed[0::2], probed[1::2]  # Dense outputs z, then activation outputs
        z_all = [s.values.reshape(len(self.X_probe), -1) for s in z_stats]  # (images, units)
        self.epochs.append(self.steps_done / self.params["steps"])
        self.dead.append([s.frac_dead for s in a_stats])
        self.negative.append([float(np.mean(np.all(z < 0, axis=0))) for z in z_all])
        self.masks.append(np.concatenate([np.all(z < 0, axis=0) for z in z_all]))


# %% [markdown] slideshow={"slide_type": "-"}
# The experiment: a 4-hidden-layer ReLU network (100 units per layer, He initialization), trained with Adam
# twice, once with its default learning rate $10^{-3}$ and once with $2\cdot10^{-2}$, twenty times higher
# ("LR" in the labels below). Same data and seeds. The high rate is the one under study, so it is trained with
# several seeds (`DYING_SEEDS`: three in full mode, one in quick mode) and the plots show the mean over seeds
# with a band from the lowest to the highest seed; the normal rate, a baseline, uses the first seed only.

# %% slideshow={"slide_type": "-"}
NORMAL_LR, HIGH_LR = 1e-3, 2e-2
DYING_EPOCHS = budget(2, quick=2)
DYING_SEEDS = list(range(budget(3, quick=1)))
X_dead_probe = data.X_valid[:1000]


def validation_scores(model):
    # [loss, accuracy] on the 5,000 validation images, as evaluate() gives them, by one direct call
    # (evaluate() would first compile a function of its own: seconds per model, for 60-odd models).
    probs = model(data.X_valid, training=False)
    loss = float(keras.ops.mean(keras.losses.sparse_categorical_crossentropy(data.y_valid, probs)))
    return [loss, float(np.mean(np.argmax(probs, axis=1) == data.y_valid))]


def dying_run(make_activation, learning_rate, seed=42):
    set_seeds(seed)
    model = build_mlp(make_activation, n_hidden=4)
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  optimizer=keras.optimizers.Adam(learning_rate=learning_rate))
    tracker = DeadUnitTracker(X_dead_probe)
    model.fit(X_small, y_small, epochs=DYING_EPOCHS, batch_size=128, verbose=0, callbacks=[tracker])
    val_accuracy = validation_scores(model)[1]
    return {"model": model, "tracker": tracker, "val_accuracy": val_accuracy,
            "negative_on_train": tracker.negative_on(X_small)}  # z < 0 on all training images, at the end


def dying_runs(make_activation, learning_rate):
    # Several seeds at the high learning rate, the one under study; one seed (0) at the normal rate.
    seeds = DYING_SEEDS if learning_rate == HIGH_LR else DYING_SEEDS[:1]
    return [dying_run(make_activation, learning_rate, seed) for seed in seeds]


dying = {f"ReLU, LR {rate:g}": dying_runs(keras.layers.ReLU, rate) for rate in (NORMAL_LR, HIGH_LR)}
for name, runs in dying.items():
    dead_end = np.mean([run["tracker"].dead[-1] for run in runs], axis=0)
    accuracy = np.mean([run["val_accuracy"] for run in runs])
    print(f"{name:14s} dead units per hidden layer at the end: {np.round(dead_end, 2)}"
          f"   validation accuracy {accuracy:.3f}   (means over {len(runs)} seed(s))")

# %% slideshow={"slide_type": "-"}
MARKERS = "os^vD<>"


def plot_dead_units(runs, quantity, ax, names=None):
    # One line per configuration: the fraction of hidden units (all hidden layers together) over training,
    # mean over seeds, with a band from the lowest to the highest seed.
    for number, name in enumerate(names or runs):
        curves = np.array([np.mean(getattr(run["tracker"], quantity), axis=1) for run in runs[name]])
        epochs = runs[name][0]["tracker"].epochs
        seeds = len(runs[name])
        line, = ax.plot(epochs, curves.mean(axis=0), marker=MARKERS[number % len(MARKERS)], ms=4,
                        label=f"{name} ({seeds} seed{'s' if seeds > 1 else ''})")
        ax.fill_between(epochs, curves.min(axis=0), curves.max(axis=0), color=line.get_color(), alpha=0.2)
    ax.set_xlabel("epoch")
    ax.legend(fontsize=8)


fig, ax = plt.subplots(figsize=(7, 3.8))
plot_dead_units(dying, "dead", ax)
ax.set_ylabel("fraction of dead units")
ax.set_title("Dead ReLUs on 1,000 probe images (mean over the seeds in the legend, band min to max)", fontsize=10)
save_fig("dying_relu_fraction")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** With the default learning rate, the dead fraction stays low throughout training (a few
# units can be dead from the start: the probe set is finite). With the learning rate twenty times higher it
# climbs early in training and then stays high; how many dead units ever come back is counted below. The printed per-layer fractions show
# that the first hidden layer is hardly affected while the deeper ones lose a large part of their units. The
# first layer's inputs, standardised pixels, take both signs, so a unit needs a large negative bias to be negative
# for every image; the deeper layers receive ReLU outputs, which are never negative, so a unit whose incoming
# weights turn mostly negative is negative for every image. A dead unit is wasted capacity: the network is
# effectively narrower than the one we built.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Leaky ReLU
#
# The fix is to give the negative side a small slope $a$ so the gradient never vanishes:
#
# $$\operatorname{LeakyReLU}_a(z) = \max(0, z) + a \min(0, z) = \begin{cases} z & z \ge 0 \\ a z & z < 0 \end{cases}, \qquad 0 < a < 1.$$
#
# A unit whose input is negative for every example still passes the gradient times $a$ back, so it can
# recover. Maas et al. (2013) used $a=0.01$; Xu et al. (2015) found that a much larger, "very leaky" slope,
# $a = 1/5.5 \approx 0.18$, worked better on their benchmarks; we use Keras' default for the function, $a=0.2$. In Keras it is a layer after a `Dense` with no activation:
# `keras.layers.Dense(100, kernel_initializer="he_normal")`, then `keras.layers.LeakyReLU(negative_slope=0.2)`.
#
# ### RReLU: a random leak
#
# The *randomized* leaky ReLU (Xu et al., 2015) draws the slope at random while training, independently for
# every element and at every step, $a \sim \mathcal{U}(l, u)$ with $l=1/8$ and $u=1/3$, and uses the fixed
# average $(l+u)/2$ at test time. (Xu et al. draw the *divisor* $1/a$ from $\mathcal{U}(3, 8)$ and divide by its
# mean 5.5 at test time; like PyTorch's `RReLU`, we draw the slope itself, so that the test-time slope is exactly
# the mean of the training slopes.) The noise acts as a regulariser, a little like dropout; using the average at
# test time makes the test-time output equal the *expected* training-time output, since
# $\mathbb{E}[a\,z] = \tfrac{l+u}{2}\,z$ for a fixed $z<0$. Keras has no such layer, so `helpers/layers.py`
# defines `RReLU(lower=1/8, upper=1/3)`: in `call(inputs, training)` it draws the slopes with
# `keras.random.uniform` when `training` is true (as in `fit`) and uses the average otherwise; it is registered
# with `keras.saving.register_keras_serializable`, so a model that uses it saves and loads as a `.keras` file.
# Its unit tests are in `tests/test_layers.py`; here is the behaviour that matters.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
rrelu = RReLU(lower=1 / 8, upper=1 / 3, seed=0)
z = np.array([[-3.0, -1.0, -0.5, 0.0, 0.5, 2.0]], dtype="float32")
at_inference = rrelu(z, training=False).numpy()
expected = np.where(z >= 0, z, (1 / 8 + 1 / 3) / 2 * z)
err = rel_error(at_inference, expected)
assert err < 1e-6
print(f"inference slope (lower + upper) / 2 = {rrelu.inference_slope:.4f}")
print(f"inference output vs a leaky ReLU with that slope, max relative error < 1e-6: {err < 1e-6}")
slopes = -rrelu(-np.ones((1000, 100), dtype="float32"), training=True).numpy()
positive_unchanged = np.array_equal(rrelu(np.abs(z), training=True).numpy(), np.abs(z))
print(f"training: all 100,000 slopes in [1/8, 1/3]: {bool(slopes.min() >= 1 / 8 - 1e-7 and slopes.max() <= 1 / 3 + 1e-7)}"
      f", mean {slopes.mean():.2f}, std {slopes.std():.2f} (a fixed slope would have std 0)")
print(f"positive inputs unchanged in training: {positive_unchanged}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### PReLU: a learned leak
#
# The *parametric* ReLU (He et al., 2015) makes the slope a parameter learned by backpropagation, one per unit:
# $\operatorname{PReLU}(z_j) = \max(0, z_j) + a_j \min(0, z_j)$ (not $\max(a_j z_j, z_j)$, which is the same only
# while $a_j \le 1$; nothing keeps a learned $a_j$ there). It adds one weight per unit, costs almost nothing, and
# He et al. initialised every $a_j$ at 0.25 (`alpha_initializer=keras.initializers.Constant(0.25)`; Keras'
# default starts at 0, a plain ReLU). He et al. report it beating the ReLU on ImageNet.
#
# Now the three leaky variants get the same two learning rates as the ReLU, with the same seeds. The table
# reports, as fractions of all hidden units averaged over seeds: the dead units at the end, the units with $z<0$
# on every probe image at the end, and on all 10,000 training images at the end, the units that were in the
# probe-set state at *some* recording ("ever"), the units that **recovered** from it (were in it at one recording
# and not at a later one), and then the fairer rate, **recovered / ever**: of the units that ever entered the
# state, the share that left it (pooled over seeds; "-" where no unit ever entered it). Last, the validation
# accuracy.

# %% slideshow={"slide_type": "-"}
def prelu():
    return keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))


LEAKY = {"leaky ReLU 0.2": lambda: keras.layers.LeakyReLU(negative_slope=0.2), "RReLU": RReLU, "PReLU": prelu}
for rate in budget([NORMAL_LR, HIGH_LR], quick=[HIGH_LR]):  # quick mode (the test suite): the rate under study only
    for name, make_activation in LEAKY.items():
        dying[f"{name}, LR {rate:g}"] = dying_runs(make_activation, rate)


def seed_mean(runs, value):
    return np.mean([value(run) for run in runs])


def recovery_rate(runs):
    # Recovered units / units ever negative on every probe image, pooled over the seeds' runs.
    ever = sum(np.sum(np.any(r["tracker"].masks, axis=0)) for r in runs)
    back = sum(r["tracker"].recovered() * len(r["tracker"].masks[0]) for r in runs)
    return f"{back / ever:.2f}" if ever else "-"


print(f"{'':25s}{'':7s}{'z<0 on all images of':>20s}{'':18s}{'recovered':>10s}")
print(f"{'':25s}{'dead':>7s}{'probe':>8s}{'train':>8s}{'ever':>8s}{'recovered':>11s}{'/ ever':>9s}{'val. acc.':>11s}")
for name, runs in dying.items():
    print(f"{name:25s}{seed_mean(runs, lambda r: np.mean(r['tracker'].dead[-1])):7.1%}"
          f"{seed_mean(runs, lambda r: np.mean(r['tracker'].negative[-1])):8.1%}"
          f"{seed_mean(runs, lambda r: np.mean(r['negative_on_train'])):8.1%}"
          f"{seed_mean(runs, lambda r: np.mean(np.any(r['tracker'].masks, axis=0))):8.1%}"
          f"{seed_mean(runs, lambda r: r['tracker'].recovered()):11.1%}{recovery_rate(runs):>9s}"
          f"{seed_mean(runs, lambda r: r['val_accuracy']):11.3f}")
print(f"(fractions of all hidden units, end of training; means over {len(DYING_SEEDS)} seed(s) at LR {HIGH_LR:g}, "
      f"one seed at LR {NORMAL_LR:g})")

# %% slideshow={"slide_type": "-"}
high_lr = [name for name in dying if name.endswith(f"LR {HIGH_LR:g}")]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
plot_dead_units(dying, "dead", ax1, names=high_lr)
plot_dead_units(dying, "negative", ax2, names=high_lr)
ax1.set_ylabel("fraction of hidden units")
ax1.set_title("Dead: output exactly 0 (leaky variants: 0 by construction)", fontsize=10)
ax2.set_title("Input z < 0 on every probe image", fontsize=10)
fig.suptitle(f"Learning rate {HIGH_LR:g}, {len(DYING_SEEDS)} seed(s): mean, band min to max")
fig.tight_layout()
save_fig("dying_relu_vs_leaky")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** On the left, the leaky variants have no dead units at all, by construction: their output is
# 0 only where $z=0$ exactly, so their three curves lie on top of each other at 0. The right panel is the fairer
# test. It counts the units that are on the negative side for *every* probe image: for a ReLU these are the dead
# units, and its curve is the same as on the left; for the leaky variants such units would still learn. Under
# the same high learning rate, compare the leaky curves with the ReLU's, and the band around each (the spread
# over seeds; in quick mode there is one seed and no band, so a gap there could be luck).
#
# *Why* do the leaky networks have fewer such units? Two explanations fit. (a) The gradient $a$ on the negative
# side pulls units back. (b) A leaky layer's outputs take both signs, so a unit in the next layer needs a much
# more specific weight pattern to be negative on every image, as with the first layer of the ReLU network; then
# fewer units ever enter the state, and the "ever" column is smaller. The raw "recovered" column cannot decide
# (a): it counts recoveries among *all* units, so a network where few units ever enter the state has few to
# recover. The fair test of (a) is the "recovered / ever" column: the share of the units that entered the state
# and left it again. At the high learning rate it is far higher for the three leaky variants than the ReLU's,
# which is under one half (in the stored output PReLU's is the lowest of the three; at the normal rate so few ReLUs
# ever enter the state that their share says little): most leaky units that fell negative on every probe image came
# back, most ReLUs did not, which
# supports (a). The "ever" column supports (b) as well: far fewer leaky units entered the state in the first
# place. The two explanations act together.
#
# Note that even the ReLU's recovery rate is not 0, although a ReLU with $z<0$ on *every training image* gets no gradient
# at all. The "probe" and "train" columns show why: at the end of training at the high learning rate, the units
# negative on all 1,000 probe images outnumber those negative on all 10,000 training images, so some probe-"dead"
# ReLUs still fire on a few training images, get a gradient from them and can come back (and the layers below keep
# moving their inputs).
# The probe set is a cheap detector with false alarms; the training-set column is the stricter count.
#
# The accuracy column shows the other side. Compare each leaky network at the high learning rate with the same
# network at $10^{-3}$ (one seed there, so only a large gap counts): the leak removes the dead units, but it does
# not make the high rate as good as the normal one. A leak prevents dead units; it does not make a bad learning
# rate good.

# %% [markdown] slideshow={"slide_type": "-"}
# What did the PReLU learn at the high learning rate? Each unit started with slope 0.25. We pool the learned
# slopes of every seed's network (the models are stored above, so this is free), layer by layer: a box per layer
# (median, quartiles, whiskers to the 5th and 95th percentiles), and a print-out that separates the two ways the
# slopes could differ: *between layers* (the spread of the layer medians, and of each layer's median from seed to
# seed) and *within a layer* (the range and the interquartile range of its units).

# %% slideshow={"slide_type": "-"}
prelu_runs = dying[f"PReLU, LR {HIGH_LR:g}"]
slopes_by_layer = []  # per hidden layer: one array per seed
for run in prelu_runs:
    layers = [layer for layer in run["model"].layers if isinstance(layer, keras.layers.PReLU)]
    for number, layer in enumerate(layers):
        if number == len(slopes_by_layer):
            slopes_by_layer.append([])
        slopes_by_layer[number].append(layer.alpha.numpy().ravel())
pooled = [np.concatenate(per_seed) for per_seed in slopes_by_layer]
print(f"learned slopes, pooled over {len(prelu_runs)} seed(s) ({pooled[0].size} per layer):")
for number, (per_seed, slopes) in enumerate(zip(slopes_by_layer, pooled), start=1):
    q1, median, q3 = np.percentile(slopes, [25, 50, 75])
    seed_medians = ", ".join(f"{np.median(x):+.2f}" for x in per_seed)
    print(f"  layer {number}: min {slopes.min():+.2f}, quartiles {q1:+.2f} / {median:+.2f} / {q3:+.2f}, "
          f"max {slopes.max():+.2f}; negative: {np.mean(slopes < 0):4.0%}; median per seed: {seed_medians}")
medians = [np.median(x) for x in pooled]
print(f"between layers: the medians span {max(medians) - min(medians):.2f}; within a layer: interquartile ranges "
      f"{min(np.subtract(*np.percentile(x, [75, 25])) for x in pooled):.2f} to "
      f"{max(np.subtract(*np.percentile(x, [75, 25])) for x in pooled):.2f}")
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.boxplot(pooled, whis=(5, 95), showfliers=False)
ax.set_xticks(range(1, len(pooled) + 1), [f"layer {n}" for n in range(1, len(pooled) + 1)])
ax.axhline(0.25, color="gray", ls=":", label="initial value 0.25")
ax.axhline(0, color="black", lw=0.8)
ax.set_ylabel("learned negative slope $a_j$")
ax.set_title(f"PReLU at LR {HIGH_LR:g}: learned slopes, {len(prelu_runs)} seed(s) pooled", fontsize=10)
ax.legend()
save_fig("prelu_learned_slopes")
plt.show()


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The slopes no longer share one value: in every layer they have spread out from 0.25 over a wide
# range (the boxes and the printed quartiles), while the layer medians sit close to each other (all of them well
# below the initial 0.25: on the whole the leak shrank) and move from seed to seed by up to about as much as they
# differ between layers. So the evidence says the
# network learned its leak **unit by unit, not layer by layer**: the differences between the units of one layer are
# larger than those between layers (compare the printed interquartile ranges with the span of the medians; the
# full ranges are wider still).
#
# Some slopes are negative (the "negative" share printed per layer). Nothing forces $a_j$ to stay between 0 and 1,
# and a negative slope is not a bug. With $a_j<0$, the output for $z<0$ is $a_j z = |a_j|\,|z| > 0$, so the unit's
# output is positive on both sides of 0, a V shape: the unit responds to the *size* of its input whatever its sign. At this high
# learning rate, large steps carry a few slopes far from 0.25 in either direction. A slope above 1 would also be
# allowed. That freedom, per unit, is what PReLU adds over a fixed leak; whether it helps accuracy is section 5's
# question.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. ELU: exponential linear unit
#
# Clevert et al. (2016) replaced the straight negative side by an exponential that levels off at $-\alpha$:
#
# $$\operatorname{ELU}_\alpha(z) = \begin{cases} z & z > 0 \\ \alpha\,(e^{z} - 1) & z \le 0 \end{cases},
# \qquad \operatorname{ELU}_\alpha'(z) = \begin{cases} 1 & z > 0 \\ \alpha\,e^{z} & z < 0 \end{cases}.$$
#
# Three claims follow from the formula, and the next cell measures each:
# - **Mean output nearer 0.** Negative inputs give negative outputs (down to $-\alpha$), which pull the mean
#   of the layer's outputs towards 0, like batch normalization would; a ReLU's outputs are never negative.
#   We compute $\mathbb{E}[f(z)]$ for $z \sim \mathcal{N}(0, 1)$ by numerical integration.
# - **The gradient is never 0 for $z<0$:** $\alpha e^z > 0$ for every $z$, so no unit can die the way a ReLU does
#   (though far out, at $z=-5$, the gradient is already small).
# - **Continuously differentiable (C1) when $\alpha=1$:** the derivative from the left at 0 is $\alpha e^0 = \alpha$
#   and from the right is 1; they agree only for $\alpha = 1$ (the second derivative still jumps, so it is C1, not
#   smooth in the strict sense). That this helps gradient descent near $z=0$ is Géron's argument (2022, chapter 11),
#   not the ELU paper's, and we do not test it here.
#
# Clevert et al.'s own motivations are two: outputs centred nearer 0 reduce the *bias shift* that a layer's
# non-zero mean passes to the next one, which they argue brings the ordinary gradient closer to the natural
# gradient and so speeds learning; and the saturation at $-\alpha$ gives a **noise-robust deactivation state**: for
# strongly negative inputs the output barely depends on how negative they are, so little of that variation
# (noise, in their reading) is passed on. The first is the first claim above; the second is not tested here.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def gaussian_mean(f):
    # E[f(z)] for z ~ N(0, 1), by numerical integration
    return integrate.quad(lambda z: float(f(np.array(z))) * stats.norm.pdf(z), -np.inf, np.inf)[0]


print("mean output for z ~ N(0, 1):")
for name in ("relu", "leaky_relu", "elu", "selu"):
    print(f"  {name:11s} {gaussian_mean(ACTIVATIONS[name][0]):+.3f}")
z_left = np.linspace(-5, -1e-9, 1000)
print(f"ELU's smallest derivative on [-5, 0): {ACTIVATIONS['elu'][1](z_left).min():.4f} (> 0: {ACTIVATIONS['elu'][1](z_left).min() > 0})")
h = 1e-6
for alpha in (1.0, 0.5):
    below, at, above = keras.activations.elu(np.array([-h, 0.0, h]), alpha=alpha).numpy()  # float64
    print(f"ELU with alpha={alpha}: slope left of 0 = {(at - below) / h:.3f}, right of 0 = {(above - at) / h:.3f}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The cost of an exponential
#
# ELU's price is speed: an exponential costs more than a comparison. We time the activation alone on a
# $2000 \times 2000$ tensor (4 million values: large enough that the call's fixed overhead does not hide the
# arithmetic), and then a complete forward pass of a network with 5 hidden layers of 100 units (the one used in
# section 5) on a batch of 1,024 images, with each activation. Each measurement is repeated in 15 rounds, with the
# activations interleaved so that a busy moment of the machine does not favour one of them, and we print the
# **minimum** (the run least disturbed by anything else on the machine) and the **median** (a typical run), each
# with its ratio to the ReLU. These timings depend on your machine and on whatever else runs on it.

# %% slideshow={"slide_type": "-"}
def mean_time(fn, number=3):
    return timeit.timeit(fn, number=number) / number


TIMED = ["relu", "leaky_relu", "elu", "selu", "gelu", "silu", "mish"]
z_big = tf.random.normal((2000, 2000), seed=0)
x_batch = data.X_valid[:1024]
alone = {name: tf.function(keras.activations.get(name)) for name in TIMED}
networks = {name: build_mlp(name, n_hidden=5) for name in TIMED}
for name in TIMED:  # warm-up: trace the functions once
    alone[name](z_big), networks[name].predict_on_batch(x_batch)
times = {name: ([], []) for name in TIMED}
for _ in range(15):  # 15 rounds, activations interleaved
    for name in TIMED:
        times[name][0].append(mean_time(lambda: alone[name](z_big)))
        times[name][1].append(mean_time(lambda: networks[name].predict_on_batch(x_batch)))
ratios = {name: [stat(t) / stat(r) for t, r in zip(times[name], times["relu"]) for stat in (np.min, np.median)]
          for name in TIMED}
print(f"{'':11s}{'activation alone, 2000x2000':>40s}{'5-layer network, batch of 1,024':>40s}")
print(f"{'':11s}" + f"{'min':>20s}{'median':>20s}" * 2)
for name, (t_alone, t_net) in times.items():
    cells = [(np.min(t), np.median(t)) for t in (t_alone, t_net)]
    print(f"{name:11s}" + "".join(f"{1e3 * v:9.2f} ms ({q:4.2f}x)" for (lo, mid), qs in
                                  zip(cells, (ratios[name][:2], ratios[name][2:])) for v, q in zip((lo, mid), qs)))


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Read the ratio columns, and trust a ratio only when the min and the median agree: where they
# disagree, something else on the machine got in the way. Treat ratios between about 0.9 and 1.1 as ties. A ratio
# below 1 (an activation that does more work than the ReLU coming out "faster") is not a real speed-up, even
# where it falls below 0.9 by both min and median: then it is the ReLU's own timings that were disturbed.
# Which activations come out slower changes from run to run on a shared machine, so read the stored table with
# that rule rather than a fixed ranking: GELU, with its error function, is the one whose "alone" ratios have come
# out clearly above 1 (by both min and median) in every run we made; the exponential-based ELU and SELU, and SiLU
# and Mish, do more work than the ReLU too, but whether that shows above the noise varies between runs (in the
# stored table all four come out above 1.1 by both min and median, SiLU and Mish only just, all far below GELU).
# In the whole network, the clearly expensive activations' ratios shrink towards 1, because the matrix products
# dominate the work: in a dense layer with $n$ inputs, each output costs $n$ multiply-adds and only one activation.
# (Where the "alone" ratios sit near the tie band, as SiLU's and Mish's do in the stored table, the network ratios
# are noise of the same size and can even come out higher than the "alone" ones.) Apply the
# same rule to the network columns: where min and median agree above about 1.1, that is a real cost even in a
# whole network; where they disagree, or sit near 1, the network measurement shows no cost that can be read.
# So on your machine, expect a difference only where the "alone" ratios are clearly above 1.1, a smaller one in
# the network, and check your own table. The cost matters more where activations are a larger part of the work (convolutional
# layers with large feature maps, small devices, or a per-example latency budget).
#
# **The Keras way:** `keras.layers.Dense(100, activation="elu", kernel_initializer="he_normal")`, or the
# `keras.layers.ELU(alpha=...)` layer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. SELU and self-normalising networks
#
# Klambauer et al. (2017) scaled the ELU, $\operatorname{SELU}(z) = \lambda\,\operatorname{ELU}_\alpha(z)$, and
# chose $\alpha$ and $\lambda$ so that a layer maps inputs with mean 0 and variance 1 to outputs with mean 0 and
# variance 1: $(0, 1)$ is a *fixed point* of the layer-to-layer map of (mean, variance), and they proved it
# *attracts*: a stack of such layers pulls the statistics back towards it. The network normalises itself.
#
# ### The constants, solved numerically
#
# With LeCun-initialised weights ($\operatorname{Var}(w) = 1/n_\text{in}$) the pre-activation of a unit is
# approximately $\mathcal{N}(0,1)$ when its inputs are at the fixed point. So $\alpha$ and $\lambda$ must satisfy
# two equations, $\mathbb{E}[\operatorname{SELU}(z)] = 0$ and $\mathbb{E}[\operatorname{SELU}(z)^2] = 1$ for
# $z \sim \mathcal{N}(0, 1)$: two equations, two unknowns. We compute both expectations by numerical integration
# (`scipy.integrate.quad`) and let `scipy.optimize.fsolve` find the root, starting from the guess
# $(\alpha, \lambda) = (1.5, 1.0)$.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def selu_moment_errors(params):
    # (E[SELU(z)], E[SELU(z)^2] - 1) for z ~ N(0, 1), with SELU's (alpha, lambda) = params
    alpha, scale = params

    def moment(k):
        def integrand(z):
            return (scale * (z if z > 0 else alpha * np.expm1(z))) ** k * stats.norm.pdf(z)
        return sum(integrate.quad(integrand, lo, hi)[0] for lo, hi in ((-np.inf, 0), (0, np.inf)))

    return [moment(1), moment(2) - 1]


alpha_solved, scale_solved = optimize.fsolve(selu_moment_errors, x0=[1.5, 1.0], xtol=1e-12)
err = rel_error([alpha_solved, scale_solved], [SELU_ALPHA, SELU_SCALE])
assert err < 1e-8
print(f"solved: alpha = {alpha_solved:.8f}, lambda = {scale_solved:.8f}")
print(f"fsolve vs Keras' constants, max relative error < 1e-8: {err < 1e-8}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same constants, from equation 14 of the paper
#
# Klambauer et al. solved the same two equations in closed form (their equation 14, with $\operatorname{erfc}$ the complementary error function)
#
# $$\alpha_{01} = -\frac{\sqrt{2/\pi}}{\operatorname{erfc}\!\big(1/\sqrt2\big)\,e^{1/2} - 1},$$
#
# $$\lambda_{01} = \Big(1 - \operatorname{erfc}\!\big(\tfrac{1}{\sqrt2}\big)\sqrt{e}\Big)\sqrt{2\pi}\,
# \Big(2\operatorname{erfc}(\sqrt2)\,e^2 + \pi\operatorname{erfc}^2\!\big(\tfrac{1}{\sqrt2}\big)\,e
# - 2(2+\pi)\operatorname{erfc}\!\big(\tfrac{1}{\sqrt2}\big)\sqrt{e} + \pi + 2\Big)^{-1/2}.$$
#
# Keras does not expose its constants, but its `selu` gives them away: $\operatorname{SELU}(1) = \lambda$ and
# $\operatorname{SELU}(z) \to -\lambda\alpha$ as $z \to -\infty$.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
e, pi, erfc = np.e, np.pi, special.erfc
alpha_01 = -np.sqrt(2 / pi) / (erfc(1 / np.sqrt(2)) * np.exp(1 / 2) - 1)
scale_01 = ((1 - erfc(1 / np.sqrt(2)) * np.sqrt(e)) * np.sqrt(2 * pi)
            * (2 * erfc(np.sqrt(2)) * e**2 + pi * erfc(1 / np.sqrt(2)) ** 2 * e
               - 2 * (2 + pi) * erfc(1 / np.sqrt(2)) * np.sqrt(e) + pi + 2) ** -0.5)
keras_scale = float(keras.activations.selu(np.float64(1.0)))
keras_alpha = -float(keras.activations.selu(np.float64(-50.0))) / keras_scale  # e^-50 is negligible
err = rel_error([alpha_01, scale_01], [keras_alpha, keras_scale])
assert err < 1e-9 and rel_error([alpha_01, scale_01], [SELU_ALPHA, SELU_SCALE]) < 1e-12
print(f"alpha  = {alpha_01:.10f}   (Keras: {keras_alpha:.10f})")
print(f"lambda = {scale_01:.10f}   (Keras: {keras_scale:.10f})")
print(f"equation 14 vs Keras' selu, max relative error < 1e-9: {err < 1e-9}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 1,000 layers in NumPy
#
# Does it work? We push 500 standard-normal inputs of 100 features through **1,000** dense layers of 100
# units, weights drawn from LeCun's normal $\mathcal{N}(0, 1/100)$, no biases, and print the mean and standard
# deviation of the activations every 100 layers: for SELU, and for ReLU and tanh with the very same weights.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def r2(x):
    return round(float(x), 2) + 0.0  # 2 decimals, and no "-0.00"


rng = np.random.default_rng(42)
inputs = rng.standard_normal((500, 100))
weights = [rng.normal(scale=np.sqrt(1 / 100), size=(100, 100)) for _ in range(1000)]
simulated = {name: ACTIVATIONS[name][0] for name in ("selu", "relu", "tanh")}
a = dict.fromkeys(simulated, inputs)
lines = ["layer" + "".join(f"{name + ': mean':>14s}{'std':>6s}" for name in simulated)]
for layer, W in enumerate(weights, start=1):
    a = {name: f(a[name] @ W) for name, f in simulated.items()}
    if layer % 100 == 0:
        lines.append(f"{layer:5d}" + "".join(f"{r2(a[n].mean()):14.2f}{r2(a[n].std()):6.2f}" for n in simulated))
print("\n".join(lines))


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** SELU's mean stays near 0 and its standard deviation near 1 for all 1,000 layers: the small
# wobbles come from the finite width (each layer's 10,000 random weights only *on average* have the right variance)
# and are pulled back, never accumulated. With the same weights, the ReLU signal shrinks to nothing within the
# first 100 layers (LeCun's variance is half of what the ReLU needs, notebook 01), and tanh shrinks more slowly
# but steadily: both lose the signal long before the last layer.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The conditions it needs
#
# The fixed-point argument makes assumptions, and each one is a condition for self-normalisation:
# 1. **Standardised inputs** (mean 0, variance 1 per feature).
# 2. **LeCun-normal weights**, `kernel_initializer="lecun_normal"`: the variance $1/n_\text{in}$ is in the derivation.
# 3. **A plain stack of dense layers.** Skip connections (ResNets), recurrent layers or other architectures
#    break the layer-to-layer map the proof is about. (The proof covers dense layers only; for other
#    architectures it gives no guarantee.)
# 4. **No ordinary dropout**: use `keras.layers.AlphaDropout`, which sets dropped units to SELU's saturation value
#    $-\lambda\alpha$ instead of 0 and then applies the affine map $x \mapsto A x + B$ with
#    $A = \big((1-p)(1 + p\,\lambda^2\alpha^2)\big)^{-1/2}$ and $B = A\,p\,\lambda\alpha$, which
#    restores mean 0 and variance 1 exactly.
# 5. **No $\ell_1$/$\ell_2$ regularisation and no max-norm.** This one is Géron's rule of thumb (2022, chapter 11),
#    not an assumption of the theorems: Klambauer et al.'s Theorem 1 does not need the weights at exactly LeCun's
#    variance; it holds for $\omega = \sum_i w_i \in [-0.1, 0.1]$ and $\tau = \sum_i w_i^2 \in [0.95, 1.1]$ per unit.
#    The worry is that strong regularisation could pull the weights outside that range. Note that the SELU
#    paper's abstract says the opposite about regularisation in general: self-normalising networks can "employ
#    strong regularization schemes". Condition 5 is a practitioner's caution about weight penalties and
#    constraints, not the authors' claim, and the simulation below does not test it.
#
# The simulation can test several of them. Each row runs 100 SELU layers of the kind above, breaking one condition
# at a time, and prints mean and standard deviation after 1, 10 and 100 layers (dropout rate $p=0.2$).

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def fmt(x):
    return f"{r2(x):.2f}" if abs(x) < 100 else f"{x:.1e}"


def selu_stack(n_layers=100, weight_variance=1.0, dropout=None, skip=False, inputs_scale=1.0, seed=42):
    rng = np.random.default_rng(seed)
    a = inputs_scale * rng.standard_normal((500, 100))
    stats_at = {}
    for layer in range(1, n_layers + 1):
        out = ACTIVATIONS["selu"][0](a @ rng.normal(scale=np.sqrt(weight_variance / 100), size=(100, 100)))
        keep = rng.random(out.shape) >= 0.2  # used only with dropout, p = 0.2
        if dropout == "ordinary":
            out = np.where(keep, out / 0.8, 0.0)
        elif dropout == "alpha":
            saturation = -SELU_SCALE * SELU_ALPHA
            A = ((1 - 0.2) * (1 + 0.2 * saturation**2)) ** -0.5
            out = A * np.where(keep, out, saturation) - A * 0.2 * saturation
        a = a + out if skip else out
        if layer in (1, 10, 100):
            stats_at[layer] = f"{fmt(a.mean()):>16s}{fmt(a.std()):>8s}"
    return stats_at


conditions = {"all conditions met": {}, "He init (variance 2/n)": {"weight_variance": 2.0},
              "ordinary dropout": {"dropout": "ordinary"}, "AlphaDropout": {"dropout": "alpha"},
              "skip connections": {"skip": True}, "inputs scaled by 5": {"inputs_scale": 5.0}}
lines = [f"{'':24s}" + "".join(f"{f'after {n}: mean':>16s}{'std':>8s}" for n in (1, 10, 100))]
for name, kwargs in conditions.items():
    lines.append(f"{name:24s}" + "".join(selu_stack(**kwargs).values()))
print("\n".join(lines))


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** With every condition met the statistics stay at (0, 1). The wrong initialization and the skip
# connections make the signal grow without bound. Ordinary dropout does not explode, but it moves the network to a
# different fixed point with a larger variance and a positive mean, while AlphaDropout keeps (0, 1). Badly scaled
# inputs are pulled back to (0, 1) after some layers, because the fixed point attracts; but the first layers work
# far from it, and with real features on very different scales a few features would dominate the first layer, so
# standardise anyway: it costs nothing.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 100 layers on Fashion-MNIST
#
# Now the real thing: 100 hidden layers of 100 units, SELU with LeCun initialization versus ReLU with He
# initialization (each with the initialization that suits it), on standardised Fashion-MNIST.
#
# One more number first. Self-normalisation is about the *forward* signal. Backwards, each SELU layer multiplies
# the gradient's variance by $\mathbb{E}\big[\operatorname{SELU}'(z)^2\big]$ for $z \sim \mathcal{N}(0, 1)$; for the ReLU with He
# weights the same factor is $2\,\mathbb{E}\big[\operatorname{ReLU}'(z)^2\big]$. Over 100 layers these factors compound:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def gaussian_mean_of_square(f):
    # E[f(z)^2] for z ~ N(0, 1), by numerical integration (split at 0, where the derivatives jump)
    parts = [integrate.quad(lambda z: float(f(np.array(z))) ** 2 * stats.norm.pdf(z), lo, hi)[0]
             for lo, hi in ((-np.inf, 0), (0, np.inf))]
    return sum(parts)


selu_gain = gaussian_mean_of_square(ACTIVATIONS["selu"][1])
relu_gain = 2 * gaussian_mean_of_square(ACTIVATIONS["relu"][1])
for name, gain in (("SELU, LeCun", selu_gain), ("ReLU, He", relu_gain)):
    print(f"{name:12s} gradient variance gain per layer: {gain:.4f};  gradient norm after 100 layers: "
          f"x{gain ** 50:.1f}")

# %% [markdown] slideshow={"slide_type": "-"}
# So in a 100-layer SELU network the gradient reaching the first layer is more than an order of magnitude larger
# than at the top (the factor printed above): SELU keeps activations normalised, not gradients. This contradicts
# the abstract of the SELU paper, which says that vanishing and exploding gradients are "impossible" in
# self-normalising networks; Philipp, Song and Carbonell (2018) showed that SELU networks do have exploding
# gradients in this sense, growing with depth as computed here. For the ReLU with He
# weights the factor is exactly 1 *on average*, over random weight draws; a real 100-unit layer's weights give a
# factor a little above or below 1, and over 100 layers these random factors multiply into a drift, as notebook 01
# showed. These predictions are for the variance of the per-example error signal $\boldsymbol\delta$, for
# infinitely wide layers whose pre-activations are exactly $\mathcal{N}(0, 1)$. The probe below plots something
# else, the batch-averaged *weight* gradient of each layer (RMS per weight, as in section 1), on real 100-unit
# networks at initialization, and prints its ratio between layer 1 and the top hidden layer, to compare with the
# prediction.
#
# Besides the activation statistics it measures something the scale does not show: whether different images
# still have different representations. For each layer it computes the **mean cosine similarity between the
# representations of two different images** (0: unrelated directions, 1: all images mapped to the same
# direction), and each unit's standard deviation *across images*, averaged over units
# (`LayerStats.std_across_inputs`). The plain cosine is *uncentred*, so a shared positive mean alone makes it
# large (even for independent standard-normal pre-activations, ReLU outputs have a cosine of
# $1/\pi \approx 0.32$ between two images, SELU outputs about 0). So we also look at **how many directions the
# images' differences use**. Subtract each unit's mean over the 512 images, and take the singular values $s_k$ of
# the resulting $512 \times 100$ matrix: $s_k^2$ is the across-image variance along the $k$-th principal direction.
# We print the **share of the leading direction**, $s_1^2 / \sum_k s_k^2$, and the **effective rank** (participation
# ratio) $\big(\sum_k s_k^2\big)^2 / \sum_k s_k^4$, which is 100 if the variance is spread evenly over all 100
# directions and 1 if it all lies along one. A **collapse** (images that differ only by how far they lie along one
# shared direction) shows as a share near 1 and an effective rank near 1, whatever the mean and however large the
# spread along that direction.
#
# Then both networks are trained with the same optimizer and learning rate, Adam at $10^{-4}$: not tuned for
# either, so that the only difference is the activation and its initialization. Why a tenth of Adam's default?
# Not because of the SELU gradient gain above: Adam divides each step by a running RMS of its gradient, so scaling
# the gradient up does not enlarge its steps (that argument would hold for plain SGD). The reason is depth: every
# one of the 100 layers moves by about the learning rate per step, and small steps in 100 layers add up to a large
# change of the function the network computes.
#
# (The depth is `DEPTH`: 100 layers here, 20 in the test suite's quick mode, because tracing the training step of a
# 100-layer network costs tens of seconds.)

# %% slideshow={"slide_type": "-"}
DEPTH = budget(100, quick=20)
PROBED_LAYERS = [1, DEPTH // 10, DEPTH // 2, DEPTH]  # layers 1, 10, 50 and 100 (1-based)
deep_models = {}
for label, activation, initializer in (("SELU, LeCun", "selu", "lecun_normal"), ("ReLU, He", "relu", "he_normal")):
    set_seeds(42)
    deep_models[label] = build_mlp(activation, n_hidden=DEPTH, initializer=initializer)
deep_stats = {label: activation_stats(model, X_probe) for label, model in deep_models.items()}
deep_grads = {label: [norm / np.sqrt(model.get_layer(name).count_params()) for name, norm in  # RMS per weight
                      gradient_norms(model, X_probe, y_probe, loss="sparse_categorical_crossentropy").items()]
              for label, model in deep_models.items()}


def mean_cosine_between_inputs(layer_stats, n_inputs):
    # Mean cosine similarity between the representations of two different inputs in one layer (uncentred).
    rows = layer_stats.values.reshape(n_inputs, -1)
    rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    gram = rows @ rows.T
    return float((gram.sum() - np.trace(gram)) / (n_inputs * (n_inputs - 1)))


def across_input_spectrum(layer_stats, n_inputs):
    # Variances along the principal directions of the across-input covariance: squared singular values of the
    # (inputs x units) matrix, each unit centred over the inputs. Returns (leading share, effective rank).
    rows = layer_stats.values.reshape(n_inputs, -1)
    s2 = np.linalg.svd(rows - rows.mean(axis=0), compute_uv=False) ** 2
    return float(s2[0] / s2.sum()), float(s2.sum() ** 2 / np.sum(s2**2))


fig, axes = plt.subplots(2, 3, figsize=(15, 7))
panels = [("activation mean", lambda st: st.mean), ("activation std (all units and images)", lambda st: st.std),
          ("std across images (per unit, averaged)", lambda st: st.std_across_inputs),
          ("mean cosine between images", lambda st: mean_cosine_between_inputs(st, len(X_probe))),
          ("share of across-image variance\nalong the leading direction",
           lambda st: across_input_spectrum(st, len(X_probe))[0])]
for ax, (ylabel, value) in zip(axes.flat[[0, 1, 2, 3, 5]], panels):
    plot_per_layer({label: [value(layer) for layer in st] for label, st in deep_stats.items()}, ylabel, ax=ax)
plot_per_layer(deep_grads, "RMS gradient per weight (log scale)", ax=axes[1, 1], log=True)
for ax in axes.flat:
    for line in ax.get_lines():
        line.set_markersize(2)
for label, st in deep_stats.items():
    spectra = [across_input_spectrum(st[i - 1], len(X_probe)) for i in PROBED_LAYERS]
    print(f"{label:12s} at layers {', '.join(map(str, PROBED_LAYERS))}:  mean cosine "
          + ", ".join(f"{mean_cosine_between_inputs(st[i - 1], len(X_probe)):.3f}" for i in PROBED_LAYERS)
          + ";  leading share " + ", ".join(f"{share:.3f}" for share, _ in spectra)
          + ";  effective rank " + ", ".join(f"{rank:.1f}" for _, rank in spectra))
top, fifth = DEPTH, DEPTH // 5  # the top hidden layer (100) and layer 20
for label, g in deep_grads.items():  # g[k - 1]: hidden layer k
    print(f"{label:12s} RMS gradient per weight, layer 1 / layer {top}: x{g[0] / g[top - 1]:.2f};  "
          f"layer 1 / layer {fifth}: x{g[0] / g[fifth - 1]:.2f};  "
          f"layer {fifth} / layer {top}: x{g[fifth - 1] / g[top - 1]:.2f}")
fig.suptitle(f"{DEPTH}-layer networks at initialization, on 512 validation images")
fig.tight_layout()
save_fig("deep_100_layers_at_init")
plt.show()

# %% slideshow={"slide_type": "-"}
DEEP_EPOCHS = budget(3, quick=2)
deep_histories = {}
for label, model in deep_models.items():
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  optimizer=keras.optimizers.Adam(learning_rate=1e-4))
    # No steps_per_execution=32 here (notebook 01): for a 100-layer network, tracing the 32-step loop costs
    # more than the per-step overhead it saves (measured: slower, not faster).
    deep_histories[label] = model.fit(X_small, y_small, epochs=DEEP_EPOCHS, batch_size=128, verbose=0,
                                      validation_data=(data.X_valid, data.y_valid))
    print(f"{label:12s} validation accuracy per epoch: {np.round(deep_histories[label].history['val_accuracy'], 3)}")
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
plot_learning_curves(deep_histories, "loss", ax=ax1)
plot_learning_curves(deep_histories, "accuracy", ax=ax2)
ax1.set_title(f"{DEPTH} hidden layers, Adam 1e-4: loss")
ax2.set_title(f"{DEPTH} hidden layers, Adam 1e-4: accuracy")
fig.tight_layout()
save_fig("deep_100_layers_selu_vs_relu")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** At initialization, the SELU network's activation mean and standard deviation stay level across
# all 100 layers, as in the simulation, while the ReLU network's drift: its activations are never centred, and
# their overall spread wanders from layer to layer (the per-layer factor is 1 only on average). But the overall
# spread is not what goes wrong. Look at the plain cosine panel: in the ReLU network the representations of
# different images point in almost the same direction near the top, while the SELU network's stay far apart.
# The plain cosine alone cannot say whether that is a shared offset or a collapse; the leading-direction panel
# and the printed effective ranks can, and they show a **collapse**. In the ReLU network the share of the
# across-image variance along one direction climbs with depth towards 1, and the effective rank falls towards 1:
# near the top, the images still differ (the "std across images" panel does not fall to 0), but almost only by
# how far each lies along *one* shared direction. Whatever distinguished a shirt from a sneaker in the other
# directions has been squeezed out before it reaches the top layers. The SELU network's variance also
# concentrates somewhat with depth (its effective rank in the printout falls too), but it stays spread over
# several directions, with a leading share far from 1 and an image-to-image spread near 1 in every layer.
#
# The gradient panel, read against the predictions above (the printed ratios):
# - **SELU**: its RMS gradient per weight does grow towards the input, as predicted, but by less than the
#   prediction's factor (compare the printed layer 1 / layer 100 ratio with the x-factor printed before).
#   The prediction assumes infinitely wide layers with exactly $\mathcal{N}(0,1)$ pre-activations and is about the
#   per-example error signal; the plot is the batch-averaged weight gradient of real 100-unit layers, whose size
#   also depends on each layer's inputs and on how the per-example gradients add up in the batch mean. Either can
#   account for a factor of a few; we have not separated them.
# - **ReLU**: the prediction, "1 on average, plus a random drift", does not describe the figure. Its gradient does
#   not wander around a level: it falls steadily by several times from about layer 20 down to layer 1 (the printed
#   layer 1 / layer 20 ratio). That fall mirrors the collapse: where the images' representations have collapsed onto
#   one direction (the top layers), the per-example weight gradients point the same way and add up in the batch
#   mean; lower down, where images still differ in many directions, they partly cancel. This is a likely
#   explanation, consistent with the panels, not something this probe tests.
#
# In training, with the same optimizer and learning rate, the SELU network learns faster: after these few epochs
# the ReLU network, whose top layers start out receiving images that differ along little more than one direction,
# is **behind**. Behind is not stuck: compare the two rows' gains in the last epoch; a ReLU network that is still
# gaining more per epoch is catching up, and a longer run might narrow the gap (not tested here). This is one seed
# and one learning rate per network, because 100-layer networks are expensive: a learning rate tuned for each
# might narrow the gap too, so treat its size with caution (trying a few rates for the ReLU network is a good
# exercise if you have the time).
#
# And do not read this as "deeper is better with SELU": compare the accuracies printed above with the 5-layer
# networks' in section 5's table (below), which train for fewer epochs on the same data; both 100-layer networks
# end well below every one of them. On a task this small, 100 layers bring nothing; the experiment is about
# whether a very deep plain stack can be trained at all, not about accuracy.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. A fair comparison
#
# Every activation paper reports a win, usually on its own benchmark and with one run. Let's compare nine
# activations **under identical conditions**: the same network (5 hidden layers of 100 units), the same data
# (`X_small`), the same optimizer (Adam, learning rate $10^{-3}$), the same number of epochs and batch size, each
# activation with its recommended initialization (LeCun for SELU, He for the others), and **5 seeds** per
# activation (`SEEDS`; two in quick mode). Each seed changes the initial weights and the order of the batches, and
# seed $i$ is the same for every activation, so the runs **pair up by seed**.
#
# The test is fixed before looking at any result: **ReLU is the baseline**, chosen in advance because it is the
# default to beat; each of the eight others is compared with it, as the paired difference of validation accuracy
# (the activation minus ReLU, seed by seed) with a $t$ interval, and the eight $p$-values are corrected with
# **Holm's method**, so that the chance of even one false "win" among the eight is at most 5%. (Picking the best mean
# first and then testing it against the rest would be a winner's curse: even with nine *identical* activations, the
# best of nine means beats the others by luck, and its intervals against them exclude 0 far more often than the
# nominal 5%.)
#
# Each activation gets one compiled model, which `FreshStart` (from `helpers.training`) puts back before each seed's
# run into exactly the state `set_seeds(seed)`, a new build and `compile` would give it (initial weights, optimizer
# moments, step count, and so the same shuffling; its unit test checks that the losses are identical). The only
# difference is time: tracing a new model's training step costs seconds here, longer than a short run itself.

# %% slideshow={"slide_type": "-"}
COMPARE_EPOCHS = budget(2, quick=2)
SEEDS = list(range(budget(5, quick=2)))
CANDIDATES = {  # name: (activation for build_mlp, initializer); the first, ReLU, is the baseline
    "ReLU": ("relu", "he_normal"),
    "leaky ReLU": (lambda: keras.layers.LeakyReLU(negative_slope=0.2), "he_normal"),
    "PReLU": (prelu, "he_normal"),
    "RReLU": (RReLU, "he_normal"),
    "ELU": ("elu", "he_normal"),
    "SELU": ("selu", "lecun_normal"),
    "GELU": ("gelu", "he_normal"),
    "Swish": ("swish", "he_normal"),
    "Mish": ("mish", "he_normal"),
}
comparison = {}
for name in budget(list(CANDIDATES), quick=["ReLU", "PReLU", "RReLU", "SELU"]):  # quick mode (the test suite): 4 of them
    activation, initializer = CANDIDATES[name]
    build = functools.partial(build_mlp, activation, n_hidden=5, initializer=initializer)
    model = build()
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  steps_per_execution=32)  # same arithmetic, less per-step overhead (notebook 01)
    restart = FreshStart(model, build)  # one compiled model per activation, restarted for each seed
    scores = []
    for seed in SEEDS:
        restart(seed)  # seed's initial weights and a fresh optimizer, as set_seeds(seed) + build + compile give
        model.fit(X_small, y_small, epochs=COMPARE_EPOCHS, batch_size=128, verbose=0)
        scores.append(validation_scores(model))  # [loss, accuracy]
    comparison[name] = np.array(scores)
print(f"{'activation':12s}{'validation accuracy':>24s}{'validation loss':>22s}   "
      f"(mean ± sample std, {len(SEEDS)} seeds)")
for name, scores in comparison.items():
    loss, acc = scores[:, 0], scores[:, 1]
    print(f"{name:12s}{acc.mean():16.4f} ± {acc.std(ddof=1):.4f}{loss.mean():14.4f} ± {loss.std(ddof=1):.4f}")

# %% [markdown] slideshow={"slide_type": "-"}
# The test decided above: each activation's validation accuracy minus ReLU's, paired by seed, with the 95%
# interval of the mean difference and its $p$-value (both *unadjusted*, one comparison at a time), the
# Holm-adjusted $p$-value, and the verdict at 5% after Holm. An unadjusted interval can exclude 0 for a
# difference that does not survive Holm; the verdict column is the one that counts.

# %% slideshow={"slide_type": "-"}
diffs = compare_to_baseline({name: scores[:, 1] for name, scores in comparison.items()}, baseline="ReLU", paired=True)
print(comparison_table(diffs))

# %% [markdown] slideshow={"slide_type": "-"}
# The same differences as a figure, in **percentage points** of accuracy: one dot per seed (that seed's accuracy
# minus ReLU's with the same seed), and the mean with its unadjusted 95% interval; a red diamond marks a
# difference that survives Holm (the verdict column above), a black one a difference that does not. Note the scale: the whole axis spans only a
# few points, so differences that look large here are small in absolute terms; the vertical line at 0 is "no
# difference from ReLU".

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(7, 4))
baseline_acc = comparison["ReLU"][:, 1]
for row, d in enumerate(diffs):
    per_seed = 100 * (comparison[d.name.split(" - ")[0]][:, 1] - baseline_acc)
    ax.plot(per_seed, np.full(len(per_seed), row - 0.2), "o", color="tab:blue", alpha=0.6, ms=5)
    colour = "black" if d.verdict() == "inconclusive" else "tab:red"
    ax.errorbar(100 * d.mean, row, xerr=[[100 * (d.mean - d.low)], [100 * (d.high - d.mean)]],
                fmt="D", color=colour, ms=5, capsize=4)
ax.axvline(0, color="gray", lw=1)
ax.set_yticks(range(len(diffs)), [d.name.split(" - ")[0] for d in diffs])
ax.invert_yaxis()
ax.set_xlabel("validation accuracy minus ReLU's, percentage points\n"
              "(dots: seeds; diamond and bar: mean and 95% interval; red: survives Holm)")
ax.set_title(f"Each activation vs the ReLU baseline, paired by seed; {len(SEEDS)} seeds", fontsize=10)
fig.tight_layout()
save_fig("activation_comparison")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw, and what it lets us conclude.** One difference survives Holm's correction: **Swish** (SiLU) ahead
# of ReLU, its interval entirely above 0 and every one of its seeds ahead of ReLU's run with the same seed. It is a
# small effect, of the order of one point of accuracy (the table), but at this budget it is not seed noise. Every other
# difference is **inconclusive here**: its interval straddles 0, and its seed dots fall on both sides of the line.
# That includes Mish and GELU, whose means are also ahead of ReLU: "Swish survives, Mish does not" is not evidence
# that Swish beats Mish (that would need a direct comparison, which we did not plan). SELU's mean is behind ReLU's,
# also inconclusively. One hypothesis, not tested here: whatever SELU has to offer shows in deep plain stacks
# (section 4), not at five layers.
#
# The rule behind the table: a paired difference removes what the seeds share (a lucky initialization helps every
# activation a little), so its interval is narrower than a comparison of two independent sets of runs; with $n$
# seeds it still rests on a $t$ distribution with $n-1$ degrees of freedom, whose 95% point is far above the
# normal's 1.96 when $n$ is small. Only a difference
# that survives Holm supports a claim such as "A beats ReLU *here*". Two cautions. A difference that does not
# survive is not evidence of *no* difference: it is "inconclusive here", at this budget. And "A survives, B does
# not" is not evidence that A beats B: that needs a direct comparison of A with B.
#
# What the literature found, on larger networks and data: He et al. (2015) report PReLU beating ReLU on ImageNet;
# Xu et al. (2015) found leaky, very leaky and randomized ReLUs slightly better than ReLU on CIFAR-10/100;
# Clevert et al. (2016) report faster learning and better accuracy with ELU on CIFAR; Klambauer et al. (2017)
# report SELU networks beating other plain feed-forward networks on the UCI and Tox21 benchmarks; Hendrycks and
# Gimpel (2016) report GELU ahead of ReLU and ELU on MNIST, CIFAR and TIMIT; Elfwing et al. (2018) introduced the
# same function as Swish under the name SiLU, for reinforcement learning; Ramachandran et al. (2017) report
# Swish matching or beating ReLU across several ImageNet models, by fractions of a point to about a point; and
# Misra (2020) reports Mish slightly ahead of Swish. Most of these gains are a point or less, a size that our
# budget resolves only barely, if at all.
#
# What this experiment does **not** tell us: which activation is better in general. The result is specific to this
# network (5 hidden layers of 100 units), this data (a 10,000-image subset of one data set), this budget (2 epochs:
# it measures how fast each activation *starts* learning, not where it ends up) and this learning rate, which may
# suit some activations better than others: a fair test would tune the learning rate for each. And at this depth
# all of them train; depth, as in section 4, is where the choice can matter most.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The Keras way
#
# ```python
# keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal")
# # Leaky ReLU: a Dense with no activation, then the activation as a layer of its own
# keras.layers.Dense(100, kernel_initializer="he_normal"), keras.layers.LeakyReLU(negative_slope=0.2)
# keras.layers.Dense(100, activation="leaky_relu", kernel_initializer="he_normal")  # the function: slope 0.2
# keras.layers.Dense(100, kernel_initializer="he_normal"), keras.layers.PReLU()     # learned slopes, start at 0
# keras.layers.Dense(100, kernel_initializer="he_normal"), RReLU()                  # helpers.layers
# keras.layers.Dense(100, activation="elu", kernel_initializer="he_normal")
# keras.layers.Dense(100, activation="selu", kernel_initializer="lecun_normal")     # + standardised inputs
# keras.layers.AlphaDropout(rate=0.1)                                              # dropout for SELU networks
# keras.layers.Dense(100, activation="gelu", kernel_initializer="he_normal")
# keras.layers.Dense(100, activation="swish", kernel_initializer="he_normal")      # "silu" is the same function
# keras.layers.Dense(100, activation="mish", kernel_initializer="he_normal")
# ```
#
# Two traps: the `LeakyReLU` *layer*'s default slope is 0.3 while the `leaky_relu` *function*'s is 0.2, so always
# pass `negative_slope=`; and `PReLU()` starts at slope 0, a plain ReLU, unless you pass an `alpha_initializer`.
# What each choice costs in parameters, for one hidden layer of 100 units on a 784-pixel input:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
variants = {"relu": "relu", "leaky_relu": lambda: keras.layers.LeakyReLU(negative_slope=0.2),
            "PReLU": keras.layers.PReLU, "RReLU": RReLU, "selu": "selu", "gelu": "gelu"}
for name, activation in variants.items():
    model = build_mlp(activation, n_hidden=1)
    print(f"{name:10s} {model.count_params():7,d} parameters")
print("LeakyReLU layer default negative_slope:", keras.layers.LeakyReLU().negative_slope)
print(f"leaky_relu function default slope:      {-float(keras.activations.leaky_relu(-1.0)):.1f}")
print("PReLU default alpha_initializer:       ", type(keras.layers.PReLU().alpha_initializer).__name__)

# %% [markdown] slideshow={"slide_type": "-"}
# Finally, a check that Keras' `AlphaDropout` does what the formula in section 4 says: applied (in training mode)
# to a million values drawn from SELU's fixed point, it leaves mean 0 and standard deviation 1, where ordinary
# `Dropout` at the same rate does not. Mean and standard deviation alone could come out right by other means, so
# we also check the mechanism: the dropped entries must all equal $A(-\lambda\alpha) + B$, and they must be about
# a fifth of all entries ($p = 0.2$).

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
at_fixed_point = ACTIVATIONS["selu"][0](np.random.default_rng(1).standard_normal((1000, 1000))).astype("float32")
for layer in (keras.layers.AlphaDropout(rate=0.2, seed=0), keras.layers.Dropout(rate=0.2, seed=0)):
    out = layer(at_fixed_point, training=True).numpy()
    print(f"{type(layer).__name__:12s} input mean {r2(at_fixed_point.mean()):.2f}, std {r2(at_fixed_point.std()):.2f}"
          f"  ->  output mean {r2(out.mean()):.2f}, std {r2(out.std()):.2f}")
p_drop, saturation = 0.2, -SELU_SCALE * SELU_ALPHA
A = ((1 - p_drop) * (1 + p_drop * saturation**2)) ** -0.5
dropped_value = A * saturation + A * p_drop * -saturation  # A (-lambda alpha) + B, with B = A p lambda alpha
out = keras.layers.AlphaDropout(rate=p_drop, seed=0)(at_fixed_point, training=True).numpy()
is_dropped = np.isclose(out, dropped_value, rtol=0, atol=1e-5)
print(f"AlphaDropout: dropped value A(-lambda alpha) + B = {dropped_value:.4f}; "
      f"share of entries equal to it: {r2(is_dropped.mean()):.2f}")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Which activation, when?
#
# | Situation | Use | Why |
# |---|---|---|
# | Hidden layers, a default | **ReLU** with He initialization | fast, simple, works; the baseline to beat (section 5) |
# | Dead units at a high learning rate | **leaky ReLU** (slope 0.1 to 0.3), **RReLU**, **PReLU** | a non-zero gradient for $z<0$ (section 2); but lower the learning rate too |
# | Choosing between PReLU and RReLU | **PReLU** on large data, **RReLU** on small data | *(reported in the literature; not tested here)*: PReLU's extra parameters need data, RReLU's noise regularises |
# | Want a little more accuracy and can pay in speed | **ELU**, **GELU**, **Swish/SiLU**, **Mish** | smooth, centred nearer 0. Their speed cost is measured in section 3 (for the costliest, much smaller in a whole network than for the activation alone; check your own table). The accuracy gain is *reported in the literature*: section 5 only measures early training, where most differences from ReLU are inconclusive at our budget. GELU is the transformers' default, Swish/SiLU common in vision models |
# | Deep plain stack of dense layers | **SELU** + `lecun_normal` + standardised inputs + `AlphaDropout`, no $\ell_1$/$\ell_2$/max-norm | self-normalises, no batch norm needed (section 4, one seed) |
# | Tight runtime or memory (mobile, low latency) | **ReLU** or leaky ReLU | the fewest operations per element (compare your own timings in section 3); easy to quantise *(reported in the literature; not tested here)* |
# | Output: regression | none (linear), or softplus/ReLU if the target is positive, a scaled sigmoid/tanh if bounded | the output must cover the target's range |
# | Output: binary or multi-label classification | **sigmoid** (one per label) | a probability per label |
# | Output: one class out of many | **softmax** | probabilities that sum to 1 |
#
# Sigmoid and tanh remain right where a bounded value is the *point* (outputs, and gates: those of LSTMs and GRUs,
# or GLU-style gating), not as general hidden-layer activations in deep networks. And whatever you pick, measure as in section 5:
# with several seeds, on your data, with the learning rate tuned.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - Every layer multiplies the gradient by $f'(z)$, and its variance by about $\mathbb{E}[f'(z)^2]$: saturating
#   activations (sigmoid, tanh) block it for large $|z|$, and the sigmoid's $\mathbb{E}[f'^2] \le 1/16$ shrinks it
#   at every layer; the ReLU family does not saturate for $z>0$. A table of $\mathbb{E}[f'^2]$ at unit variance is a
#   one-layer snapshot: in a network the variance drifts, and the factor with it.
# - A ReLU whose input is negative for every example is **dead**: zero output, zero gradient. Too high a learning
#   rate kills many. Count them with a probe set (`activation_stats(...).frac_dead`), but know that a probe set
#   over-counts: a unit "dead" on the probe images can still fire on some training images and come back, so check
#   on the training set before concluding (section 2).
# - **Leaky ReLU** (fixed slope), **RReLU** (random slope while training, its mean at test time) and **PReLU**
#   (learned slope per unit) keep a gradient for $z<0$, so units do not die, and those that fall negative on every
#   image mostly come back; a high learning rate still costs accuracy. PReLU's learned slopes vary unit by unit,
#   and may go negative.
# - **ELU** centres outputs nearer 0, never has a zero gradient and is continuously differentiable (C1) at 0 when
#   $\alpha=1$; it costs an exponential, a small cost next to the matrix products of a whole network
#   (measure it on your machine: ratios near 1 are ties, and min and median must agree).
# - **SELU** ($\alpha \approx 1.6733$, $\lambda \approx 1.0507$, the solution of $\mathbb{E}[f(z)]=0$,
#   $\mathbb{E}[f(z)^2]=1$) keeps mean 0 and variance 1 through many layers, and keeps representations centred,
#   where a deep He-initialised ReLU stack, at initialization, collapses the images' differences onto nearly one
#   direction (the leading direction's share of the across-image variance approaches 1, the effective rank 1).
#   A plain cosine cannot tell such a collapse from a shared offset; the spectrum of the across-image covariance can.
#   SELU does not normalise gradients: they grow towards the input (in our 100-unit network by less than the
#   infinite-width prediction). It works best with standardised inputs,
#   `lecun_normal`, a plain dense stack and no $\ell_1$/$\ell_2$/max-norm, and, if you need dropout, AlphaDropout.
# - Compare activations under identical conditions over several seeds, against a baseline chosen in advance
#   (paired by seed, Holm-corrected for several alternatives); a difference that does not survive is
#   "inconclusive here", not "no difference".

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Each exercise has a self-check cell: run it after your answer and it tells you whether you are right.
# Worked solutions are at the end of the notebook; try first.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: the ELU's derivative
#
# Complete `elu_derivative(z, alpha)` so that it returns $\operatorname{ELU}_\alpha'(z)$ elementwise for a NumPy
# array `z` (no 0 among the test points). The check compares it with Keras' autodiff, for $\alpha = 1$ and $\alpha = 0.5$.

# %% slideshow={"slide_type": "-"}
def elu_derivative(z, alpha=1.0):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def keras_elu_derivative(z, alpha):
    z = tf.constant(np.asarray(z, dtype="float64"))
    with tf.GradientTape() as tape:
        tape.watch(z)
        out = keras.activations.elu(z, alpha=alpha)
    return tape.gradient(out, z).numpy()


elu_points = np.array([-4.0, -1.0, -0.1, 0.3, 2.0])
check_function("Exercise 1", elu_derivative,
               [((elu_points, a), keras_elu_derivative(elu_points, a)) for a in (1.0, 0.5)],
               hint="1 for z > 0; for z < 0 differentiate alpha * (exp(z) - 1). np.where helps.");


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: count the dead units
#
# Complete `dead_fraction(outputs)`: `outputs` holds a ReLU layer's outputs on a batch, shape
# `(n_images, n_units)`; return the fraction of units that are dead on that batch, as defined in section 2.
# The check builds ReLU layers with a known number of units switched off (a bias of $-100$), and one unit that
# is off for most images but not all (its bias is set so that it is on for about one image in ten), and compares your answer with `activation_stats`.

# %% slideshow={"slide_type": "-"}
def dead_fraction(outputs):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def model_with_dead_units(n_dead, units=20):
    # One hidden ReLU layer whose first n_dead units get a bias of -100: negative for any standardised image;
    # the last unit's bias is set so that it is on for only about 1 probe image in 10: off for most, not all.
    set_seeds(0)
    model = build_mlp("relu", n_hidden=1, units=units)
    z_last = keras.ops.convert_to_numpy(model.layers[1](model.layers[0](X_probe)))[:, -1]  # bias still 0
    bias = np.zeros(units, dtype="float32")
    bias[:n_dead] = -100.0
    bias[-1] = -np.quantile(z_last, 0.9)
    model.layers[1].bias.assign(bias)
    return model


dead_cases = []
for n_dead in (0, 5, 12):
    model = model_with_dead_units(n_dead)
    outputs = keras.Model(model.inputs[0], model.layers[1].output)(X_probe).numpy()
    dead_cases.append(((outputs,), activation_stats(model, X_probe)[0].frac_dead))
check_function("Exercise 2", dead_fraction, dead_cases,
               hint="One unit is one column; it is dead if all of its outputs are exactly 0.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: SELU away from its fixed point
#
# At $z \sim \mathcal{N}(0, 1)$, SELU's output has mean 0 and variance 1: that is how its constants were chosen
# (section 4). What happens to inputs that are *not* at the fixed point? Use `scipy.integrate.quad` and SELU from
# section 1 (`ACTIVATIONS["selu"][0]`) to compute the mean $\mathbb{E}[\operatorname{SELU}(z)]$ and the variance
# $\operatorname{Var}[\operatorname{SELU}(z)]$ for $z \sim \mathcal{N}(0.5,\, 1.5^2)$, and store them in
# `selu_moments = (mean, variance)`. The check compares them with its own simulation, to 2 decimals.

# %% slideshow={"slide_type": "-"}
selu_moments = ...  # (mean, variance) for z ~ N(0.5, 1.5^2)


# %% slideshow={"slide_type": "-"}
def simulated_selu_moments():
    out = ACTIVATIONS["selu"][0](np.random.default_rng(0).normal(0.5, 1.5, 2_000_000))
    return out.mean(), out.var()


check_condition("Exercise 3", selu_moments,
                lambda m: all(abs(float(a) - b) < 0.01 for a, b in zip(m, simulated_selu_moments())) and len(m) == 2,
                hint="Integrate f(z) * stats.norm.pdf(z, 0.5, 1.5) and f(z)**2 * stats.norm.pdf(z, 0.5, 1.5) over "
                     "(-inf, 0) and (0, inf); variance = E[f^2] - E[f]^2.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: GELU's sigmoid approximation
#
# GELU is $z\,\Phi(z)$. Hendrycks and Gimpel approximate it by $z\,\sigma(\beta z)$, which is Swish with a
# particular $\beta$. Find the $\beta$ for which $\sigma(\beta z)$ is closest to $\Phi(z)$ in the worst case: the one
# that minimises $\max_z |\Phi(z) - \sigma(\beta z)|$ over $z \in [-6, 6]$ (use `np.linspace(-6, 6, 4001)`). Store
# `gelu_fit = (best_beta, best_gap)`, with `best_gap` that smallest worst-case gap. (Minimising the *squared* error gives a nearby but
# different $\beta$, with a larger worst-case gap.)

# %% slideshow={"slide_type": "-"}
gelu_fit = ...  # (best_beta, best_gap)


# %% slideshow={"slide_type": "-"}
def sigmoid_gap(beta):
    z = np.linspace(-6, 6, 4001)
    return float(np.abs(stats.norm.cdf(z) - sigmoid(beta * z)).max())


def is_minimax(answer):
    beta, gap = map(float, answer)
    grid_best = min(sigmoid_gap(b) for b in np.linspace(1.69, 1.71, 201))
    return abs(gap - sigmoid_gap(beta)) < 1e-6 and gap < grid_best + 1e-5


check_condition("Exercise 4", gelu_fit, is_minimax,
                hint="Try a grid of betas between 1 and 3 and, for each, the max error on np.linspace(-6, 6, 4001); "
                     "best_gap is that max error at your best beta.");


# %% [markdown] slideshow={"slide_type": "slide"} tags=["solution"]
# ## Solutions
#
# Look only after trying. Each solution is followed by its self-check.

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 1.** For $z>0$ the ELU is the identity, slope 1; for $z<0$ the derivative of $\alpha(e^z-1)$ is
# $\alpha e^z$, which is also $\operatorname{ELU}_\alpha(z) + \alpha$.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def elu_derivative(z, alpha=1.0):
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0)))


assert check_function("Exercise 1", elu_derivative,
                      [((elu_points, a), keras_elu_derivative(elu_points, a)) for a in (1.0, 0.5)])


# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 2.** A unit is a column of `outputs`; it is dead on the batch when the whole column is exactly 0.
# The mean of a boolean array is the fraction of `True`s.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def dead_fraction(outputs):
    return float(np.mean(np.all(outputs == 0, axis=0)))


assert check_function("Exercise 2", dead_fraction, dead_cases)


# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 3.** Integrate against the normal density $\mathcal{N}(0.5, 1.5^2)$; splitting the range at 0, where
# SELU's formula changes, helps `quad`. Neither moment is at the fixed point: a positive mean and a variance well
# above 1 in, a positive mean and a variance above 1 out. The fixed point is special to $\mathcal{N}(0, 1)$.
# (Monte Carlo sampling, as the check does, is only accurate to about 3 decimals with 2 million points.)

# %% slideshow={"slide_type": "-"} tags=["solution"]
def gaussian_expectation(g, loc=0.5, scale=1.5):
    def integrand(z):
        return g(z) * stats.norm.pdf(z, loc, scale)
    return sum(integrate.quad(integrand, lo, hi)[0] for lo, hi in ((-np.inf, 0), (0, np.inf)))


selu = ACTIVATIONS["selu"][0]
selu_mean = gaussian_expectation(lambda z: float(selu(np.array(z))))
selu_moments = (selu_mean, gaussian_expectation(lambda z: float(selu(np.array(z))) ** 2) - selu_mean**2)
print(f"mean {selu_moments[0]:.4f}, variance {selu_moments[1]:.4f}")
assert check_condition("Exercise 3", selu_moments,
                       lambda m: all(abs(float(a) - b) < 0.01 for a, b in zip(m, simulated_selu_moments())) and len(m) == 2)

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 4.** A grid search is enough: for each $\beta$, compute the largest gap between $\Phi$ and
# $\sigma(\beta z)$ on a fine grid, and keep the $\beta$ with the smallest one. It is the classic logistic
# approximation of the normal CDF, known long before GELU, and Hendrycks and Gimpel's $\beta = 1.702$ is this value
# rounded; $\beta = 1$ (plain Swish/SiLU) is much further off. The grid must be fine: a step of 0.001 already misses
# the best worst-case gap by more than the check allows.

# %% slideshow={"slide_type": "-"} tags=["solution"]
z_fine = np.linspace(-6, 6, 4001)
betas = np.linspace(1, 3, 20001)  # steps of 0.0001
worst_gap = [np.abs(stats.norm.cdf(z_fine) - sigmoid(b * z_fine)).max() for b in betas]
best_beta, best_gap = float(betas[np.argmin(worst_gap)]), float(min(worst_gap))
print(f"best beta: {best_beta:.3f}, worst-case gap {best_gap:.5f}; "
      f"with beta = 1: {np.abs(stats.norm.cdf(z_fine) - sigmoid(z_fine)).max():.4f}")
gelu_fit = (best_beta, best_gap)
assert check_condition("Exercise 4", gelu_fit, is_minimax)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - V. Nair and G. E. Hinton (2010). *Rectified Linear Units Improve Restricted Boltzmann Machines.* ICML.
# - X. Glorot, A. Bordes and Y. Bengio (2011). *Deep Sparse Rectifier Neural Networks.* AISTATS.
# - A. L. Maas, A. Y. Hannun and A. Y. Ng (2013). *Rectifier Nonlinearities Improve Neural Network Acoustic Models.* ICML Workshop on Deep Learning for Audio, Speech and Language Processing.
# - B. Xu, N. Wang, T. Chen and M. Li (2015). *Empirical Evaluation of Rectified Activations in Convolutional Network.* arXiv:1505.00853.
# - G. Philipp, D. Song and J. G. Carbonell (2018). *The exploding gradient problem demystified: definition, prevalence, impact, origin, tradeoffs, and solutions.* arXiv:1712.05577.
# - K. He, X. Zhang, S. Ren and J. Sun (2015). *Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification.* ICCV.
# - D.-A. Clevert, T. Unterthiner and S. Hochreiter (2016). *Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs).* ICLR.
# - G. Klambauer, T. Unterthiner, A. Mayr and S. Hochreiter (2017). *Self-Normalizing Neural Networks.* NeurIPS.
# - D. Hendrycks and K. Gimpel (2016). *Gaussian Error Linear Units (GELUs).* arXiv:1606.08415.
# - P. Ramachandran, B. Zoph and Q. V. Le (2017). *Searching for Activation Functions.* arXiv:1710.05941.
# - S. Elfwing, E. Uchibe and K. Doya (2018). *Sigmoid-Weighted Linear Units for Neural Network Function Approximation in Reinforcement Learning.* Neural Networks.
# - D. Misra (2020). *Mish: A Self Regularized Non-Monotonic Activation Function.* BMVC.
# - L. Lu, Y. Shin, Y. Su and G. E. Karniadakis (2020). *Dying ReLU and Initialization: Theory and Numerical Examples.* Communications in Computational Physics.
# - S. Holm (1979). *A Simple Sequentially Rejective Multiple Test Procedure.* Scandinavian Journal of Statistics.
# - X. Glorot and Y. Bengio (2010). *Understanding the difficulty of training deep feedforward neural networks.* AISTATS.
# - A. Géron (2022). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 3rd ed., chapter 11. O'Reilly.
