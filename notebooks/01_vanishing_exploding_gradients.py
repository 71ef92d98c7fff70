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
#
# Four more helpers appear below: `rel_error(x, y)` is the largest elementwise
# $|x-y|/(|x|+|y|)$, for checking our code against Keras; `set_seeds(n)` reseeds everything before
# each repeated run; `budget(full, quick=...)` returns the full number of epochs or seeds (the test
# suite shrinks it); `run_logdir(name)` names a folder for TensorBoard logs.

# %% slideshow={"slide_type": "-"}
from helpers import (  # first import: keeps TensorFlow's start-up chatter out of the notebook
    activation_stats, budget, check_condition, check_function, gradient_norms,
    load_fashion_mnist, plot_activation_histograms, plot_learning_curves, plot_per_layer,
    rel_error, run_logdir, save_fig, set_seeds, setup,
)
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

# %% slideshow={"slide_type": "-"} tags=["keep-output"]
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
# Glorot and Bengio looked inside deep sigmoid and tanh networks at initialization and saw
# layers saturate and gradients fade. We repeat the spirit of their experiment on a small scale: a
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

# A Keras 3 pitfall: one initializer *instance* shared by several layers gives them all the same weights.
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

# %% slideshow={"slide_type": "-"}
X_probe, y_probe = data.X_train[:512], data.y_train[:512]
configs = {
    "sigmoid, N(0, 1)": ("sigmoid", standard_normal),
    "sigmoid, Glorot": ("sigmoid", "glorot_normal"),
    "tanh, N(0, 1)": ("tanh", standard_normal),
    "tanh, Glorot": ("tanh", "glorot_normal"),
}
probe_models = {name: build_mlp(*config) for name, config in configs.items()}
act_stats = {name: activation_stats(m, X_probe) for name, m in probe_models.items()}
grad_norms = {
    name: gradient_norms(m, X_probe, y_probe, loss="sparse_categorical_crossentropy")
    for name, m in probe_models.items()
}
print(f"{'':18s} {'saturated values':^28s}  {'layer 10 std':^24s}")
print(f"{'network':18s} {'layer 1':>8s} {'layer 5':>9s} {'layer 10':>9s}  {'overall':>10s} {'across inputs':>13s}")
for name, stats in act_stats.items():
    saturated = [f"{stats[i].frac_saturated:.0%}" for i in (0, 4, 9)]
    print(f"{name:18s} {saturated[0]:>8s} {saturated[1]:>9s} {saturated[2]:>9s}  "
          f"{stats[9].std:10.3f} {stats[9].std_across_inputs:13.2e}")

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), sharey="row")
shown = [0, 2, 5, 9]  # hidden layers 1, 3, 6 and 10
for ax, (name, stats) in zip(axes.flat, act_stats.items()):
    value_range = (0, 1) if name.startswith("sigmoid") else (-1, 1)
    plot_activation_histograms([stats[i] for i in shown], ax=ax, value_range=value_range)
    ax.set_title(name)
    ax.set_yscale("log")
    ax.get_legend().remove()
axes[0, 0].legend(labels=[f"layer {i + 1}" for i in shown], fontsize=8, loc="upper center")
fig.tight_layout()
save_fig("activation_histograms_at_init")
plt.show()

# %% slideshow={"slide_type": "-"}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
plot_per_layer({name: [s.std for s in stats] for name, stats in act_stats.items()},
               "activation std", ax=ax1)
