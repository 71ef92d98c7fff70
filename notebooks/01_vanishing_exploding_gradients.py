# %% [markdown] slideshow={"slide_type": "slide"}
# # 01 · Vanishing and exploding gradients, and weight initialization
#
# A deep network learns by sending an error signal backwards from the loss to every layer.
# On its way down, that signal is multiplied by one weight matrix and one activation
# derivative per layer. Multiply enough numbers smaller than one and the signal vanishes:
# the lower layers stop learning. Multiply numbers larger than one and it explodes: training
# diverges. For years this was *the* reason deep networks would not train. A large part of the cure
# was simply to draw the initial weights from the right distribution.
#
# **You will learn to**
# 1. explain, with the backpropagation equations, why gradients shrink or grow geometrically with depth;
# 2. measure per-layer activation statistics and gradient norms of any Keras model, and read them;
# 3. derive the Glorot, He and LeCun initializations from "keep the variance constant", and check them against Keras;
# 4. show why the initial weights must be random, and what a good initialization changes in training;
# 5. pick the right `kernel_initializer` for an activation function.
#
# **Builds on:** a first Keras model (`Sequential`, `compile`, `fit`) and the idea of backpropagation.
# Next notebook: activation functions, the other half of the cure.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup
#
# `helpers` is the course's small package. Importing it first keeps TensorFlow's start-up
# messages out of the notebook; `setup()` seeds every random generator and sets the plot style.
# The data are Fashion-MNIST: 55,000 training, 5,000 validation and 10,000 test images of
# clothing, 28×28 pixels, here standardized pixel by pixel with the training set's mean and std.
# (A few border pixels are almost always 0, so their std is tiny and the rare image that inks them gets
# values far above 1 there; section 2 meets their effect.)
#
# Four more helpers appear below: `rel_error(x, y)` is the largest elementwise
# $|x-y|/(|x|+|y|)$, for checking our code against Keras; `set_seeds(n)` reseeds everything before
# each repeated run; `budget(full, quick=...)` returns the full number of epochs or seeds (the test
# suite shrinks it); `run_logdir(name)` names a folder for TensorBoard logs.

# %% slideshow={"slide_type": "-"}
from helpers import (  # first import: keeps TensorFlow's start-up chatter out of the notebook
    activation_stats, budget, check_condition, check_function, gradient_norms,
    load_fashion_mnist, plot_activation_histograms, plot_learning_curves, plot_per_layer,
    paired_difference, rel_error, run_logdir, save_fig, set_seeds, setup, welch_difference,
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
# ## 1. The problem: a product of many factors
#
# Write layer $l$ of a fully connected network as
#
# $$\mathbf{z}^{(l)} = \mathbf{W}^{(l)}\mathbf{a}^{(l-1)} + \mathbf{b}^{(l)}, \qquad \mathbf{a}^{(l)} = f\big(\mathbf{z}^{(l)}\big),$$
#
# where $\mathbf{a}^{(0)}$ is the input, $\mathbf{W}^{(l)}$ (one row per unit) and $\mathbf{b}^{(l)}$ are the
# layer's weights and biases, and $f$ is the activation function applied elementwise. (Keras stores the
# transpose: a `Dense` layer's `kernel` has shape $(n_\text{in}, n_\text{out})$, one *column* per unit,
# and computes `a @ kernel + bias`.) Backpropagation computes the error signal
# $\boldsymbol{\delta}^{(l)} = \partial\mathcal{L}/\partial\mathbf{z}^{(l)}$ of the loss $\mathcal{L}$ from the
# layer above, and the weight gradient from it ($\odot$ is the elementwise product, NumPy's `*`):
#
# $$\boldsymbol{\delta}^{(l)} = f'\big(\mathbf{z}^{(l)}\big) \odot \Big(\mathbf{W}^{(l+1)\top}\boldsymbol{\delta}^{(l+1)}\Big),
# \qquad \frac{\partial\mathcal{L}}{\partial\mathbf{W}^{(l)}} = \boldsymbol{\delta}^{(l)}\,\mathbf{a}^{(l-1)\top}.$$
#
# Unroll the recursion in a network of $N$ layers, writing $\mathbf{D}^{(l)}$ for the diagonal matrix of
# the derivatives $f'(\mathbf{z}^{(l)})$:
#
# $$\boldsymbol{\delta}^{(l)} = \mathbf{D}^{(l)}\,\mathbf{W}^{(l+1)\top}\,\mathbf{D}^{(l+1)}\,\mathbf{W}^{(l+2)\top}\cdots\,\mathbf{W}^{(N)\top}\boldsymbol{\delta}^{(N)}.$$
#
# That is a product of $N-l$ factors, each a weight matrix times a diagonal of derivatives.
# If those factors typically shrink a vector, the signal reaching the lowest layers decays
# geometrically (vanishing gradients); if they stretch it, it grows geometrically (exploding gradients).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The sigmoid's derivative is at most 1/4
#
# The logistic sigmoid $\sigma(z) = 1/(1+e^{-z})$ has derivative $\sigma'(z) = \sigma(z)\,\big(1-\sigma(z)\big)$,
# which peaks at $z=0$ with value $0.25$ and is almost zero once $|z|$ is large: the unit is *saturated*.
# Here it is from scratch, checked against Keras' own sigmoid.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


z = np.linspace(-8, 8, 1601)
err = rel_error(sigmoid(z), keras.activations.sigmoid(z))
assert err < 1e-6
print(f"scratch sigmoid vs Keras, max relative error < 1e-6: {err < 1e-6}")
print(f"max sigma'(z) = {sigmoid_derivative(z).max():.4f} at z = {z[np.argmax(sigmoid_derivative(z))]:.1f}")
for value in (2.0, 4.0, 6.0):
    print(f"sigma'({value:.0f}) = {sigmoid_derivative(value):.4f}")

# %% [markdown] slideshow={"slide_type": "-"}
# We call a unit's output *saturated* when its derivative there is below 5% of its maximum; the probes in
# `helpers` use the same definition. For the sigmoid that means $|z|$ above about 4.4, shaded below; for
# tanh ($\tanh' = 1 - \tanh^2$, maximum 1) it means $|\tanh z| > 0.975$, i.e. $|z|$ above about 2.2.

# %% slideshow={"slide_type": "-"}
threshold = z[np.argmax(sigmoid_derivative(z) >= 0.05 * 0.25)]  # first z where it is not saturated
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(z, sigmoid(z), label=r"$\sigma(z)$")
ax.plot(z, sigmoid_derivative(z), label=r"$\sigma'(z)$, at most 0.25")
for side in (-1, 1):
    ax.axvspan(*sorted((side * abs(threshold), side * 8)), color="tab:red", alpha=0.12)
ax.text(-7.6, 0.55, "saturated", color="tab:red")
ax.text(5.0, 0.55, "saturated", color="tab:red")
ax.set_xticks([-8, round(threshold, 1), -2, 0, 2, round(-threshold, 1), 8])
ax.set_xlabel("z")
ax.set_ylabel("value")
ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
save_fig("sigmoid_saturation")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# So even in the best case, where every weight matrix leaves a vector's length unchanged,
# each sigmoid layer multiplies the error signal by at most $0.25$. Over $n$ layers that bound is $0.25^n$:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
for n_layers in (1, 5, 10, 20):
    print(f"{n_layers:2d} sigmoid layers, length-preserving weights: "
          f"gradient scaled by at most 0.25**{n_layers} = {0.25**n_layers:.1e}")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Glorot and Bengio (2010) on a small scale
#
# Glorot and Bengio looked inside deep sigmoid and tanh networks, at initialization (histograms of the
# activations and gradients) and during training (the sigmoid's top hidden layer pinned at 0, tanh layers
# saturating one after another), and saw layers saturate and gradients fade. We repeat the spirit of their experiment on a small scale: a
# multilayer perceptron with **10 hidden layers of 100 units**, whose weights are drawn either from a
# standard normal $\mathcal{N}(0, 1)$, a natural first guess, or from the Glorot initialization of
# section 3. (Their baseline was the milder $\mathcal{U}(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$; the
# standard normal makes the effects starker.)
#
# `build_mlp` is the one model we use throughout this notebook.

# %% slideshow={"slide_type": "-"}
def build_mlp(activation, initializer, n_hidden=10, units=100):
    # A deep MLP for 28x28 images: n_hidden Dense layers, then a 10-way softmax.
    # `initializer` is a Keras name such as "glorot_normal", or a function that returns a new
    # initializer for each layer (see the next cell for why it must be new).
    def new_initializer():
        return initializer if isinstance(initializer, str) else initializer()

    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten()])
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(units, activation=activation, kernel_initializer=new_initializer()))
    model.add(keras.layers.Dense(10, activation="softmax", kernel_initializer=new_initializer()))
    return model


