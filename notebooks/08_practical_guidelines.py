# %% [markdown] slideshow={"slide_type": "slide"}
# # 08 · Practical guidelines: a default recipe, validated, a training-health checklist, and the chapter's exercises
#
# Notebooks 01 to 07 took the training of a deep network apart one ingredient at a time: initialization, activation
# functions, batch normalization and gradient clipping, reused layers, optimizers, learning-rate schedules and
# regularization. This notebook puts the ingredients back together. It collects the defaults the course arrived at in one
# table, each row pointing to the notebook and section that measured it; then it *tests* the recipe as a whole, against a
# naive network and against the defaults of Géron's chapter, and takes it apart again one ingredient at a time to show what
# each is worth on this data. It gives you one call that checks the vital signs of your own model, and ends with the
# chapter's exercises 1 to 7 as self-check questions. It is the notebook to revise from before an exam.
#
# **You will learn to**
# 1. choose a default configuration for a deep network, and the variant for self-normalising networks, and say which
#    measurement supports each choice;
# 2. recognise the exceptions: sparse models, low-latency models, risk-sensitive applications;
# 3. read a recipe comparison and an ablation over seeds: a baseline decided in advance, paired differences, Holm's
#    correction;
# 4. check a model's training health (gradient norms, saturation, dead units) on one batch with `training_health`;
# 5. answer the chapter's exercises 1 to 7, and point to the experiment behind each answer.
#
# **Builds on:** every notebook before it: 01 (initialization), 02 (activations), 03 (batch normalization, clipping),
# 04 (transfer learning), 05 (optimizers), 06 (learning-rate schedules), 07 (regularization).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup
#
# Besides the usual helpers, this notebook uses two new ones: `training_health` (section 3), the training-health
# checklist, with its `HealthThresholds`, and `check_choice`, which checks the answer to a multiple-choice question.

# %% slideshow={"slide_type": "-"}
from helpers import (  # first import: keeps TensorFlow's start-up chatter out of the notebook
    HealthThresholds, OneCycleSchedule, budget, check_choice, check_condition, check_value, compare_to_baseline, comparison_table,
    load_fashion_mnist, rel_error, save_fig, set_seeds, setup, training_health,
)
import math
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

setup(seed=42)
data = load_fashion_mnist(standardize=True)
print(data.summary())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The default configuration
#
# The table gathers what notebooks 01-07 measured into one default for a deep network of dense layers, the kind this course
# trains. The second column is Géron's default (*Hands-On Machine Learning*, 3rd ed., Table 11-3); the last says where the
# course measured it and what that measurement showed. "Inconclusive" means that the interval of the difference
# straddled 0 at the budget of that notebook: no difference was detected, which is not the same as no difference.
#
# | ingredient | this course's default | Géron's default | measured in | what was measured there |
# |---|---|---|---|---|
# | kernel initializer | He (`he_normal`); LeCun for SELU | He | [01](01_vanishing_exploding_gradients.ipynb), §2 *Glorot and Bengio (2010) on a small scale*, §3 *Glorot, He and LeCun initialization*, §5 *The effect on training* | at initialization, $\mathcal{N}(0,1)$ weights saturate most sigmoid and tanh values and make a 10-layer ReLU network's activations explode, while He's keep their spread level; Keras' initializers checked against the formulas; trained over seeds, a 10-layer tanh network from Glorot weights ends far more accurate than from $\mathcal{N}(0,1)$ (interval far from 0) |
# | activation (hidden layers) | ReLU family; Swish (SiLU) if a little more compute is acceptable | ReLU if shallow, Swish if deep | [02](02_activation_functions.ipynb), §2 *Dying ReLUs*, §5 *A fair comparison*, §7 *Which activation, when?* | 9 activations on a 5-hidden-layer network, 5 seeds, paired against ReLU with Holm's correction: only Swish came out ahead, by about a point; every other difference inconclusive. At a 20 times higher learning rate a large share of ReLU units died, leaky variants kept theirs |
# | normalization | none for a shallow net; batch normalization when deep, or to tolerate large learning rates | none if shallow, BN if deep | [03](03_batch_normalization_and_gradient_clipping.ipynb), §4 *The effect, measured* | a learning-rate sweep with and without BN over seeds: BN trained at every rate up to 1.0 where the plain network diverged (higher after Holm at the large rates), and was behind or inconclusive at small rates; its cost and folding in §5 |
# | gradient clipping | `global_clipnorm` a little above the healthy gradient norms, as insurance | (not in the table) | [03](03_batch_normalization_and_gradient_clipping.ipynb), §6 *Gradient clipping* | a corrupted batch made every unclipped run diverge, the clipped runs trained on; at a learning rate that is simply too high, clipping became a learning-rate cut in disguise |
# | regularization | early stopping; weight decay (AdamW); dropout for large networks | early stopping, weight decay if needed | [07](07_regularization.ipynb), §2 *$\ell_1$ and $\ell_2$ penalties*, §3 *Dropout*, §9 *Early stopping*, §10 *Every technique against the baseline*; [05](05_faster_optimizers.ipynb), §7 *Decoupled weight decay versus an $\ell_2$ penalty* | 07 compares each technique with a baseline over seeds, paired, with Holm's correction, on accuracy, the train/validation gap and calibration: test accuracy inconclusive for every technique; $\ell_1$, $\ell_2$ and dropout shrank the gap, and all but max-norm lowered the ECE, after Holm; 05 showed that with Adam an $\ell_2$ penalty drives a rarely-updated weight to 0 while AdamW's decoupled decay does not |
# | optimizer | Adam or AdamW at $10^{-3}$; Nesterov momentum 0.9 when tuned | Nesterov or AdamW | [05](05_faster_optimizers.ipynb), §5 *A race on Fashion-MNIST*, §6 *Momentum too close to 1* | 8 optimizers, each at the best rate of a small sweep, 5 seeds, paired against Adam, Holm: every difference inconclusive; momentum 0.99 at the rate chosen for 0.9 ended near chance |
# | learning rate and schedule | a rate from a sweep or the LR finder; 1cycle or cosine with warmup | performance scheduling or 1cycle | [06](06_learning_rate_schedules.ipynb), §1 *Why the learning rate matters most*, §3 *The LR finder (Smith's LR range test)*, §4 *Schedules raced on one budget* | the good constant rates spanned about a decade; schedules over 5 seeds against a constant rate: cosine with warmup and 1cycle higher after Holm (more than a point), exponential decay and schedule-free AdamW inconclusive |
# | reusing layers | reuse pretrained layers when labels are scarce | (same advice in the chapter) | [04](04_transfer_learning.ipynb), §3 *Honest over seeds*, §3.1 *Fewer or more labels* | the gain of reusing task A's layers was clear at 50 labels, inconclusive at §3's 200, negative at 2,240 labels at the same 140-step budget |
#
# **The self-normalising variant** (Géron, Table 11-4) for a deep stack of plain dense layers:
#
# | ingredient | default | measured in | what was measured there |
# |---|---|---|---|
# | kernel initializer | LeCun (`lecun_normal`) | [02](02_activation_functions.ipynb), §4 *SELU and self-normalising networks* | with He's variance instead, the signal of a 100-layer SELU stack grew by orders of magnitude |
# | activation | SELU | [02](02_activation_functions.ipynb), §4 | SELU's constants solved from the paper's equation; a 1,000-layer NumPy stack kept mean 0 and standard deviation 1 while ReLU and tanh lost the signal; a 100-layer SELU network learned faster than a ReLU one over 3 epochs (one run each) |
# | normalization | none (the network normalises itself) | [02](02_activation_functions.ipynb), §4 | badly scaled inputs were pulled back to mean 0 and standard deviation 1 only after several layers (standardize anyway); skip connections broke self-normalization |
# | regularization | AlphaDropout if needed (not ordinary dropout) | [02](02_activation_functions.ipynb), §4 and §6 *The Keras way*; [07](07_regularization.ipynb), §4 *AlphaDropout and self-normalising networks* | ordinary dropout moved the stack to another fixed point, AlphaDropout kept mean 0 and variance 1 |
# | optimizer, schedule | Nesterov momentum; performance scheduling or 1cycle | [05](05_faster_optimizers.ipynb), [06](06_learning_rate_schedules.ipynb) | not measured for SELU in this course |
#
# At five layers, SELU was not ahead of ReLU (02, §5, inconclusive): its advantage is for deep plain stacks.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The exceptions
#
# - **Sparse models** (fewer non-zero weights, for a smaller file or faster sparse inference): an $\ell_1$ penalty
#   ([07](07_regularization.ipynb), §2), pruning the smallest weights and then fine-tuning with the pruned weights held at 0
#   (a mask), or gradual pruning during training with the TensorFlow Model Optimization Toolkit (it needs `tf_keras`, the
#   Keras 2 package, which the course does not install). One-shot pruning without retraining cost accuracy fast on our small
#   network ([05](05_faster_optimizers.ipynb), §8 *Sparse models*). Exercise 6 below measures what $\ell_1$ does to the
#   weights.
# - **Low-latency models**: fold batch normalization into the preceding layer for inference (same predictions, a modest
#   speed-up in [03](03_batch_normalization_and_gradient_clipping.ipynb), §5 *The runtime cost, and folding BN away*);
#   prefer a cheap activation (ReLU or leaky ReLU: GELU and Mish cost the most on their own, about 5x and 9-11x ReLU in
#   [02](02_activation_functions.ipynb), §3 *The cost of an exponential*, while in a whole network the matrix products
#   dominate); fewer layers; float16 or 8-bit quantization (not measured in this course).
# - **Risk-sensitive applications**, where a confident wrong answer is costly: deep ensembles and temperature scaling for
#   calibrated probabilities; MC dropout or ensembles for an uncertainty estimate (in 07, MC dropout's average was less
#   well calibrated than the deterministic pass) ([07](07_regularization.ipynb), §5 *MC Dropout: many predictions from one
#   network*, §6 *Beyond the chapter: a deep ensemble, and temperature scaling*). The price of ensembles and MC dropout is
#   inference time (Exercise 7).
#
# The configurations of section 2 are written down now, before any of them is trained. This cell only builds them and
# counts their parameters, so its output is the same in every mode.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
N_HIDDEN, WIDTH = 4, 100
DEFAULT = dict(init="he_normal", activation="swish", batch_norm=True, optimizer="AdamW", learning_rate=1e-3,
               schedule="1cycle")
