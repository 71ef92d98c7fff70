# %% [markdown] slideshow={"slide_type": "slide"}
# # 06 · Learning-rate schedules, the LR finder, 1cycle, and training without a schedule
#
# Of all the hyperparameters of a network, the learning rate is often the single most important one (Bengio, 2012): too low and
# training crawls, too high and it diverges, and the best constant rate is rarely the best rate for the whole
# run. A *schedule* changes it as training goes: large early, to move fast, small late, to settle into a
# minimum. This notebook measures how much the rate matters, writes every classic schedule as a formula and as
# Keras code, and checks each one against its formula, on the steps where training actually uses it. Two
# mistakes are easy to make here (piecewise boundaries that training never reaches; an LR finder that plots
# Keras' running mean instead of the batch loss); here both are asserted not to happen.
#
# **You will learn to**
# 1. find the range of good constant rates with a sweep, and with Smith's LR range test ("LR finder");
# 2. write power, exponential, piecewise-constant, performance, cosine-with-warmup, warmup-stable-decay and
#    1cycle schedules as formulas, as `keras.optimizers.schedules` objects and as per-epoch functions;
# 3. record the rate each training step actually used, and check it against the formula;
# 4. compare schedules (and schedule-free AdamW) over seeds against a baseline chosen in advance;
# 5. save and resume training without breaking a schedule.
#
# **Builds on:** notebook 01 (`steps_per_execution`, seed comparisons) and notebook 05 (optimizers: SGD,
# momentum, Adam). Next notebook: regularization.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup
#
# Besides the usual helpers (`setup`, `budget`, `save_fig`, `rel_error`, the statistics of `helpers.stats`), this
# notebook uses five from `helpers.schedules`: `LearningRateHistory` (a callback that records, before each
# batch, the optimizer's step count and the learning rate that step uses), `current_learning_rate(optimizer)` (the
# rate its next step uses, as a float), `steps_from_epochs` (piecewise
# boundaries in steps, refusing any that training would never reach), `find_learning_rate` (the LR finder) and
# `OneCycleSchedule` (1cycle). Each is small and unit-tested; the formulas themselves are written out here.

# %% slideshow={"slide_type": "-"}
from helpers import (  # first import: keeps TensorFlow's start-up chatter out of the notebook
    LearningRateHistory, OneCycleSchedule, budget, check_condition, check_function, check_value,
    compare_to_baseline, comparison_table, current_learning_rate, find_learning_rate, load_fashion_mnist,
    plot_learning_curves, rel_error, save_fig, set_seeds, setup, steps_from_epochs, work_dir,
)
import math
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

setup(seed=42)
data = load_fashion_mnist(standardize=True)
print(data.summary())

# %% [markdown] slideshow={"slide_type": "-"}
# One small network serves the whole notebook: two hidden layers of 100 ReLU units (He initialization), a softmax
# output. Every `compile` uses `steps_per_execution=32` (notebook 01, section 4, explains why it is faster); the
# one consequence here is that Keras calls batch callbacks once per 32 steps, so `LearningRateHistory` records one
# rate every 32 steps. Because compiling a new training step costs a few seconds here, repeated runs reuse one compiled
# model: `restart(model, start_state, seed)` puts back the initial weights of `seed` (drawn exactly as
# `compiled_mlp(..., seed)` draws them) and the optimizer's initial variables (zero moments, step 0), so every run starts
# where a freshly compiled model with that seed would (for `ScheduleFreeAdamW`, where it *should*: see section 4).

# %% slideshow={"slide_type": "-"}
BATCH_SIZE = 32


def build_mlp():
    return keras.Sequential([
        keras.Input(shape=(28, 28)), keras.layers.Flatten(),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def compiled_mlp(optimizer, seed=0):
    set_seeds(seed)
    model = build_mlp()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"],
                  steps_per_execution=32)
    return model


def optimizer_start_state(model):
    # Build the optimizer now (see section 4 for why it matters) and keep its initial variables.
    model.optimizer.build(model.trainable_variables)
    return [v.numpy() for v in model.optimizer.variables]


def restart(model, start_state, seed):
    # The same state as compiled_mlp(optimizer, seed) with a new optimizer, without compiling again:
    # here tracing a new training step takes seconds, longer than a short run itself.
    set_seeds(seed)
    model.set_weights(build_mlp().get_weights())  # seed's initial weights; then fit() shuffles from the seed
    for variable, value in zip(model.optimizer.variables, start_state):
        variable.assign(value)
    if isinstance(model.optimizer, keras.optimizers.ScheduleFreeAdamW):  # its z sequence starts at the weights
        for z, weight in zip(model.optimizer._momentums, model.optimizer._trainable_variables):
            z.assign(weight)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why the learning rate matters most
#
# Plain SGD, the same network and the same 10,000 training images (the test suite uses fewer), for `SWEEP_EPOCHS` epochs at
# each of eight constant learning rates spread over more than three decades. We record the validation loss at the end; a
# run whose loss became infinite or NaN has diverged and is marked apart, not plotted as a point.

# %% slideshow={"slide_type": "-"}
X_sub, y_sub = data.X_train[:10_000], data.y_train[:10_000]
SWEEP_RATES = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0]
SWEEP_EPOCHS = budget(3, quick=1)