def standard_normal():
    return keras.initializers.RandomNormal(mean=0.0, stddev=1.0)


# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
model = build_mlp("tanh", "glorot_normal")
# model.layers: [Flatten, Dense (hidden 1), ..., Dense (hidden 10), Dense (output)]; keras.Input is not a layer.
print(f"{len(model.layers) - 2} hidden layers, {model.count_params():,} parameters")

# A Keras 3 pitfall: an unseeded (or integer-seeded) initializer fixes its seed when it is created, so one
# *instance* shared by several layers of the same shape gives them all the same weights.
shared = standard_normal()
shared_model = build_mlp("tanh", lambda: shared)
print("one shared instance -> hidden layers 2 and 3 identical:",
      np.array_equal(shared_model.layers[2].kernel.numpy(), shared_model.layers[3].kernel.numpy()))
fresh_model = build_mlp("tanh", standard_normal)
print("a new instance per layer -> hidden layers 2 and 3 identical:",
      np.array_equal(fresh_model.layers[2].kernel.numpy(), fresh_model.layers[3].kernel.numpy()))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Looking inside at initialization
#
# We pass one batch of 512 training images through four untrained networks and record two things.
# `activation_stats` gives, for every hidden layer, the distribution of its outputs: their overall std,
# the std of each unit *across the 512 images* (averaged over units: does the layer's output still
# depend on the input?), and the fraction of saturated output values. `gradient_norms` gives, for every
# layer including the softmax output (layer 11), the Euclidean norm of the loss gradient with respect
# to all of that layer's weights, kernel and bias (section 2's last cell shows how such gradients are
# computed). Nothing is trained yet.
#
# Two precautions. A norm grows with the number of weights it sums over, and layer 1 has $784 \times 100 + 100
# = 78{,}500$ of them against $10{,}100$ for the other hidden layers, so we divide each norm by the square root
# of its layer's number of weights: `rms_gradients` gives the *root-mean-square gradient per weight*, which
# compares layers fairly (notebook 02 does the same). And one random draw of weights can be unlucky, so `probe`
# builds each network with three seeds and averages: the fractions and stds arithmetically, the gradients
# geometrically (they span orders of magnitude). The histograms show the first draw.

# %% slideshow={"slide_type": "-"}
def rms_gradients(model, x, y):
    # Per layer: the gradient norm divided by sqrt(number of weights), i.e. the RMS gradient per weight.
    norms = gradient_norms(model, x, y, loss="sparse_categorical_crossentropy")
    return np.array([norm / np.sqrt(model.get_layer(name).count_params()) for name, norm in norms.items()])


def probe(activation, initializer, seeds=(0, 1, 2)):
    # Per-layer statistics of untrained networks, averaged over a few random draws of the weights.
    models, stats, grads = [], [], []
    for seed in seeds:
        set_seeds(seed)
        models.append(build_mlp(activation, initializer))
        stats.append(activation_stats(models[-1], X_probe))
        grads.append(rms_gradients(models[-1], X_probe, y_probe))
    def average(field):
        return np.mean([[getattr(layer, field) for layer in run] for run in stats], axis=0)
    return {"std": average("std"), "across": average("std_across_inputs"),
            "saturated": average("frac_saturated"), "grad": np.exp(np.log(grads).mean(axis=0)),
            "first draw": stats[0], "models": models}

# %% slideshow={"slide_type": "-"}
X_probe, y_probe = data.X_train[:512], data.y_train[:512]
configs = {
    "sigmoid, N(0, 1)": ("sigmoid", standard_normal),
    "sigmoid, Glorot": ("sigmoid", "glorot_normal"),
    "tanh, N(0, 1)": ("tanh", standard_normal),
    "tanh, Glorot": ("tanh", "glorot_normal"),
}
probes = {name: probe(*config) for name, config in configs.items()}
print(f"{'':18s} {'saturated values':^28s}  {'layer 10 std':^24s}  RMS gradient")
print(f"{'network':18s} {'layer 1':>8s} {'layer 5':>9s} {'layer 10':>9s}  {'overall':>10s} {'across inputs':>13s}"
      "  layer 1 / layer 10")
for name, p in probes.items():
    saturated = [f"{p['saturated'][i]:.0%}" for i in (0, 4, 9)]
    print(f"{name:18s} {saturated[0]:>8s} {saturated[1]:>9s} {saturated[2]:>9s}  "
          f"{p['std'][9]:10.3f} {p['across'][9]:13.2e}  {p['grad'][0] / p['grad'][9]:18.2e}")
print(f"(mean of 3 weight draws; float32 values near 0.5 are spaced {np.spacing(np.float32(0.5)):.1e} apart)")
x_flat = X_probe.reshape(len(X_probe), -1)
extreme = np.abs(x_flat).max(axis=1) > 20
print(f"probe batch: mean of x^2 {np.mean(x_flat**2):.2f}, max |x| {np.abs(x_flat).max():.0f}; "
      f"{extreme.sum()} images with a value above 20 hold {np.sum(x_flat[extreme]**2) / np.sum(x_flat**2):.0%} "
      "of the batch's sum of x^2")
across = probes["sigmoid, Glorot"]["across"]
print(f"sigmoid, Glorot, spread across inputs: layer 1 {across[0]:.2f}, layer 10 {across[9]:.1e}, "
      f"a factor of {(across[9] / across[0]) ** (1 / 9):.3f} per layer")

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), sharey="row")
shown = [0, 2, 5, 9]  # hidden layers 1, 3, 6 and 10
for ax, (name, p) in zip(axes.flat, probes.items()):
    value_range = (0, 1) if name.startswith("sigmoid") else (-1, 1)
    plot_activation_histograms([p["first draw"][i] for i in shown], ax=ax, value_range=value_range)
    ax.set_title(name)
    ax.set_yscale("log")
    ax.get_legend().remove()