NAIVE = dict(init="N(0, 1)", activation="sigmoid", batch_norm=False, optimizer="SGD", learning_rate=0.01,
             schedule="constant")
BOOK = dict(init="he_normal", activation="relu", batch_norm=False, optimizer="Nesterov", learning_rate=0.03,
            schedule="1cycle")
CONFIGS = {"default": DEFAULT, "naive": NAIVE, "Géron's defaults": BOOK}
ABLATIONS = {  # the default with one ingredient replaced by the naive network's choice
    "default, N(0, 1) init": {"init": NAIVE["init"]},
    "default, sigmoid": {"activation": NAIVE["activation"]},
    "default, no BN": {"batch_norm": NAIVE["batch_norm"]},
    "default, plain SGD at 0.01": {"optimizer": NAIVE["optimizer"], "learning_rate": NAIVE["learning_rate"]},
    "default, constant rate": {"schedule": NAIVE["schedule"]},
}
CONFIGS.update({name: {**DEFAULT, **swapped} for name, swapped in ABLATIONS.items()})


def build_model(config):
    init = keras.initializers.RandomNormal(stddev=1.0) if config["init"] == "N(0, 1)" else config["init"]
    layers = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
    for _ in range(N_HIDDEN):
        if config["batch_norm"]:  # BN before the activation; its beta makes the Dense bias redundant (notebook 03)
            layers += [keras.layers.Dense(WIDTH, kernel_initializer=init, use_bias=False),  # momentum 0.9: see section 2
                       keras.layers.BatchNormalization(momentum=0.9), keras.layers.Activation(config["activation"])]
        else:
            layers.append(keras.layers.Dense(WIDTH, activation=config["activation"], kernel_initializer=init))
    output_init = init if config["init"] == "N(0, 1)" else "glorot_uniform"  # Glorot for the softmax layer (01, §3)
    layers.append(keras.layers.Dense(10, activation="softmax", kernel_initializer=output_init))
    return keras.Sequential(layers)


