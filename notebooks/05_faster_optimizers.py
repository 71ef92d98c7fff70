# %% [markdown] slideshow={"slide_type": "slide"}
# # 05 · Faster optimizers: from momentum to Lion and Muon
#
# Notebooks 01 to 04 made the gradient *well behaved*: the right initialization, activation and
# normalization keep it at a sensible size in every layer. This notebook is about what we *do* with it.
# Plain gradient descent takes a step of fixed size straight down the slope, and on the long, narrow
# valleys that real losses are full of it zig-zags across the valley and crawls along it. Momentum,
# per-parameter step sizes (AdaGrad, RMSProp, Adam and its relatives) and, recently, sign and
# orthogonalised updates (Lion, Muon) each fix part of that. We derive each update rule, write it in a
# few lines of NumPy, check it against Keras step for step, and then measure what it buys.
#
# **You will learn to**
# 1. explain with an ill-conditioned quadratic why gradient descent is slow, and compute (and measure) the
#    convergence rates of gradient descent and momentum from the condition number;
# 2. write the update rules of momentum, Nesterov, AdaGrad, RMSProp, Adadelta, Adam, AdaMax, Nadam, AdamW,
#    Lion and Muon, and say where Keras' versions differ from the papers;
# 3. read optimizer trajectories and loss curves on 2-D test functions, and measure AdaGrad's shrinking step;
# 4. race optimizers on Fashion-MNIST fairly (a learning rate tuned for each, paired seeds, a baseline chosen
#    in advance, Holm's correction) and say what the result does and does not show;
# 5. tell weight decay from an $\ell_2$ penalty, and pick an optimizer for a new problem.
#
# **Builds on:** notebooks 01-03 (He initialization, ReLU, `steps_per_execution`, the `helpers` package and its
# seed statistics). Next notebook: learning-rate schedules.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup
#
# As in notebook 01: `helpers` first (it keeps TensorFlow's start-up messages out), then `setup()` for seeds and
# the plot style, then Fashion-MNIST standardized pixel by pixel. Most of this notebook is NumPy on
# small test functions; the data only come in for the race in section 5.
#
# A code cell that starts with `# NBVAL_CHECK_OUTPUT` prints something that cannot depend on the data or the
# machine (a rate, a check against Keras): the course's tests rerun the notebook and check that its output is
# still exactly the one saved with it.

# %% slideshow={"slide_type": "-"}
from helpers import (  # first import: keeps TensorFlow's start-up chatter out of the notebook
    budget, check_condition, check_function, compare_to_baseline, comparison_table, load_fashion_mnist,
    paired_difference, rel_error, save_fig, set_seeds, setup,
)
import time

import ipywidgets as widgets
import keras
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

setup(seed=42)
data = load_fashion_mnist(standardize=True)
print(data.summary())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why plain gradient descent is slow
#
# Near a minimum every smooth loss looks like a quadratic bowl, $f(\boldsymbol\theta) = \tfrac12\boldsymbol\theta^\top
# \mathbf{A}\boldsymbol\theta$, with $\mathbf{A}$ symmetric positive definite (the Hessian). Rotate the axes onto
# $\mathbf{A}$'s eigenvectors and the bowl becomes a sum of independent 1-D parabolas $\tfrac12\lambda_i\theta_i^2$,
# with eigenvalues between $\mu = \lambda_\min$ and $L = \lambda_\max$. Their ratio $\kappa = L/\mu$ is the
# **condition number**: how much more curved the steepest direction is than the flattest.
#
# Gradient descent with learning rate $\eta$, $\boldsymbol\theta_{t+1} = \boldsymbol\theta_t - \eta\nabla f(\boldsymbol\theta_t)$,
# multiplies coordinate $i$ by $1 - \eta\lambda_i$ at every step. It diverges in the steep direction unless
# $\eta < 2/L$, and then it multiplies the flat direction by at least $1 - 2\mu/L$ per step (removes at most a fraction $2\mu/L$). The best fixed step,
# $\eta^* = 2/(L+\mu)$, balances the two, and the error then shrinks by
#
# $$r_\text{GD} = \frac{\kappa - 1}{\kappa + 1} \quad\text{per step.}$$
#
# **Momentum** (Polyak's heavy ball, 1964) keeps a velocity $\mathbf{m}$ that accumulates past gradients:
# $\mathbf{m}_{t+1} = \beta\mathbf{m}_t - \eta\nabla f(\boldsymbol\theta_t)$, $\boldsymbol\theta_{t+1} = \boldsymbol\theta_t + \mathbf{m}_{t+1}$.
# On a quadratic each coordinate now follows a 2-term linear recurrence; with the best pair
# $\eta^* = 4/(\sqrt L + \sqrt\mu)^2$ and $\beta^* = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2$ both of its
# roots have modulus $\sqrt{\beta^*}$, so (Polyak 1964; Goh 2017)
#
# $$r_\text{momentum} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}.$$
#
# With $\kappa = 100$ that is 0.98 against 0.82: reaching an error of $10^{-6}$ takes about 690 steps without
# momentum and 69 with it (exercise 2). The number of steps grows like $\kappa$ for gradient descent, like $\sqrt\kappa$ with momentum.
#
# First the zig-zag, on a 2-D bowl with $\kappa = 10$:

# %% slideshow={"slide_type": "-"}
MU, L = 1.0, 10.0                                 # the bowl's two curvatures: kappa = 10
BOWL_START = np.array([-4.0, 1.5])


def bowl(theta):
    return 0.5 * (MU * theta[..., 0] ** 2 + L * theta[..., 1] ** 2)


def bowl_grad(theta):
    return np.array([MU * theta[0], L * theta[1]])


def heavy_ball(grad_fn, theta0, learning_rate, beta, n_steps):
    # Gradient descent with momentum (beta=0: plain gradient descent); returns the path, one row per step.
    theta, m = np.array(theta0, dtype=float), np.zeros(len(theta0))
    path = [theta]
    for _ in range(n_steps):
        m = beta * m - learning_rate * grad_fn(theta)
        theta = theta + m
        path.append(theta)
    return np.array(path)


def draw_bowl(ax, f=bowl, extent=(-4.5, 4.5, -2.2, 2.2)):
    x, y = np.meshgrid(np.linspace(*extent[:2], 300), np.linspace(*extent[2:], 200))
    ax.contour(x, y, f(np.stack([x, y], axis=-1)), levels=np.geomspace(0.01, 60, 14), colors="0.75", linewidths=0.7)
    ax.plot(0, 0, "k*", ms=9)
    ax.set_aspect("equal")


fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
runs = {"gradient descent, $\\eta$ = 0.19 (just under 2/L)": (0.19, 0.0),
        "gradient descent, $\\eta^*$ = 2/(L+$\\mu$)": (2 / (L + MU), 0.0),
        "momentum, best $\\eta^*$, $\\beta^*$": (4 / (np.sqrt(L) + np.sqrt(MU)) ** 2,
                                               ((np.sqrt(L / MU) - 1) / (np.sqrt(L / MU) + 1)) ** 2)}
draw_bowl(axes[0])
for label, (lr, beta) in runs.items():
    path = heavy_ball(bowl_grad, BOWL_START, lr, beta, 60)
    axes[0].plot(*path[:25].T, ".-", ms=3, lw=1, label=label)
    axes[1].semilogy(bowl(path), label=label)
axes[0].set_title("The first 25 steps on the bowl ($\\kappa$ = 10)")
axes[1].set(title="Loss against step", xlabel="step", ylabel="f (log scale)")
axes[1].legend()
fig.tight_layout()
save_fig("optimizer_zigzag_on_the_bowl")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The rates, measured
#
# Now the formulas made numeric. On bowls with $\kappa$ = 10, 100 and 1,000 we run gradient descent and momentum
# at their best settings and measure the rate as the per-step shrinkage of the distance to the minimum over the
# second half of the run, $(\lVert\boldsymbol\theta_T\rVert_\infty / \lVert\boldsymbol\theta_{T/2}\rVert_\infty)^{2/T}$ (the largest coordinate: squaring numbers near $10^{-170}$ for the Euclidean norm would underflow). (At $\beta^*$
# the recurrence's two roots coincide, so the distance behaves like $t\,r^t$ rather than $r^t$: measuring late and
# over a long window makes the factor $t$ negligible, which is why the tolerance is 0.5%.)

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def measured_rate(path):
    # Per-step shrinkage of the distance to the minimum (at 0) over the second half of the path.
    distance = np.abs(path).max(axis=1)           # the largest coordinate: a norm that cannot underflow here
    half = len(path) // 2
    return (distance[-1] / distance[half]) ** (1 / (len(path) - 1 - half))