axes[0, 0].legend(labels=[f"layer {i + 1}" for i in shown], fontsize=8, loc="upper center")
fig.tight_layout()
save_fig("activation_histograms_at_init")
plt.show()

# %% slideshow={"slide_type": "-"}
def layer_ticks(ax, n_layers, softmax=False):
    # Tick every layer; name the softmax output when it is plotted as the last layer.
    ax.set_xticks(range(1, n_layers + 1))
    ax.set_xlabel(f"layer (1 = nearest the input{f', {n_layers} = softmax output' if softmax else ''})")


fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
plot_per_layer({name: p["std"] for name, p in probes.items()}, "activation std", ax=ax1)
ax1.legend(loc="lower left", bbox_to_anchor=(0.55, 0.5), fontsize=9)
plot_per_layer({name: p["grad"] for name, p in probes.items()}, "RMS gradient per weight (log scale)",
               ax=ax2, log=True)
layer_ticks(ax1, 10)
layer_ticks(ax2, 11, softmax=True)
ax1.set_title("Forward: activation spread per layer")
ax2.set_title("Backward: gradient per weight, per layer")
fig.tight_layout()
save_fig("per_layer_std_and_gradients_at_init")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Read the table, the histograms and the two line plots together.
# - **N(0, 1) weights saturate.** A unit sums $n_\text{in}$ inputs with unit-variance weights, so
#   $\operatorname{std}(z) = \sqrt{n_\text{in}\,\mathbb{E}[a^2]}$: roughly $\sqrt{784} \approx 28$ in layer 1
#   (standardized pixels; only roughly, because the probe batch's mean of $x^2$, printed under the table, is not
#   exactly 1: the near-constant border pixels of the Setup give a few images extreme values that supply a large
#   share of it), and in deeper layers about $\sqrt{100} = 10$ for tanh (saturated outputs near $\pm 1$) and
#   $\sqrt{100 \cdot \tfrac12} \approx 7$ for the sigmoid (outputs near 0 or 1). The histograms of both N(0, 1)
#   networks pile up at the ends of the range, and their "saturated values" columns are high.
# - **Saturated tanh does not mean small gradients.** In the gradient plot the tanh N(0, 1) curve *rises*
#   towards layer 1 (its ratio in the last column is far above 1): each $\mathbf{W}^\top$ multiplies the error
#   signal by roughly $\sqrt{100} = 10$, more than the few unsaturated units' derivatives take away. Vanishing
#   and exploding are the same instability.
# - **The sigmoid N(0, 1) curve falls too, but far less than sigmoid Glorot's** (compare their ratios in the last
#   column): the stretching by $\mathbf{W}^\top$ makes up for much of the shrinking by $\sigma'$. That is not health: those
#   units are saturated, so a small change of a weight barely changes their output, and what they pass up is
#   mostly the sign of their input. Their layer-10 spread across inputs is much smaller than the overall one
#   because most units are *pinned*: every sigmoid outputs about $\tfrac12$ on average, so each unit's $z$ carries
#   a fixed offset $\tfrac12\sum_i w_i$ of std $\tfrac12\sqrt{100}\cdot 1 = 5$, beyond the saturation threshold
#   of about 4.4, which holds the unit near 0 or 1 whatever the image (section 3 comes back to this offset).
# - **Glorot fixes tanh but not the sigmoid.** The tanh Glorot curve is nearly flat: every layer gets a gradient
#   of about the same size. The sigmoid Glorot curve falls steeply towards layer 1, the $0.25^n$ bound of section 1
#   at work. Its deeper histograms break into narrow spikes: each spike is one unit that outputs almost the same
#   value for every image. The table proves it: for sigmoid Glorot, layer 10's spread *across inputs* is tiny next
#   to its overall spread. The overall spread is spread *between units*: the constant $\tfrac12$ that every sigmoid
#   outputs gives each unit's $z$ a fixed offset $\tfrac12\sum_i w_i$, different for each unit. The spread across
#   inputs is so tiny that it may look like a bug: a few float32 steps (printed under the table), i.e. layer 10's
#   output barely depends on the image at all. The reason is that the forward pass, like the backward one, is
#   multiplied by $\sigma'(z) \le \tfrac14$ at every layer: with Glorot's $\sigma_w = 1/\sqrt{100}$ a layer scales
#   the input-dependent part of its input by about $\sqrt{100}\,\sigma_w\,\sigma'(z) \approx 0.24$, a loss of
#   about 4 per layer, which is the factor per layer printed in the last line under the table (layer 1, fed by the
#   784 pixels, starts from a larger spread).
#   Would larger weights help? Section 3 works out what the variance argument asks
#   for the sigmoid, and measures it.
# - **Depth still erodes tanh Glorot's forward signal.** Its activation spread shrinks slowly from layer to
#   layer: the variance argument of section 3 treats each unit as linear, and tanh is linear only near 0.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exploding gradients
#
# The same blow-up happens in the other direction when the factors are larger than one. ReLU units
# do not saturate for $z>0$, so with $\mathcal{N}(0,1)$ weights each layer multiplies the mean square of
# its input by about $\tfrac12\,n_\text{in}$ (50 here): the activations grow by orders of magnitude.
# The He initialization of section 3 keeps them level.

# %% slideshow={"slide_type": "-"}
relu_probes = {"ReLU, N(0, 1)": probe("relu", standard_normal), "ReLU, He": probe("relu", "he_normal")}
for name, p in relu_probes.items():
    print(f"{name:14s} activation std, layer 1 -> 10: {p['std'][0]:9.3g} -> {p['std'][9]:9.3g}   "
          f"largest RMS gradient per weight: {p['grad'].max():.3g}")


# %% [markdown] slideshow={"slide_type": "-"}
# The weight gradients are huge, but look at them per layer in the figure below (right): from layer 2 to
# layer 10 they are about the same size. The reason is in the gradient formula
# $\partial\mathcal{L}/\partial\mathbf{W}^{(l)} = \boldsymbol{\delta}^{(l)}\mathbf{a}^{(l-1)\top}$: going down, the error
# signal $\boldsymbol{\delta}$ grows by about $\sqrt{50} \approx 7$ per layer while the activation
# $\mathbf{a}^{(l-1)}$ it is multiplied with shrinks by the same factor. Two layers break the balance. Layer 1
# sits lower: its input is the pixels (mean square near 1), not an activation, and the step from 784 pixels to
# layer 1 multiplies the signal by more than the factor of 7 between later layers. The softmax output (layer 11)
# sits higher: its error signal is the bounded $\mathbf{p} - \mathbf{y}$, and its 10 units stretch the signal
# passed down to layer 10 only by about $\sqrt{10/2} \approx 2$, while its input, layer 10's output, is the
# largest activation of all. (Layer 1's activation std, printed above, is also a little larger than a Gaussian
# $z$ would give, for the reason noted in section 2: a few extreme standardized pixels.) To see the backward signal itself,
# we ask `tf.GradientTape` for the gradient of the loss with respect to each layer's *output*
# $\mathbf{a}^{(l)}$, which it can do for any tensor computed while it was recording. This is also how
# `gradient_norms` works, with the weights in place of the outputs.