print(f"{'configuration':<28}{'init':<11}{'activation':<11}{'BN':<6}{'optimizer':<10}{'rate':>6}  {'schedule':<9}{'parameters':>10}")
for name, config in CONFIGS.items():
    print(f"{name:<28}{config['init']:<11}{config['activation']:<11}{str(config['batch_norm']):<6}"
          f"{config['optimizer']:<10}{config['learning_rate']:>6g}  {config['schedule']:<9}{build_model(config).count_params():>10,}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The recipe validated
#
# Does the recipe as a whole beat a network put together without any of it, and what is each ingredient worth? The
# experiment, decided before running it:
#
# - **The network**: 4 hidden layers of 100 units, softmax output, batch 64, `steps_per_execution=32`.
# - **Three configurations** (the table above): the course's **default** with every ingredient switched on, including
#   the two the table recommends for *deep* networks (He initialization, Swish, BN before each activation, AdamW at
#   $10^{-3}$ under 1cycle); a **naive** one (sigmoid, $\mathcal{N}(0,1)$ weights in every layer, plain SGD at Keras'
#   default rate 0.01, constant); and **Géron's defaults** read for a shallow network (He, ReLU, no BN, Nesterov momentum
#   0.9 at 0.03, the rate notebook 05's sweep chose for it, under 1cycle). Four hidden layers sit at the shallow end; the
#   depth stays fixed, so the experiment measures what the ingredients are worth here, not how that changes with depth.
#   The softmax layer gets Glorot's initialization
#   except in the $\mathcal{N}(0,1)$ configurations. Early stopping, part of both defaults, is left out: in two epochs it
#   would have nothing to stop. AdamW's default weight decay is the only regularization.
# - **BN's momentum**: the BN layers use `momentum=0.9` instead of Keras' default 0.99. Evaluation runs in inference mode,
#   on the moving averages of the batch statistics, and a run here is only 250 steps: at 0.99 the averages would still
#   carry $0.99^{250} \approx 8\%$ of their initial values and lag the weights, a handicap for every configuration with
#   BN. Notebook 03 switched to 0.9 for the same reason ([03](03_batch_normalization_and_gradient_clipping.ipynb),
#   Exercise 3 and its solution).
# - **An ablation**: the default with one ingredient at a time replaced by the naive network's choice (the initializer,
#   the activation, BN removed, the optimizer with its rate, the schedule).
# - **The measure**: validation accuracy after the last epoch, over the same seeds for every configuration (a seed fixes
#   the initial weights and the order of the batches, so the runs pair up by seed).
# - **The test**: the default is the baseline, chosen in advance; each of the other seven is compared with it, paired by
#   seed, with t intervals of the difference and Holm's correction over the seven (`compare_to_baseline`).
#
# The budget is small on purpose, so that the whole notebook runs in a few minutes: a subset of the training images and two
# epochs. One compiled model per configuration is reused across seeds: `restart` puts back the seed's initial weights and
# the optimizer's initial state (step 0, zero moments), as notebook 06 does, instead of compiling a new model per run. (The
# default and its $\mathcal{N}(0,1)$ variant differ only in their initial weights, so they share one compiled model.)

# %% slideshow={"slide_type": "-"}
RECIPE_TRAIN = budget(8_000, quick=1_000)
RECIPE_EPOCHS = budget(2, quick=1)
RECIPE_SEEDS = list(range(budget(5, quick=2)))
RECIPE_BATCH = 64
X_recipe, y_recipe = data.X_train[:RECIPE_TRAIN], data.y_train[:RECIPE_TRAIN]
recipe_steps = RECIPE_EPOCHS * math.ceil(len(X_recipe) / RECIPE_BATCH)


def make_optimizer(config):
    rate = OneCycleSchedule(config["learning_rate"], recipe_steps) if config["schedule"] == "1cycle" else config["learning_rate"]
    if config["optimizer"] == "AdamW":
        return keras.optimizers.AdamW(learning_rate=rate)
    if config["optimizer"] == "Nesterov":
        return keras.optimizers.SGD(learning_rate=rate, momentum=0.9, nesterov=True)
    return keras.optimizers.SGD(learning_rate=rate)


def compiled_model(config):
    set_seeds(0)
    model = build_model(config)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=make_optimizer(config), metrics=["accuracy"],
                  steps_per_execution=32)
    model.optimizer.build(model.trainable_variables)  # so that its initial variables exist and can be restored
    return model, [v.numpy() for v in model.optimizer.variables]


def restart(model, optimizer_start, config, seed):
    set_seeds(seed)
    model.set_weights(build_model(config).get_weights())  # the seed's initial weights (and BN statistics)
    for variable, value in zip(model.optimizer.variables, optimizer_start):
        variable.assign(value)


def validation_accuracy(model):  # one call in inference mode: no evaluate() graph to trace
    return float(np.mean(np.argmax(model(data.X_valid, training=False), axis=1) == data.y_valid))


recipe, trained, compiled = {}, {}, {}
started = time.perf_counter()
for name, config in CONFIGS.items():
    graph = tuple((key, value) for key, value in config.items() if key != "init")  # the init only sets the start
    if graph not in compiled:
        compiled[graph] = compiled_model(config)
    model, optimizer_start = compiled[graph]
    recipe[name] = []
    for seed in RECIPE_SEEDS:
        restart(model, optimizer_start, config, seed)
        model.fit(X_recipe, y_recipe, epochs=RECIPE_EPOCHS, batch_size=RECIPE_BATCH, verbose=0)
        recipe[name].append(validation_accuracy(model))
    trained[name] = keras.models.clone_model(model)  # the last seed's trained network, for section 3
    trained[name].set_weights(model.get_weights())
print(f"{len(X_recipe):,} training images, {RECIPE_EPOCHS} epochs = {recipe_steps} steps per run, "
      f"{len(RECIPE_SEEDS)} seeds, {len(CONFIGS)} configurations ({time.perf_counter() - started:.0f} s)")