print(f"{'kappa':>6} {'GD measured':>12} {'(k-1)/(k+1)':>12} {'momentum measured':>18} {'(sqrt k-1)/(sqrt k+1)':>22}")
for kappa in (10, 100, 1000):
    curvatures = np.array([1.0, kappa])
    n_steps = int(200 * np.sqrt(kappa))          # long enough to measure, short enough not to underflow
    gd_path = heavy_ball(lambda t: curvatures * t, [1.0, 1.0], 2 / (kappa + 1), 0.0, n_steps)
    beta_star = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    mom_path = heavy_ball(lambda t: curvatures * t, [1.0, 1.0], 4 / (np.sqrt(kappa) + 1) ** 2, beta_star, n_steps)
    gd_formula, mom_formula = (kappa - 1) / (kappa + 1), (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    gd_rate, mom_rate = measured_rate(gd_path), measured_rate(mom_path)
    assert abs(gd_rate - gd_formula) / gd_formula < 1e-9       # exact: both coordinates shrink by r every step
    assert abs(mom_rate - mom_formula) / mom_formula < 5e-3
    print(f"{kappa:6d} {gd_rate:12.4f} {gd_formula:12.4f} {mom_rate:18.4f} {mom_formula:22.4f}")
print("measured rates match the formulas (GD to 1e-9, momentum within 0.5%): True")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Gradient descent's rate matches its formula exactly: at $\eta^*$ both coordinates shrink by the same
# factor at every step. Momentum's matches within the tolerance. As $\kappa$ grows the two rates get closer in the table
# (both tend to 1), but what counts is $1 - r$, the fraction of the error removed per
# step, which is about $2/\kappa$ for gradient descent and $2/\sqrt\kappa$ for momentum. The catch: $\beta^*$ and
# $\eta^*$ need $\mu$ and $L$, which nobody knows for a neural network, and a network's loss is not a quadratic. That
# is why, in practice, $\beta = 0.9$ is a default and the learning rate is tuned.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. An explorer: learning rate and momentum
#
# Move the sliders (in JupyterLab) to redraw the trajectory and the loss on the $\kappa = 10$ bowl. Things to try:
# $\eta$ just above $2/L = 0.2$ with $\beta = 0$ (divergence in the steep direction); $\beta = 0.9$ with a small $\eta$
# (slow spirals); $\beta$ close to 1 (long-lived oscillation, section 6). The figure below the sliders is drawn at
# the default values, so it shows even where no Python kernel runs (on GitHub, or in the published notebook).

# %% slideshow={"slide_type": "-"}
def explore(learning_rate=0.05, beta=0.5, n_steps=60):
    path = heavy_ball(bowl_grad, BOWL_START, learning_rate, beta, n_steps)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.2))
    draw_bowl(ax1)
    ax1.plot(*np.clip(path, -50, 50).T, ".-", ms=3, lw=1)
    ax1.set(xlim=(-4.5, 4.5), ylim=(-2.2, 2.2), title=f"$\\eta$ = {learning_rate:.3f}, $\\beta$ = {beta:.2f}")
    ax2.semilogy(np.minimum(bowl(path), 1e6))
    ax2.set(title="loss against step", xlabel="step", ylabel="f (log scale)", ylim=(1e-12, 1e6))
    fig.tight_layout()
    return fig


explore()                                          # the static figure, at the default values
save_fig("optimizer_explorer_defaults")
plt.show()
explorer = widgets.interactive(
    lambda learning_rate, beta: plt.show(explore(learning_rate, beta)),
    learning_rate=widgets.FloatSlider(value=0.05, min=0.005, max=0.25, step=0.005, readout_format=".3f"),
    beta=widgets.FloatSlider(value=0.5, min=0.0, max=0.99, step=0.01),
)
display(explorer)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Eleven optimizers from scratch, checked against Keras
#
# Every optimizer below is one NumPy function with the same interface:
#
# ```python
# new_theta, new_state = step(theta, grad, state, **hyperparameters)
# ```
#
# `theta` is one parameter array, `grad` the gradient of the loss at `theta`, and `state` a dict holding whatever
# the optimizer remembers between steps (empty, `{}`, at the start). Nothing is global and nothing is modified in
# place, so the same function serves every parameter of a model, each with its own state. Defaults are Keras'.
#
# Throughout, $\mathbf{g}_t$ is the gradient at step $t = 1, 2, \ldots$, $\eta$ the learning rate, $\epsilon$ a small
# constant against division by zero, and squares, square roots, divisions, $\lvert\cdot\rvert$, $\max$ and
# $\operatorname{sign}$ act elementwise.
#
# The check: `agrees_with_keras` runs a scratch step and a Keras optimizer side by side from the same start, for
# 10 steps, on a small least-squares problem with a $4\times3$ weight matrix and a bias vector (the two kinds of
# parameter Muon treats differently). Each side computes its gradient at its *own* parameters, so any difference
# would compound. The Keras variables are float64, so agreement can be asserted far below float32's $10^{-7}$. One
# trap at that precision: Keras keeps the learning rate in a float32 variable and turns some Python floats (such as
# `momentum`) into float32 before casting them to float64, and 0.9 in float32 is $0.9 - 2.4\cdot10^{-8}$. So the checks
# use hyperparameters that float32 represents exactly: powers of 2 for $\eta$, $0.875$ for a $\beta$ of 0.9,
# $1 - 2^{-10} \approx 0.999$ for a $\beta_2$ of 0.999. (Away from the check, nothing changes: the defaults are Keras'.)

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng(0)
X_CHECK, Y_CHECK = rng.normal(size=(16, 4)), rng.normal(size=(16, 3))
START = {"kernel": rng.normal(size=(4, 3)), "bias": rng.normal(size=3)}


def check_gradients(params):
    # Gradients of the mean squared error of X @ kernel + bias against Y.
    residual = X_CHECK @ params["kernel"] + params["bias"] - Y_CHECK
    return {"kernel": X_CHECK.T @ residual / len(X_CHECK), "bias": residual.mean(axis=0)}


def agrees_with_keras(step, keras_optimizer_class, n_steps=10, dtype="float64", **hyper):
    # Largest relative error between `step` and the Keras optimizer over n_steps steps, same hyperparameters.
    keras_optimizer = keras_optimizer_class(**hyper)
    params = {name: value.copy() for name, value in START.items()}
    states = {name: {} for name in params}
    variables = {name: keras.Variable(value, dtype=dtype, name=name) for name, value in START.items()}
    worst = 0.0
    for _ in range(n_steps):
        grads = check_gradients(params)
        for name in params:
            params[name], states[name] = step(params[name], grads[name], states[name], **hyper)
        keras_grads = check_gradients({name: v.numpy() for name, v in variables.items()})
        keras_optimizer.apply_gradients([(keras_grads[name].astype(dtype), variables[name]) for name in variables])
        worst = max(worst, *(rel_error(params[name], variables[name].numpy()) for name in params))
    return worst