# %% slideshow={"slide_type": "-"}
def backward_signal_norms(model, x, y):
    # Norm of dLoss/d(output of each hidden layer), from the input side up.
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    with tf.GradientTape() as tape:
        a = model.layers[0](x)  # Flatten
        hidden_outputs = []
        for layer in model.layers[1:-1]:
            a = layer(a)
            hidden_outputs.append(a)
        loss = loss_fn(y, model.layers[-1](a))
    return [float(tf.norm(g)) for g in tape.gradient(loss, hidden_outputs)]


def mean_backward_signal(models):
    # Geometric mean over the probe's weight draws of backward_signal_norms.
    return np.exp(np.mean([np.log(backward_signal_norms(m, X_probe, y_probe)) for m in models], axis=0))


fig, axes = plt.subplots(1, 3, figsize=(15, 4))
plot_per_layer({n: p["std"] for n, p in relu_probes.items()}, "activation std (log scale)", ax=axes[0], log=True)
plot_per_layer({n: mean_backward_signal(p["models"]) for n, p in relu_probes.items()},
               "norm of dLoss/d(layer output) (log scale)", ax=axes[1], log=True)
plot_per_layer({n: p["grad"] for n, p in relu_probes.items()}, "RMS gradient per weight (log scale)",
               ax=axes[2], log=True)
for ax, title in zip(axes, ["Forward: activations", "Backward: error signal", "Weight gradients"]):
    ax.set_title(title)
layer_ticks(axes[0], 10)
layer_ticks(axes[1], 10)
layer_ticks(axes[2], 11, softmax=True)
fig.tight_layout()
save_fig("relu_exploding_at_init")
plt.show()


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** With $\mathcal{N}(0,1)$ weights, the activations (left) climb by roughly a constant factor
# per layer, a straight line on a log scale, and the error signal (middle) climbs the same way in the other
# direction, towards layer 1. With He's initialization both stay level. The weight gradients (right) of the
# $\mathcal{N}(0,1)$ network are nearly level from layer 2 to 10 (layer 1 a little lower, the softmax layer a
# little higher, for the reasons given above; He's curve has the same two ends), but many orders of magnitude
# above He's: one step of gradient descent
# with a normal learning rate would throw its weights far away. Gradient clipping (notebook 03) is the
# emergency brake for this; a good initialization avoids it from the start.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Glorot, He and LeCun initialization
#
# **Forward.** Take one unit, $z = \sum_{i=1}^{n_\text{in}} w_i a_i$, where $n_\text{in}$ (the *fan-in*) is the
# number of inputs, and assume the weights $w_i$ are independent of the inputs $a_i$, of each other, and have
# mean 0 and variance $\sigma_w^2$. Then $\mathbb{E}[z] = 0$ and
#
# $$\operatorname{Var}(z) = \sum_{i} \mathbb{E}[w_i^2]\,\mathbb{E}[a_i^2] = n_\text{in}\,\sigma_w^2\,\mathbb{E}[a^2].$$
#
# Note $\mathbb{E}[a^2]$, the mean *square* of the inputs, not their variance: the two agree only when the inputs
# have mean 0. If the activation behaves like the identity near 0 ($f(0)=0$, $f'(0)=1$, true of tanh, roughly),
# then $\mathbb{E}[a^2] \approx \operatorname{Var}(z_\text{previous})$, and the signal keeps its size from layer to
# layer when $\sigma_w^2 = 1/n_\text{in}$. That is **LeCun's** initialization.
#
# **Backward.** The error signal obeys the same kind of sum, over the $n_\text{out}$ units that a unit feeds
# (the *fan-out*): $\operatorname{Var}(\delta) \approx n_\text{out}\,\sigma_w^2\,\mathbb{E}[f'^2]\operatorname{Var}(\delta_\text{above})$,
# which asks for $\sigma_w^2 = 1/n_\text{out}$. Both cannot hold unless $n_\text{in} = n_\text{out}$, so Glorot and
# Bengio's compromise uses the average $n_\text{avg} = (n_\text{in} + n_\text{out})/2$: **Glorot's** initialization.
#
# **ReLU.** With $z$ symmetric around 0, ReLU keeps the positive half and zeroes the other, so
# $\mathbb{E}[a^2] = \tfrac12\operatorname{Var}(z)$: half the signal is lost at every layer. **He et al.** (2015) make up for it
# with twice the variance, $2/n_\text{in}$. They showed that keeping either the forward or the backward signal
# right is enough for ReLU networks: the other then changes only by the constant ratio of the first and last
# layers' widths, and both forms made their networks converge (their section 2.2). Keras' `he_normal` uses the
# forward (fan-in) form.

# %% [markdown] slideshow={"slide_type": "-"}
# | Initialization | Activation functions | $\sigma^2$ (normal) |
# |---|---|---|
# | Glorot | none, tanh, sigmoid, softmax | $1/n_\text{avg}$ |
# | He | ReLU, leaky ReLU, ELU, GELU, Swish, Mish | $2/n_\text{in}$ |
# | LeCun | SELU | $1/n_\text{in}$ |
#
# (The table follows Géron, *Hands-On Machine Learning*, 3rd ed., Table 11-1.)
# A uniform distribution $\mathcal{U}(-r, r)$ has variance $r^2/3$, so the uniform form of each rule uses
# $r = \sqrt{3\sigma_w^2}$. The last row of the check below mixes two rules, He's factor of 2 with Glorot's
# fan-average, to show how any such rule is written as a `VarianceScaling` initializer; it suits a ReLU layer
# whose fan-in and fan-out differ a lot, when you want to balance the forward and backward signals.

# %% slideshow={"slide_type": "-"}
def init_variance(rule, fan_in, fan_out):
    # Variance sigma^2 of the initial weights for the Glorot, He or LeCun rule.
    fan_avg = (fan_in + fan_out) / 2
    return {"glorot": 1 / fan_avg, "he": 2 / fan_in, "lecun": 1 / fan_in}[rule]


def uniform_limit(variance):
    # The r for which U(-r, r) has this variance: r = sqrt(3 * variance).
    return np.sqrt(3 * variance)