plot_per_layer(grad_norms, "gradient norm (log scale)", ax=ax2, log=True)
ax1.set_title("Forward: activation spread per layer")
ax2.set_title("Backward: gradient norm per layer")
ax2.set_xlabel("layer (1 = nearest the input, 11 = softmax output)")
fig.tight_layout()
save_fig("per_layer_std_and_gradients_at_init")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Read the table, the histograms and the two line plots together.
# - **N(0, 1) weights saturate.** A unit sums $n_\text{in}$ inputs with unit-variance weights, so $|z|$ is
#   typically $\sqrt{784} \approx 28$ in layer 1 and several times 1 in deeper layers: the histograms of both
#   N(0, 1) networks pile up at the ends of the range, and their "saturated values" columns are high.
# - **Saturated tanh does not mean small gradients.** In the gradient plot the tanh N(0, 1) curve *rises*
#   towards layer 1: each $\mathbf{W}^\top$ multiplies the error signal by roughly $\sqrt{100} = 10$, more than
#   the few unsaturated units' derivatives take away. Vanishing and exploding are the same instability.
#   The sigmoid N(0, 1) curve stays level for the same reason: there the stretching and the shrinking
#   happen to cancel. Level is not healthy, though: those units are saturated, so a small change of a weight
#   barely changes their output, and what they pass up is mostly the sign of their input.
# - **Glorot fixes tanh but not the sigmoid.** The tanh Glorot curve is flat: every layer gets a gradient of
#   about the same size. The sigmoid Glorot curve falls steeply towards layer 1, the $0.25^n$ bound of
#   section 1 at work. Its deeper histograms break into narrow spikes: each spike is one unit that outputs
#   almost the same value for every image. The table proves it: for sigmoid Glorot, layer 10's spread
#   *across inputs* is tiny compared with its overall spread, which is mostly spread *between units*.
#   The sigmoid's outputs all have mean about 0.5, and that constant swamps the variation that carries
#   information about the input. Glorot's is still the best initialization for the sigmoid, but no
#   initialization can undo $\sigma(0) = 0.5$ and $\sigma' \le 0.25$: notebook 02 changes the activation instead.
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
relu_models = {
    "ReLU, N(0, 1)": build_mlp("relu", standard_normal),
    "ReLU, He": build_mlp("relu", "he_normal"),
}
relu_stats = {name: activation_stats(m, X_probe) for name, m in relu_models.items()}
relu_grads = {
    name: gradient_norms(m, X_probe, y_probe, loss="sparse_categorical_crossentropy")
    for name, m in relu_models.items()
}
for name in relu_models:
    print(f"{name:14s} activation std, layer 1 -> 10: {relu_stats[name][0].std:9.3g} -> "
          f"{relu_stats[name][9].std:9.3g}   largest weight-gradient norm: {max(relu_grads[name].values()):.3g}")


# %% [markdown] slideshow={"slide_type": "-"}
# The weight gradients are huge, but look at them per layer in the figure below: they are about the same
# size in every layer. The reason is in the gradient formula
# $\partial\mathcal{L}/\partial\mathbf{W}^{(l)} = \boldsymbol{\delta}^{(l)}\mathbf{a}^{(l-1)\top}$: going down, the error
# signal $\boldsymbol{\delta}$ grows by about $\sqrt{50} \approx 7$ per layer while the activation
# $\mathbf{a}^{(l-1)}$ it is multiplied with shrinks by the same factor. To see the backward signal itself,
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


fig, axes = plt.subplots(1, 3, figsize=(15, 4))
plot_per_layer({n: [s.std for s in st] for n, st in relu_stats.items()},
               "activation std (log scale)", ax=axes[0], log=True)
plot_per_layer({n: backward_signal_norms(m, X_probe, y_probe) for n, m in relu_models.items()},
               "norm of dLoss/d(layer output) (log scale)", ax=axes[1], log=True)
plot_per_layer(relu_grads, "weight-gradient norm (log scale)", ax=axes[2], log=True)
for ax, title in zip(axes, ["Forward: activations", "Backward: error signal", "Weight gradients"]):
    ax.set_title(title)
axes[2].set_xlabel("layer (11 = softmax output)")
fig.tight_layout()
save_fig("relu_exploding_at_init")
plt.show()


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** With $\mathcal{N}(0,1)$ weights, the activations (left) climb by roughly a constant factor
# per layer, a straight line on a log scale, and the error signal (middle) climbs the same way in the other
# direction, towards layer 1. With He's initialization both stay level. The weight gradients (right) of the
# $\mathcal{N}(0,1)$ network are level too, but many orders of magnitude above He's: one step of gradient descent
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
# right is enough for ReLU networks (the other then changes only by the constant ratio of the first and last
# layers' widths), and chose the forward one.

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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Why the weights must be random
#
# If all weights of a layer start equal, all its units compute the same output, receive the same
# gradient, and get the same update: they stay identical forever, and a layer of 32 units behaves
# like a layer of one. Randomness *breaks the symmetry*. Let's train a small network twice,
# once with every weight set to 0.1 and once with Glorot's initialization, and count how many hidden
# units still have exactly the same weights as unit 0 afterwards.

# %% slideshow={"slide_type": "-"}
def small_mlp(initializer):
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="tanh", kernel_initializer=initializer),
        keras.layers.Dense(10, activation="softmax", kernel_initializer=initializer),
    ])