def report(name, error, tolerance=1e-12):
    assert error < tolerance, (name, error)
    print(f"{name:<9} scratch vs Keras over 10 steps, max relative error < {tolerance:g}: {error < tolerance}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Momentum and Nesterov
#
# **Momentum** (Polyak 1964), in the form Keras uses, with momentum coefficient $\beta$ (Keras' `momentum`):
#
# $$\mathbf{m}_t = \beta\,\mathbf{m}_{t-1} - \eta\,\mathbf{g}_t, \qquad \boldsymbol\theta_t = \boldsymbol\theta_{t-1} + \mathbf{m}_t, \qquad \mathbf{m}_0 = \mathbf 0.$$
#
# **Nesterov's accelerated gradient** (Nesterov 1983; Sutskever et al. 2013) evaluates the gradient at the
# look-ahead point $\boldsymbol\theta_{t-1} + \beta\mathbf{m}_{t-1}$. Keras, like most libraries, uses the
# equivalent reformulation in which the stored parameters *are* the look-ahead point, so the gradient is taken at
# the current parameters and only the update changes:
# $\boldsymbol\theta_t = \boldsymbol\theta_{t-1} + \beta\,\mathbf{m}_t - \eta\,\mathbf{g}_t$.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def momentum_step(theta, grad, state, learning_rate=0.01, momentum=0.9, nesterov=False):
    m = momentum * state.get("m", 0.0) - learning_rate * grad
    update = momentum * m - learning_rate * grad if nesterov else m
    return theta + update, {"m": m}


report("momentum", agrees_with_keras(momentum_step, keras.optimizers.SGD, learning_rate=2**-3, momentum=0.875))
report("Nesterov", agrees_with_keras(momentum_step, keras.optimizers.SGD, learning_rate=2**-3, momentum=0.875,
                                     nesterov=True))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### AdaGrad, RMSProp and Adadelta: a step size per parameter
#
# **AdaGrad** (Duchi et al. 2011) divides each coordinate's step by the root of the sum of all its past squared
# gradients, $\mathbf{s}_t$:
#
# $$\mathbf{s}_t = \mathbf{s}_{t-1} + \mathbf{g}_t^2, \qquad \boldsymbol\theta_t = \boldsymbol\theta_{t-1} - \frac{\eta\,\mathbf{g}_t}{\sqrt{\mathbf{s}_t + \epsilon}}.$$
#
# Keras differs from the paper in two details: $\epsilon$ sits *inside* the square root (the paper adds it outside),
# and $\mathbf{s}_0$ = `initial_accumulator_value` = 0.1 rather than 0. Since $\mathbf{s}_t$ only grows, the effective
# learning rate $\eta/\sqrt{\mathbf{s}_t+\epsilon}$ only shrinks (measured in section 4).
#
# **RMSProp** (Tieleman and Hinton 2012, a lecture slide) replaces the sum by an exponential moving average with
# decay $\rho$, so old gradients are forgotten:
# $\mathbf{s}_t = \rho\,\mathbf{s}_{t-1} + (1-\rho)\,\mathbf{g}_t^2$, $\boldsymbol\theta_t = \boldsymbol\theta_{t-1} - \eta\,\mathbf{g}_t/\sqrt{\mathbf{s}_t + \epsilon}$,
# $\mathbf{s}_0 = \mathbf 0$ (Keras again puts $\epsilon$ inside the root; `centered` and `momentum` options are left out here).
#
# **Adadelta** (Zeiler 2012) also keeps $\mathbf{d}_t$, a moving average of the squared *updates*, so that the step has
# the units of $\boldsymbol\theta$:
#
# $$\mathbf{s}_t = \rho\,\mathbf{s}_{t-1} + (1-\rho)\,\mathbf{g}_t^2, \quad
# \Delta_t = -\frac{\sqrt{\mathbf{d}_{t-1} + \epsilon}}{\sqrt{\mathbf{s}_t + \epsilon}}\,\mathbf{g}_t, \quad
# \mathbf{d}_t = \rho\,\mathbf{d}_{t-1} + (1-\rho)\,\Delta_t^2, \quad
# \boldsymbol\theta_t = \boldsymbol\theta_{t-1} + \eta\,\Delta_t.$$
#
# The paper has no learning rate ($\eta = 1$); Keras multiplies by $\eta$, default 0.001, so Keras' default
# Adadelta moves a thousand times less than the paper's.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def adagrad_step(theta, grad, state, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
    s = state.get("s", initial_accumulator_value) + grad**2
    return theta - learning_rate * grad / np.sqrt(s + epsilon), {"s": s}


def rmsprop_step(theta, grad, state, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    s = rho * state.get("s", 0.0) + (1 - rho) * grad**2
    return theta - learning_rate * grad / np.sqrt(s + epsilon), {"s": s}


def adadelta_step(theta, grad, state, learning_rate=0.001, rho=0.95, epsilon=1e-7):
    s = rho * state.get("s", 0.0) + (1 - rho) * grad**2
    delta = -np.sqrt(state.get("d", 0.0) + epsilon) / np.sqrt(s + epsilon) * grad
    d = rho * state.get("d", 0.0) + (1 - rho) * delta**2
    return theta + learning_rate * delta, {"s": s, "d": d}


report("AdaGrad", agrees_with_keras(adagrad_step, keras.optimizers.Adagrad, learning_rate=2**-3,
                                    initial_accumulator_value=0.125, epsilon=2**-23))
report("RMSProp", agrees_with_keras(rmsprop_step, keras.optimizers.RMSprop, learning_rate=2**-7, rho=0.875,
                                    epsilon=2**-23))
report("Adadelta", agrees_with_keras(adadelta_step, keras.optimizers.Adadelta, learning_rate=1.0, rho=0.9375,
                                     epsilon=2**-23))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Adam, AdaMax and Nadam: momentum plus per-parameter steps
#
# **Adam** (Kingma and Ba 2015) keeps moving averages of the gradient ($\mathbf{m}_t$, decay $\beta_1$) and of its square
# ($\mathbf{v}_t$, decay $\beta_2$), both starting at $\mathbf 0$ and therefore biased towards 0 early on, which the
# factors $1-\beta^t$ correct:
#
# $$\mathbf{m}_t = \beta_1\mathbf{m}_{t-1} + (1-\beta_1)\mathbf{g}_t, \quad \mathbf{v}_t = \beta_2\mathbf{v}_{t-1} + (1-\beta_2)\mathbf{g}_t^2, \quad
# \boldsymbol\theta_t = \boldsymbol\theta_{t-1} - \eta\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\,\frac{\mathbf{m}_t}{\sqrt{\mathbf{v}_t} + \hat\epsilon}.$$
#
# This is the "efficient version" in section 2 of the paper, and Keras' form: it is the paper's algorithm 1,
# $\eta\,\hat{\mathbf m}_t/(\sqrt{\hat{\mathbf v}_t}+\epsilon)$ with $\hat{\mathbf m}_t = \mathbf m_t/(1-\beta_1^t)$ and $\hat{\mathbf v}_t = \mathbf v_t/(1-\beta_2^t)$,
# except that Keras' $\hat\epsilon$ (`epsilon`, default $10^{-7}$; the paper's $10^{-8}$ is for its $\epsilon$) is added to $\sqrt{\mathbf v_t}$ before the
# bias correction, i.e. it equals the paper's $\epsilon$ times $\sqrt{1-\beta_2^t}$.
#
# **AdaMax** (same paper) replaces the root mean square by an exponentially weighted infinity norm,
# $\mathbf{u}_t = \max(\beta_2\mathbf{u}_{t-1}, \lvert\mathbf{g}_t\rvert)$, and steps by
# $\eta\,\mathbf{m}_t / \big((1-\beta_1^t)(\mathbf{u}_t + \epsilon)\big)$ (Keras adds an $\epsilon$ the paper does not have).
#
# **Nadam** (Dozat 2016) is Adam with Nesterov momentum: the step uses the momentum one step ahead. Keras follows
# Dozat's version with a *momentum schedule* $\mu_t = \beta_1\big(1 - \tfrac12\,0.96^{t}\big)$ (which warms the momentum
# up from $0.52\,\beta_1$ at $t = 1$ towards $\beta_1$) and the running product $\Pi_t = \prod_{i\le t}\mu_i$:
#
# $$\hat{\mathbf m}_t = \frac{\mu_{t+1}\,\mathbf m_t}{1 - \Pi_t\,\mu_{t+1}} + \frac{(1-\mu_t)\,\mathbf g_t}{1 - \Pi_t}, \qquad
# \boldsymbol\theta_t = \boldsymbol\theta_{t-1} - \frac{\eta\,\hat{\mathbf m}_t}{\sqrt{\mathbf v_t/(1-\beta_2^t)} + \epsilon},$$
#
# with $\mathbf m_t, \mathbf v_t$ as in Adam. **Where Keras differs from the paper:** Dozat's schedule is
# $\mu_t = \beta_1\big(1 - \tfrac12\,0.96^{t/250}\big)$ (PyTorch's `NAdam`, `momentum_decay=0.004`, follows it), so the warm-up lasts
# thousands of steps; Keras drops the $1/250$ and its warm-up is over within about a hundred steps. Many write-ups drop
# the schedule altogether and use a constant $\beta_1$. Keras keeps the running product $\Pi_t = \prod_{i\le t}\mu_i$ in a
# float32 variable, so even on float64 weights it carries float32 rounding (about $10^{-8}$ relative): the Nadam check
# below is asserted to $10^{-5}$ instead of $10^{-12}$.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def adam_step(theta, grad, state, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    t = state.get("t", 0) + 1
    m = beta_1 * state.get("m", 0.0) + (1 - beta_1) * grad
    v = beta_2 * state.get("v", 0.0) + (1 - beta_2) * grad**2
    alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return theta - alpha * m / (np.sqrt(v) + epsilon), {"t": t, "m": m, "v": v}


def adamax_step(theta, grad, state, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    t = state.get("t", 0) + 1
    m = beta_1 * state.get("m", 0.0) + (1 - beta_1) * grad
    u = np.maximum(beta_2 * state.get("u", 0.0), np.abs(grad))
    return theta - learning_rate * m / ((1 - beta_1**t) * (u + epsilon)), {"t": t, "m": m, "u": u}


def nadam_step(theta, grad, state, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    t = state.get("t", 0) + 1
    mu_t, mu_next = beta_1 * (1 - 0.5 * 0.96**t), beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
    product = state.get("product", 1.0) * mu_t                       # Pi_t
    m = beta_1 * state.get("m", 0.0) + (1 - beta_1) * grad
    v = beta_2 * state.get("v", 0.0) + (1 - beta_2) * grad**2
    m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu_t) * grad / (1 - product)
    v_hat = v / (1 - beta_2**t)
    return theta - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), {"t": t, "m": m, "v": v, "product": product}


EXACT_ADAM = {"beta_1": 0.875, "beta_2": 1 - 2**-10, "epsilon": 2**-23}   # ~ Keras defaults 0.9, 0.999, 1e-7
report("Adam", agrees_with_keras(adam_step, keras.optimizers.Adam, learning_rate=2**-4, **EXACT_ADAM))
report("AdaMax", agrees_with_keras(adamax_step, keras.optimizers.Adamax, learning_rate=2**-4, **EXACT_ADAM))
report("Nadam", agrees_with_keras(nadam_step, keras.optimizers.Nadam, learning_rate=2**-4, **EXACT_ADAM),
       tolerance=1e-5)          # Keras keeps the schedule's running product in float32: see the text

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### AdamW: decoupled weight decay
#
# **AdamW** (Loshchilov and Hutter 2019) shrinks the weights directly, apart from the gradient-based step, instead
# of adding an $\ell_2$ penalty to the loss (section 7 shows why that differs for Adam). With weight decay $\lambda$,
# Keras first applies
#
# $$\boldsymbol\theta \leftarrow \boldsymbol\theta - \eta\lambda\,\boldsymbol\theta$$
#
# and then the Adam step above with the gradient $\mathbf g_t$ computed before the decay. Keras scales the decay by
# the learning rate $\eta$, as PyTorch does; the paper writes $\boldsymbol\theta_t = \boldsymbol\theta_{t-1} - \eta_t(\alpha\,\text{Adam step} + \lambda\boldsymbol\theta_{t-1})$
# with a schedule multiplier $\eta_t$ and a separate $\alpha$, so its $\lambda$ is Keras' $\eta\lambda$ divided by $\eta_t$.
# Every Keras optimizer accepts `weight_decay=` and applies it this way; `AdamW` only changes the default to 0.004.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def adamw_step(theta, grad, state, learning_rate=0.001, weight_decay=0.004, **adam_hyper):
    theta = theta - learning_rate * weight_decay * theta          # decoupled: the gradient is not involved
    return adam_step(theta, grad, state, learning_rate=learning_rate, **adam_hyper)


report("AdamW", agrees_with_keras(adamw_step, keras.optimizers.AdamW, learning_rate=2**-4, weight_decay=0.5,
                                  **EXACT_ADAM))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Lion: the sign of an interpolated momentum
#
# **Lion** (Chen et al. 2023) was found by a program search over update rules. It keeps one moving average
# $\mathbf m_t$ and moves every coordinate by exactly $\eta$, in the direction of the *sign* of an interpolation
# between that average and the new gradient:
#
# $$\mathbf c_t = \beta_1\mathbf m_{t-1} + (1-\beta_1)\,\mathbf g_t, \qquad
# \boldsymbol\theta_t = \boldsymbol\theta_{t-1} - \eta\,\operatorname{sign}(\mathbf c_t), \qquad
# \mathbf m_t = \beta_2\mathbf m_{t-1} + (1-\beta_2)\,\mathbf g_t,$$
#
# with $\beta_1 = 0.9$, $\beta_2 = 0.99$ and $\mathbf m_0 = \mathbf 0$. Keras matches the paper's algorithm, with weight decay
# applied as in AdamW (before the step, scaled by $\eta$; the paper applies it in the same way). Because every
# coordinate moves by $\eta$, the update's norm is large: the authors use a learning rate 3-10 times smaller than
# Adam's (and a weight decay 3-10 times larger).

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def lion_step(theta, grad, state, learning_rate=0.001, beta_1=0.9, beta_2=0.99):
    m = state.get("m", 0.0)
    theta = theta - learning_rate * np.sign(beta_1 * m + (1 - beta_1) * grad)
    return theta, {"m": beta_2 * m + (1 - beta_2) * grad}


report("Lion", agrees_with_keras(lion_step, keras.optimizers.Lion, learning_rate=2**-7, beta_1=0.875,
                                 beta_2=1 - 2**-7))
theta, _ = lion_step(START["kernel"], check_gradients(START)["kernel"], {}, learning_rate=0.01)
print("every coordinate of the first Lion step moves by exactly the learning rate:",
      bool(np.allclose(np.abs(theta - START["kernel"]), 0.01)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Muon: orthogonalised momentum for weight matrices
#
# **Muon** (Jordan et al. 2024) treats a weight matrix as a matrix. It keeps a momentum $\mathbf M_t = \mu\mathbf M_{t-1} + \mathbf G_t$
# (here $\mu$ = `momentum` = 0.95 and $\mathbf G_t$ the gradient matrix), takes the Nesterov form $\mathbf N_t = \mathbf G_t + \mu\mathbf M_t$, and
# replaces it by the nearest semi-orthogonal matrix: if $\mathbf N_t = \mathbf U\mathbf\Sigma\mathbf V^\top$ (its SVD), the step direction is
# $\mathbf U\mathbf V^\top$, every singular value set to 1. So no direction in weight space gets a tiny step just because its
# gradient is small. Computing an SVD at every step is slow, so Muon runs 5 steps of a quintic **Newton-Schulz**
# iteration on $\mathbf X_0 = \mathbf N_t/(\lVert\mathbf N_t\rVert_F + 10^{-7})$ (transposed first if it has more rows than columns):
#
# $$\mathbf X_{k+1} = a\,\mathbf X_k + \big(b\,\mathbf X_k\mathbf X_k^\top + c\,(\mathbf X_k\mathbf X_k^\top)^2\big)\mathbf X_k, \qquad (a, b, c) = (3.4445, -4.7750, 2.0315).$$
#
# Each step applies $s \mapsto as + bs^3 + cs^5$ to every singular value $s$. The coefficients are tuned for speed, not
# exactness: the singular values end up spread around 1 rather than at 1 (measured below), which works as well in
# practice (Jordan et al. 2024). The step is then $\boldsymbol\Theta_t = \boldsymbol\Theta_{t-1} - \eta\cdot 0.2\sqrt{\max(n, m)}\;\mathbf X_5$ for an
# $n\times m$ matrix ($\mathbf X_5$ transposed back if it was transposed; weight decay is applied first, as in AdamW).
#
# Where Keras differs from Jordan et al.'s reference code:
# - **the scale.** Their factor is $\max(1, n/m)^{1/2}$ (for a matrix stored as outputs by inputs); Keras uses Moonlight's
#   $0.2\sqrt{\max(n,m)}$ (Liu et al. 2025, `rms_rate=0.2`), which gives the update about the root-mean-square size of an
#   Adam update so that Adam's learning rate and weight decay carry over.
# - **non-matrix parameters.** Muon is only for 2-D weights. Keras sends every parameter that is not 2-D (biases,
#   BN scales, convolution kernels too: they are 4-D), and any whose path contains "embedding", to an **AdamW** step
#   instead, with `adam_beta_1`, `adam_beta_2`, `adam_weight_decay` and learning rate $\eta\,\cdot$ `adam_lr_ratio`.
#   Jordan et al. also leave embeddings, the output layer, biases and gains to AdamW, but flatten convolution kernels
#   and orthogonalise them. Keras does *not* exclude the output layer by itself: its docstring asks you to name it in
#   `exclude_layers` (the race in section 5 keeps Keras' defaults, so there the output layer gets Muon steps too).
# - **weight decay**, default 0.004 for both kinds, applied as in AdamW with the base learning rate.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def newton_schulz(n_matrix, steps=5, a=3.4445, b=-4.7750, c=2.0315):
    x = n_matrix.T if n_matrix.shape[0] > n_matrix.shape[1] else n_matrix
    x = x / (np.linalg.norm(x) + 1e-7)                        # Frobenius norm >= spectral norm: all s <= 1
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if n_matrix.shape[0] > n_matrix.shape[1] else x


def muon_step(theta, grad, state, learning_rate=0.001, momentum=0.95, weight_decay=0.004, rms_rate=0.2,
              adam_weight_decay=0.004, adam_beta_1=0.9, adam_beta_2=0.999, adam_lr_ratio=1.0, epsilon=1e-7):
    if theta.ndim != 2:                                       # biases and other non-matrices: AdamW
        theta = theta - learning_rate * adam_weight_decay * theta
        return adam_step(theta, grad, state, learning_rate=learning_rate * adam_lr_ratio,
                         beta_1=adam_beta_1, beta_2=adam_beta_2, epsilon=epsilon)
    theta = theta - learning_rate * weight_decay * theta
    m = momentum * state.get("m", 0.0) + grad
    direction = newton_schulz(grad + momentum * m)
    return theta - learning_rate * rms_rate * np.sqrt(max(theta.shape)) * direction, {"m": m}


# Keras' Muon fails on float64 variables (lr_adjust multiplies by a float32 square root), so this check runs in
# float32, where five Newton-Schulz steps amplify rounding: asserted to 1e-4.
error = agrees_with_keras(muon_step, keras.optimizers.Muon, dtype="float32", learning_rate=2**-4)
report("Muon", error, tolerance=1e-4)
G = np.random.default_rng(1).normal(size=(30, 20))
print("singular values of G, smallest and largest:            ", np.round(np.sort(np.linalg.svd(G, compute_uv=False))[[0, -1]], 2))
print("after 5 Newton-Schulz steps, between (smallest, largest):",
      np.round(np.sort(np.linalg.svd(newton_schulz(G), compute_uv=False))[[0, -1]], 2))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Trajectories on the bowl and on Rosenbrock's valley
#
# The same functions, now run on 2-D test problems: the $\kappa = 10$ bowl of section 1, and Rosenbrock's banana-shaped
# valley $f(x, y) = (1-x)^2 + 100\,(y - x^2)^2$, minimum at $(1, 1)$, whose floor is curved and nearly flat, from
# $(-1.5, 2)$. Muon needs a matrix, so the point is passed as a $1\times2$ matrix: orthogonalising a single row only
# rescales it: its one singular value is 1 after normalisation, and five Newton-Schulz steps map 1 to about 0.70, so on
# a point Muon is momentum with a step of fixed length (about $0.70 \cdot 0.2\sqrt2\,\eta$).
#
# The learning rates were picked by hand, per function, so that each optimizer makes visible progress in the step
# budget; this is a picture of *how* each one moves, not a tuned contest (section 5 is the contest). Weight decay
# is off (0) for Muon's trajectories; AdamW keeps `weight_decay=0.1`, which pulls its minimum towards 0 (on Rosenbrock,
# away from $(1, 1)$: part of its distance in the table).

# %% slideshow={"slide_type": "-"}
def rosenbrock(theta):
    return (1 - theta[..., 0]) ** 2 + 100 * (theta[..., 1] - theta[..., 0] ** 2) ** 2


def rosenbrock_grad(theta):
    x, y = theta
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def muon_on_a_point(theta, grad, state, **hyper):
    theta, state = muon_step(theta.reshape(1, -1), grad.reshape(1, -1), state, **hyper)
    return theta.reshape(-1), state


def run(step, grad_fn, theta0, n_steps, **hyper):
    # The path of `step` from theta0, one row per step: the shared interface makes this one loop for all.
    theta, state = np.array(theta0, dtype=float), {}
    path = [theta]
    for _ in range(n_steps):
        theta, state = step(theta, grad_fn(theta), state, **hyper)
        path.append(theta)
    return np.array(path)


STEPS = {"momentum": momentum_step, "Nesterov": momentum_step, "AdaGrad": adagrad_step, "RMSProp": rmsprop_step,
         "Adadelta": adadelta_step, "Adam": adam_step, "AdaMax": adamax_step, "Nadam": nadam_step,
         "AdamW": adamw_step, "Lion": lion_step, "Muon": muon_on_a_point}
BOWL_HYPER = {"momentum": dict(learning_rate=0.05), "Nesterov": dict(learning_rate=0.05, nesterov=True),
              "AdaGrad": dict(learning_rate=1.0), "RMSProp": dict(learning_rate=0.1),
              "Adadelta": dict(learning_rate=50.0), "Adam": dict(learning_rate=0.3), "AdaMax": dict(learning_rate=0.3),
              "Nadam": dict(learning_rate=0.3), "AdamW": dict(learning_rate=0.3, weight_decay=0.1),
              "Lion": dict(learning_rate=0.05), "Muon": dict(learning_rate=0.3, weight_decay=0.0)}
ROSENBROCK_HYPER = {"momentum": dict(learning_rate=2e-4), "Nesterov": dict(learning_rate=2e-4, nesterov=True),
                    "AdaGrad": dict(learning_rate=0.5), "RMSProp": dict(learning_rate=0.01),
                    "Adadelta": dict(learning_rate=5.0), "Adam": dict(learning_rate=0.05),
                    "AdaMax": dict(learning_rate=0.05), "Nadam": dict(learning_rate=0.05),
                    "AdamW": dict(learning_rate=0.05, weight_decay=0.1), "Lion": dict(learning_rate=0.005),
                    "Muon": dict(learning_rate=0.03, weight_decay=0.0)}


def trajectory_figure(f, grad_fn, start, hyper, n_steps, extent, levels, minimum, title):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1.3, 1]})
    x, y = np.meshgrid(np.linspace(*extent[:2], 300), np.linspace(*extent[2:], 200))
    ax1.contour(x, y, f(np.stack([x, y], axis=-1)), levels=levels, colors="0.8", linewidths=0.7)
    ax1.plot(*minimum, "k*", ms=10)
    paths = {}
    for i, (name, step) in enumerate(STEPS.items()):
        paths[name] = run(step, grad_fn, start, n_steps, **hyper[name])
        style = "-" if i < 10 else "--"
        ax1.plot(*paths[name].T, style, lw=1.1, color=f"C{i % 10}", label=name)
        ax2.semilogy(f(paths[name]) + 1e-16, style, lw=1.1, color=f"C{i % 10}", label=name)
    ax1.set(xlim=extent[:2], ylim=extent[2:], title=title)
    ax2.set(title="loss against step", xlabel="step", ylabel="f + 1e-16 (log scale)")
    ax2.legend(ncol=2, fontsize=8)
    fig.tight_layout()
    return paths


bowl_paths = trajectory_figure(bowl, bowl_grad, BOWL_START, BOWL_HYPER, 200, (-4.5, 4.5, -2.2, 2.2),
                               np.geomspace(0.01, 60, 14), (0, 0), "The $\\kappa$ = 10 bowl, 200 steps")
save_fig("optimizer_trajectories_bowl")
plt.show()

# %% slideshow={"slide_type": "-"}
rosenbrock_paths = trajectory_figure(rosenbrock, rosenbrock_grad, np.array([-1.5, 2.0]), ROSENBROCK_HYPER, 2000,
                                     (-2.0, 2.0, -0.5, 3.0), np.geomspace(0.05, 800, 16), (1, 1),
                                     "Rosenbrock's valley, 2,000 steps")
save_fig("optimizer_trajectories_rosenbrock")
plt.show()

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
print(f"{'':9} {'bowl: f after 200 steps':>24} {'Rosenbrock: f after 2,000':>26}  distance to (1, 1)")
for name in STEPS:
    end = rosenbrock_paths[name][-1]
    print(f"{name:9} {bowl(bowl_paths[name][-1]):24.1e} {rosenbrock(end):26.1e}  {np.linalg.norm(end - 1):.3f}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** On the bowl, momentum at $\beta = 0.9$ swings widely around the minimum (0.9 is far above this bowl's
# $\beta^* \approx 0.27$; section 6 measures the overshoot), and Nesterov's look-ahead damps those swings; the adaptive methods (AdaGrad, RMSProp, Adam and its relatives) first move *diagonally*:
# dividing by the root of the squared gradients makes the first steps roughly $\eta\operatorname{sign}(\mathbf g)$, the same size
# in both coordinates whatever their curvature. That is the point of them (every parameter gets a sensible step
# whatever the scale of its gradient), and on an axis-aligned bowl it removes most of the ill-conditioning. Lion and
# Muon take steps of a *fixed length* (sign, or fixed norm), so they cannot settle at a fixed learning rate: in the
# loss curves they reach the minimum's neighbourhood and then hover (RMSProp too: its effective rate grows as the
# gradients shrink, next subsection), which is why they are used with a decaying learning-rate schedule (notebook 06). On Rosenbrock's curved valley the table shows which ones reached the floor
# and how far along it each got in 2,000 steps: Adam alone reaches the minimum to many digits, while Nadam's loss
# keeps spiking (jumps off the valley floor, each followed by a slow recovery). Remember the learning rates were
# hand-picked, so the order says little beyond this picture.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### AdaGrad's learning rate only shrinks
#
# AdaGrad's effective learning rate for coordinate $i$ is $\eta/\sqrt{s_{t,i} + \epsilon}$. Here it is, measured along the bowl
# run above, next to RMSProp's, whose moving average forgets.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def effective_learning_rates(step, grad_fn, theta0, n_steps, **hyper):
    # eta / sqrt(s + epsilon) per coordinate after each step, read from the optimizer's state.
    theta, state, rates = np.array(theta0, dtype=float), {}, []
    for _ in range(n_steps):
        theta, state = step(theta, grad_fn(theta), state, **hyper)
        rates.append(hyper["learning_rate"] / np.sqrt(state["s"] + 1e-7))
    return np.array(rates)


adagrad_rates = effective_learning_rates(adagrad_step, bowl_grad, BOWL_START, 200, learning_rate=1.0)
rmsprop_rates = effective_learning_rates(rmsprop_step, bowl_grad, BOWL_START, 200, learning_rate=0.1)
assert np.all(np.diff(adagrad_rates, axis=0) <= 0)            # never grows: the sum of squares only grows
print("AdaGrad's effective learning rate never grows:", bool(np.all(np.diff(adagrad_rates, axis=0) <= 0)))
for t in (1, 10, 50, 200):
    print(f"step {t:3d}: AdaGrad (x, y) = {np.round(adagrad_rates[t - 1], 4)}, RMSProp (x, y) = {np.round(rmsprop_rates[t - 1], 4)}")
print("RMSProp's effective rate at step 200 larger than its smallest value: ",
      bool(np.all(rmsprop_rates[-1] > rmsprop_rates.min(axis=0))))

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(7, 3.5))
for i, axis in enumerate("xy"):
    ax.semilogy(adagrad_rates[:, i], color=f"C{i}", label=f"AdaGrad, {axis} ($\\eta$ = 1)")
    ax.semilogy(rmsprop_rates[:, i], "--", color=f"C{i}", label=f"RMSProp, {axis} ($\\eta$ = 0.1)")
ax.set(xlabel="step", ylabel="$\\eta / \\sqrt{s_t + \\epsilon}$ (log scale)", title="Effective learning rate on the bowl")
ax.legend(ncol=2)
save_fig("adagrad_effective_learning_rate")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** AdaGrad's effective rate falls fast while the gradients are large, then freezes: once the gradients are
# tiny, the sum stops growing but never comes down. On this bowl that is harmless, because by then the job is done; on a
# deep network, where the gradients stay large for thousands of steps, it stops learning too early, which is why
# Géron advises against AdaGrad for deep networks. RMSProp's rate climbs back as the gradients shrink, so late steps
# stay useful (and, with a constant $\eta$, noisy).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. A race on Fashion-MNIST
#
# Test functions show how optimizers move; a network shows whether it matters. The rules of this race, fixed before
# running it:
#
# - **the same network and budget for all**: a ReLU MLP (784-128-64-10, He initialization), the first 10,000 training
#   images, batches of 64, 3 epochs, `steps_per_execution=32` (notebook 01);
# - **a learning rate per optimizer from a small sweep**: its usual default times $\tfrac13$, 1 and 3, one epoch, one seed
#   (seed 100, not one of the race's), scored by validation accuracy. A one-epoch sweep favours rates that start fast;
#   that is a known bias of short sweeps, accepted here for time;
# - **the race itself**: each optimizer at its chosen rate, over the same seeds (same initial weights and same batch
#   order for every optimizer at a given seed, so the runs pair up), scored by **test** accuracy after the last epoch;
# - **the baseline, chosen in advance: Adam**, the usual default; every other optimizer minus Adam, paired by seed, with
#   Holm's correction over the family of comparisons.
#
# Eight optimizers race; AdaGrad, Adadelta and AdaMax sit out to fit the time budget (AdaGrad's shrinking rate, section 4,
# and Adadelta's tiny default steps make them poor defaults for deep networks; AdaMax is Adam with another norm).

# %% slideshow={"slide_type": "-"}
N_TRAIN = 10_000
X_race, y_race = data.X_train[:N_TRAIN], data.y_train[:N_TRAIN]
EPOCHS = budget(3, quick=1)
SEEDS = list(range(budget(5, quick=2)))
RACE = {  # name: (Keras class, fixed arguments, the usual default learning rate the sweep starts from)
    "Adam": (keras.optimizers.Adam, {}, 0.001),       # the baseline, chosen in advance
    "momentum": (keras.optimizers.SGD, {"momentum": 0.9}, 0.01),
    "Lion": (keras.optimizers.Lion, {}, 0.0003),      # Chen et al.: 3-10x smaller than Adam's
    "Nesterov": (keras.optimizers.SGD, {"momentum": 0.9, "nesterov": True}, 0.01),
    "RMSProp": (keras.optimizers.RMSprop, {}, 0.001),
    "AdamW": (keras.optimizers.AdamW, {}, 0.001),
    "Nadam": (keras.optimizers.Nadam, {}, 0.001),
    "Muon": (keras.optimizers.Muon, {}, 0.001),       # Keras' scaling lets it share Adam's learning rate
}
RACE = dict(list(RACE.items())[: budget(8, quick=3)])  # the test suite's quick mode races only the first three


def build_mlp():
    return keras.Sequential([
        keras.Input(shape=(28, 28)), keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(64, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def make_trainer(name, **overrides):
    # One compiled model and optimizer per optimizer setting, reused for every run: tracing fit's training
    # function costs a few seconds per model on this CPU, more than an epoch of this small network.
    cls, fixed, default_lr = RACE[name]
    model, optimizer = build_mlp(), cls(learning_rate=default_lr, **{**fixed, **overrides})
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"], optimizer=optimizer,
                  steps_per_execution=32)
    optimizer.build(model.trainable_variables)
    fresh_state = [variable.numpy() for variable in optimizer.variables]

    def train(learning_rate, seed, epochs):
        # The same seed gives the same initial weights and batch order whatever the optimizer.
        set_seeds(seed)
        model.set_weights(build_mlp().get_weights())           # this seed's fresh initial weights
        for variable, value in zip(optimizer.variables, fresh_state):
            variable.assign(value)                             # a fresh optimizer: zero moments, step 0
        optimizer.learning_rate = learning_rate
        history = model.fit(X_race, y_race, epochs=epochs, batch_size=64, verbose=0,
                            validation_data=(data.X_valid, data.y_valid))
        return history.history

    return model, train


trainers = {name: make_trainer(name) for name in RACE}

# %% slideshow={"slide_type": "-"}
start = time.perf_counter()
sweep, chosen = {}, {}
for name, (_, _, default_lr) in RACE.items():
    for factor in (1 / 3, 1, 3):
        history = trainers[name][1](default_lr * factor, seed=100, epochs=1)
        sweep[name, default_lr * factor] = history["val_accuracy"][-1]
    chosen[name] = max((lr for n, lr in sweep if n == name), key=lambda lr: sweep[name, lr])
    print(f"{name:9} " + "  ".join(f"lr {lr:.1e}: {sweep[name, lr]:.3f}" for n, lr in sweep if n == name)
          + f"   -> chosen {chosen[name]:.1e}")
print(f"sweep: {time.perf_counter() - start:.0f} s")

# %% slideshow={"slide_type": "-"}
start = time.perf_counter()
test_accuracy = {name: [] for name in RACE}
curves = {name: [] for name in RACE}
first_seed_weights = {}
for name, (model, train) in trainers.items():
    for seed in SEEDS:
        history = train(chosen[name], seed, EPOCHS)
        test_accuracy[name].append(model.evaluate(data.X_test, data.y_test, verbose=0)[1])
        curves[name].append(history["val_accuracy"])
        if seed == SEEDS[0]:
            first_seed_weights[name] = model.get_weights()
print(f"race: {len(RACE) * len(SEEDS)} runs in {time.perf_counter() - start:.0f} s")
for name, accuracies in test_accuracy.items():
    print(f"{name:9} test accuracy mean {np.mean(accuracies):.4f}, std over seeds {np.std(accuracies, ddof=1):.4f}")

# %% slideshow={"slide_type": "-"}
diffs = compare_to_baseline(test_accuracy, baseline="Adam", paired=True)
print(comparison_table(diffs))

# %% slideshow={"slide_type": "-"}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8))
for i, (name, runs) in enumerate(curves.items()):
    runs = np.array(runs)
    ax1.plot(range(1, EPOCHS + 1), runs.mean(axis=0), "o-", color=f"C{i}", label=name)
    ax1.fill_between(range(1, EPOCHS + 1), runs.min(axis=0), runs.max(axis=0), color=f"C{i}", alpha=0.12)
ax1.set(xlabel="epoch", ylabel="validation accuracy", title="Learning curves (mean; band: min-max over seeds)")
ax1.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
ax1.legend(ncol=2)
for i, d in enumerate(diffs):
    color = "tab:red" if d.verdict() != "inconclusive" else "0.4"
    ax2.errorbar(100 * d.mean, i, xerr=[[100 * (d.mean - d.low)], [100 * (d.high - d.mean)]], fmt="o", color=color, capsize=3)
ax2.axvline(0, color="k", lw=0.8)
ax2.set_yticks(range(len(diffs)), [d.name for d in diffs])
ax2.set(xlabel="test accuracy minus Adam (percentage points)",
        title="Paired 95% intervals, not Holm-adjusted (red: Holm-adjusted p < 0.05)")
fig.tight_layout()
save_fig("optimizer_race_on_fashion_mnist")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** After Holm's correction every verdict is *inconclusive*: at this budget no optimizer is shown to be
# better or worse than Adam. Before the correction, Nadam's and Lion's intervals lie above 0 (the intervals in the table
# and figure are per-comparison 95% intervals, not adjusted; the colours follow Holm's adjusted p). With seven comparisons,
# the chance that at least one unadjusted interval excludes 0 by luck alone is about 30%; Holm's correction accounts for
# that, and after it both are inconclusive. The
# point estimates put Adam near the bottom of the adaptive group, and the learning curves show Muon ahead after the first
# epoch; read both with the sweep in mind: one epoch on one seed is a noisy selector, and several optimizers (Adam, Muon and
# both SGD variants) chose the *largest* rate of their grid, so their best rate may lie beyond it.
#
# What the spread allows us to conclude: on this network, data and budget, the choice among these eight optimizers,
# each at a rate from the same small sweep, makes no difference we can detect with these seeds; the intervals bound how
# large a difference could plausibly be, and differences the size of the point estimates would need more seeds to
# confirm or refute. What it does not allow: a
# ranking, or anything about longer training, larger networks or other data. The literature finds the same modesty:
# benchmarked across many tasks, tuned optimizers perform similarly and none dominates (Schmidt et al. 2021); Lion's
# reported gains over AdamW are mostly on large vision and language models (Chen et al. 2023), and Muon's on training
# speed of transformers and of CIFAR-10 speed runs (Jordan et al. 2024).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Momentum too close to 1
#
# Géron's exercise: what happens when $\beta$ is very close to 1? The velocity then remembers hundreds of past
# gradients: it builds up speed, overshoots the minimum and keeps oscillating, because the friction $1-\beta$ is too weak
# to damp it. On the bowl, at a fixed $\eta = 0.05$, we measure the overshoot (how far past the minimum $x$ goes, as a
# fraction of the starting distance), the number of times $x$ changes sign, and the distance left after 300 steps.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
print(f"{'beta':>6} {'overshoot':>10} {'sign changes of x':>18} {'distance after 300 steps':>25}")
overshoots = []
for beta in (0.5, 0.9, 0.99, 0.999):
    path = heavy_ball(bowl_grad, BOWL_START, 0.05, beta, 300)
    overshoot = max(path[:, 0].max(), 0) / abs(BOWL_START[0])   # x starts at -4; the minimum is at 0
    sign_changes = int(np.sum(np.diff(np.sign(path[:, 0])) != 0))
    overshoots.append(overshoot)
    print(f"{beta:6} {overshoot:10.1%} {sign_changes:18d} {np.linalg.norm(path[-1]):25.2e}")
assert overshoots == sorted(overshoots)                          # the closer to 1, the larger the overshoot
print("overshoot grows as beta approaches 1:", overshoots == sorted(overshoots))

# %% [markdown] slideshow={"slide_type": "-"}
# The rate of section 1 explains the table: once the velocity dominates, each coordinate's distance shrinks by about
# $\sqrt\beta$ per step at best, so $\beta = 0.999$ needs thousands of steps to damp what 0.9 damps in tens.
#
# And in training: momentum 0.99 against the race's momentum 0.9 (the baseline of this one comparison, chosen in
# advance), at the learning rate the sweep chose for 0.9, over the same seeds.

# %% slideshow={"slide_type": "-"}
_, train_high_momentum = make_trainer("momentum", momentum=0.99)
high_momentum = [train_high_momentum(chosen["momentum"], seed, EPOCHS) for seed in SEEDS]
print("final validation accuracy, beta = 0.99:", np.round([h["val_accuracy"][-1] for h in high_momentum], 4))
print("final validation accuracy, beta = 0.9: ", np.round([c[-1] for c in curves["momentum"]], 4))
print(paired_difference([h["val_accuracy"][-1] for h in high_momentum], [c[-1] for c in curves["momentum"]],
                        name="momentum 0.99 - momentum 0.9 (validation accuracy)"))
print("training loss per epoch, beta = 0.99 (first seed):", np.round(high_momentum[0]["loss"], 3))

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** On the bowl the overshoot grows with $\beta$: at 0.99 and 0.999 $x$ swings almost as far past the minimum as
# it started from, and after 300 steps the distance left is orders of magnitude larger than at 0.9. The number of sign
# changes is the same for every oscillating $\beta$: the period of the oscillation is set by $\eta$ and the curvature (about
# $2\pi/\sqrt{\eta\mu} \approx 28$ steps here), while $\beta$ only sets how slowly it dies out.
#
# In training the effect is brutal: at the learning rate the sweep chose for 0.9, every run with $\beta = 0.99$ ends near
# chance (10 classes), its training loss higher at the end than after the first epoch (first seed), and the paired interval lies far below 0. Momentum
# multiplies the effective step by about $1/(1-\beta)$, ten times more at 0.99 than at 0.9, and that rate was already the
# largest of the grid. The usual remedy, not measured here, is to scale $\eta$ down by the same factor.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Decoupled weight decay versus an $\ell_2$ penalty
#
# An $\ell_2$ penalty adds $\tfrac\lambda2\lVert\boldsymbol\theta\rVert^2$ to the loss, so the gradient gains $\lambda\boldsymbol\theta$.
# For plain SGD that is the same as shrinking the weights: $\boldsymbol\theta - \eta(\mathbf g + \lambda\boldsymbol\theta) =
# (1 - \eta\lambda)\boldsymbol\theta - \eta\mathbf g$, which is Keras' `weight_decay=`$\lambda$ exactly, and the paper's decoupled
# decay $\lambda' = \eta\lambda$ (Loshchilov and Hutter 2019 write the decay without the learning rate). For Adam it is not:
# the penalty's gradient goes through the division by $\sqrt{\mathbf v_t}$, so weights with a history of large gradients are
# barely decayed and weights with small gradients are decayed hard. AdamW decays all of them by the same factor.
#
# Two weights, both starting at 1, whose loss gradients are noise of scale 1 and of scale 0.001 (think of a busy and a
# rarely used feature), with $\lambda = 0.1$, $\eta = 0.01$, 300 steps:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
lam, lr, n_steps = 0.1, 0.01, 300
noise = np.random.default_rng(0).normal(size=(n_steps, 2)) * np.array([1.0, 0.001])

sgd_l2, sgd_decay, sgd_paper = np.ones(2), np.ones(2), np.ones(2)
for g in noise:
    sgd_l2, _ = momentum_step(sgd_l2, g + lam * sgd_l2, {}, learning_rate=lr, momentum=0.0)
    sgd_decay = (1 - lr * lam) * sgd_decay - lr * g                 # Keras: SGD(weight_decay=lam)
    sgd_paper = sgd_paper - lr * g - (lr * lam) * sgd_paper         # the paper's form with lambda' = lr * lam
err = max(rel_error(sgd_l2, sgd_decay), rel_error(sgd_l2, sgd_paper))
assert err < 1e-12
print(f"SGD: l2 penalty = weight decay (max relative error < 1e-12): {err < 1e-12}")

adam_l2, adam_state, adamw, adamw_state = np.ones(2), {}, np.ones(2), {}
for g in noise:
    adam_l2, adam_state = adam_step(adam_l2, g + lam * adam_l2, adam_state, learning_rate=lr)
    adamw, adamw_state = adamw_step(adamw, g, adamw_state, learning_rate=lr, weight_decay=lam)
print(f"decay factor (1 - lr*lam)^{n_steps} = {(1 - lr * lam) ** n_steps:.3f}")
print(f"Adam + l2: busy weight {adam_l2[0]:+.3f}, rare weight {adam_l2[1]:+.3f}")
print(f"AdamW:     busy weight {adamw[0]:+.3f}, rare weight {adamw[1]:+.3f}")
assert abs(adam_l2[1]) < 0.1 < abs(adamw[1])
print("Adam + l2 wipes out the rare weight, AdamW does not:", abs(adam_l2[1]) < 0.1 < abs(adamw[1]))

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** With SGD the three forms agree to rounding. With Adam and an $\ell_2$ penalty the rare weight's only
# gradient is the penalty itself, and Adam normalises it to a step of about $\eta$ per step: it is driven to 0 within about
# $1/\eta = 100$ steps, far faster than the decay factor printed above. AdamW applies exactly that decay, but Adam's
# normalisation turns the rare weight's tiny noisy gradient into steps of about $\eta$ too, so both weights wander around
# the decayed value (compare the printed numbers) instead of being driven to 0. That is the difference behind Loshchilov and Hutter's better generalization with AdamW, measured
# on image classification with long training. In the race of section 5 (Keras' default decay 0.004, 3 epochs)
# AdamW's interval against Adam straddles 0: inconclusive at this budget.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Sparse models
#
# Géron's other exercise: a model with many exact zeros is smaller to store and, with the right kernels, faster.
# Optimizers do not give sparsity by themselves (AdamW's decay shrinks weights but never to exactly 0). Three ways:
#
# - **zero the small weights after training** (magnitude pruning), measured below on the race's first Adam model;
# - **an $\ell_1$ penalty** (`kernel_regularizer=keras.regularizers.l1(...)`) pushes weights to 0 during training; with
#   gradient steps they hover near 0 rather than landing on it, so one still prunes afterwards (notebook 07);
# - **the TensorFlow Model Optimization Toolkit** (`tfmot.sparsity.keras.prune_low_magnitude`) prunes gradually *while*
#   fine-tuning, following a sparsity schedule, and strips the masks at the end. It is built on `tf.keras` (Keras 2), so
#   with Keras 3 it needs the separate `tf_keras` package, which this course does not install.

# %% slideshow={"slide_type": "-"}
def pruned_copy(model, fraction):
    # A copy of `model` with the smallest `fraction` of each Dense kernel's weights (by magnitude) set to 0.
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    for layer in clone.layers:
        if isinstance(layer, keras.layers.Dense):
            kernel, bias = layer.get_weights()
            kernel[np.abs(kernel) < np.quantile(np.abs(kernel), fraction)] = 0.0
            layer.set_weights([kernel, bias])
    clone.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return clone


dense_model = build_mlp()
dense_model.set_weights(first_seed_weights["Adam"])
for fraction in (0.0, 0.5, 0.8, 0.9, 0.95, 0.98):
    pruned = pruned_copy(dense_model, fraction)
    zeros = sum(np.sum(l.get_weights()[0] == 0) for l in pruned.layers if isinstance(l, keras.layers.Dense))
    total = sum(l.get_weights()[0].size for l in pruned.layers if isinstance(l, keras.layers.Dense))
    accuracy = pruned.evaluate(data.X_test, data.y_test, verbose=0)[1]
    print(f"{fraction:4.0%} of each kernel zeroed: {zeros / total:6.1%} of kernel weights are 0, test accuracy {accuracy:.4f}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** One-shot magnitude pruning without retraining costs accuracy fast on this small network: several
# points at 50% zeros, and from 80% on it collapses towards chance. A network this small has little redundancy; large
# networks prune far better, and pruning *with* retraining (prune, fine-tune, repeat, as in Han et al. 2015, or the
# toolkit's gradual schedule) recovers most of the loss. The $\ell_1$ route was not measured here, for time.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Which optimizer when
#
# | situation | pick | why (measured above) |
# |---|---|---|
# | a new problem, no time to tune | **Adam** (or AdamW if you regularize), $\eta \approx 10^{-3}$ | per-parameter steps cope with badly scaled gradients (section 4, bowl); in the race (section 5) no optimizer beat it reliably at this budget |
# | you will tune the learning rate and schedule carefully | **SGD with momentum 0.9 / Nesterov** | the $\sqrt\kappa$ speed-up (section 1); often generalizes as well or better once tuned (Wilson et al. 2017) |
# | weight decay matters (long training, large models) | **AdamW**, not Adam + $\ell_2$ | Adam + $\ell_2$ decays weights unevenly (section 7) |
# | very sparse or rare features, short training | AdaGrad | its shrinking rate (section 4) suits convex, sparse problems, not long deep-network training |
# | memory is tight | **Lion** (one state vector, not two), $\eta$ 3-10x smaller than Adam's | fixed-size sign steps (section 3); needs a decaying schedule (section 4) |
# | large transformer or MLP weight matrices | **Muon** for 2-D weights, AdamW for the rest | orthogonalised updates (section 3); Keras sends non-matrices to AdamW automatically |
# | momentum | keep $\beta$ around 0.9, not 0.999 | overshoot and slow damping (section 6) |
#
# Whatever you pick: tune the learning rate first (it matters more than the choice of optimizer within a family),
# and compare over seeds with a baseline chosen in advance.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - On a quadratic with condition number $\kappa$, gradient descent at its best fixed step converges at $(\kappa-1)/(\kappa+1)$
#   per step and momentum at its best $\beta$ at $(\sqrt\kappa-1)/(\sqrt\kappa+1)$: steps grow like $\kappa$ versus $\sqrt\kappa$.
# - Every optimizer here is one function: `theta, state = step(theta, grad, state, **hyper)`. Momentum adds a velocity;
#   AdaGrad, RMSProp and Adadelta divide by a root mean square of past gradients (a sum for AdaGrad, so its rate only
#   shrinks); Adam combines both with bias correction; Nadam adds Nesterov; AdamW decouples weight decay.
# - Lion moves every coordinate by exactly $\eta$ (the sign of an interpolated momentum); Muon orthogonalises a weight
#   matrix's momentum with Newton-Schulz and hands everything else to AdamW.
# - Keras differs from the papers in details that matter at $10^{-8}$ and sometimes beyond: $\epsilon$ inside the root (AdaGrad,
#   RMSProp) or before bias correction (Adam), Nesterov in reformulated form, Nadam's 0.96 momentum schedule, Adadelta's
#   learning rate, weight decay scaled by $\eta$, Muon's Moonlight scaling. Check your own code against Keras step by step.
# - Compare optimizers at their own tuned learning rates, over paired seeds, against a baseline fixed in advance, with
#   Holm's correction; a single run of each says very little.
# - Weight decay equals an $\ell_2$ penalty only for plain SGD; with Adam use AdamW.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Each exercise has a self-check cell: run it after your answer and it tells you whether you are right. Worked
# solutions are at the end of the notebook; try first.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: the best fixed learning rate
#
# Complete `best_learning_rate(mu, L)` so that it returns the fixed learning rate that makes gradient descent converge
# fastest on a quadratic whose curvatures lie between `mu` and `L`. The check finds the best rate by brute force, measuring
# the rate of a run for 400 candidate learning rates.

# %% slideshow={"slide_type": "-"}
def best_learning_rate(mu, L):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def brute_force_best_learning_rate(mu, L):
    candidates = np.linspace(0.001, 2 / L, 400)
    rates = [measured_rate(heavy_ball(lambda t: np.array([mu, L]) * t, [1.0, 1.0], lr, 0.0, 200)) for lr in candidates]
    return candidates[int(np.argmin(rates))]


EXERCISE_1_CASES = [((mu, L), brute_force_best_learning_rate(mu, L)) for mu, L in ((1.0, 10.0), (0.5, 40.0))]
check_function("Exercise 1", best_learning_rate, EXERCISE_1_CASES, rtol=5e-3,
               hint="Balance the two extreme coordinates: |1 - lr*mu| = |1 - lr*L|.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: how many steps?
#
# Complete `steps_to_reach(kappa, tolerance, use_momentum)`: the number of steps (rounded up) after which the error of
# gradient descent (or of momentum, at their best settings) has shrunk by the factor `tolerance`, according to the rates
# of section 1 (ignore momentum's factor $t$). The check compares with the formulas' prediction for a few cases.

# %% slideshow={"slide_type": "-"}
def steps_to_reach(kappa, tolerance, use_momentum):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def _rate(kappa, use_momentum):
    root = np.sqrt(kappa) if use_momentum else kappa
    return (root - 1) / (root + 1)


EXERCISE_2_CASES = [((k, 1e-6, m), np.ceil(np.log(1e-6) / np.log(_rate(k, m)))) for k in (100, 10_000) for m in (False, True)]
check_function("Exercise 2", steps_to_reach, EXERCISE_2_CASES,
               hint="Solve r**n = tolerance for n, with r the rate of section 1, and round up.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: AMSGrad
#
# AMSGrad (Reddi et al. 2018) fixes a flaw in Adam's convergence proof by never letting the denominator shrink: it keeps
# $\hat{\mathbf v}_t = \max(\hat{\mathbf v}_{t-1}, \mathbf v_t)$ and divides by $\sqrt{\hat{\mathbf v}_t} + \hat\epsilon$ instead of $\sqrt{\mathbf v_t} + \hat\epsilon$ (everything
# else as in Keras' Adam). Complete `amsgrad_step` with the shared interface; the check runs it against
# `keras.optimizers.Adam(amsgrad=True)` with `agrees_with_keras` from section 3.

# %% slideshow={"slide_type": "-"}
def amsgrad_step(theta, grad, state, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=True):
    ...  # your code here: return new_theta, new_state


# %% slideshow={"slide_type": "-"}
def amsgrad_error(step):
    return agrees_with_keras(step, keras.optimizers.Adam, learning_rate=2**-4, amsgrad=True, **EXACT_ADAM)


check_condition("Exercise 3", amsgrad_step, lambda step: amsgrad_error(step) < 1e-12,
                hint="Keep v_hat in the state, starting at 0, and use it only in the denominator.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: the paper's weight decay
#
# Loshchilov and Hutter write decoupled weight decay for SGD as $\boldsymbol\theta \leftarrow \boldsymbol\theta - \eta\mathbf g - \lambda'\boldsymbol\theta$. Complete
# `paper_decay(l2, learning_rate)` so that it returns the $\lambda'$ that makes this identical to SGD with an $\ell_2$
# penalty $\tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2$, $\lambda$ = `l2`. The check simulates both for 100 steps.

# %% slideshow={"slide_type": "-"}
def paper_decay(l2, learning_rate):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def decay_mismatch(decay_fn, l2=0.05, learning_rate=0.1):
    grads = np.random.default_rng(1).normal(size=(100, 3))
    with_l2, decoupled = np.ones(3), np.ones(3)
    shrink = decay_fn(l2, learning_rate)
    for g in grads:
        with_l2 = with_l2 - learning_rate * (g + l2 * with_l2)
        decoupled = decoupled - learning_rate * g - shrink * decoupled
    return rel_error(with_l2, decoupled)


check_condition("Exercise 4", paper_decay, lambda fn: decay_mismatch(fn) < 1e-12,
                hint="Expand theta - lr * (g + l2 * theta) and match the terms in theta.");

# %% [markdown] slideshow={"slide_type": "slide"} tags=["solution"]
# ## Solutions
#
# Look only after trying. Each solution is followed by its self-check.

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 1.** The slowest coordinates are the extremes, shrunk by $|1-\eta\mu|$ and $|1-\eta L|$. The first falls and the
# second rises with $\eta$ (beyond $1/L$), so the worst of the two is smallest where they are equal:
# $1 - \eta\mu = \eta L - 1$, i.e. $\eta^* = 2/(\mu + L)$.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def best_learning_rate(mu, L):
    return 2 / (mu + L)


assert check_function("Exercise 1", best_learning_rate, EXERCISE_1_CASES, rtol=5e-3)

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 2.** $r^n \le$ `tolerance` gives $n = \lceil \ln(\text{tolerance}) / \ln r\rceil$. For $\kappa = 10{,}000$ that is about
# 69,000 steps without momentum and 690 with it: the $\kappa$ versus $\sqrt\kappa$ of section 1.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def steps_to_reach(kappa, tolerance, use_momentum):
    root = np.sqrt(kappa) if use_momentum else kappa
    return np.ceil(np.log(tolerance) / np.log((root - 1) / (root + 1)))


assert check_function("Exercise 2", steps_to_reach, EXERCISE_2_CASES)
print({args: int(steps_to_reach(*args)) for args, _ in EXERCISE_2_CASES})

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 3.** Adam's step with one more state entry. (`amsgrad` is in the signature only because `agrees_with_keras`
# passes the same arguments to both sides.)

# %% slideshow={"slide_type": "-"} tags=["solution"]
def amsgrad_step(theta, grad, state, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=True):
    t = state.get("t", 0) + 1
    m = beta_1 * state.get("m", 0.0) + (1 - beta_1) * grad
    v = beta_2 * state.get("v", 0.0) + (1 - beta_2) * grad**2
    v_hat = np.maximum(state.get("v_hat", 0.0), v)
    alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return theta - alpha * m / (np.sqrt(v_hat) + epsilon), {"t": t, "m": m, "v": v, "v_hat": v_hat}


assert check_condition("Exercise 3", amsgrad_step, lambda step: amsgrad_error(step) < 1e-12)

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 4.** $\boldsymbol\theta - \eta(\mathbf g + \lambda\boldsymbol\theta) = \boldsymbol\theta - \eta\mathbf g - \eta\lambda\boldsymbol\theta$, so $\lambda' = \eta\lambda$.
# The same $\lambda'$ would be wrong as soon as the learning rate changes (a schedule), which is one reason Keras and
# PyTorch multiply the decay by the current learning rate instead.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def paper_decay(l2, learning_rate):
    return l2 * learning_rate


assert check_condition("Exercise 4", paper_decay, lambda fn: decay_mismatch(fn) < 1e-12)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - B. T. Polyak (1964). *Some methods of speeding up the convergence of iteration methods.* USSR Computational Mathematics and Mathematical Physics 4(5).
# - Y. Nesterov (1983). *A method for solving the convex programming problem with convergence rate O(1/k²).* Doklady AN SSSR 269.
# - I. Sutskever, J. Martens, G. Dahl and G. Hinton (2013). *On the importance of initialization and momentum in deep learning.* ICML.
# - G. Goh (2017). *Why Momentum Really Works.* Distill. https://distill.pub/2017/momentum/
# - J. Duchi, E. Hazan and Y. Singer (2011). *Adaptive Subgradient Methods for Online Learning and Stochastic Optimization.* JMLR 12.
# - T. Tieleman and G. Hinton (2012). *Lecture 6.5, RMSProp: divide the gradient by a running average of its recent magnitude.* Coursera, Neural Networks for Machine Learning.
# - M. D. Zeiler (2012). *ADADELTA: An Adaptive Learning Rate Method.* arXiv:1212.5701.
# - D. P. Kingma and J. Ba (2015). *Adam: A Method for Stochastic Optimization.* ICLR.
# - T. Dozat (2016). *Incorporating Nesterov Momentum into Adam.* ICLR workshop.
# - S. J. Reddi, S. Kale and S. Kumar (2018). *On the Convergence of Adam and Beyond.* ICLR.
# - I. Loshchilov and F. Hutter (2019). *Decoupled Weight Decay Regularization.* ICLR.
# - A. C. Wilson, R. Roelofs, M. Stern, N. Srebro and B. Recht (2017). *The Marginal Value of Adaptive Gradient Methods in Machine Learning.* NeurIPS.
# - R. M. Schmidt, F. Schneider and P. Hennig (2021). *Descending through a Crowded Valley: Benchmarking Deep Learning Optimizers.* ICML.
# - X. Chen, C. Liang, D. Huang, E. Real, K. Wang, Y. Liu, H. Pham, X. Dong, T. Luong, C.-J. Hsieh, Y. Lu and Q. V. Le (2023). *Symbolic Discovery of Optimization Algorithms.* NeurIPS.
# - K. Jordan, Y. Jin, V. Boza, J. You, F. Cesista, L. Newhouse and J. Bernstein (2024). *Muon: An optimizer for hidden layers in neural networks.* Blog post, https://kellerjordan.github.io/posts/muon/
# - J. Liu, J. Su, X. Yao, Z. Jiang, G. Lai, Y. Du et al. (2025). *Muon is Scalable for LLM Training* (Moonlight). arXiv:2502.16982.
# - S. Han, J. Pool, J. Tran and W. J. Dally (2015). *Learning both Weights and Connections for Efficient Neural Networks.* NeurIPS.
# - A. Géron (2022). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 3rd ed., chapter 11. O'Reilly.