# %% [markdown] slideshow={"slide_type": "-"}
# Now each row of the table, checked against Keras by sampling a $1000 \times 500$ weight matrix
# from its initializer: the sample standard deviation must match $\sigma_w$ to within 1%, and a uniform
# sample must stay inside $[-r, r]$ and reach close to its edges. For the normal rows the last column
# shows the largest weight drawn, in units of $\sigma_w$.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
fan_in, fan_out = 1000, 500
rows = [
    ("glorot", 1, keras.initializers.GlorotNormal(seed=0)),
    ("glorot", 1, keras.initializers.GlorotUniform(seed=0)),
    ("he", 1, keras.initializers.HeNormal(seed=0)),
    ("he", 1, keras.initializers.HeUniform(seed=0)),
    ("lecun", 1, keras.initializers.LecunNormal(seed=0)),
    ("lecun", 1, keras.initializers.LecunUniform(seed=0)),
    ("glorot", 2, keras.initializers.VarianceScaling(scale=2, mode="fan_avg", distribution="uniform", seed=0)),
]
print(f"fan_in={fan_in}, fan_out={fan_out}")
print(f"{'Keras initializer':42s} {'sigma_w':>7s} {'r':>7s}  std within 1%  inside [-r, r] / max|w|")
for rule, scale, initializer in rows:
    variance = scale * init_variance(rule, fan_in, fan_out)
    sigma, r = np.sqrt(variance), uniform_limit(variance)
    w = initializer(shape=(fan_in, fan_out)).numpy()
    std_ok = abs(w.std() / sigma - 1) < 0.01
    uniform = "Uniform" in type(initializer).__name__ or initializer.distribution == "uniform"
    inside = (np.abs(w).max() <= r * (1 + 1e-6) and np.abs(w).max() > 0.999 * r) if uniform else None
    assert std_ok and inside in (True, None)
    name = type(initializer).__name__ + ("(scale=2, fan_avg, uniform)" if scale == 2 else "")
    last = f"{inside!s:>14s}" if uniform else f"{np.abs(w).max() / sigma:10.2f} sigma_w"
    print(f"{name:42s} {sigma:7.4f} {f'{r:7.4f}' if uniform else '-':>7s}  {std_ok!s:>13s}  {last}")


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Every Keras initializer draws weights with exactly the spread the table asks for.
# The normal variants are *truncated* normals: Keras draws from a normal slightly wider than $\sigma_w$
# and throws away values beyond two of *its* standard deviations, so that what remains has standard
# deviation $\sigma_w$. The largest weights, printed in the last column, therefore reach a little beyond
# $2\sigma_w$ but never far: no single weight starts out huge.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the variance argument asks for the sigmoid
#
# The table pairs the sigmoid with Glorot, as Keras' default does, but the argument above assumed $f'(0) = 1$.
# Near 0 the sigmoid is $\sigma(z) \approx \tfrac12 + \tfrac{z}{4}$: its slope is $\sigma'(0) = \tfrac14$. The
# backward sum becomes $\operatorname{Var}(\delta) \approx n_\text{out}\,\sigma_w^2\,\tfrac{1}{16}\operatorname{Var}(\delta_\text{above})$,
# level for $\sigma_w^2 = 16/n_\text{out}$, and the forward one (for the part of $a$ that varies with the input)
# asks for $16/n_\text{in}$. With the fan average that is $\sigma_w^2 = 16/n_\text{avg}$: **4 times Glorot's standard
# deviation**, what Bengio (2012) and the LISA lab's Deep Learning Tutorials recommend for sigmoid units. The catch:
# larger weights also multiply the constant $\tfrac12$ that every sigmoid outputs, so each unit's $z$ gets a fixed
# offset $\tfrac12\sum_i w_i$ with std $\tfrac12\sqrt{n_\text{in}}\,\sigma_w$: with 100 inputs and $m$ times Glorot's
# $\sigma_w = 0.1$, that is $m/2$, close to the saturation threshold of 4.4 once $m$ reaches 8.
#
# The cell below measures it: 10-layer sigmoid networks whose weights have $m$ times Glorot's std
# (`VarianceScaling(scale=m**2, mode="fan_avg")`; $m = 1$ is `glorot_normal`), probed as in section 2 and averaged
# over three draws.

# %% slideshow={"slide_type": "-"}
def glorot_times(m):
    # A function returning a new initializer with m times Glorot's standard deviation.
    return lambda: keras.initializers.VarianceScaling(scale=m**2, mode="fan_avg", distribution="truncated_normal")


print(f"{'m':>3s}  {'RMS gradient layer 1 / layer 10':>31s}  {'saturated, layer 10':>19s}  "
      f"{'layer 10 std across inputs':>26s}")
for m in (1, 2, 4, 8, 16):
    p = probe("sigmoid", glorot_times(m))
    print(f"{m:3d}  {p['grad'][0] / p['grad'][9]:31.1e}  {p['saturated'][9]:19.0%}  {p['across'][9]:26.1e}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Scaling up does what the argument promises for the backward signal: the gradient ratio climbs
# by orders of magnitude between $m = 1$ and $m = 4$, and the layer-10 output starts to depend on the input again.
# But even at $m = 4$ the gradient at layer 1 is still much smaller than at layer 10, and larger $m$ buys a more
# level gradient only by saturating a growing share of the units. **At 10 layers no initialization gives a
# comfortable sigmoid network**: the argument treats $\sigma$ as linear around $\tfrac12$, and neither the constant
# $\tfrac12$ nor $\sigma' \le \tfrac14$ goes away. Glorot's is the common default for the sigmoid (Géron, Table 11-1),
# not its optimum; $4\times$ Glorot is what Glorot and Bengio's (2010) linearised argument prescribes for it
# (Bengio, 2012).
# The cure in practice is another activation (notebook 02) or normalization between layers (notebook 03).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Why the weights must be random
#
# If all weights of a layer start equal, all its units compute the same output, receive the same
# gradient, and get the same update: they stay identical forever, and a layer of 32 units behaves
# like a layer of one. Randomness *breaks the symmetry*. Let's train a small network twice,
# once with every weight set to 0.1 and once with Glorot's initialization, and count how many pairs of
# hidden units still have exactly the same weights afterwards.

# %% slideshow={"slide_type": "-"}
def small_mlp(initializer):
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="tanh", kernel_initializer=initializer),
        keras.layers.Dense(10, activation="softmax", kernel_initializer=initializer),
    ])


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A speed habit: `steps_per_execution=32`
#
# This is the course's first `compile`, so here is a habit every later notebook uses.
# By default `fit()` returns to Python after every batch: for a network this small, that per-step Python overhead
# is a large share of the time. `model.compile(..., steps_per_execution=32)` runs 32 training steps inside one
# TensorFlow call, so the overhead is paid once per 32 steps. The arithmetic is unchanged (same batches, same
# order, same updates); the one difference is that callbacks working per batch then fire only every 32 steps, so
# we leave the default wherever a callback must see every batch (per-batch recorders, learning-rate finders).
# Epoch-level callbacks such as `TensorBoard` and `EarlyStopping` are unaffected. The cell below times one epoch of
# this small network on the first 5,000 training images both ways (after a warm-up epoch that builds the graph) and
# prints the speed-up on the machine running this notebook; it depends on the machine, the network and how busy the
# processor is, so read the number your run prints. To see every way of calling `fit` (batch size, steps per call,
# XLA) for the course's standard networks against your machine's arithmetic limit, run `python -m helpers.benchmark`
# from the repository root.

# %% slideshow={"slide_type": "-"}
def timed_epoch(steps_per_execution, n_images=5_000):
    # Seconds for one epoch of small_mlp on n_images images, and the trained model.
    set_seeds(0)
    model = small_mlp("glorot_uniform")
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", steps_per_execution=steps_per_execution)
    x, y = data.X_train[:n_images], data.y_train[:n_images]
    model.fit(x, y, epochs=1, verbose=0)  # warm-up: traces the training function
    start = time.perf_counter()
    model.fit(x, y, epochs=1, verbose=0)
    return time.perf_counter() - start, model


timings = {n: timed_epoch(n) for n in (1, 32)}
for n, (seconds, _) in timings.items():
    print(f"steps_per_execution={n:2d}: {seconds:.2f} s per epoch")