sweep = {}
started = time.perf_counter()
model = compiled_mlp(keras.optimizers.SGD(learning_rate=0.01))
start_state = optimizer_start_state(model)
for rate in SWEEP_RATES:
    restart(model, start_state, seed=0)
    model.optimizer.learning_rate = rate
    model.fit(X_sub, y_sub, epochs=SWEEP_EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    sweep[rate] = model.evaluate(data.X_valid, data.y_valid, verbose=0)[0]
diverged = [rate for rate, loss in sweep.items() if not np.isfinite(loss)]
for rate, loss in sweep.items():
    print(f"lr {rate:<6g}: validation loss {loss:.3f}" + ("  (diverged)" if rate in diverged else ""))
print(f"({time.perf_counter() - started:.0f} s)")

# %% slideshow={"slide_type": "-"}
finite = {rate: loss for rate, loss in sweep.items() if np.isfinite(loss)}
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(list(finite), list(finite.values()), "o-", label="validation loss after training")
ax.axhline(np.log(10), color="gray", ls=":", label="a uniform guess over 10 classes (ln 10)")
for rate in diverged:
    ax.axvline(rate, color="tab:red", ls="--", alpha=0.6)
    ax.text(rate, ax.get_ylim()[1], " diverged", color="tab:red", va="top", rotation=90)
ax.set_xscale("log")
ax.set_xlabel("constant learning rate (log scale)")
ax.set_ylabel("validation loss")
ax.set_title(f"Plain SGD, {SWEEP_EPOCHS} epochs, batch {BATCH_SIZE}")
ax.legend()
save_fig("06_constant_rate_sweep")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The curve is a valley on a log axis: the smallest rates learn too slowly to get far in three
# epochs, the loss falls as the rate grows, then the larger rates make it worse again and the largest blow it up
# (dashed red lines mark the runs that diverged). The loss starts to rise again well before training diverges, and the
# best rates of the sweep sit below that point; this is why the LR finder of section 3 looks for where the loss turns up
# and backs off from it. The good region spans about a decade, not the whole sweep: a rate picked by habit can
# easily cost more than any schedule brings.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The schedules
#
# Write $t$ for the optimizer step (batches seen so far, `optimizer.iterations` in Keras), $T$ for the total number of
# steps, $\eta_0$ for the initial rate. Keras offers two ways to vary the rate:
#
# - a **`keras.optimizers.schedules.LearningRateSchedule`** object passed as `learning_rate=`: the optimizer calls it
#   with its own step count at **every step**, and the `.keras` file saves it with the optimizer;
# - the **`keras.callbacks.LearningRateScheduler(fn)`** callback: Keras calls `fn(epoch)` (or `fn(epoch, lr)`) at the
#   start of **every epoch** and sets the rate; `fn` is usually built by a closure that fixes its constants.
#
# Each schedule below gets its formula, its Keras form, and a checked cell that compares the Keras values at given
# steps with the formula, in NumPy. These cells use fixed constants, so their output is the same in every mode.
# Then short training runs record the rate actually used.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Power scheduling
#
# $$\eta(t) = \frac{\eta_0}{(1 + t/s)^c}$$
#
# where $t$ is the step (or the epoch, for a per-epoch function), $\eta_0$ the initial rate, $s$ the number of steps
# over which the rate first halves (for $c = 1$) and $c$ the power. The rate drops quickly at first, then more and more slowly; after $s$ steps it is $\eta_0/2^c$. With $c = 1$ this is
# Keras' `InverseTimeDecay(eta0, decay_steps=s, decay_rate=1)`, per step. For other powers (Géron's chapter uses
# $c=1$), a per-epoch function through a closure:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def power_formula(t, eta0, s, c):
    return eta0 / (1 + np.asarray(t) / s) ** c


def power_decay_per_epoch(eta0, s, c):  # closure: fixes eta0, s and c; Keras calls fn(epoch)
    def power_decay_fn(epoch):
        return eta0 / (1 + epoch / s) ** c
    return power_decay_fn


steps = np.array([0, 1, 10, 100, 1000, 10_000])
keras_power = keras.optimizers.schedules.InverseTimeDecay(0.01, decay_steps=100, decay_rate=1.0)
err_step = rel_error([float(keras_power(t)) for t in steps], power_formula(steps, 0.01, 100, 1))
epoch_fn = power_decay_per_epoch(0.01, s=5, c=2)
err_epoch = rel_error([epoch_fn(e) for e in range(10)], power_formula(np.arange(10), 0.01, 5, 2))
assert err_step < 1e-6 and err_epoch < 1e-12
print(f"InverseTimeDecay vs eta0/(1+t/s), max relative error < 1e-6: {err_step < 1e-6}")
print(f"per-epoch closure (c=2) vs the formula, max relative error < 1e-12: {err_epoch < 1e-12}")
print("rate at steps", steps.tolist(), "->", np.round(power_formula(steps, 0.01, 100, 1), 6).tolist())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exponential scheduling
#
# $$\eta(t) = \eta_0 \cdot 0.1^{\,t/s}$$
#
# with $t$ the step and $s$ the number of steps per tenfold drop: the rate falls by a factor of 10 every $s$ steps. Keras: `ExponentialDecay(eta0, decay_steps=s, decay_rate=0.1)`
# (per step, smooth; `staircase=True` would drop it once every $s$ steps), or the per-epoch closure Géron writes.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def exponential_formula(t, eta0, s):
    return eta0 * 0.1 ** (np.asarray(t) / s)


def exponential_decay_per_epoch(eta0, s):
    def exponential_decay_fn(epoch):
        return eta0 * 0.1 ** (epoch / s)
    return exponential_decay_fn


keras_exponential = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=1000, decay_rate=0.1)
err_step = rel_error([float(keras_exponential(t)) for t in steps], exponential_formula(steps, 0.01, 1000))
epoch_fn = exponential_decay_per_epoch(0.01, s=20)
err_epoch = rel_error([epoch_fn(e) for e in range(30)], exponential_formula(np.arange(30), 0.01, 20))
assert err_step < 1e-6 and err_epoch < 1e-12
print(f"ExponentialDecay vs eta0*0.1**(t/s), max relative error < 1e-6: {err_step < 1e-6}")
print(f"per-epoch closure vs the formula, max relative error < 1e-12: {err_epoch < 1e-12}")
print(f"after s = 1000 steps: {float(keras_exponential(1000)):.4g}; after 2s: {float(keras_exponential(2000)):.4g}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Piecewise-constant scheduling
#
# $$\eta(t) = \eta_i \quad\text{for } b_{i-1} < t \le b_i \qquad (b_0 = -\infty,\ b_n = \infty)$$
#
# A constant rate, then a smaller one from a boundary on, and so on. `PiecewiseConstantDecay(boundaries, values)` counts
# **steps**, not epochs, and Keras' rule is `t <= boundary` for the earlier value. Writing `boundaries=[5, 15]` while
# thinking "epochs 5 and 15" changes the rate after 5 and 15 *steps*; writing epoch numbers for a run that ends before
# them means the later rates are never used. So the boundaries are computed from epochs and the number of steps per
# epoch, and `steps_from_epochs` refuses a boundary at or after the last epoch:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
STEPS_PER_EPOCH_BOOK = math.ceil(55_000 / 32)  # Fashion-MNIST's training set, batch 32
boundaries = steps_from_epochs([5, 15], steps_per_epoch=STEPS_PER_EPOCH_BOOK, epochs=25)
keras_piecewise = keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, [0.01, 0.005, 0.001])


def piecewise_formula(t, boundaries, values):
    return np.asarray(values)[np.searchsorted(boundaries, t, side="left")]  # t <= b_i -> values[i]


probe_steps = [0, boundaries[0], boundaries[0] + 1, boundaries[1], boundaries[1] + 1, 25 * STEPS_PER_EPOCH_BOOK]
err = rel_error([float(keras_piecewise(t)) for t in probe_steps],
                piecewise_formula(probe_steps, boundaries, [0.01, 0.005, 0.001]))
assert err < 1e-6
print(f"steps per epoch {STEPS_PER_EPOCH_BOOK}; boundaries at epochs 5 and 15 = steps {boundaries}")
print(f"PiecewiseConstantDecay vs the formula at {probe_steps}: max relative error < 1e-6: {err < 1e-6}")
try:
    steps_from_epochs([5, 30], steps_per_epoch=STEPS_PER_EPOCH_BOOK, epochs=25)
except ValueError as problem:
    print("a boundary after training ends is refused:", str(problem).split(":")[1].split("(")[0].strip())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Performance scheduling
#
# Measure the validation loss every epoch and multiply the rate by a factor $\lambda$ when it has not improved for
# `patience` epochs: `keras.callbacks.ReduceLROnPlateau(factor=λ, patience=p)`. There is no formula in $t$: the rate
# depends on the run. The check feeds the callback a made-up sequence of validation losses and compares its decisions with
# the rule applied by hand.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
fake_val_losses = [1.0, 0.8, 0.81, 0.82, 0.7, 0.71, 0.72, 0.73, 0.74]
plateau = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_delta=0.0)
holder = compiled_mlp(keras.optimizers.SGD(learning_rate=0.1))
plateau.set_model(holder)
plateau.on_train_begin()
keras_rates = []
for epoch, loss in enumerate(fake_val_losses):
    plateau.on_epoch_end(epoch, {"val_loss": loss})
    keras_rates.append(current_learning_rate(holder.optimizer))