symmetry_models = {}
for name, initializer in {"constant 0.1": keras.initializers.Constant(0.1),
                          "Glorot": "glorot_uniform"}.items():  # a name: a new initializer per layer
    set_seeds(42)
    model = small_mlp(initializer)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    model.fit(data.X_train, data.y_train, epochs=budget(2, quick=1), verbose=0)
    symmetry_models[name] = model
    print(f"{name:13s} validation accuracy: {model.evaluate(data.X_valid, data.y_valid, verbose=0)[1]:.3f}")

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
for name, model in symmetry_models.items():
    kernel = model.layers[1].kernel.numpy()  # shape (784, 32): one column per hidden unit
    # "Same" up to float32 round-off: identical arithmetic can still be summed in different orders.
    same = np.all(np.isclose(kernel, kernel[:, :1], rtol=1e-5, atol=1e-7), axis=0)
    print(f"{name:13s} hidden units with the same weights as unit 0 (itself included): "
          f"{same.sum()} of {kernel.shape[1]}")
moved = np.any(symmetry_models["constant 0.1"].layers[1].kernel.numpy() != np.float32(0.1))
print("constant 0.1: did training change the weights at all?", moved)

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** With constant weights, training did move the weights (last line), but every hidden unit
# moved in exactly the same way, so the 32-unit layer has the capacity of a single unit: compare the two
# validation accuracies printed before. With random weights, no two units agree.
# (Biases can start at zero: the random weights already make the units differ.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The effect on training
#
# Now the deep tanh network of section 2 is trained for a few epochs with each initialization, with the
# same optimizer, learning rate and data, **over several seeds**, so that a difference we report is not the
# luck of one draw. Each run is also logged for TensorBoard, and the first seed's runs also record a histogram of
# every layer's weights at every epoch (histograms cost time, and one seed per initialization is enough to look at). To browse them, run `%load_ext tensorboard` and then `%tensorboard --logdir ../work/logs` in a
# cell (or see the README); the *Histograms* tab shows how each initialization's weights move.

# %% slideshow={"slide_type": "-"}
EPOCHS = budget(4, quick=2)
SEEDS = list(range(budget(3, quick=2)))


def train_mlp(activation, initializer, seed, name):
    set_seeds(seed)
    model = build_mlp(activation, initializer)
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=0.01), metrics=["accuracy"])
    history = model.fit(
        data.X_train, data.y_train, epochs=EPOCHS, validation_data=(data.X_valid, data.y_valid),
        verbose=0, callbacks=[keras.callbacks.TensorBoard(
            run_logdir(f"01-{name}-seed{seed}"), histogram_freq=1 if seed == SEEDS[0] else 0)],
    )
    return model, history


runs = {"tanh, N(0, 1)": ("tanh", standard_normal, "normal"),
        "tanh, Glorot": ("tanh", "glorot_normal", "glorot")}
trained = {label: [train_mlp(act, init, seed, tag) for seed in SEEDS]
           for label, (act, init, tag) in runs.items()}
final = {label: np.array([history.history["val_accuracy"][-1] for _, history in results])
         for label, results in trained.items()}
for label, accuracies in final.items():
    print(f"{label:14s} validation accuracy after epoch {EPOCHS}: "
          f"{accuracies.mean():.3f} ± {accuracies.std(ddof=1):.3f} (mean ± sample std, {len(SEEDS)} seeds)")
bad, good = final.values()
spread = np.sqrt((bad.var(ddof=1) + good.var(ddof=1)) / 2)
print(f"gap between the means: {good.mean() - bad.mean():.3f} = {(good.mean() - bad.mean()) / spread:.1f} "
      "times the typical spread between seeds")

# %% slideshow={"slide_type": "-"}
histories = {label: [history for _, history in results] for label, results in trained.items()}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
plot_learning_curves(histories, "loss", ax=ax1)
plot_learning_curves(histories, "accuracy", ax=ax2)
ax1.set_title("Loss (mean ± std over seeds)")
ax2.set_title("Accuracy (mean ± std over seeds)")
fig.tight_layout()
save_fig("training_bad_vs_good_init")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# And inside the trained networks: the per-layer gradient norms on the same probe batch, now after
# training (first seed of each).