print(f"speed-up: {timings[1][0] / timings[32][0]:.1f}x")

# %% [markdown] slideshow={"slide_type": "-"}
# The same arithmetic means the same result: both models were seeded alike, so after their two epochs their
# weights must agree exactly.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
same = all(np.array_equal(a, b) for a, b in zip(timings[1][1].get_weights(), timings[32][1].get_weights()))
print("steps_per_execution=1 and =32 end with identical weights:", same)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the symmetry experiment: two epochs of plain SGD, once with constant weights and once with Glorot's.

# %% slideshow={"slide_type": "-"}
symmetry_models = {}
for name, initializer in {"constant 0.1": keras.initializers.Constant(0.1),
                          "Glorot": "glorot_uniform"}.items():  # a name: a new initializer per layer
    set_seeds(42)
    model = small_mlp(initializer)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"],
                  steps_per_execution=32)
    model.fit(data.X_train, data.y_train, epochs=budget(2, quick=1), verbose=0)
    symmetry_models[name] = model
    print(f"{name:13s} validation accuracy: {model.evaluate(data.X_valid, data.y_valid, verbose=0)[1]:.3f}")

# %% [markdown] slideshow={"slide_type": "-"}
# We compare every pair of the 32 hidden units: how many pairs have the same incoming weights after training?

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
for name, model in symmetry_models.items():
    kernel = model.layers[1].kernel.numpy()  # shape (784, 32): one column per hidden unit
    # "Same" up to float32 round-off: identical arithmetic can still be summed in different orders.
    same = np.all(np.isclose(kernel[:, :, None], kernel[:, None, :], rtol=1e-5, atol=1e-7), axis=0)
    pairs = np.triu_indices(kernel.shape[1], k=1)
    print(f"{name:13s} pairs of hidden units with the same weights: {same[pairs].sum()} of {len(pairs[0])}")
moved = np.any(symmetry_models["constant 0.1"].layers[1].kernel.numpy() != np.float32(0.1))
print("constant 0.1: did training change the weights at all?", moved)

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** With constant weights, training did move the weights (last line), but every hidden unit
# moved in exactly the same way, so every pair of units is still identical and the 32-unit layer has the capacity
# of a single unit: compare the two validation accuracies printed before. With random weights, no pair of units
# agrees. (Biases can start at zero: the random weights already make the units differ.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The effect on training
#
# Now the deep tanh network of section 2 is trained with each initialization, with the same optimizer (SGD,
# learning rate 0.01), batch size and data, **over several seeds**, so that a difference we report is not the
# luck of one draw. The full run trains for 8 epochs (the results below print `EPOCHS`), long enough to ask whether the
# badly initialized network is merely slower or stuck. Two speed habits pay for the epochs and the seeds:
# `steps_per_execution=32` (section 4), and batches of 128 images instead of Keras' default 32, as in notebooks
# 02-04. For a network this narrow, one step on 128 images costs far less than four steps on 32 (the per-step
# overhead is paid once instead of four times), so an epoch of 128-image batches is much faster
# (`python -m helpers.benchmark` measures both). It is not free: an epoch then makes 4 times
# fewer updates, so each initialization learns less per epoch than at batch 32 (how the learning rate and the
# batch size go together comes up in notebook 06). The comparison stays fair: both initializations get the same batches. Each run is also logged for
# TensorBoard, and the first seed's runs also record a histogram of every layer's weights at every epoch
# (histograms cost time, and one seed per initialization is enough to look at). To browse them, run
# `%load_ext tensorboard` and then `%tensorboard --logdir ../work/logs` in a cell (or see the README); the
# *Histograms* tab shows how each initialization's weights move.

# %% slideshow={"slide_type": "-"}
EPOCHS = budget(8, quick=2)
SEEDS = list(range(budget(5, quick=2)))


def train_mlp(activation, initializer, seed, name):
    set_seeds(seed)
    model = build_mlp(activation, initializer)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.01),
                  metrics=["accuracy"], steps_per_execution=32)  # see section 4
    history = model.fit(
        data.X_train, data.y_train, epochs=EPOCHS, batch_size=128, validation_data=(data.X_valid, data.y_valid),
        verbose=0, callbacks=[keras.callbacks.TensorBoard(
            run_logdir(f"01-{name}-seed{seed}"), histogram_freq=1 if seed == SEEDS[0] else 0)],
    )
    return model, history


runs = {"tanh, N(0, 1)": ("tanh", standard_normal, "normal"),
        "tanh, Glorot": ("tanh", "glorot_normal", "glorot")}
trained = {label: [train_mlp(act, init, seed, tag) for seed in SEEDS]
           for label, (act, init, tag) in runs.items()}

# %% [markdown] slideshow={"slide_type": "subslide"}
# The comparison was fixed before training: Glorot against the naive N(0, 1) as the baseline, on the final
# validation accuracy, with the course's `welch_difference`. Welch (unpaired) rather than paired: runs with the
# same seed share only the order of the batches, not their weights, so nothing makes seed $i$ of one
# initialization a fair partner of seed $i$ of the other. The last interval asks "slower or stuck?" of the N(0, 1)
# runs alone, with **one primary measure, fixed before training**: each run's validation accuracy after the last
# epoch minus after the first, paired by run, since both numbers come from the same run. (Accuracy is the direct
# measure of "is it learning to classify?"; the loss curves below are descriptive only, not a second test.)

# %% slideshow={"slide_type": "-"}
def per_epoch(results, metric):
    # One row per seed, one column per epoch.
    return np.array([history.history[metric] for _, history in results])


val_acc = {label: per_epoch(results, "val_accuracy") for label, results in trained.items()}
val_loss = {label: per_epoch(results, "val_loss") for label, results in trained.items()}
for label in trained:
    print(f"{label:14s} after epoch {EPOCHS}: validation accuracy {val_acc[label][:, -1].mean():.3f} "
          f"± {val_acc[label][:, -1].std(ddof=1):.3f}, loss {val_loss[label][:, -1].mean():.2f} "
          f"± {val_loss[label][:, -1].std(ddof=1):.2f} (mean ± sample std, {len(SEEDS)} seeds)")
print(welch_difference(val_acc["tanh, Glorot"][:, -1], val_acc["tanh, N(0, 1)"][:, -1],
                       name="validation accuracy, Glorot - N(0, 1)"))
bad = "tanh, N(0, 1)"
print(paired_difference(val_acc[bad][:, -1], val_acc[bad][:, 0],
                        name=f"N(0, 1) validation accuracy, epoch {EPOCHS} - epoch 1"))

# %% [markdown] slideshow={"slide_type": "-"}
# The learning curves show the same runs over time (bands: ± one sample std over seeds). The loss axis is
# logarithmic so that both initializations stay readable; the dotted line is the loss of a uniform guess over the
# 10 classes, $\ln 10$.