rate, best, wait, by_hand = 0.1, np.inf, 0, []  # the rule by hand (cooldown 0)
for loss in fake_val_losses:
    if loss < best:
        best, wait = loss, 0
    else:
        wait += 1
        if wait >= 2:
            rate, wait = rate * 0.5, 0
    by_hand.append(rate)
assert rel_error(keras_rates, by_hand) < 1e-6
print("validation losses: ", fake_val_losses)
print("rate after each epoch:", np.round(keras_rates, 4).tolist())
print("ReduceLROnPlateau agrees with the rule by hand:", rel_error(keras_rates, by_hand) < 1e-6)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Cosine decay with linear warmup
#
# $$\eta(t) = \begin{cases} \eta_\text{start} + (\eta_\text{max} - \eta_\text{start})\,t/W & t < W \\
# \eta_\text{max}\Big(\alpha + (1-\alpha)\tfrac12\big(1 + \cos\big(\pi\,\tfrac{t - W}{D}\big)\big)\Big) & W \le t \le W + D\end{cases}$$
#
# A few hundred steps of warmup (Goyal et al., 2017, who needed it for large batches) protect the early steps, while
# gradients and Adam's moment estimates are still wild; then half a cosine brings the rate down smoothly to
# $\alpha\,\eta_\text{max}$ (Loshchilov and Hutter, 2017). Keras: `CosineDecay(initial_learning_rate=η_start,
# decay_steps=D, alpha=α, warmup_target=η_max, warmup_steps=W)`. A trap: `decay_steps` counts the steps **after** the
# warmup, so a run of $T$ steps needs `decay_steps = T - W`.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def cosine_warmup_formula(t, peak, total, warmup, start=0.0, alpha=0.0):
    t = np.minimum(np.asarray(t, dtype=float), total)
    decay_steps = total - warmup
    cosine = peak * (alpha + (1 - alpha) * 0.5 * (1 + np.cos(np.pi * (t - warmup) / decay_steps)))
    return np.where(t < warmup, start + (peak - start) * t / warmup, cosine)


keras_cosine = keras.optimizers.schedules.CosineDecay(0.0, decay_steps=1000 - 100, alpha=0.0,
                                                      warmup_target=0.01, warmup_steps=100)
probe_steps = [0, 1, 50, 99, 100, 101, 550, 999, 1000, 1500]
def error_vs_peak(schedule, formula_values, peak):
    # Near the end these schedules approach 0, where float32 rounding makes a *relative* error meaningless:
    # compare the largest absolute difference with the peak rate instead.
    return np.max(np.abs(np.array([float(schedule(t)) for t in probe_steps]) - formula_values)) / peak