for name, accuracies in recipe.items():
    print(f"{name:<28} validation accuracy {np.mean(accuracies):.4f} (std over seeds {np.std(accuracies, ddof=1):.4f})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The test decided above: every configuration minus the default, paired by seed, Holm over the seven comparisons.

# %% slideshow={"slide_type": "-"}
recipe_diffs = compare_to_baseline(recipe, "default", paired=True)
print("validation accuracy, each configuration minus the default, paired by seed, Holm over 7 comparisons")
print(comparison_table(recipe_diffs))

# %% slideshow={"slide_type": "-"}
fig, (ax_runs, ax_diffs) = plt.subplots(1, 2, figsize=(15, 4.5), gridspec_kw={"width_ratios": [1, 1.2]})
names = list(recipe)
for row, name in enumerate(names):
    ax_runs.plot(recipe[name], [row] * len(recipe[name]), "o", color="tab:blue", alpha=0.6)
    ax_runs.plot(np.mean(recipe[name]), row, "|", color="black", ms=14, mew=2)
ax_runs.set_yticks(range(len(names)), names)
ax_runs.invert_yaxis()
ax_runs.set_xlabel("validation accuracy (dots: seeds; bar: mean)")
ax_runs.set_title(f"{len(RECIPE_SEEDS)} seeds per configuration")
for row, d in enumerate(recipe_diffs):
    color = "tab:red" if d.verdict() != "inconclusive" else "tab:gray"
    ax_diffs.errorbar(d.mean, row, xerr=[[d.mean - d.low], [d.high - d.mean]], fmt="o", color=color, capsize=4)
ax_diffs.axvline(0, color="black", lw=1)
ax_diffs.set_xscale("symlog", linthresh=0.01)
ax_diffs.set_xlim(-1, 0.05)
ax_diffs.set_yticks(range(len(recipe_diffs)), [d.name.replace(" - default", "") for d in recipe_diffs])
ax_diffs.invert_yaxis()
ax_diffs.set_xlabel("minus the default (95% paired t interval, not Holm-adjusted; symlog axis, linear within ±0.01)")
ax_diffs.set_title("Against the default (red: survives Holm)")
fig.tight_layout()
save_fig("08_recipe_ablation")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Read the comparison table first; the figure shows the same runs (left: every seed; right: each
# difference from the default with its interval, on an axis that is linear near 0 and logarithmic beyond, so that the
# naive network's huge gap and the small ones fit in one panel).
#
# - **Naive against default**: the naive network is far behind, the largest gap of the table, its interval nowhere near
#   0. Together, the ingredients of the course are worth a great deal on this budget.
# - **The ablation**: three ingredients, each removed on its own, cost the default network clearly (lower after Holm). The
#   initializer costs by far the most, then the optimizer (plain SGD at 0.01 instead of AdamW), and the activation least
#   (the sigmoid instead of Swish): with BN in front of each activation the sigmoid's inputs are standardized, so it hardly
#   saturates, and what remains is its small derivative (notebook 02, section 1). $\mathcal{N}(0,1)$ weights cost a lot even
#   with BN; one likely reason, not measured here, is the softmax layer, whose $\mathcal{N}(0,1)$ weights no BN layer
#   rescales (section 3's checklist is the tool to find out).
# - **The schedule and BN**: removing either leaves the default where it was, within the noise of five seeds: both
#   intervals straddle 0, **inconclusive here**. Notebook 06, with 785 steps and no BN, found 1cycle ahead of a constant
#   rate after Holm; here, in 250 steps, no difference was detected. For BN, notebook 03 (section 4) found its advantage at
#   large learning rates, where the plain network diverged, and Ioffe and Szegedy (2015) report a deep convolutional network
#   trained in far fewer steps; this experiment trains at AdamW's $10^{-3}$ only, so it cannot show either.
# - **Géron's defaults against ours**: the book's shallow reading (ReLU, no BN, Nesterov momentum at 0.03) and the recipe
#   with every ingredient switched on end within the noise of each other: **inconclusive here**. The extra ingredients
#   bought no accuracy that five seeds could detect, while BN costs time (notebook 03, section 5). Which of the three
#   differences pulls which way this comparison cannot say, and it says nothing about depth, which was never varied, nor
#   about Swish against ReLU, which the ablation does not compare (it replaces Swish by the sigmoid; notebook 02, section
#   5, found Swish about a point ahead of ReLU after Holm).
#
# What the ablation does *not* show: interactions. Removing two ingredients can cost more, or less, than the sum of
# removing each (without BN, $\mathcal{N}(0,1)$ weights together with the sigmoid are the naive network's disaster). Nor
# depth: every configuration has four hidden layers. And two epochs on 8,000 images is a short budget: regularization has
# nothing to do here (notebook 07 measures it where it matters), and small differences can change sign with a longer one.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. A training-health checklist
#
# When your own network trains badly, the first question is whether it is *healthy*: do gradients reach every layer, are
# units saturated or dead, does each layer's output still depend on its input, is the initial loss sensible? Notebooks 01
# to 03 answered these with the probes `gradient_norms` and `activation_stats`. `training_health(model, x, y)` runs both
# on one batch, and the loss, and turns them into a table and warnings in plain words. The thresholds are rules of thumb
# (its docstring explains each one), and every one can be overridden with `HealthThresholds(...)`:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
print(HealthThresholds())
print(f"a uniform guess over 10 classes has loss ln 10 = {math.log(10):.3f}")

# %% [markdown] slideshow={"slide_type": "-"}
# A batch of 256 validation images serves every check (use a few hundred: "dead" means "0 for every input of the batch",
# so a tiny batch overcounts). First, two deliberately broken networks: the naive configuration of section 2, freshly
# initialized, and a ReLU network whose biases start at $-2$.

# %% slideshow={"slide_type": "-"}
x_probe, y_probe = data.X_valid[:256], data.y_valid[:256]


def health_of(config=None, model=None):
    if model is None:
        set_seeds(0)
        model = build_model(config)
    model.compile(loss="sparse_categorical_crossentropy")
    return training_health(model, x_probe, y_probe)


print("naive network (sigmoid, N(0, 1) weights), at initialization:")
print(health_of(NAIVE))

# %% slideshow={"slide_type": "-"}
set_seeds(0)
negative_biases = keras.Sequential(
    [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
    + [keras.layers.Dense(WIDTH, activation="relu", kernel_initializer="he_normal",
                          bias_initializer=keras.initializers.Constant(-2.0)) for _ in range(N_HIDDEN)]
    + [keras.layers.Dense(10, activation="softmax")])
print("ReLU network with biases of -2, at initialization:")
print(health_of(model=negative_biases))

# %% [markdown] slideshow={"slide_type": "-"}
# Now a healthy network, He and ReLU (Géron's defaults), at initialization; then the default configuration *after* the
# training of section 2 (the last seed's weights).

# %% slideshow={"slide_type": "-"}
print("He + ReLU, at initialization:")
print(health_of(BOOK))
print("\nthe default configuration after section 2's training:")
print(health_of(model=trained["default"]))

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The naive network's report names the problems of notebook 01 in plain words: most of the sigmoid
# outputs of its first layer saturated, about half in the others, and a loss far above that of a uniform guess, the mark of
# a confidently wrong output layer. The network with biases of $-2$ shows dying ReLUs from outside (notebook 02,
# section 2). Its first layer keeps its units, because standardized pixels take both signs and some images still lift a
# unit above its bias; every deeper layer receives only non-negative inputs, and more and more of its units output 0 for
# every image, until almost all of the last hidden layer is dead. Its gradient norms are also about two orders of
# magnitude smaller, layer by layer, than those of the He/ReLU network below; no threshold flags that, because the
# checklist compares layers with each other and with fixed limits, not with another network. The He/ReLU network at
# initialization and the trained default network pass every check: in each, the largest gradient norm is within a factor
# of about 20 of the smallest (in the trained network the BN layers' $\gamma$ and $\beta$ get the smallest), far inside
# the threshold of 1,000; saturation is checked only for the sigmoid and tanh ("-" elsewhere); almost no unit is dead.
#
# Thresholds are judgement calls: the checklist tells you where to look, not what is wrong. A stricter one is one argument
# away, for example `training_health(model, x, y, thresholds=HealthThresholds(dead=0.02))`. Run it at initialization,
# and again when a run goes wrong: right after a loss spike, or when validation accuracy stalls.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways (for the whole course)
#
# - Vanishing and exploding gradients are one instability: each layer multiplies the signal by a factor, and a deep
#   network multiplies many. Keep each layer's variance near 1: He initialization for the ReLU family, Glorot for tanh and
#   the sigmoid, LeCun for SELU (01). Weights must be random; biases may start at 0 (01, §4; Exercises 2 and 3 here).
# - Non-saturating activations: ReLU by default, Swish when a little more compute is affordable; leaky variants when units
#   die; SELU for deep plain stacks under its conditions (02).
# - Batch normalization lets a deep network tolerate large learning rates; it costs time, and can be folded away for
#   inference (03). Clip gradients (`global_clipnorm`) above the healthy norms, as insurance (03).
# - Reuse pretrained layers when labels are scarce (04).
# - Adam or AdamW at $10^{-3}$, or Nesterov momentum, with a learning rate from a sweep or the LR finder: among optimizers
#   each at a well-chosen rate no difference was detected (05), while a badly chosen rate costs a lot (06). A schedule
#   (1cycle, cosine with warmup) is cheap to add: in 06 (785 steps) exponential decay, cosine with warmup and 1cycle beat a
#   constant rate after Holm; in section 2's 250 steps here no difference was detected.
# - Regularize with early stopping and weight decay first; dropout, MC dropout and ensembles when needed (07).
# - Measure before you believe: a baseline chosen in advance, several seeds, paired differences with intervals, Holm's
#   correction; "inconclusive here" is a result (every notebook).
# - On this data and budget, the recipe as a whole was worth far more than any single ingredient, and the initializer and
#   the optimizer were worth the most; removing BN or the schedule, or taking Géron's shallow defaults instead, made no
#   difference that five seeds could detect (section 2). Check your own model's health on one batch
#   with `training_health`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The course on one page
#
# | notebook | the problem | the fix | the measurement to remember |
# |---|---|---|---|
# | [01](01_vanishing_exploding_gradients.ipynb) | gradients vanish or explode with depth | Glorot/He/LeCun initialization; random weights | 10-layer tanh: Glorot far ahead of $\mathcal{N}(0,1)$ over seeds |
# | [02](02_activation_functions.ipynb) | saturation; dying ReLUs | ReLU family, Swish, SELU | only Swish ahead of ReLU after Holm, by about a point |
# | [03](03_batch_normalization_and_gradient_clipping.ipynb) | layers' inputs drift; rare huge gradients | batch normalization; gradient clipping | BN trains at rates where the plain network diverges; clipping survives a corrupted batch |
# | [04](04_transfer_learning.ipynb) | too few labels | reuse pretrained layers | the gain is clear at 50 labels, inconclusive at 200, negative at 2,240 at the same 140-step budget |
# | [05](05_faster_optimizers.ipynb) | slow convergence | momentum, Nesterov, Adam family, Lion, Muon | 8 optimizers inconclusive against Adam; momentum 0.99 at 0.9's rate fails |
# | [06](06_learning_rate_schedules.ipynb) | one learning rate for the whole run | sweeps, LR finder, schedules | good rates span a decade; exponential decay, cosine with warmup and 1cycle higher than a constant rate after Holm, schedule-free AdamW inconclusive |
# | [07](07_regularization.ipynb) | overfitting; overconfidence | $\ell_1$/$\ell_2$, dropout, MC dropout, max-norm, early stopping | each technique against an unregularized baseline |
# | 08 (this one) | putting it together | the default recipe and a health check | naive far behind the default; initializer and optimizer matter most here; no BN, a constant rate and Géron's defaults inconclusive against it |

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Where to go next
#
# - **The capstone, notebook [09](09_cifar10_capstone.ipynb)**: a deep network on CIFAR-10, Géron's exercise 8 of the chapter, trained with
#   this recipe and checked with `training_health`.
# - **Further reading**: Goodfellow, Bengio and Courville, *Deep Learning* (2016), chapters 6 to 8; Bengio (2012) and
#   Smith (2018) for practical recommendations; Google's *Deep Learning Tuning Playbook* (Godbole et al., 2023) for a
#   systematic tuning process; Karpathy's *A Recipe for Training Neural Networks* (2019) for the habit of checking a
#   network's health before tuning it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises: the chapter's questions 1 to 7
#
# These are Géron's exercises 1 to 7 of the chapter, in our own words, as multiple-choice questions (answer with a letter
# string such as `"b"`; "select all" questions take several letters, such as `"ac"`) and a few numbers. Each self-check cell
# tells you whether you are right; the worked answers at the end point to the notebook that measured the answer, and most
# measure it again.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: what initialization fixes
#
# **1a.** Which problem do Glorot and He initialization address?
# (a) overfitting of large networks; (b) the spread of activations and gradients growing or shrinking from layer to layer,
# so that some layers barely learn or blow up; (c) the optimizer getting stuck at saddle points; (d) units dying during
# training at a high learning rate.
#
# **1b.** The weights of a dense layer with 256 inputs are drawn from He's normal initialization. What is their standard
# deviation?

# %% slideshow={"slide_type": "-"}
answer_1a = ...  # a letter
answer_1b = ...  # a number

# %% slideshow={"slide_type": "-"}
check_choice("Exercise 1a", answer_1a, "b", options="abcd",
             hint="Think of the product of many per-layer factors in notebook 01.")
check_value("Exercise 1b", answer_1b, math.sqrt(2 / 256), rtol=0.01, hint="He: variance 2 / fan_in.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: one value for all the weights?
#
# **2a.** Is it fine to initialize all the weights to the same value, provided that value is drawn at random with He's
# initialization? (a) yes: only the variance matters; (b) no: all the units of a layer then compute the same output and
# receive the same gradient, so they stay identical, and the layer behaves like a single unit; (c) yes, as long as the
# biases are 0; (d) no, because the variance would be too large.
#
# **2b.** A network whose layers all start with equal weights (the same value in every layer, zero biases), with a hidden
# layer of 32 units, is trained with SGD. How many *different* hidden units does it have after training?

# %% slideshow={"slide_type": "-"}
answer_2a = ...  # a letter
answer_2b = ...  # a number

# %% slideshow={"slide_type": "-"}
check_choice("Exercise 2a", answer_2a, "b", options="abcd", hint="Symmetry: notebook 01, section 4.")
check_value("Exercise 2b", answer_2b, 1, hint="Identical units get identical gradients, at every step.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: zero biases?
#
# Is it fine to initialize the bias terms to 0? (a) yes: the random weights already make the units differ; (b) no: zero
# biases make all units identical; (c) only for sigmoid units; (d) no: ReLU units with zero bias die.

# %% slideshow={"slide_type": "-"}
answer_3 = ...  # a letter

# %% slideshow={"slide_type": "-"}
check_choice("Exercise 3", answer_3, "a", options="abcd", hint="What is Keras' default bias initializer?");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: which activation, when?
#
# For each situation, pick an activation: (a) ReLU, (b) leaky ReLU or PReLU, (c) SELU, (d) Swish or GELU, (e) sigmoid,
# (f) tanh, (g) softmax.
#
# 1. hidden layers of a shallow network, when speed matters most;
# 2. a deep stack of plain dense layers with standardized inputs, LeCun initialization, no batch normalization, no
#    ordinary dropout, no skip connections;
# 3. hidden layers of a deeper network, when a little more compute for a little more accuracy is acceptable;
# 4. many ReLU units of your network die during training;
# 5. the output layer of a binary classifier (one probability);
# 6. the output layer for mutually exclusive classes;
# 7. an output that must lie between $-1$ and $1$.

# %% slideshow={"slide_type": "-"}
answer_4 = ...  # a dict with a letter for each situation: {1: "?", 2: "?", ..., 7: "?"}

# %% slideshow={"slide_type": "-"}
EXERCISE_4 = {1: "a", 2: "c", 3: "d", 4: "b", 5: "e", 6: "g", 7: "f"}


def exercise_4_wrong(answer):  # the situations whose letter is not right yet
    if not isinstance(answer, dict):
        return list(EXERCISE_4)
    return [k for k, letter in EXERCISE_4.items() if str(answer.get(k, "")).strip().lower() != letter]


check_condition("Exercise 4", answer_4, lambda answer: not exercise_4_wrong(answer),
                hint=f"Look again at situation(s) {exercise_4_wrong(answer_4)}: notebook 02, section 7, and section 1 here.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 5: momentum too close to 1
#
# **5a.** What happens if you set SGD's `momentum` very close to 1 (say 0.99999)? (a) training becomes more stable;
# (b) it speeds up at first, then overshoots and oscillates around the minimum, so it converges more slowly (or diverges at
# a rate that was fine before); (c) nothing noticeable; (d) it is the same as dividing the learning rate by 100,000.
#
# **5b.** On a constant gradient, momentum's velocity grows until each step is a fixed multiple of the step plain SGD would
# take. What is that multiple for $\beta = 0.99$?

# %% slideshow={"slide_type": "-"}
answer_5a = ...  # a letter
answer_5b = ...  # a number

# %% slideshow={"slide_type": "-"}
check_choice("Exercise 5a", answer_5a, "b", options="abcd", hint="Notebook 05, section 6.")
check_value("Exercise 5b", answer_5b, 100, rtol=1e-3, hint="Sum the geometric series 1 + beta + beta^2 + ...");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 6: sparse models
#
# Select **all** the ways that produce a sparse model (most weights exactly 0): (a) an $\ell_1$ penalty during training,
# then zeroing the weights it drove close to 0; (b) an $\ell_2$ penalty; (c) zeroing the smallest weights after training
# (magnitude pruning), then fine-tuning with the pruned weights held at 0 (a mask); (d) dropout; (e) gradual pruning
# during training with the TensorFlow Model Optimization Toolkit; (f) batch normalization.

# %% slideshow={"slide_type": "-"}
answer_6 = ...  # letters, e.g. "ab"

# %% slideshow={"slide_type": "-"}
check_choice("Exercise 6", answer_6, "ace", options="abcdef",
             hint="Three are right. Which of these set weights to 0, or push them there?");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 7: does dropout slow things down?
#
# **7a.** Select **all** that are true: (a) dropout usually slows down convergence: training needs more epochs;
# (b) dropout slows down inference (`predict`); (c) MC dropout slows down inference, by about the number of sampled
# predictions; (d) dropout makes each training step several times more expensive.
#
# **7b.** With MC dropout over 30 samples, how many forward passes does one prediction for a batch cost?

# %% slideshow={"slide_type": "-"}
answer_7a = ...  # letters
answer_7b = ...  # a number

# %% slideshow={"slide_type": "-"}
check_choice("Exercise 7a", answer_7a, "ac", options="abcd", hint="Dropout is off at inference; MC dropout turns it on.")
check_value("Exercise 7b", answer_7b, 30, hint="One forward pass per sample.");

# %% [markdown] slideshow={"slide_type": "slide"} tags=["solution"]
# ## Solutions
#
# Look only after trying. Each solution is followed by its self-check, and most by a cell that measures the answer again.

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 1.** (b). A layer's output variance is about $n_\text{in}\,\sigma_w^2$ times its input's (times a factor of
# the activation), and the gradient's variance going back is about $n_\text{out}\,\sigma_w^2$ times; over many layers these
# factors multiply, so anything but 1 makes the signal vanish or explode. Glorot's $\sigma_w^2 = 2/(n_\text{in}+n_\text{out})$
# balances both directions; He's $2/n_\text{in}$ makes up for the ReLU zeroing about half of its pre-activations. For 256 inputs:
# $\sqrt{2/256} \approx 0.088$. Measured in [01](01_vanishing_exploding_gradients.ipynb), §2 and §3, and below in NumPy:
# 20 ReLU layers of 256 units, the spread of the activations after the last layer relative to the first, for three weight
# scales. ((d) is what leaky variants address, notebook 02; (c) is about optimizers.)

# %% slideshow={"slide_type": "-"} tags=["solution"]
# NBVAL_CHECK_OUTPUT
answer_1a, answer_1b = "b", math.sqrt(2 / 256)
assert check_choice("Exercise 1a", answer_1a, "b", options="abcd")
assert check_value("Exercise 1b", answer_1b, math.sqrt(2 / 256), rtol=0.01)
rng = np.random.default_rng(0)
x0 = rng.standard_normal((512, 256))
for label, scale in (("0.5 x He", 0.5), ("He", 1.0), ("2 x He", 2.0)):
    a, stds = x0, []
    for _ in range(20):
        a = np.maximum(0, a @ (rng.standard_normal((256, 256)) * scale * math.sqrt(2 / 256)))
        stds.append(a.std())
    print(f"{label:>8}: std after layer 20 / after layer 1 = {stds[-1] / stds[0]:.1e}")
he = keras.initializers.HeNormal(seed=0)((256, 1000)).numpy()
print(f"Keras' HeNormal for 256 inputs: std {he.std():.3f}, formula sqrt(2/256) = {math.sqrt(2 / 256):.3f}; "
      f"within 2%: {abs(he.std() / math.sqrt(2 / 256) - 1) < 0.02}")

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# Scaling every layer's weights by $m$ scales the ReLU layer's output by $m$, so after 20 layers the spread is $m^{19}$
# times the first layer's: about half a million either way at $m = 1/2$ or $2$ ($2^{19} \approx 5 \times 10^5$), and about
# 1 with He's scale.
#
# **Exercises 2 and 3.** 2a: (b), and 2b: **1**. With equal weights every unit of a layer computes the same output and gets
# the same gradient, so the units stay equal whatever value they share: the symmetry is never broken and 32 units do the
# work of one ([01](01_vanishing_exploding_gradients.ipynb), §4 *Why the weights must be random*, measured it on
# Fashion-MNIST). 3: (a): zero biases are fine, and Keras' default, because random weights already make the units differ.
# The cell trains a 32-unit layer on made-up data from both starts and counts the distinct units.

# %% slideshow={"slide_type": "-"} tags=["solution"]
# NBVAL_CHECK_OUTPUT
answer_2a, answer_2b = "b", 1
assert check_choice("Exercise 2a", answer_2a, "b", options="abcd") and check_value("Exercise 2b", answer_2b, 1)
rng = np.random.default_rng(1)
X_toy = rng.standard_normal((512, 8)).astype("float32")
y_toy = (X_toy[:, :3].sum(axis=1) > 0).astype("int64") + (X_toy[:, 3] > 1)
shared_value = float(keras.initializers.HeNormal(seed=0)((1, 1)).numpy()[0, 0])
for label, initializer in (("all weights equal (one He draw)", keras.initializers.Constant(shared_value)),
                           ("He weights, zero biases", "he_normal")):
    set_seeds(0)
    toy = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(32, activation="relu", kernel_initializer=initializer),
                            keras.layers.Dense(3, activation="softmax", kernel_initializer=initializer)])
    toy.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.1))
    before = toy.layers[0].kernel.numpy().copy()
    toy.fit(X_toy, y_toy, epochs=5, batch_size=32, verbose=0)
    kernel = toy.layers[0].kernel.numpy()
    distinct = np.unique(kernel.round(5), axis=1).shape[1]  # distinct columns = distinct units
    print(f"{label:<32}: weights changed by training: {not np.allclose(before, kernel)}; "
          f"distinct hidden units after training: {distinct} of 32")

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# Training moved the equal weights, but every unit moved the same way: one distinct unit. (The output layer starts with
# equal weights too: with random output weights the hidden units would receive different gradients, and the symmetry
# would break.) With He's random weights and zero
# biases every unit is different, which answers Exercise 3.

# %% slideshow={"slide_type": "-"} tags=["solution"]
answer_3 = "a"
assert check_choice("Exercise 3", answer_3, "a", options="abcd")

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 4.** 1 (a), 2 (c), 3 (d), 4 (b), 5 (e), 6 (g), 7 (f). The reasons and the measurements are in
# [02](02_activation_functions.ipynb): ReLU is the cheapest non-saturating activation (§3 *The cost of an exponential*);
# SELU normalises itself only under its conditions (§4); Swish was the one activation ahead of ReLU over seeds (§5); leaky
# variants kept their units alive at a high learning rate (§2); §7 *Which activation, when?* sums it up. The sigmoid,
# softmax and tanh belong in output layers for their ranges, not in deep hidden stacks (01, §1).

# %% slideshow={"slide_type": "-"} tags=["solution"]
answer_4 = {1: "a", 2: "c", 3: "d", 4: "b", 5: "e", 6: "g", 7: "f"}
assert check_condition("Exercise 4", answer_4, lambda answer: not exercise_4_wrong(answer))

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 5.** 5a: (b). Momentum adds up past gradients with weights $1, \beta, \beta^2, \dots$; on a constant gradient
# the step tends to $\eta\,g/(1-\beta)$, so 5b is $1/(1-0.99) = 100$ (and 100,000 at 0.99999). With so little friction the
# parameters race past the minimum and swing back and forth for a long time. [05](05_faster_optimizers.ipynb), §6
# *Momentum too close to 1*, measured both: the overshoot on an ill-conditioned bowl grows as $\beta \to 1$, and on
# Fashion-MNIST momentum 0.99 at the rate chosen for 0.9 ended near chance. Below, the heavy-ball update on the
# 1-D bowl $f(x) = x^2/2$ from $x = 1$, in NumPy.

# %% slideshow={"slide_type": "-"} tags=["solution"]
# NBVAL_CHECK_OUTPUT
answer_5a, answer_5b = "b", 1 / (1 - 0.99)
assert check_choice("Exercise 5a", answer_5a, "b", options="abcd")
assert check_value("Exercise 5b", answer_5b, 100, rtol=1e-3)
velocity = 0.0
for _ in range(5000):
    velocity = 0.99 * velocity - 1.0  # eta * g = 1 on a constant gradient
print(f"constant gradient, beta 0.99: step / plain SGD step -> {-velocity:.1f}")
for beta in (0.9, 0.99, 0.99999):
    x, v, path = 1.0, 0.0, []
    for _ in range(2000):
        v = beta * v - 0.01 * x  # learning rate 0.01, gradient x
        x += v
        path.append(x)
    path = np.array(path)
    outside = np.flatnonzero(np.abs(path) >= 1e-3)
    settled = f"from step {outside[-1] + 2}" if outside[-1] < len(path) - 1 else "not within 2000 steps"
    print(f"beta {beta:<7}: largest overshoot past 0 {-path.min():.2f}; |x| after 2000 steps {abs(path[-1]):.1e}; "
          f"stays within 1e-3 of 0: {settled}")

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# At 0.9 the ball reaches the minimum; at 0.99 it overshoots most of the way back and needs much longer; at 0.99999 it
# swings past the minimum by almost its starting distance and after 2,000 steps is still more than half of it away,
# because almost nothing damps the oscillation.
#
# **Exercise 6.** (a), (c) and (e) (Géron's three answers: zero the tiny weights after training; an $\ell_1$ penalty to push
# weights to 0; the TF Model Optimization Toolkit, which needs `tf_keras`, not installed in this course). Fine-tuning after
# pruning keeps the model sparse only if a mask holds the pruned weights at 0; without one, the gradient steps make them
# non-zero again. An $\ell_2$ penalty shrinks weights but leaves them non-zero; dropout
# and batch normalization do not aim at zeros at all. [05](05_faster_optimizers.ipynb), §8 measured magnitude pruning;
# [07](07_regularization.ipynb), §2 the penalties. One subtlety, measured below on a linear regression with 20 inputs of
# which only 3 matter: gradient descent with an $\ell_1$ penalty drives the useless weights *close to* 0 but not exactly to
# 0 (the penalty's gradient, $\pm\lambda$, makes them jitter around it), so a sparse model still needs a last step that
# sets the tiny weights to 0. The cell runs plain SGD in NumPy, with the gradient that Keras adds for
# `kernel_regularizer=keras.regularizers.L1(0.1)` (that is, $0.1\,\operatorname{sign}(w)$) or `L2(0.1)` ($0.2\,w$).

# %% slideshow={"slide_type": "-"} tags=["solution"]
# NBVAL_CHECK_OUTPUT
answer_6 = "ace"
assert check_choice("Exercise 6", answer_6, "ace", options="abcdef")
rng = np.random.default_rng(2)
X_lin = rng.standard_normal((1000, 20))
y_lin = X_lin[:, :3] @ np.array([2.0, -3.0, 1.5]) + 0.5 * rng.standard_normal(1000)
for label, penalty_gradient in (("no penalty", lambda w: 0 * w), ("l2 = 0.1", lambda w: 2 * 0.1 * w),
                                ("l1 = 0.1", lambda w: 0.1 * np.sign(w))):
    w, order = np.zeros(20), np.random.default_rng(0)
    for epoch in range(20):  # SGD, batches of 50, learning rate 0.01: the update Keras applies with L1 or L2
        for batch in np.array_split(order.permutation(1000), 20):
            error = X_lin[batch] @ w - y_lin[batch]
            w -= 0.01 * (2 * X_lin[batch].T @ error / len(batch) + penalty_gradient(w))
    print(f"{label:<10}: of the 17 useless weights, exactly 0: {int(np.sum(w[3:] == 0))}, below 0.01 in size: "
          f"{int(np.sum(np.abs(w[3:]) < 0.01)):>2}; the 3 useful ones above 1: {bool(np.all(np.abs(w[:3]) > 1))}")


# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# In the counts above, the $\ell_1$ penalty brings every useless weight below 0.01, against fewer than half of them without a penalty or
# with $\ell_2$, yet under no penalty is a single weight exactly 0.
#
# **Exercise 7.** 7a: (a) and (c); 7b: **30**. Dropout adds noise to training, so a network usually needs more epochs to
# converge (Srivastava et al., 2014, report training two to three times longer), but each step costs little more (a random
# mask). At inference Keras switches dropout off, so `predict` costs the same as without it. MC dropout keeps it on and
# averages many predictions: one forward pass per sample, 30 times the cost for 30 samples.
# [07](07_regularization.ipynb), §3 *Dropout* and §5 *MC Dropout: many predictions from one network*, measure both. The
# cell checks the mechanics on a small model.

# %% slideshow={"slide_type": "-"} tags=["solution"]
# NBVAL_CHECK_OUTPUT
answer_7a, answer_7b = "ac", 30
assert check_choice("Exercise 7a", answer_7a, "ac", options="abcd") and check_value("Exercise 7b", answer_7b, 30)
set_seeds(0)
with_dropout = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(64, activation="relu"),
                                 keras.layers.Dropout(0.5), keras.layers.Dense(10, activation="softmax")])
x_small = X_lin[:256].astype("float32")
print("inference (dropout off): two predictions identical:",
      bool(np.array_equal(with_dropout(x_small, training=False), with_dropout(x_small, training=False))))
print("training mode (dropout on): two predictions identical:",
      bool(np.array_equal(with_dropout(x_small, training=True), with_dropout(x_small, training=True))))
samples = np.stack([with_dropout(x_small, training=True) for _ in range(30)])
print(f"MC dropout, 30 samples: {samples.shape[0]} forward passes, predictions of shape {samples.shape}; "
      f"mean over samples sums to 1 per image: {bool(np.allclose(samples.mean(axis=0).sum(axis=1), 1, atol=1e-5))}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - A. Géron (2022). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 3rd ed., chapter 11 (Tables
#   11-3 and 11-4, exercises 1-7). O'Reilly.
# - X. Glorot and Y. Bengio (2010). *Understanding the difficulty of training deep feedforward neural networks.* AISTATS.
# - K. He, X. Zhang, S. Ren and J. Sun (2015). *Delving Deep into Rectifiers.* ICCV.
# - G. Klambauer, T. Unterthiner, A. Mayr and S. Hochreiter (2017). *Self-Normalizing Neural Networks.* NeurIPS.
# - P. Ramachandran, B. Zoph and Q. V. Le (2017). *Searching for Activation Functions.* arXiv:1710.05941 (Swish).
# - S. Ioffe and C. Szegedy (2015). *Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate
#   Shift.* ICML.
# - I. Loshchilov and F. Hutter (2019). *Decoupled Weight Decay Regularization.* ICLR (AdamW).
# - L. N. Smith (2018). *A disciplined approach to neural network hyper-parameters: Part 1.* arXiv:1803.09820 (1cycle).
# - N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever and R. Salakhutdinov (2014). *Dropout: A Simple Way to Prevent
#   Neural Networks from Overfitting.* JMLR.
# - Y. Gal and Z. Ghahramani (2016). *Dropout as a Bayesian Approximation.* ICML (MC dropout).
# - S. Han, J. Pool, J. Tran and W. J. Dally (2015). *Learning both Weights and Connections for Efficient Neural Networks.*
#   NeurIPS (pruning).
# - S. Holm (1979). *A Simple Sequentially Rejective Multiple Test Procedure.* Scandinavian Journal of Statistics.
# - Y. Bengio (2012). *Practical recommendations for gradient-based training of deep architectures.* In *Neural Networks:
#   Tricks of the Trade*, 2nd ed., Springer.
# - I. Goodfellow, Y. Bengio and A. Courville (2016). *Deep Learning.* MIT Press.
# - V. Godbole, G. E. Dahl, J. Gilmer, C. J. Shallue and Z. Nado (2023). *Deep Learning Tuning Playbook.* Google Research.
# - A. Karpathy (2019). *A Recipe for Training Neural Networks.* Blog post.