# %% slideshow={"slide_type": "-"}
after = {label: gradient_norms(results[0][0], X_probe, y_probe) for label, results in trained.items()}
plot_per_layer(after, "gradient norm (log scale)", log=True)
plt.title(f"Per-layer gradient norms after {EPOCHS} epochs")
save_fig("gradients_after_training")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Start with the last printed line: the gap between the two initializations in units of the
# spread between seeds. A gap of several spreads is very unlikely to be luck; a gap of about one spread or
# less means these few runs cannot tell the two apart. The learning curves show the same comparison over
# time (the bands are ± one sample std). In the first epochs the training curves (dashed) can look *worse*
# than the validation curves: Keras averages the training metric over the whole epoch, while the network
# improves during it, and measures validation only at the end.
#
# In the gradient-norm plot, compare the *shape* across depth rather than the level: after training, the level
# mostly says how well the network already fits the batch (a network with a small loss gets small gradients),
# while the shape says whether the lower layers still receive their share of the signal.
#
# A question to take away: is the badly initialized network merely slower, or stuck? The slope of its learning
# curve at the last epoch is a first hint; set `EPOCHS` higher and run the two training cells again to find out.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The Keras way
#
# Keras uses Glorot's uniform initialization and zero biases by default, which suits tanh, softmax and
# linear layers (and is the best a sigmoid can get, which section 2 showed is not enough for deep sigmoid
# stacks). For the ReLU family, ask for He's; for SELU, LeCun's (notebook 02):
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
#   so deep sigmoid stacks lose their gradient even when well initialized.
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


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Solutions
#
# Look only after trying. Each solution is followed by its self-check.

# %% [markdown] slideshow={"slide_type": "-"}
# **Exercise 1.** He's variance is $\sigma^2 = 2/n_\text{in}$, so $r = \sqrt{3 \cdot 2/n_\text{in}} = \sqrt{6/n_\text{in}}$.

# %% slideshow={"slide_type": "-"}
def he_uniform_limit(fan_in):
    return np.sqrt(6 / fan_in)


assert check_function("Exercise 1", he_uniform_limit,
                      [((n,), keras_he_uniform_limit(n)) for n in (10, 300)], rtol=1e-3)


# %% [markdown] slideshow={"slide_type": "-"}
# **Exercise 2.** Each linear layer multiplies the variance by $n_\text{in}\,\sigma_w^2$, so after $n$ layers the
# standard deviation is $\big(\sqrt{n_\text{in}}\,\sigma_w\big)^n$. With $n_\text{in}=100$, $\sigma_w = 0.1$ is
# exactly LeCun's choice and the signal keeps its size; 0.12 makes it grow by $1.2^{10} \approx 6$ over ten
# layers and 0.08 shrink by $0.8^{10} \approx 0.11$: a 20% error in the weights' scale costs a factor of 6 to 9
# after only ten layers.

# %% slideshow={"slide_type": "-"}
def predicted_std(n_layers, fan_in, weight_std):
    return (np.sqrt(fan_in) * weight_std) ** n_layers


assert check_function("Exercise 2", predicted_std, EXERCISE_2_CASES, rtol=0.05)

# %% [markdown] slideshow={"slide_type": "-"}
# **Exercise 3.** With $z$ symmetric around 0, half of the time $a = z$ and half of the time $a = \alpha z$, so
# $\mathbb{E}[a^2] = \tfrac12\operatorname{Var}(z) + \tfrac12\alpha^2\operatorname{Var}(z) = \tfrac{1+\alpha^2}{2}\operatorname{Var}(z)$.
# To keep $\operatorname{Var}(z)$ level we need $n_\text{in}\sigma_w^2 \cdot \tfrac{1+\alpha^2}{2} = 1$, i.e.
# `scale` $= 2/(1+\alpha^2) = 1.6$ for $\alpha = 0.5$. It gives back He's 2 for $\alpha = 0$ (ReLU) and LeCun's 1 for
# $\alpha = 1$ (the identity). Each layer multiplies the variance by $0.625\cdot$`scale`, so over the 29 layers
# between the first and the last a scale 10% off already moves the std by a factor of about 4 and fails the
# check; He's 2 overshoots by a factor of about 25. Even with the right scale, a single network of width 100
# drifts by a random factor, because each layer's variance is preserved only *on average*: that is why the check
# averages three networks.

# %% slideshow={"slide_type": "-"}
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
# - A. Géron (2022). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 3rd ed., chapter 11. O'Reilly.