err = error_vs_peak(keras_cosine, cosine_warmup_formula(probe_steps, 0.01, 1000, 100), 0.01)
assert err < 1e-6
print(f"CosineDecay with warmup vs the formula, max |difference| / peak < 1e-6: {err < 1e-6}")
print(f"peak at step 100: {float(keras_cosine(100)):.6f} | half the peak at step 550: {float(keras_cosine(550)):.6f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Warmup-stable-decay (WSD)
#
# $$\eta(t) = \begin{cases} \eta_\text{max}\,t/W & t < W \\ \eta_\text{max} & W \le t < T - D \\
# \eta_\text{max}\,(T - t)/D & T - D \le t \le T \end{cases}$$
#
# Warm up, hold the peak rate, and decay only at the very end, over a short fraction $D/T$ (10-20%) of the run. Recent
# large-model training uses it (Hu et al., 2024; Hägele et al., 2024) because the long stable phase does not depend on
# $T$: a checkpoint from it can be decayed whenever you decide to stop, or trained on for longer, which a cosine
# schedule, tied to its $T$ from the first step, cannot. Keras has no WSD class; a `LearningRateSchedule` is a small
# class with `__call__(step)` and `get_config()` (register it so that `.keras` files can rebuild it):

# %% slideshow={"slide_type": "-"}
@keras.saving.register_keras_serializable(package="notebook06")
class WarmupStableDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warmup over `warmup_steps`, constant peak, linear decay to 0 over the last `decay_steps`."""

    def __init__(self, peak, total_steps, warmup_steps, decay_steps):
        super().__init__()
        if not (0 < warmup_steps and 0 < decay_steps and warmup_steps + decay_steps <= total_steps):
            raise ValueError("WarmupStableDecay: need 0 < warmup_steps, 0 < decay_steps, and their sum <= total_steps")
        self.peak, self.total_steps = peak, total_steps
        self.warmup_steps, self.decay_steps = warmup_steps, decay_steps

    def __call__(self, step):
        t = keras.ops.cast(step, "float32")
        warmup = self.peak * t / self.warmup_steps
        cooldown = self.peak * keras.ops.maximum(self.total_steps - t, 0.0) / self.decay_steps
        return keras.ops.minimum(keras.ops.minimum(warmup, cooldown), self.peak)

    def get_config(self):
        return {"peak": self.peak, "total_steps": self.total_steps,
                "warmup_steps": self.warmup_steps, "decay_steps": self.decay_steps}


# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def wsd_formula(t, peak, total, warmup, decay):
    t = np.asarray(t, dtype=float)
    return np.select([t < warmup, t < total - decay, t <= total], [peak * t / warmup, peak, peak * (total - t) / decay], 0.0)


keras_wsd = WarmupStableDecay(0.01, total_steps=1000, warmup_steps=50, decay_steps=150)
probe_steps = [1, 25, 49, 50, 51, 500, 849, 850, 851, 925, 999, 1000, 1200]
err = error_vs_peak(keras_wsd, wsd_formula(probe_steps, 0.01, 1000, 50, 150), 0.01)
assert err < 1e-6
print(f"WarmupStableDecay vs the formula, max |difference| / peak < 1e-6: {err < 1e-6}")
print("rate at steps", probe_steps, "->", np.round([float(keras_wsd(t)) for t in probe_steps], 5).tolist())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 1cycle
#
# Smith (2018) proposed one cycle per run: the rate grows from a low value up to a high peak (found with the LR finder of
# section 3) over the first part of training, then comes down to far below where it started, while the momentum of SGD
# moves the opposite way (high when the rate is low). With peak $\eta_\text{max}$, warmup $T_1$, start
# $\eta_0 = \eta_\text{max}/25$ and end $\eta_\text{end} = \eta_0/10^4$:
#
# $$\eta(t) = \begin{cases} \eta_0 + (\eta_\text{max} - \eta_0)\,t/T_1 & t < T_1 \\
# \eta_\text{end} + (\eta_\text{max} - \eta_\text{end})\tfrac12\big(1 + \cos\big(\pi\,\tfrac{t - T_1}{T - T_1}\big)\big) & T_1 \le t \le T\end{cases}$$
#
# Smith's paper brings the rate down linearly and ends with a short linear "annihilation". The cosine descent above is
# the one fastai and PyTorch's `OneCycleLR` use; they (PyTorch with its default `anneal_strategy='cos'`) also use a cosine
# for the warmup, and PyTorch's phases end one step earlier. The linear warmup here is our choice, and it is what
# `helpers.OneCycleSchedule` implements (defaults: $T_1 = 0.3\,T$ and PyTorch's divisors, 25 and $10^4$). **Momentum cycling** is left out: Keras 3's `SGD` requires `momentum` to be a plain float, fixed
# when the training step is compiled, so it cannot follow a schedule without rewriting the optimizer.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def one_cycle_formula(t, peak, total, warmup):
    start, t = peak / 25, np.asarray(t, dtype=float)
    end = start / 1e4
    anneal = end + (peak - end) * 0.5 * (1 + np.cos(np.pi * np.clip((t - warmup) / (total - warmup), 0, 1)))
    return np.where(t < warmup, start + (peak - start) * t / warmup, anneal)


keras_one_cycle = OneCycleSchedule(0.01, total_steps=1000)
probe_steps = [0, 150, 299, 300, 301, 650, 999, 1000, 1200]
err = error_vs_peak(keras_one_cycle, one_cycle_formula(probe_steps, 0.01, 1000, keras_one_cycle.warmup_steps), 0.01)
assert keras_one_cycle.warmup_steps == 300 and err < 1e-6
print(f"OneCycleSchedule vs the formula, max |difference| / peak < 1e-6: {err < 1e-6}")
print("start, peak, end:", [f"{float(keras_one_cycle(t)):.3g}" for t in (0, 300, 1000)])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The rate actually used, in training
#
# A schedule that is right on paper can still be wrong in training: boundaries that are never reached, `decay_steps`
# that forget the warmup, a per-epoch function that restarts. So five of the schedules now train the network for four
# epochs (SGD with momentum 0.9, 5,000 images) while `LearningRateHistory` records the optimizer's step count and the
# rate it uses; the other three (exponential per step, cosine with warmup, 1cycle) are recorded the same way in the race
# of section 4. Every schedule is sized from `steps_per_epoch` and the number of epochs, and after each run the recorded
# rates are asserted against the formula at the recorded steps (to within $10^{-6}$ of the peak rate); for the piecewise schedule we also assert that every
# piece was used.

# %% slideshow={"slide_type": "-"}
X_demo, y_demo = data.X_train[:5_000], data.y_train[:5_000]
DEMO_EPOCHS = 4
steps_per_epoch = math.ceil(len(X_demo) / BATCH_SIZE)
total = DEMO_EPOCHS * steps_per_epoch
demo_bounds = steps_from_epochs([2, 3], steps_per_epoch=steps_per_epoch, epochs=DEMO_EPOCHS)
PIECES = [0.02, 0.005, 0.001]
ETA0 = 0.02
schedules = {  # name -> (learning_rate argument, extra callbacks, formula of the step, or None)
    "power (c=1)": (keras.optimizers.schedules.InverseTimeDecay(ETA0, decay_steps=steps_per_epoch, decay_rate=1.0),
                    [], lambda t: power_formula(t, ETA0, steps_per_epoch, 1)),
    "exponential, per epoch": (ETA0, [keras.callbacks.LearningRateScheduler(exponential_decay_per_epoch(ETA0, DEMO_EPOCHS))],
                               lambda t: exponential_formula(np.asarray(t) // steps_per_epoch, ETA0, DEMO_EPOCHS)),
    "piecewise": (keras.optimizers.schedules.PiecewiseConstantDecay(demo_bounds, PIECES),
                  [], lambda t: piecewise_formula(t, demo_bounds, PIECES)),
    "performance": (ETA0, [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1)], None),
    "warmup-stable-decay": (WarmupStableDecay(ETA0, total, steps_per_epoch // 2, steps_per_epoch),
                            [], lambda t: wsd_formula(t, ETA0, total, steps_per_epoch // 2, steps_per_epoch)),
}
recorded = {}
float_model = compiled_mlp(keras.optimizers.SGD(learning_rate=ETA0, momentum=0.9))  # for the callback schedules
float_start = optimizer_start_state(float_model)
for name, (learning_rate, callbacks, formula) in schedules.items():
    history = LearningRateHistory()
    if isinstance(learning_rate, float):
        model = float_model
        restart(model, float_start, seed=0)
    else:
        model = compiled_mlp(keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9))
    validation = (data.X_valid, data.y_valid) if name == "performance" else None  # only it needs val_loss
    model.fit(X_demo, y_demo, epochs=DEMO_EPOCHS, batch_size=BATCH_SIZE, verbose=0,
              validation_data=validation, callbacks=[*callbacks, history])
    recorded[name] = (np.array(history.steps), np.array(history.learning_rates))
    if formula is not None:
        assert np.max(np.abs(np.array(history.learning_rates) - formula(history.steps))) < 1e-6 * ETA0, name
assert set(np.round(recorded["piecewise"][1], 6)) == set(PIECES), "a piece of the schedule was never used"
print(f"{steps_per_epoch} steps per epoch, {total} steps; piecewise boundaries at steps {demo_bounds}")
print("recorded rates match their formulas at every recorded step; every piecewise value was used")
n_cuts = int(np.sum(np.diff(recorded["performance"][1]) < 0))
print(f"ReduceLROnPlateau cut the rate {n_cuts} time(s) in this run")

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(1, 5, figsize=(15, 3.2), sharex=True, sharey=True)
for ax, (name, (steps_used, rates)) in zip(axes.flat, recorded.items()):
    formula = schedules[name][2]
    if formula is not None:
        grid = np.arange(total + 1)
        ax.plot(grid, formula(grid), color="lightgray", lw=4, label="formula")
    ax.plot(steps_used, rates, ".", ms=4, color="tab:blue", label="rate used (recorded)")
    for boundary in (demo_bounds if name == "piecewise" else []):
        ax.axvline(boundary, color="tab:red", ls=":", lw=1)
    ax.set_title(name, fontsize=10)
    ax.set_ylim(0, ETA0 * 1.1)
for ax in axes:
    ax.set_xlabel("training step")
axes[0].set_ylabel("learning rate")
axes[0].legend(loc="upper right", fontsize=8)
fig.tight_layout()
save_fig("06_schedules_recorded")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Each recorded point sits on its formula (asserted above, not only seen); the per-epoch version of the
# exponential schedule is a staircase, because `LearningRateScheduler` sets the rate once per epoch; the piecewise
# schedule used all three of its values, because its boundaries were computed from `steps_per_epoch`. Whether
# `ReduceLROnPlateau` fired depends on the run (the cell says how often it did). These runs only show the mechanics;
# section 4 compares schedules over seeds.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The LR finder (Smith's LR range test)
#
# Rather than a sweep of whole trainings (section 1), one short run whose rate grows exponentially, batch after batch,
# from $10^{-6}$ to $10$: $\eta_k = \eta_\text{start}(\eta_\text{stop}/\eta_\text{start})^{k/(n-1)}$. Plot each batch's
# loss against the rate it was trained at: flat while the rate is too small to matter, falling, and then shooting up once
# the rate is too large (Smith, 2017). `find_learning_rate` does it in at most one epoch and:
#
# - records **each batch's loss** from the forward pass of that step, not the `loss` in Keras' `logs`, which is the
#   running mean since the start of the epoch and lags far behind (the figure shows both);
# - stops when the loss explodes: a non-finite loss, or a smoothed loss more than 4 times its minimum so far;
# - restores the **weights and the optimizer's state** (step count, moment estimates, learning rate) afterwards;
# - suggests a rate by a stated rule: **the rate at the minimum of the smoothed loss, divided by 10** (a common
#   heuristic, popularised by fastai; Smith (2017) reads a range of good rates off the plot instead; the minimum is
#   where the loss is about to blow up; a tenth of it is still on the falling part of the curve). The smoothed loss is an
#   exponential moving average with factor 0.9, debiased like Adam's moments.
#
# We run it for the network, optimizer and batch size raced in section 4 (Adam, batches of 64, `RACE_BATCH`): a good rate
# depends on the batch size (a larger batch usually tolerates a larger rate; Goyal et al., 2017), so the finder must
# see the batches the race will use. (Exercise for you: run it at batch 32, the size of sections 1 and 2; does the
# suggestion move?)

# %% slideshow={"slide_type": "-"}
RACE_BATCH = 64  # the batch size of the race in section 4
finder_model = compiled_mlp(keras.optimizers.Adam(learning_rate=1e-3))
weights_before = [w.copy() for w in finder_model.get_weights()]
finder = find_learning_rate(finder_model, X_sub, y_sub, start=1e-6, stop=10.0, num_steps=budget(150, quick=30),
                            batch_size=RACE_BATCH)
assert all(np.array_equal(a, b) for a, b in zip(weights_before, finder_model.get_weights()))
assert int(finder_model.optimizer.iterations.numpy()) == 0
assert abs(current_learning_rate(finder_model.optimizer) - 1e-3) < 1e-9
print(f"{len(finder.losses)} steps; stopped because the loss exploded: {finder.exploded}")
print(f"minimum of the smoothed loss at lr {finder.best_learning_rate:.3g}; suggestion ({finder.rule}): {finder.suggestion:.3g}")
print("weights, step count and learning rate restored (asserted; the unit tests also check Adam's moment estimates)")

# %% slideshow={"slide_type": "-"}
running_mean = np.cumsum(finder.losses) / np.arange(1, len(finder.losses) + 1)  # what Keras' logs report
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(finder.learning_rates, finder.losses, color="tab:blue", alpha=0.35, label="loss of each batch (recorded)")
ax.plot(finder.learning_rates, finder.smoothed, color="tab:blue", label="smoothed (EMA 0.9, debiased)")
ax.plot(finder.learning_rates, running_mean, color="tab:orange", ls="--", label="running mean (Keras' logs)")
ax.axvline(finder.best_learning_rate, color="gray", ls=":", label="minimum of the smoothed loss")
ax.axvline(finder.suggestion, color="tab:green", label="suggestion (minimum / 10)")
ax.set_xscale("log")
ax.set_ylim(0, 2 * np.log(10))
ax.set_xlabel("learning rate (log scale)")
ax.set_ylabel("training loss")
ax.set_title(f"LR range test, Adam, batch {RACE_BATCH}")
ax.legend(fontsize=8)
save_fig("06_lr_finder")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The per-batch loss and its smoothed version tell the story the finder needs: where the loss starts to
# fall, and where it turns up. The running mean that Keras' `logs` report still carries the large losses of the first
# batches, so it keeps falling past the point where the real loss has turned, and would push you to a rate that is too
# high. The rule is deliberately conservative (a tenth of the rate at the smoothed minimum); the cell prints where it
# lands for Adam on this network. We take the suggestion as the peak rate of every method in the race below, decided
# before any of it runs; 1cycle users often pick a higher peak, closer to the minimum, which we did not tune.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Schedules raced on one budget
#
# Five ways to set the rate of an Adam-type optimizer, each given the same number of epochs and the same seeds:
#
# | method | rate | decided in advance |
# |---|---|---|
# | **constant** (baseline) | the finder's suggestion $\eta$ throughout | baseline, the default way of training |
# | exponential | $\eta \cdot 0.01^{t/T}$ (a hundredfold drop over the run) | |
# | cosine + warmup | warmup over 5% of $T$, cosine to 0 at $T$ | |
# | 1cycle | `OneCycleSchedule(η, T)` | |
# | schedule-free AdamW | `ScheduleFreeAdamW(η, warmup_steps=5% of T)`, no schedule | |
#
# The first four use `Adam`; none uses weight decay (`ScheduleFreeAdamW`'s default is none). The metric is the
# validation accuracy after the last epoch. Each alternative is compared with the constant baseline, paired by seed
# (a seed fixes the initial weights and the order of the batches for every method), with Holm's correction over the four
# comparisons (`compare_to_baseline`).
#
# Schedule-free AdamW (Defazio et al., 2024) replaces the schedule by averaging: it takes Adam-like steps on a sequence
# $z$, keeps the running average $x$ of the $z$'s, and computes gradients at an interpolation $y = (1-\beta_1) z + \beta_1 x$.
# All three start at the initial weights. The paper evaluates $x$; Keras' implementation leaves the model at $y$, which
# is what we evaluate here. And one trap, found while writing this notebook (Keras 3.15): when the optimizer is built
# inside `fit()`, as usual, $z$ starts at **zero** instead of at the weights, so the first step throws the
# initialization away. The cell below shows it with a learning rate of 0, where one step must change nothing; building
# the optimizer before `fit()` (`optimizer.build(model.trainable_variables)`, which `optimizer_start_state` does) avoids it.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
X_one, y_one = np.ones((32, 4), dtype="float32"), np.zeros((32, 1), dtype="float32")
for build_first in (False, True):
    set_seeds(0)
    tiny = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    tiny.compile(loss="mse", optimizer=keras.optimizers.ScheduleFreeAdamW(learning_rate=0.0))
    if build_first:
        tiny.optimizer.build(tiny.trainable_variables)
    before = tiny.get_weights()[0].ravel().copy()
    tiny.fit(X_one, y_one, batch_size=32, epochs=1, verbose=0)  # one step at learning rate 0
    after = tiny.get_weights()[0].ravel()
    print(f"optimizer built {'before fit()' if build_first else 'inside fit()'}: kernel {np.round(before, 3)} -> "
          f"{np.round(after, 3)} after one step at lr 0 (unchanged: {np.allclose(before, after)})")

# %% slideshow={"slide_type": "-"}
PEAK = finder.suggestion
RACE_EPOCHS = budget(5, quick=1)
RACE_SEEDS = list(range(budget(5, quick=2)))
race_steps = RACE_EPOCHS * math.ceil(len(X_sub) / RACE_BATCH)
race_warmup = max(1, race_steps // 20)


def race_optimizer(method):
    if method == "constant":
        return keras.optimizers.Adam(learning_rate=PEAK)
    if method == "exponential":
        return keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(PEAK, race_steps, decay_rate=0.01))
    if method == "cosine + warmup":
        return keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(
            0.0, decay_steps=race_steps - race_warmup, warmup_target=PEAK, warmup_steps=race_warmup))
    if method == "1cycle":
        return keras.optimizers.Adam(OneCycleSchedule(PEAK, race_steps))
    if method == "schedule-free AdamW":
        return keras.optimizers.ScheduleFreeAdamW(learning_rate=PEAK, warmup_steps=race_warmup)
    raise ValueError(method)


METHODS = ["constant", "exponential", "cosine + warmup", "1cycle", "schedule-free AdamW"]
race_formulas = {
    "constant": lambda t: np.full(len(t), PEAK),
    "exponential": lambda t: PEAK * 0.01 ** (np.asarray(t) / race_steps),
    "cosine + warmup": lambda t: cosine_warmup_formula(t, PEAK, race_steps, race_warmup),
    "1cycle": lambda t: one_cycle_formula(t, PEAK, race_steps, OneCycleSchedule(PEAK, race_steps).warmup_steps),
}
race, race_rates = {method: [] for method in METHODS}, {}
started = time.perf_counter()
for method in METHODS:
    model = compiled_mlp(race_optimizer(method))
    start_state = optimizer_start_state(model)
    for seed in RACE_SEEDS:
        restart(model, start_state, seed)
        history = LearningRateHistory()
        race[method].append(model.fit(X_sub, y_sub, epochs=RACE_EPOCHS, batch_size=RACE_BATCH, verbose=0,
                                      validation_data=(data.X_valid, data.y_valid), callbacks=[history]))
        race_rates[method] = (np.array(history.steps), np.array(history.learning_rates))
        if method in race_formulas:  # the rate used, at every recorded step, against the formula
            assert np.max(np.abs(race_rates[method][1] - race_formulas[method](history.steps))) < 1e-6 * PEAK, method
print(f"peak rate {PEAK:.3g}, {race_steps} steps per run, {len(RACE_SEEDS)} seeds "
      f"({time.perf_counter() - started:.0f} s); recorded rates match their formulas")
final = {method: [run.history["val_accuracy"][-1] for run in runs] for method, runs in race.items()}
for method, accuracies in final.items():
    print(f"{method:>20}: mean validation accuracy {np.mean(accuracies):.4f} (std over seeds {np.std(accuracies, ddof=1):.4f})")

# %% slideshow={"slide_type": "-"}
race_diffs = compare_to_baseline(final, "constant", paired=True)
print(f"validation accuracy, each method minus the constant rate, paired by seed, Holm over {len(race_diffs)} comparisons")
print(comparison_table(race_diffs))

# %% slideshow={"slide_type": "-"}
fig, (ax_rates, ax_curves, ax_diffs) = plt.subplots(1, 3, figsize=(16, 4.2))
for method, (steps_used, rates) in race_rates.items():  # the baseline dashed and on top: it overlaps schedule-free's
    style = dict(color="black", ls="--", lw=1.5, zorder=3) if method == "constant" else dict(marker=".", ms=3, zorder=2)
    ax_rates.plot(steps_used, rates, label=method, **style)
ax_rates.set_xlabel("training step")
ax_rates.set_ylabel("learning rate (recorded, last seed)")
ax_rates.set_title("The rate each method used")
ax_rates.legend(fontsize=7)
plot_learning_curves({m: runs for m, runs in race.items()}, metric="accuracy", ax=ax_curves)
ax_curves.set_title(f"Learning curves, mean ± 1 std over {len(RACE_SEEDS)} seeds")
ax_curves.legend(fontsize=7, ncol=2)
for row, d in enumerate(race_diffs):
    color = "tab:red" if d.verdict() != "inconclusive" else "tab:gray"
    ax_diffs.errorbar(d.mean, row, xerr=[[d.mean - d.low], [d.high - d.mean]], fmt="o", color=color, capsize=4)
ax_diffs.axvline(0, color="black", lw=1)
ax_diffs.set_yticks(range(len(race_diffs)), [d.name.replace(" - constant", "") for d in race_diffs])
ax_diffs.set_xlabel("validation accuracy minus constant rate\n(95% paired t interval, not Holm-adjusted)")
ax_diffs.set_title("Against the baseline (red: survives Holm)")
fig.tight_layout()
save_fig("06_schedule_race")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The table is the result to read: for each method, the mean paired difference from the constant rate,
# its 95% interval, and the verdict after Holm's correction ("inconclusive" where the adjusted p is above 0.05). Two
# schedules come out ahead of the constant rate after the correction: cosine with warmup and 1cycle
# (their verdicts read "higher", and their intervals lie above 0). The gains are small, of the order of a point of
# validation accuracy (the means in the table), but larger than the seed-to-seed spread: both of those
# intervals exclude 0 by a margin. Exponential decay's mean is also above the constant's, but its interval straddles 0:
# **inconclusive**. (The intervals in the table and the figure are per-comparison 95% intervals, not
# Holm-adjusted; the verdict uses Holm's adjusted p.) Schedule-free AdamW's interval straddles 0 too: **inconclusive here**,
# at this number of seeds and epochs. Two caveats apply to it: the peak rate came from a finder run with Adam (Keras'
# default for `ScheduleFreeAdamW`, 0.0025, is higher), and we evaluate $y$ rather than the paper's $x$.
# The methods were not compared with each other: that cosine and 1cycle have larger means than exponential decay is no
# evidence that they beat it (that would need a direct comparison, which we did not plan).
#
# The left panel shows what the schedules did with the same peak: exponential decay, a hundredfold drop over the run,
# spends most of it at a small fraction of the peak; cosine with warmup and 1cycle spend the middle of the run near the
# peak and anneal to almost 0 at the end. The two schedules that come out ahead both *end* with a rate far below the
# constant one (as does exponential decay, whose mean is also above the constant's); this fits the usual explanation
# that a small final rate lets the weights settle into a
# minimum instead of bouncing around it. It also means the gain depends on the peak: the finder's rule picked it, and a
# schedule's advantage can shrink or change sign at another peak (exercise for you: rerun the race at half the peak).
# Schedule-free AdamW's rate is flat in the panel (the constant rate's dashed line lies on top of it): it reports its
# base rate, and its short warmup is applied inside its update step, where no callback sees it.
# In the learning curves the training accuracy (dashed) keeps rising while the validation accuracy (solid) flattens: on
# 10,000 images the network starts to overfit within these few epochs, which limits what any schedule can gain on
# validation here. At larger scale, Defazio et al. (2024) report schedule-free AdamW matching or beating tuned cosine
# schedules, and it won the self-tuning track of the
# AlgoPerf training-algorithms benchmark (Kasimbeg et al., 2025); a few epochs of an MLP on 10,000 images is a much smaller test.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Saving and resuming without breaking the schedule
#
# A run that stops (a crash, a time limit) resumes from a saved `.keras` file. What happens to the schedule depends on
# which kind it is.
#
# **Per-epoch functions** (`LearningRateScheduler`) are called with the epoch number that `fit()` counts, and a new
# `fit()` counts from `initial_epoch`, which is 0 unless you say otherwise. Resume without it and the schedule starts over
# at its first epoch. The demonstration trains 2 epochs, saves, reloads, and trains on to epoch 4, once without and once
# with `initial_epoch=2`; the rate of each epoch is printed.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
X_tiny, y_tiny = data.X_train[:64], data.y_train[:64]  # 2 steps per epoch: the rates do not depend on the images
per_epoch = keras.callbacks.LearningRateScheduler(exponential_decay_per_epoch(0.01, s=2))


def epoch_rates(model, **fit_kwargs):
    rates = []
    record = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: rates.append(
        (epoch, round(current_learning_rate(model.optimizer), 6))))
    model.fit(X_tiny, y_tiny, batch_size=32, verbose=0, callbacks=[per_epoch, record], **fit_kwargs)
    return rates


model = compiled_mlp(keras.optimizers.SGD(learning_rate=0.01))
print("first run, epochs 0-1:       ", epoch_rates(model, epochs=2))
path = work_dir() / "06_resume_per_epoch.keras"
model.save(path)
print("resumed without initial_epoch:", epoch_rates(keras.models.load_model(path), epochs=2))
print("resumed with initial_epoch=2: ", epoch_rates(keras.models.load_model(path), epochs=4, initial_epoch=2))
print("the uninterrupted schedule:   ", [(e, round(0.01 * 0.1 ** (e / 2), 6)) for e in range(4)])

# %% [markdown] slideshow={"slide_type": "-"}
# Without `initial_epoch` the resumed run goes back to the rate of epoch 0 (and Keras counts its epochs from 0 again);
# with `initial_epoch=2` and `epochs=4` (`epochs` is the index of the last epoch plus one, not how many more to run) it
# continues where the first run stopped.
#
# **Per-step schedule objects** need nothing: the schedule is saved in the `.keras` file as part of the optimizer's
# configuration, and the step it is evaluated at is the optimizer's iteration count, a variable saved with the optimizer's
# state. We stop a 1cycle run in the middle of its warmup, reload it, and check that the rate continues from the same step.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
cycle = OneCycleSchedule(0.01, total_steps=20)
model = compiled_mlp(keras.optimizers.SGD(learning_rate=cycle))
model.fit(X_tiny, y_tiny, batch_size=32, epochs=2, verbose=0)  # 4 of the 20 steps
path = work_dir() / "06_resume_per_step.keras"
model.save(path)
reloaded = keras.models.load_model(path)
step = int(reloaded.optimizer.iterations.numpy())
rate = current_learning_rate(reloaded.optimizer)
assert step == 4 and type(reloaded.optimizer._learning_rate) is OneCycleSchedule
assert abs(rate - float(cycle(4))) < 1e-9
history = LearningRateHistory()
reloaded.fit(X_tiny, y_tiny, batch_size=32, epochs=2, verbose=0, callbacks=[history])
print(f"reloaded optimizer: step {step}, schedule {type(reloaded.optimizer._learning_rate).__name__}, "
      f"rate {rate:.6f} = schedule(4) {float(cycle(4)):.6f}")
print("after reloading, recorded (step, rate):", [(s, round(r, 6)) for s, r in zip(history.steps, history.learning_rates)])

# %% [markdown] slideshow={"slide_type": "-"}
# With `steps_per_execution=32` and only two steps per epoch, `LearningRateHistory` records once per epoch: at step 4,
# right after the first run's last step, still on the rising part of the cycle, and at step 6, the peak (the warmup is
# 30% of the 20 steps). (The check reads the
# optimizer's private `_learning_rate` to see the schedule object itself; the public `learning_rate` gives its value.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - The learning rate is often the most important hyperparameter: the good constant rates span about a decade, and the
#   loss turns up well before training diverges. Sweep it on a log scale, or run an LR range test.
# - An LR finder must plot **each batch's loss** (Keras' `logs` give a running mean that lags), stop when the loss
#   explodes, restore the weights *and* the optimizer state, and state its rule (here: the smoothed minimum / 10).
# - Schedules: power $\eta_0/(1+t/s)^c$, exponential $\eta_0\,0.1^{t/s}$, piecewise constant, performance
#   (`ReduceLROnPlateau`), cosine with warmup, warmup-stable-decay, 1cycle. Per step: a
#   `keras.optimizers.schedules` object as `learning_rate=`; per epoch: `LearningRateScheduler(fn)` with a closure.
# - Keras schedules count **steps**: compute piecewise boundaries as epochs × steps per epoch and check that training
#   reaches them; `CosineDecay`'s `decay_steps` excludes the warmup. Record the rate actually used and compare it with the
#   formula.
# - Compare schedules over seeds against a baseline chosen in advance, paired, with Holm's correction. Here cosine with
#   warmup and 1cycle beat a constant rate at the finder's peak; exponential decay and schedule-free AdamW were inconclusive,
#   and an inconclusive result is a result too.
# - Resuming: per-step schedules continue by themselves (the step count is saved); per-epoch functions need
#   `fit(..., initial_epoch=k, epochs=total)`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Each exercise has a self-check cell: run it after your answer and it tells you whether you are right.
# Worked solutions are at the end of the notebook; try first.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: boundaries in steps
#
# Complete `boundaries_in_steps(n_train, batch_size, epoch_boundaries)` so that it returns the `boundaries` to give
# `PiecewiseConstantDecay` for a rate change at each epoch in `epoch_boundaries`, as this notebook computes them: boundary
# $b$ = the number of steps before that epoch (Keras runs $\lceil n/b \rceil$ steps per epoch, the last batch being smaller).

# %% slideshow={"slide_type": "-"}
def boundaries_in_steps(n_train, batch_size, epoch_boundaries):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
EXERCISE_1_CASES = [((55_000, 32, [5, 15]), [8595, 25785]), ((1000, 64, [2]), [32]), ((60, 60, [1, 2, 3]), [1, 2, 3])]
check_function("Exercise 1", boundaries_in_steps, EXERCISE_1_CASES,
               hint="Steps per epoch is math.ceil(n_train / batch_size); multiply each epoch by it.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: a power schedule per epoch
#
# Complete `power_decay(eta0, s, c)` so that it returns a function of the epoch that gives $\eta_0/(1+\text{epoch}/s)^c$,
# ready for `keras.callbacks.LearningRateScheduler`. The check calls it for several settings.

# %% slideshow={"slide_type": "-"}
def power_decay(eta0, s, c):
    ...  # your code here: define and return a function of `epoch`


# %% slideshow={"slide_type": "-"}
def matches_power_formula(make_schedule):
    return all(rel_error([make_schedule(eta0, s, c)(epoch) for epoch in range(6)],
                         power_formula(np.arange(6), eta0, s, c)) < 1e-9
               for eta0, s, c in ((0.01, 5, 1), (0.1, 2, 0.5)))


check_condition("Exercise 2", power_decay, matches_power_formula,
                hint="Inside power_decay, def fn(epoch): return eta0 / (1 + epoch / s) ** c, then return fn.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: cosine that ends on time
#
# A run has $T = 2000$ steps, of which the first 200 warm up linearly from 0 to 0.01; the cosine must reach its floor
# ($\alpha = 0$) at exactly step 2000. Set `cosine_decay_steps` to the `decay_steps` argument of `CosineDecay`. The
# check builds the schedule and tests that the rate reaches 0 at step 2000 and not earlier.

# %% slideshow={"slide_type": "-"}
cosine_decay_steps = ...  # your value here


# %% slideshow={"slide_type": "-"}
def ends_on_time(decay_steps):
    schedule = keras.optimizers.schedules.CosineDecay(0.0, decay_steps=decay_steps, warmup_target=0.01, warmup_steps=200)
    return float(schedule(2000)) < 1e-9 and float(schedule(1990)) > 1e-9


check_condition("Exercise 3", cosine_decay_steps, ends_on_time,
                hint="decay_steps counts the steps after the warmup.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: resuming at the right epoch
#
# A 30-epoch run with a `LearningRateScheduler` was saved at the end of its 12th epoch (epochs 0 to 11 are done).
# Set `resume_kwargs` to the dictionary of `initial_epoch` and `epochs` you pass to `fit()` so that the schedule continues
# and training ends after 30 epochs in all.

# %% slideshow={"slide_type": "-"}
resume_kwargs = ...  # your answer, e.g. {"initial_epoch": ..., "epochs": ...}


# %% slideshow={"slide_type": "-"}
check_condition("Exercise 4", resume_kwargs, lambda kw: kw == {"initial_epoch": 12, "epochs": 30},
                hint="initial_epoch is the index of the next epoch to run; epochs is where to stop, not how many more.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 5: 1cycle at a given step
#
# For `OneCycleSchedule(0.1, total_steps=1000)` (warmup 300 steps, start at 0.1/25, end at that divided by $10^4$),
# compute by hand, from the formula of section 2, the rate at step 650 and set `rate_at_650` to it.

# %% slideshow={"slide_type": "-"}
rate_at_650 = ...  # your value here


# %% slideshow={"slide_type": "-"}
check_value("Exercise 5", rate_at_650, float(OneCycleSchedule(0.1, total_steps=1000)(650)), rtol=1e-3,
            hint="Step 650 is halfway through the anneal from step 300 to 1000: the cosine term is 1/2.");

# %% [markdown] slideshow={"slide_type": "slide"} tags=["solution"]
# ## Solutions
#
# Look only after trying. Each solution is followed by its self-check.

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 1.** One epoch is $\lceil n/b \rceil$ steps (55,000 / 32 gives 1,718.75, so 1,719 steps: the last batch
# holds 24 images). A change "at epoch 5" gets the boundary $5 \times 1719 = 8595$. Keras evaluates the schedule at the
# step count `optimizer.iterations` and keeps the earlier value while $t \le b$, so step 8595, the first of epoch 5, still
# uses the old rate and the new one starts one step later. Use $b - 1$ if the switch must fall exactly on the epoch's first
# step (`LearningRateScheduler` switches there, since it works per epoch).

# %% slideshow={"slide_type": "-"} tags=["solution"]
def boundaries_in_steps(n_train, batch_size, epoch_boundaries):
    steps_per_epoch = math.ceil(n_train / batch_size)
    return [epoch * steps_per_epoch for epoch in epoch_boundaries]


assert check_function("Exercise 1", boundaries_in_steps, EXERCISE_1_CASES)


# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 2.** The closure captures `eta0`, `s` and `c`; the returned function takes only the epoch.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def power_decay(eta0, s, c):
    def power_decay_fn(epoch):
        return eta0 / (1 + epoch / s) ** c
    return power_decay_fn


assert check_condition("Exercise 2", power_decay, matches_power_formula)

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 3.** `decay_steps` counts after the warmup: $2000 - 200 = 1800$. With `decay_steps=2000` the rate would
# still be above 0 at the end of the run (the cosine would finish at step 2200).

# %% slideshow={"slide_type": "-"} tags=["solution"]
cosine_decay_steps = 2000 - 200
assert check_condition("Exercise 3", cosine_decay_steps, ends_on_time)
print("with decay_steps=2000 instead, the rate at step 2000:", f"{float(keras.optimizers.schedules.CosineDecay(0.0, decay_steps=2000, warmup_target=0.01, warmup_steps=200)(2000)):.2e}")

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 4.** Epochs 0 to 11 are done, so the next is epoch 12: `initial_epoch=12`; `epochs` is the index at which
# to stop, 30, so `fit` runs epochs 12 to 29, and the scheduler sees those numbers.

# %% slideshow={"slide_type": "-"} tags=["solution"]
resume_kwargs = {"initial_epoch": 12, "epochs": 30}
assert check_condition("Exercise 4", resume_kwargs, lambda kw: kw == {"initial_epoch": 12, "epochs": 30})

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 5.** $\eta_\text{max} = 0.1$, $\eta_\text{end} = 0.1/25/10^4 = 4\times10^{-7}$; at step 650 the progress
# through the anneal is $(650-300)/(1000-300) = 1/2$, so $\tfrac12(1+\cos(\pi/2)) = \tfrac12$ and
# $\eta = \eta_\text{end} + (\eta_\text{max} - \eta_\text{end})/2 \approx 0.05$.

# %% slideshow={"slide_type": "-"} tags=["solution"]
end = 0.1 / 25 / 1e4
rate_at_650 = end + (0.1 - end) * 0.5 * (1 + math.cos(math.pi * (650 - 300) / (1000 - 300)))
assert check_value("Exercise 5", rate_at_650, float(OneCycleSchedule(0.1, total_steps=1000)(650)), rtol=1e-3)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - L. N. Smith (2017). *Cyclical Learning Rates for Training Neural Networks.* WACV (the LR range test).
# - L. N. Smith (2018). *A disciplined approach to neural network hyper-parameters: Part 1 — learning rate, batch size, momentum, and weight decay.* arXiv:1803.09820 (1cycle).
# - L. N. Smith and N. Topin (2019). *Super-Convergence: Very Fast Training of Neural Networks Using Large Learning Rates.* SPIE.
# - I. Loshchilov and F. Hutter (2017). *SGDR: Stochastic Gradient Descent with Warm Restarts.* ICLR (cosine annealing).
# - P. Goyal, P. Dollár, R. Girshick et al. (2017). *Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour.* arXiv:1706.02677 (linear warmup).
# - A. Senior, G. Heigold, M. Ranzato and K. Yang (2013). *An Empirical Study of Learning Rates in Deep Neural Networks for Speech Recognition.* ICASSP (power, exponential, performance scheduling).
# - S. Hu, Y. Tu, X. Han et al. (2024). *MiniCPM: Unveiling the Potential of Small Language Models with Scalable Training Strategies.* arXiv:2404.06395 (warmup-stable-decay).
# - A. Hägele, E. Bakouch, A. Kosson et al. (2024). *Scaling Laws and Compute-Optimal Training Beyond Fixed Training Durations.* NeurIPS.
# - A. Defazio, X. A. Yang, H. Mehta, K. Mishchenko, A. Khaled and A. Cutkosky (2024). *The Road Less Scheduled.* NeurIPS (schedule-free AdamW).
# - P. Kasimbeg, F. Schneider, R. Eschenhagen et al. (2025). *Accelerating Neural Network Training: An Analysis of the AlgoPerf Competition.* ICLR.
# - Y. Bengio (2012). *Practical recommendations for gradient-based training of deep architectures.* In *Neural Networks: Tricks of the Trade*, 2nd ed., Springer.
# - A. Géron (2022). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 3rd ed., chapter 11. O'Reilly.