# %% slideshow={"slide_type": "-"}
histories = {label: [history for _, history in results] for label, results in trained.items()}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
plot_learning_curves(histories, "loss", ax=ax1)
plot_learning_curves(histories, "accuracy", ax=ax2)
ax1.set_yscale("log")
ax1.axhline(np.log(10), color="gray", linestyle=":", label="uniform guess, ln 10")
ax1.legend(fontsize=8)
ax1.set_title("Loss (mean ± std over seeds, log scale)")
ax2.set_title("Accuracy (mean ± std over seeds)")
fig.tight_layout()
save_fig("training_bad_vs_good_init")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# And inside the trained networks: the RMS gradient per weight of each layer on the same probe batch, now after
# training (first seed of each).

# %% slideshow={"slide_type": "-"}
after = {label: rms_gradients(results[0][0], X_probe, y_probe) for label, results in trained.items()}
ax = plot_per_layer(after, "RMS gradient per weight (log scale)", log=True)
layer_ticks(ax, 11, softmax=True)
plt.title(f"Per-layer gradients after {EPOCHS} epochs")
save_fig("gradients_after_training")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The first interval settles the comparison: Glorot's runs end far more accurate than the
# N(0, 1) runs, and the 95% interval of the difference lies far from 0 even with the few seeds of this run.
#
# *Slower or stuck?* The primary measure, the N(0, 1) runs' validation accuracy gain from the first epoch to the
# last, has an interval that lies above 0: the network is learning, slowly, not stuck. The curves are
# descriptive and agree (both N(0, 1) curves fall in loss and climb in accuracy on the whole, despite a
# one-epoch dip in validation accuracy near the end; the bands are the spread over seeds at each epoch). So, at
# this budget: slower, not stuck, and after its last epoch still far below where Glorot's runs were after their first. That matches Glorot and Bengio (2010), although they did not try
# N(0, 1): with their milder standard initialization, deep sigmoid and tanh networks learned more slowly and
# reached worse test errors than with the normalized (Glorot) one, and the sigmoid's saturated top layer
# escaped only slowly during training.
#
# Why does the N(0, 1) loss start, and stay, *above* the dotted line, the loss of a uniform guess, when its
# accuracy is above the 10% of guessing from the first epoch on? A saturated network is confidently wrong: its
# softmax puts almost all the probability on one class, and cross-entropy charges $-\ln p$ for the true class, far more than $\ln 10$
# when $p$ is close to 0. A uniform guess would score a lower loss, at 10% accuracy.
#
# In the first epochs the training curves (dashed) can look *worse* than the validation curves: Keras averages
# the training metric over the whole epoch, while the network improves during it, and measures validation only
# at the end. Later, Glorot's training loss keeps falling while its validation loss levels off: the start of
# overfitting.
#
# In the gradient plot, compare the *shape* across depth rather than the level: after training, the level
# mostly says how well the network already fits the batch (a network with a small loss gets small gradients),
# while the shape says whether the lower layers still receive their share of the signal. The N(0, 1) network
# still gets much larger gradients in its lower layers than near the top, the exploding shape of section 2
# softened but not gone; Glorot's curve changes far less with depth.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The Keras way
#
# Keras uses Glorot's uniform initialization and zero biases by default, which suits tanh, softmax and
# linear layers, and is the common default for the sigmoid (section 3 showed that the variance argument asks for
# about 4 times its std there, and that no initialization makes a 10-layer sigmoid stack comfortable). For the ReLU family, ask for He's; for SELU, LeCun's (notebook 02):
#
# ```python
# keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal")
# keras.layers.Dense(100, activation="selu", kernel_initializer="lecun_normal")
# he_avg = keras.initializers.VarianceScaling(scale=2.0, mode="fan_avg", distribution="uniform")
# keras.layers.Dense(100, activation="relu", kernel_initializer=he_avg)
# ```

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
layer = keras.layers.Dense(100)
config = layer.get_config()
print("default kernel initializer:", config["kernel_initializer"]["class_name"])
print("default bias initializer:  ", config["bias_initializer"]["class_name"])
he_avg = keras.initializers.VarianceScaling(scale=2.0, mode="fan_avg", distribution="uniform")
print("he_avg:", {k: v for k, v in he_avg.get_config().items() if k != "seed"})
he_normal = keras.initializers.get("he_normal")
print(f"'he_normal' is {type(he_normal).__name__}: scale={he_normal.scale}, mode={he_normal.mode!r}, "
      f"distribution={he_normal.distribution!r}")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - Backpropagation multiplies the error signal by one weight matrix and one activation derivative per layer,
#   so its size changes **geometrically** with depth: it vanishes or explodes unless each factor is close to 1.
# - Saturating activations (sigmoid, tanh) make the derivative factor tiny; the sigmoid's is at most 0.25,
#   so deep sigmoid stacks lose their gradient even when well initialized: Glorot is their common default, the
#   variance argument asks for about 4x its std, and at 10 layers neither is comfortable.
# - Large weights do not only saturate units: they also stretch the error signal, so the same network can
#   have saturated units *and* exploding gradients.
# - Initialize so that the **variance of the signal stays constant** forwards and backwards
#   ($\operatorname{Var}(z) = n_\text{in}\sigma_w^2\,\mathbb{E}[a^2]$):
#   Glorot ($1/n_\text{avg}$) for none/tanh/sigmoid/softmax, He ($2/n_\text{in}$) for the ReLU family,
#   LeCun ($1/n_\text{in}$) for SELU. Uniform forms use $r = \sqrt{3\sigma^2}$.
# - Weights must be **random** to break the symmetry between units; biases may start at zero.
# - Measure, don't guess: per-layer activation statistics (including each unit's spread across inputs) and
#   gradient norms at initialization reveal a bad setup before you spend an hour training it.
# - In Keras: `kernel_initializer="he_normal"` (or `VarianceScaling(...)`), and a new initializer instance per layer.
# - Compare initializations over several seeds with a t interval of the difference (`welch_difference` when
#   nothing pairs the runs), and compile with `steps_per_execution=32` unless a callback needs every batch.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Each exercise has a self-check cell: run it after your answer and it tells you whether you are right.
# Worked solutions are at the end of the notebook; try first.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: He uniform by hand
#
# Complete `he_uniform_limit(fan_in)` so that it returns the limit $r$ of the He *uniform* initializer
# for a layer with `fan_in` inputs. The check samples Keras' `HeUniform` for comparison.

# %% slideshow={"slide_type": "-"}
def he_uniform_limit(fan_in):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def keras_he_uniform_limit(fan_in):
    return np.abs(keras.initializers.HeUniform(seed=1)(shape=(fan_in, 4000)).numpy()).max()


check_function("Exercise 1", he_uniform_limit,
               [((n,), keras_he_uniform_limit(n)) for n in (10, 300)], rtol=1e-3,
               hint="Start from the variance He asks for, then use r = sqrt(3 sigma^2).");


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: how fast does the signal grow?
#
# A deep *linear* network (no activation, no bias) has `n_layers` layers of width `fan_in`, weights drawn from a
# normal distribution with mean 0 and standard deviation `weight_std`, and inputs with mean 0 and standard
# deviation 1. Complete `predicted_std(n_layers, fan_in, weight_std)` so that it returns the standard deviation
# of the last layer's output that the variance formula of section 3 predicts. The check simulates such
# networks in NumPy (averaged over five random networks) and accepts answers within about 10%.

# %% slideshow={"slide_type": "-"}
def predicted_std(n_layers, fan_in, weight_std):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def simulated_std(n_layers, fan_in, weight_std, n_networks=5):
    # Root mean square, over a few random networks, of the last layer's output std.
    rng = np.random.default_rng(0)
    variances = []
    for _ in range(n_networks):
        a = rng.normal(size=(2000, fan_in))
        for _ in range(n_layers):
            a = a @ rng.normal(scale=weight_std, size=(fan_in, fan_in))
        variances.append(a.var())
    return np.sqrt(np.mean(variances))


EXERCISE_2_CASES = [((n, 100, s), simulated_std(n, 100, s)) for n, s in ((5, 0.1), (10, 0.12), (10, 0.08))]
check_function("Exercise 2", predicted_std, EXERCISE_2_CASES, rtol=0.05,
               hint="Each layer multiplies the variance by fan_in * weight_std**2.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: derive the scale for leaky ReLU
#
# He's factor of 2 is right for ReLU. A *leaky* ReLU, $f(z) = z$ for $z > 0$ and $f(z) = \alpha z$ for $z \le 0$,
# loses less of the signal. `keras.initializers.VarianceScaling(scale=s, mode="fan_in")` draws weights with
# variance $s/n_\text{in}$. Using the argument of section 3, work out the `scale` that keeps the signal level
# through a network of leaky ReLUs with $\alpha = 0.5$, and set `leaky_scale` to it. The check builds 30-layer
# networks (100 units per layer, no biases) and accepts your value if the activations of the last layer have
# about the same spread as those of the first: within a factor of 4, on average over three random networks.

# %% slideshow={"slide_type": "-"}
leaky_scale = ...  # your value here


# %% slideshow={"slide_type": "-"}
def leaky_std_ratio(scale, negative_slope=0.5, n_layers=30, seeds=(0, 1, 2)):
    # Activation std of the last layer divided by that of the first
    # (geometric mean over a few random networks: one network of width 100 is noisy).
    ratios = []
    for seed in seeds:
        set_seeds(seed)
        inputs = keras.Input(shape=(100,))
        x = inputs
        for _ in range(n_layers):
            init = keras.initializers.VarianceScaling(scale=scale, mode="fan_in")
            x = keras.layers.Dense(100, use_bias=False, kernel_initializer=init)(x)
            x = keras.layers.LeakyReLU(negative_slope=negative_slope)(x)
        model = keras.Model(inputs, x)
        leaky_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.LeakyReLU)]
        stats = activation_stats(model, np.random.default_rng(seed).normal(size=(1000, 100)), layers=leaky_layers)
        ratios.append(stats[-1].std / stats[0].std)
    return float(np.exp(np.mean(np.log(ratios))))


check_condition("Exercise 3", leaky_scale, lambda s: 0.25 < leaky_std_ratio(s) < 4,
                hint="For z < 0 a leaky ReLU keeps alpha * z: what is E[a^2] now, compared with Var(z)?");


# %% [markdown] slideshow={"slide_type": "slide"} tags=["solution"]
# ## Solutions
#
# Look only after trying. Each solution is followed by its self-check.

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 1.** He's variance is $\sigma^2 = 2/n_\text{in}$, so $r = \sqrt{3 \cdot 2/n_\text{in}} = \sqrt{6/n_\text{in}}$.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def he_uniform_limit(fan_in):
    return np.sqrt(6 / fan_in)


assert check_function("Exercise 1", he_uniform_limit,
                      [((n,), keras_he_uniform_limit(n)) for n in (10, 300)], rtol=1e-3)


# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 2.** Each linear layer multiplies the variance by $n_\text{in}\,\sigma_w^2$, so after $n$ layers the
# standard deviation is $\big(\sqrt{n_\text{in}}\,\sigma_w\big)^n$. With $n_\text{in}=100$, $\sigma_w = 0.1$ is
# exactly LeCun's choice and the signal keeps its size; 0.12 makes it grow by $1.2^{10} \approx 6$ over ten
# layers and 0.08 shrink by $0.8^{10} \approx 0.11$: a 20% error in the weights' scale costs a factor of 6 to 9
# after only ten layers.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def predicted_std(n_layers, fan_in, weight_std):
    return (np.sqrt(fan_in) * weight_std) ** n_layers


assert check_function("Exercise 2", predicted_std, EXERCISE_2_CASES, rtol=0.05)

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 3.** With $z$ symmetric around 0, half of the time $a = z$ and half of the time $a = \alpha z$, so
# $\mathbb{E}[a^2] = \tfrac12\operatorname{Var}(z) + \tfrac12\alpha^2\operatorname{Var}(z) = \tfrac{1+\alpha^2}{2}\operatorname{Var}(z)$.
# To keep $\operatorname{Var}(z)$ level we need $n_\text{in}\sigma_w^2 \cdot \tfrac{1+\alpha^2}{2} = 1$, i.e.
# `scale` $= 2/(1+\alpha^2) = 1.6$ for $\alpha = 0.5$. It gives back He's 2 for $\alpha = 0$ (ReLU) and LeCun's 1 for
# $\alpha = 1$ (the identity). Each layer multiplies the variance by $0.625\cdot$`scale`, so over the 29 layers
# between the first and the last the std moves by $(0.625\cdot$`scale`$)^{14.5}$: a scale 10% too small shrinks it
# by about $0.9^{14.5} \approx 0.22$ and fails the check, one 10% too large grows it by about $1.1^{14.5} \approx 4$,
# right at the check's edge, and He's 2 overshoots by about $1.25^{14.5} \approx 25$. Even with the right scale, a single network of width 100
# drifts by a random factor, because each layer's variance is preserved only *on average*: that is why the check
# averages three networks.

# %% slideshow={"slide_type": "-"} tags=["solution"]
leaky_scale = 1.6
assert check_condition("Exercise 3", leaky_scale, lambda s: 0.25 < leaky_std_ratio(s) < 4)
for scale in (1.0, 1.6, 2.0):
    print(f"scale {scale}: last/first std ratio {leaky_std_ratio(scale):.2g}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - X. Glorot and Y. Bengio (2010). *Understanding the difficulty of training deep feedforward neural networks.* AISTATS.
# - K. He, X. Zhang, S. Ren and J. Sun (2015). *Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification.* ICCV.
# - Y. LeCun, L. Bottou, G. Orr and K.-R. Müller (1998). *Efficient BackProp.* In *Neural Networks: Tricks of the Trade*, Springer.
# - G. Klambauer, T. Unterthiner, A. Mayr and S. Hochreiter (2017). *Self-Normalizing Neural Networks.* NeurIPS.
# - Y. Bengio, P. Simard and P. Frasconi (1994). *Learning long-term dependencies with gradient descent is difficult.* IEEE Transactions on Neural Networks.
# - R. Pascanu, T. Mikolov and Y. Bengio (2013). *On the difficulty of training recurrent neural networks.* ICML.
# - Y. Bengio (2012). *Practical recommendations for gradient-based training of deep architectures.* In *Neural Networks: Tricks of the Trade*, 2nd ed., Springer.
# - LISA lab (2010-2015). *Deep Learning Tutorials*, "Multilayer Perceptron" (weight initialization for tanh and sigmoid units). deeplearning.net.
# - A. Géron (2022). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 3rd ed., chapter 11. O'Reilly.
