# %% [markdown] slideshow={"slide_type": "slide"}
# # 04 · Transfer learning: reusing pretrained layers
#
# Labelled data is the expensive part of deep learning. When a network has already been trained
# on a large task that resembles yours, its lower layers have learned to detect features that your
# task needs too. Reusing those layers, and training only a few new ones on your small labelled
# set, is called *transfer learning*; it is how most image and text models are built in practice.
# When no related labelled task exists, you can still pretrain: on unlabelled images, with
# autoencoders, or on an auxiliary task whose labels cost nothing.
#
# **You will learn to**
# 1. reuse the lower layers of a trained Keras model for a new task without changing the original
#    (`.keras` files, `clone_model` + `set_weights`);
# 2. freeze the reused layers, train a new head, then unfreeze and fine-tune at a lower learning rate, calling
#    `compile()` again each time;
# 3. judge a transfer-learning gain honestly, over several seeds, instead of reporting the luckiest run;
# 4. train on top of frozen layers faster by caching their outputs, and choose how many layers to reuse and freeze;
# 5. pretrain without labels (greedy layer-wise autoencoders, a self-supervised rotation task) and reuse a
#    pretrained model from a model zoo.
#
# **Builds on:** notebook 01 (the `helpers` package, He initialization, comparisons over several seeds), notebook 03
# (batch normalization and its moving averages, needed in section 8) and a first Keras model (`Sequential`, `compile`,
# `fit`). Next notebook: faster optimizers.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup
#
# `helpers` is the course's small package; importing it first keeps TensorFlow's start-up messages out
# of the notebook, and `setup()` seeds every random generator and sets the plot style. The data are
# Fashion-MNIST (Xiao et al., 2017): 55,000 training, 5,000 validation and 10,000 test images, 28×28 pixels scaled to [0, 1].
# `split_task_a_b` (in `helpers/transfer.py`, unit-tested in `tests/test_transfer.py`) cuts them into
# the two tasks of section 2. Models this notebook saves go to the git-ignored folder `work_dir()`.

# %% slideshow={"slide_type": "-"}
from helpers import (  # first import: keeps TensorFlow's start-up chatter out of the notebook
    budget, check_condition, check_function, check_value, load_fashion_mnist, rel_error,
    save_fig, set_seeds, setup, split_task_a_b, work_dir,
)
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

setup(seed=42)
data = load_fashion_mnist()
print(data.summary())


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why reuse layers
#
# Training a deep network from scratch fits hundreds of thousands of weights, and a few hundred labelled
# images cannot pin them down. A network trained on a large, *related* task has already fitted most of them:
# its lower layers detect strokes, edges and blobs, its middle layers combinations of them. Reusing those layers
# brings two things:
#
# - **far less labelled data**: only the new layers must be learned from your few labels (we vary the number of
#   labels in section 3.1);
# - **faster training**: the network starts from features that already separate images, so it may need fewer
#   epochs to reach a given accuracy (section 2.5 looks, for one seed).
#
# Three rules of thumb decide *what* to reuse. We test parts of them on one pair of tasks; the rest comes from the
# literature.
#
# - **Lower layers transfer best.** The output layer is useless (its classes are the old task's) and the top
#   hidden layers are specialised to the old classes, while lower layers compute generic features
#   (Yosinski et al., 2014). Replace the top and reuse the bottom (section 5 compares reusing 2 or 3 layers).
#   Yosinski et al. also found that the more similar the tasks, the more layers transfer well; with a single
#   pair of tasks, this notebook cannot measure that part.
# - **The inputs must share low-level features**: the same kind of images, the same preprocessing, the same
#   size. Reused layers expect the exact input their first layer was trained on (section 2.2). If your images
#   have another size, resize them to the size the original model expects.
# - **With few labels, freeze first.** Train the new layers while the reused ones stay fixed, then unfreeze
#   and fine-tune everything gently (sections 2.5 and 5).
#
# A dense layer for 28×28 images has exactly 784 inputs per unit, so an image of another size does not even
# fit. A `Resizing` layer in front of the model fixes that:

# %% slideshow={"slide_type": "-"}
def with_resizing(model, size):
    # Put a Resizing layer in front of a model for 28x28 images, so that it accepts size x size images.
    return keras.Sequential([
        keras.Input(shape=(size, size)),
        keras.layers.Reshape((size, size, 1)),  # Resizing works on images with a channel axis
        keras.layers.Resizing(28, 28),
        keras.layers.Reshape((28, 28)),
        model,
    ])


# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
model_28 = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])
images_56 = np.zeros((4, 56, 56), dtype="float32")  # images from another source, twice the size
try:
    model_28(images_56)
except ValueError as problem:
    print(f"56x56 images into a model for 28x28 images: {type(problem).__name__} "
          f"(its first Dense layer expects 28 * 28 = {28 * 28} inputs, gets 56 * 56 = {56 * 56})")
print("with a Resizing layer in front, output shape:", tuple(with_resizing(model_28, 56)(images_56).shape))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The book's experiment: task A and task B
#
# This experiment is adapted from Géron's book, chapter 11: the task split of the 2nd edition (Géron, 2019), with a
# smaller ReLU model and Adam instead of SGD. (The 3rd edition, Géron, 2022, splits off T-shirts/tops versus
# pullovers instead.) The split builds a transfer problem out of Fashion-MNIST:
#
# - **task A**: the 8 classes *other than* sandals (class 5) and shirts (class 6), labels re-indexed to 0-7
#   (0, 1, 2, 3, 4, 7, 8, 9 become 0, 1, ..., 7); it keeps about 80% of the training images;
# - **task B**: sandal versus shirt, a *binary* problem (1 for shirt, 0 for sandal), with **only the first
#   200 training images**: the scarce-label task.
#
# Validation and test sets are split the same way, without the 200 limit. We train model A on task A, then
# reuse its layers for task B. Here is `split_task_a_b` on ten classes with two examples each, where each
# "image" is just its row number, so that we can see which rows go where:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
y_demo = np.repeat(np.arange(10), 2)  # labels 0, 0, 1, 1, ..., 9, 9
X_demo = np.arange(20)[:, None]       # "image" i is its row number i
(X_a_demo, y_a_demo), (X_b_demo, y_b_demo) = split_task_a_b(X_demo, y_demo, n_b=3)
print("task A rows:  ", X_a_demo.ravel())
print("task A labels:", y_a_demo)
print("task B rows:  ", X_b_demo.ravel(), "(n_b=3 keeps the first three)")
print("task B labels:", y_b_demo, y_b_demo.dtype)

# %% slideshow={"slide_type": "-"}
(X_train_A, y_train_A), (X_train_B, y_train_B) = split_task_a_b(data.X_train, data.y_train, n_b=200)
(X_valid_A, y_valid_A), (X_valid_B, y_valid_B) = split_task_a_b(data.X_valid, data.y_valid)
(X_test_A, y_test_A), (X_test_B, y_test_B) = split_task_a_b(data.X_test, data.y_test)
print(f"task A: {len(X_train_A):,} train / {len(X_valid_A):,} valid / {len(X_test_A):,} test images, 8 classes")
print(f"task B: {len(X_train_B):,} train / {len(X_valid_B):,} valid / {len(X_test_B):,} test images, "
      f"training labels: {int((y_train_B == 0).sum())} x {data.class_names[5]!r}, "
      f"{int((y_train_B == 1).sum())} x {data.class_names[6]!r}")

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(1, 8, figsize=(11, 1.9))
for ax, image, label in zip(axes, X_train_B, y_train_B):
    ax.imshow(image, cmap="binary")
    ax.set_title(f"{data.class_names[6]} (1)" if label == 1 else f"{data.class_names[5]} (0)", fontsize=9)
    ax.axis("off")
fig.suptitle("The first task B training images, their class and their 0/1 target", y=1.05)
save_fig("task_b_examples")
plt.show()


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.1 Model A, saved in the native `.keras` format
#
# Model A is a multilayer perceptron with three hidden layers of 100 ReLU units and He initialization (notebook 01),
# the size of the 3rd edition's model A (the 2nd edition's had five SELU layers of 300, 100, 50, 50 and 50 units), and an output layer for the 8 task A classes. `build_mlp` builds it for any number of outputs;
# with one output it ends in a sigmoid, for binary task B.

# %% slideshow={"slide_type": "-"}
def build_mlp(n_outputs, hidden=(100, 100, 100)):
    # Flatten, ReLU Dense layers with He initialization, then softmax (n_outputs > 1) or sigmoid (1).
    output_activation = "sigmoid" if n_outputs == 1 else "softmax"
    return keras.Sequential(
        [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
        + [keras.layers.Dense(units, activation="relu", kernel_initializer="he_normal") for units in hidden]
        + [keras.layers.Dense(n_outputs, activation=output_activation)]
    )


# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
for name, n_outputs in (("model A, 8 classes", 8), ("model B, binary", 1)):
    model = build_mlp(n_outputs)
    counts = [layer.count_params() for layer in model.layers[1:]]
    print(f"{name:18s}: {model.count_params():,} parameters, per Dense layer {counts}")

# %% [markdown] slideshow={"slide_type": "-"}
# A first look at the numbers: $784 \times 100 + 100 = 78{,}500$ parameters sit in the first hidden layer alone,
# and task B has 200 training images. Model A trains on task A's tens of thousands of images with Adam.
# Then we save it into the git-ignored `work/` folder, in Keras' native `.keras` format (architecture, weights and
# optimizer state in one zip file).

# %% slideshow={"slide_type": "-"}
EPOCHS_A = budget(10, quick=3)  # 10 epochs; 3 in the test suite's quick mode (helpers.budget)

set_seeds(42)
model_A = build_mlp(8)
model_A.compile(loss="sparse_categorical_crossentropy",
                optimizer=keras.optimizers.Adam(learning_rate=1e-3), metrics=["accuracy"])
start = time.perf_counter()
history_A = model_A.fit(X_train_A, y_train_A, epochs=EPOCHS_A, batch_size=128,
                        validation_data=(X_valid_A, y_valid_A), verbose=0)
print(f"model A: {EPOCHS_A} epochs in {time.perf_counter() - start:.0f} s, "
      f"test accuracy on task A: {model_A.evaluate(X_test_A, y_test_A, verbose=0)[1]:.3f}")

path_A = work_dir() / "04_model_A.keras"
model_A.save(path_A)
print(f"saved {path_A.name} ({path_A.stat().st_size / 1024:.0f} KiB) in the git-ignored work folder")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.2 Model A needs inputs like its own
#
# Before reusing model A, let's test the input rules of section 1 on model A itself, with task A's test
# images shown three ways: as they are; enlarged to 56×56 (as if they came from another source) and brought back
# by a `Resizing` layer in front of the model; and with their pixels shuffled by one fixed permutation. The
# shuffled images hold exactly the same information (an MLP trained from scratch on them would do as well, since
# it has no notion of which pixels are neighbours), but not the low-level features model A's first layer looks for.

# %% slideshow={"slide_type": "-"}
permutation = np.random.default_rng(0).permutation(28 * 28)


def shuffle_pixels(X):
    # The same fixed permutation of the 784 pixels for every image.
    return X.reshape(len(X), -1)[:, permutation].reshape(X.shape)


def accuracy(model, X, y):
    # Fraction of images whose most probable class is the right one (one forward pass).
    # model(X, training=False): call the model directly, in inference mode (matters for Dropout and batch norm);
    # keras.ops.convert_to_numpy turns the backend's tensor into a NumPy array.
    return float(np.mean(keras.ops.convert_to_numpy(model(X, training=False)).argmax(axis=1) == y))


X_test_A_56 = keras.ops.convert_to_numpy(keras.layers.Resizing(56, 56)(X_test_A[..., None]))[..., 0]
print(f"{'task A test images':42s} accuracy of model A")
print(f"{'28x28, as in training':42s} {accuracy(model_A, X_test_A, y_test_A):.3f}")
resized_A = with_resizing(model_A, 56)
print(f"{'56x56, then a Resizing layer to 28x28':42s} {accuracy(resized_A, X_test_A_56, y_test_A):.3f}")
print(f"{'28x28, pixels shuffled':42s} {accuracy(model_A, shuffle_pixels(X_test_A), y_test_A):.3f}"
      f"   (chance: {1 / 8:.3f})")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Enlarging the images and resizing them back costs little: bilinear resizing blurs a few edges,
# but the low-level features survive. Shuffling the pixels makes model A's accuracy collapse to around chance, or
# even below it (look at the printed value): when that happens, model A maps the shuffled images to a few wrong
# classes, rather than guessing at random. Not one bit of information was lost. Reused layers are only as good as the match between their new inputs and the
# inputs they were trained on.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.3 Model B from scratch
#
# The baseline: the same architecture with one sigmoid output, trained from random weights on the 200 task B
# images, for as many epochs as B-on-A will get in total below.

# %% slideshow={"slide_type": "-"}
EPOCHS_HEAD = budget(10, quick=5)  # B-on-A: epochs with the reused layers frozen
EPOCHS_FINE = budget(10, quick=5)  # B-on-A: epochs of fine-tuning everything
EPOCHS_B = EPOCHS_HEAD + EPOCHS_FINE


def compile_binary(model, learning_rate):
    model.compile(loss="binary_crossentropy",
                  optimizer=keras.optimizers.Adam(learning_rate=learning_rate), metrics=["accuracy"])


set_seeds(42)
model_B = build_mlp(1)
compile_binary(model_B, 1e-3)
history_B = model_B.fit(X_train_B, y_train_B, epochs=EPOCHS_B,
                        validation_data=(X_valid_B, y_valid_B), verbose=0)
print(f"model B from scratch: test accuracy on task B {model_B.evaluate(X_test_B, y_test_B, verbose=0)[1]:.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.4 B-on-A, and the shared-layer surprise
#
# The obvious way to build B-on-A: take model A's layers except its output layer and add a new sigmoid output.
# We load model A from its file first (a fresh copy of the saved model), then train B-on-A for one epoch and
# check whether model A changed.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
model_A = keras.models.load_model(path_A)
naive_B_on_A = keras.Sequential([keras.Input(shape=(28, 28)), *model_A.layers[:-1],
                                 keras.layers.Dense(1, activation="sigmoid")])
weights_A_before = model_A.get_weights()
compile_binary(naive_B_on_A, 1e-3)
naive_B_on_A.fit(X_train_B, y_train_B, epochs=1, verbose=0)
print("B-on-A's first hidden layer *is* model A's:", naive_B_on_A.layers[1] is model_A.layers[1])
print("model A changed by training B-on-A:",
      any(not np.array_equal(w0, w1) for w0, w1 in zip(weights_A_before, model_A.get_weights())))

# %% [markdown] slideshow={"slide_type": "-"}
# A Keras layer *owns* its weights, and `model_A.layers[:-1]` hands over the layer objects themselves, not copies.
# B-on-A and model A share them, so training one trains the other. (Freezing a shared layer, below, would freeze
# it in both models too.) The fix is to copy model A first: `clone_model` copies the *architecture* with
# freshly initialised weights, and `set_weights` copies the trained weights into the clone.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
model_A = keras.models.load_model(path_A)  # the untouched model A, from disk
clone_A = keras.models.clone_model(model_A)


def same_weights(model_1, model_2):
    return all(np.array_equal(w1, w2) for w1, w2 in zip(model_1.get_weights(), model_2.get_weights()))


print("clone_model alone copies the weights:", same_weights(model_A, clone_A))
clone_A.set_weights(model_A.get_weights())
print("after set_weights, same weights:     ", same_weights(model_A, clone_A))

safe_B_on_A = keras.Sequential([keras.Input(shape=(28, 28)), *clone_A.layers[:-1],
                                keras.layers.Dense(1, activation="sigmoid")])
weights_A_before = model_A.get_weights()
compile_binary(safe_B_on_A, 1e-3)
safe_B_on_A.fit(X_train_B, y_train_B, epochs=1, verbose=0)
print("model A changed by training B-on-A:  ",
      any(not np.array_equal(w0, w1) for w0, w1 in zip(weights_A_before, model_A.get_weights())))


# %% [markdown] slideshow={"slide_type": "-"}
# From now on, one function does it right: `copy_lower_layers` copies model A and returns its `Flatten` and its
# lowest `n_reused` hidden layers; `build_b_on_a` stacks new hidden layers (if fewer than three are reused) and a
# new sigmoid output on top. The reused layers start frozen.

# %% slideshow={"slide_type": "-"}
def copy_lower_layers(model, n_reused, trainable):
    # Copy `model` (clone_model + set_weights) and return its Flatten and lowest n_reused Dense layers.
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    layers = clone.layers[: 1 + n_reused]
    for layer in layers:
        layer.trainable = trainable
    return layers


def build_b_on_a(model_A, n_reused=3, hidden=(100, 100, 100)):
    # B-on-A: A's lowest n_reused hidden layers (copied, frozen), new hidden layers above, a new sigmoid output.
    new_hidden = [keras.layers.Dense(units, activation="relu", kernel_initializer="he_normal")
                  for units in hidden[n_reused:]]
    return keras.Sequential([keras.Input(shape=(28, 28)), *copy_lower_layers(model_A, n_reused, trainable=False),
                             *new_hidden, keras.layers.Dense(1, activation="sigmoid")])


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.5 Freeze, train the head, unfreeze, fine-tune
#
# The new output layer starts random, so its first gradients are large and noisy. If the reused layers were
# trainable from the start, those gradients would wreck the features we came for. So: train the new layer with the
# reused layers **frozen** (`layer.trainable = False`) for a few epochs; then **unfreeze** them and go on training
# everything with a **lower learning rate**, so that the reused features are only adjusted. While frozen, the model
# is a logistic regression on 100 fixed features, which tolerates a high learning rate (Adam at $10^{-2}$); fine-tuning
# then uses $10^{-3}$, ten times lower and the rate model B trains with. A frozen layer's weights
# are not trainable parameters any more:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def count_trainable(model):
    return sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)


model_B_on_A = build_b_on_a(model_A)
print(f"B-on-A: {model_B_on_A.count_params():,} parameters, {count_trainable(model_B_on_A):,} trainable while frozen")
for layer in model_B_on_A.layers:
    layer.trainable = True
print(f"after unfreezing: {count_trainable(model_B_on_A):,} trainable")


# %% [markdown] slideshow={"slide_type": "-"}
# Keras builds its training step, and the optimizer's list of variables to update, when you call `compile()`
# and then `fit()`. Change `trainable` afterwards and the next `fit()` still uses the old list, with no warning.
# Both directions, on fresh copies:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
def reused_kernel(model):
    return model.layers[1].kernel.numpy().copy()  # the lowest reused hidden layer


# 1. Compiled while frozen, then unfrozen without compile(): do the reused layers train?
model = build_b_on_a(model_A)
compile_binary(model, 1e-2)
model.fit(X_train_B, y_train_B, epochs=1, verbose=0)
before = reused_kernel(model)
for layer in model.layers:
    layer.trainable = True
model.fit(X_train_B, y_train_B, epochs=1, verbose=0)
print("unfrozen, no compile():   reused layers changed:", not np.array_equal(before, reused_kernel(model)))
compile_binary(model, 1e-3)
model.fit(X_train_B, y_train_B, epochs=1, verbose=0)
print("unfrozen, then compile(): reused layers changed:", not np.array_equal(before, reused_kernel(model)))

# 2. Compiled while trainable, then frozen without compile(): do the "frozen" layers stay fixed?
model = build_b_on_a(model_A)
for layer in model.layers:
    layer.trainable = True
compile_binary(model, 1e-3)
model.fit(X_train_B, y_train_B, epochs=1, verbose=0)
before = reused_kernel(model)
for layer in model.layers[:-1]:
    layer.trainable = False
model.fit(X_train_B, y_train_B, epochs=1, verbose=0)
print("frozen, no compile():     reused layers changed:", not np.array_equal(before, reused_kernel(model)))


# %% [markdown] slideshow={"slide_type": "-"}
# So **call `compile()` after every change of `trainable`**. (Keras' `trainable_weights` already reports the new
# state in both cases; only the compiled training step is stale.)
#
# Now the real run. B-on-A's head trains at a higher learning rate than model B, so if B-on-A learns faster, part of
# that could be the learning rate rather than model A's features. A **control** separates the two: the same recipe,
# same schedule and same seed, on three frozen layers copied from an *untrained* model A (random weights that
# learned nothing).

# %% slideshow={"slide_type": "-"}
def freeze_then_fine_tune(model, validation_data):
    # Section 2.5's recipe on a B-on-A model whose reused layers are frozen: EPOCHS_HEAD epochs at 1e-2, unfreeze,
    # compile again, EPOCHS_FINE epochs at 1e-3. Returns the validation accuracy after every epoch.
    compile_binary(model, 1e-2)
    head = model.fit(X_train_B, y_train_B, epochs=EPOCHS_HEAD, validation_data=validation_data, verbose=0)
    for layer in model.layers:
        layer.trainable = True
    compile_binary(model, 1e-3)  # compile again after unfreezing, with a 10x lower learning rate
    fine = model.fit(X_train_B, y_train_B, epochs=EPOCHS_FINE, validation_data=validation_data, verbose=0)
    return head.history["val_accuracy"] + fine.history["val_accuracy"]


set_seeds(7)
untrained_A = build_mlp(8)  # model A's architecture with its random initial weights, never trained
set_seeds(42)
model_B_on_A = build_b_on_a(model_A)
val_B_on_A = freeze_then_fine_tune(model_B_on_A, (X_valid_B, y_valid_B))
set_seeds(42)
val_control = freeze_then_fine_tune(build_b_on_a(untrained_A), (X_valid_B, y_valid_B))

acc_B = model_B.evaluate(X_test_B, y_test_B, verbose=0)[1]
acc_B_on_A = model_B_on_A.evaluate(X_test_B, y_test_B, verbose=0)[1]
print(f"test accuracy on task B: from scratch {acc_B:.4f}, B-on-A {acc_B_on_A:.4f}")
print(f"error rate: {1 - acc_B:.2%} -> {1 - acc_B_on_A:.2%}")

# %% slideshow={"slide_type": "-"}
epochs = np.arange(1, EPOCHS_B + 1)
fig, ax = plt.subplots(figsize=(8, 4.2))
ax.plot(epochs, history_B.history["val_accuracy"], "o-", label="B from scratch")
ax.plot(epochs, val_B_on_A, "o-", label="B-on-A")
ax.plot(epochs, val_control, "s--", color="gray", label="control: untrained frozen layers, same schedule as B-on-A")
ax.axvline(EPOCHS_HEAD + 0.5, color="gray", linestyle=":")
ax.text(EPOCHS_HEAD + 0.7, ax.get_ylim()[0], "B-on-A and control: unfreeze, lr 1e-2 -> 1e-3\nB: lr 1e-3 throughout",
        color="gray", va="bottom", fontsize=9)
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy, task B")
ax.set_title("Learning curves, one seed (42)")
ax.legend(fontsize=9)
save_fig("b_vs_b_on_a_learning_curves")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Left of the dotted line only the new output layers learn, so that part of the B-on-A curve measures
# how well model A's features, as they are, separate task B's two classes; right of it, fine-tuning adapts them.
# Read "transfer saves epochs" off the figure only where B-on-A reaches a given accuracy before model B **and** before
# the control: the control has B-on-A's learning rates and schedule, so a gap between B-on-A and the control is what
# model A's training put into the layers, while a gap between the control and model B could be the learning rate
# alone. Where the three curves meet, this run shows no saving of epochs. Everything here, the printed test
# accuracies included, is **one run with one seed**: exactly the kind of evidence the next section puts to the test.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Honest over seeds
#
# The book reports a large error-rate reduction for B-on-A, and then admits that it cheated: the author tried
# configurations (other classes, other random seeds) until one showed a strong improvement, and warns that with
# other settings the gain may drop, vanish or even reverse. A single run hides how much of the difference is
# luck: the random initial weights of the new layers, the order of the minibatches. So we repeat both models over
# several seeds, keeping model A and the 200 images fixed, and look at the whole distribution. For one seed, the
# **error-rate reduction** is
#
# $$\text{reduction} = 1 - \frac{\text{error}_{\text{B-on-A}}}{\text{error}_{\text{B}}},$$
#
# so 0.75 means B-on-A makes four times fewer errors, 0 no change, and a negative value more errors.

# %% slideshow={"slide_type": "-"}
SEEDS = list(range(budget(5, quick=2)))


def accuracy_B(model, X_test):
    # Test accuracy on task B: one forward pass, probabilities above 0.5 mean "shirt" (label 1).
    probabilities = keras.ops.convert_to_numpy(model(X_test, training=False))[:, 0]
    return float(np.mean((probabilities > 0.5) == y_test_B))


def run_b_scratch(seed, X_train=X_train_B, y_train=y_train_B, X_test=X_test_B):
    # Test accuracy of model B trained from scratch for EPOCHS_B epochs at learning rate 1e-3.
    set_seeds(seed)
    model = build_mlp(1)
    compile_binary(model, 1e-3)
    model.fit(X_train, y_train, epochs=EPOCHS_B, verbose=0)
    return accuracy_B(model, X_test)


def run_b_on_a(seed, n_reused=3, frozen_epochs=EPOCHS_HEAD, head_lr=1e-2, fine_lr=1e-3, source=None,
               X_train=X_train_B, y_train=y_train_B, X_test=X_test_B):
    # Test accuracy of B-on-A after EPOCHS_B epochs in all: the first `frozen_epochs` with the reused layers frozen
    # (learning rate head_lr), the rest with every layer trainable (fine_lr). The defaults are section 2.5's recipe;
    # frozen_epochs=EPOCHS_B keeps them frozen throughout, 0 trains everything from the start.
    # `source`: the model whose layers are reused (default: model A).
    set_seeds(seed)
    model = build_b_on_a(model_A if source is None else source, n_reused)
    if frozen_epochs > 0:
        compile_binary(model, head_lr)
        model.fit(X_train, y_train, epochs=frozen_epochs, verbose=0)
    if frozen_epochs < EPOCHS_B:
        for layer in model.layers:
            layer.trainable = True
        compile_binary(model, fine_lr)  # compile again after unfreezing
        model.fit(X_train, y_train, epochs=EPOCHS_B - frozen_epochs, verbose=0)
    return accuracy_B(model, X_test)


acc_scratch = np.array([run_b_scratch(seed) for seed in SEEDS])
acc_on_a = np.array([run_b_on_a(seed) for seed in SEEDS])


# %% [markdown] slideshow={"slide_type": "-"}
# Differences over a handful of seeds are summarised by their mean and a **95% confidence interval** based on
# Student's $t$ distribution: with $n$ values of standard deviation $s$ (computed with `ddof=1`, dividing by $n-1$),
# the standard error of the mean is $s/\sqrt{n}$, and the interval is the mean $\pm\, t_{0.975,\,n-1}\, s/\sqrt{n}$.
# With few seeds $t$ is large ($12.7$ for 2 seeds, $3.2$ for 4), so the interval is honest about how little a few runs
# can show.

# %% slideshow={"slide_type": "-"}
def mean_and_interval(values):
    # Mean and half-width of the t-based 95% confidence interval for the mean (sample std with ddof=1).
    values = np.asarray(values, dtype=float)
    standard_error = values.std(ddof=1) / np.sqrt(len(values))
    return values.mean(), stats.t.ppf(0.975, len(values) - 1) * standard_error


err_scratch, err_on_a = 1 - acc_scratch, 1 - acc_on_a
reduction = np.full(len(SEEDS), np.nan)  # stays NaN (undefined) where B from scratch made no test error
np.divide(err_scratch - err_on_a, err_scratch, out=reduction, where=err_scratch > 0)
defined = reduction[np.isfinite(reduction)]
difference = acc_on_a - acc_scratch
d_mean, d_half = mean_and_interval(difference)

print(f"{'seed':>4s} {'B':>8s} {'B-on-A':>8s} {'reduction':>10s}")
for seed, a_b, a_ba, r in zip(SEEDS, acc_scratch, acc_on_a, reduction):
    print(f"{seed:4d} {a_b:8.4f} {a_ba:8.4f} {r:10.2f}")
print(f"\nB from scratch:        {acc_scratch.mean():.4f} ± {acc_scratch.std(ddof=1):.4f}  "
      f"(mean ± std over {len(SEEDS)} seeds)")
print(f"B-on-A:                {acc_on_a.mean():.4f} ± {acc_on_a.std(ddof=1):.4f}")
print(f"paired difference:     {d_mean:+.4f}, 95% interval [{d_mean - d_half:+.4f}, {d_mean + d_half:+.4f}]; "
      f"B-on-A better on {(difference > 0).sum()} of {len(SEEDS)} seeds")
if err_scratch.mean() > 0:
    print(f"error-rate reduction of the mean errors, 1 - mean(err B-on-A) / mean(err B): "
          f"{1 - err_on_a.mean() / err_scratch.mean():.2f}")
if len(defined) > 1:
    print(f"mean of the per-seed reductions: {defined.mean():.2f} ± {defined.std(ddof=1):.2f} (std) over the "
          f"{len(defined)} seeds where it is defined; best seed {defined.max():.2f}, worst {defined.min():.2f}")

# %% slideshow={"slide_type": "-"}
fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4))
for a_b, a_ba in zip(acc_scratch, acc_on_a):
    ax1.plot([0, 1], [a_b, a_ba], "-", color="gray", alpha=0.5)
ax1.plot(np.zeros(len(SEEDS)), acc_scratch, "o", label="B from scratch")
ax1.plot(np.ones(len(SEEDS)), acc_on_a, "o", label="B-on-A")
ax1.errorbar([-0.12, 1.12], [acc_scratch.mean(), acc_on_a.mean()],
             yerr=[acc_scratch.std(ddof=1), acc_on_a.std(ddof=1)], fmt="s", color="black", capsize=4,
             label="mean ± std")
ax1.set_xticks([0, 1], ["B from scratch", "B-on-A"])
ax1.set_xlim(-0.4, 1.4)
ax1.set_ylabel("test accuracy, task B")
ax1.set_title("One line per seed")
ax1.legend(fontsize=8)

best = np.argmax(np.nan_to_num(reduction, nan=-np.inf))
for i, (seed, r) in enumerate(zip(SEEDS, reduction)):
    if np.isnan(r):  # B from scratch made no error: the ratio is undefined, not 0
        ax2.text(seed, 0, "undefined", rotation=90, ha="center", va="bottom", color="gray", fontsize=8)
    else:
        ax2.bar(seed, r, color="tab:red" if i == best else "tab:blue")
ax2.axhline(0, color="gray", linewidth=0.8)
ax2.set_xticks(SEEDS)
ax2.set_xlim(SEEDS[0] - 0.6, SEEDS[-1] + 0.6)
ax2.set_xlabel("seed")
ax2.set_ylabel("error-rate reduction")
ax2.set_title("Red: the seed a cherry-picker would report")

ax3.plot(SEEDS, difference, "o", color="tab:purple", label="B-on-A minus B, per seed")
ax3.errorbar(SEEDS[-1] + 0.6, d_mean, yerr=d_half, fmt="s", color="black", capsize=4, label="mean ± t·SE (95%)")
ax3.axhline(0, color="gray", linewidth=0.8)
ax3.set_xticks(SEEDS)
ax3.set_xlabel("seed")
ax3.set_ylabel("paired difference in test accuracy")
ax3.set_title("Paired differences")
ax3.legend(fontsize=8)
fig.tight_layout()
save_fig("b_on_a_over_seeds")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Read the evidence in this order:
#
# 1. **The paired difference and its 95% interval** (right panel). The seeds pair up (same seed, same minibatch
#    order), so the per-seed differences are the fairest comparison. If the printed interval excludes 0 and B-on-A
#    wins on most seeds, the gain is probably real *for this setup*. If the interval includes 0, this experiment does
#    not support a gain, whatever the best seed says.
# 2. **The spread of the error-rate reduction** (middle panel). A ratio of two small error rates is noisy: with a
#    small test set every single error moves it, and where model B made no error at all it is undefined. The gap
#    between the best and the worst seed is how much a cherry-picker could gain by choosing, which is why a single
#    reported reduction means little. The reduction of the *mean* error rates, printed above the mean of the per-seed
#    reductions, is less sensitive to one lucky seed.
# 3. **What is not varied.** All seeds share one model A and the same 200 images; another model A, or another
#    choice of 200 images, adds more variance. A claim about transfer learning *in general* would need those
#    varied too.
#
# If the gain turns out modest or absent, one likely reason is that dense layers transfer less than convolutional
# ones would. Each unit of a dense first layer is a template over all 784 pixel positions, tuned to separate model A's
# eight classes; nothing in it is shared across positions, and nothing forces it to be useful for two classes it never
# saw. A convolutional layer learns small local filters (edges, corners, textures) that apply everywhere in the image
# and are useful for almost any image task, which is why transfer learning shines with deep convolutional networks
# (section 8).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 3.1 Fewer or more labels
#
# Transfer learning is meant for *scarce* labels. If that is the mechanism, the gain of B-on-A over model B should be
# largest with the fewest task B images and shrink as labels become plentiful, since model B can then learn its own
# features. We repeat the paired comparison with the first 50 and the first 1,000 task B training images (the 200 are
# section 3's runs), on fewer seeds to save time. (In quick mode fewer than 1,000 task B images exist; the printed
# count is what was used.)

# %% slideshow={"slide_type": "-"}
SEEDS_CURVE = SEEDS[: budget(3, quick=2)]
label_curve = {}  # number of task B images: paired differences B-on-A minus B, one per seed
for n_b in (50, 200, 1000):
    if n_b == 200:  # section 3's runs
        label_curve[len(X_train_B)] = acc_on_a[: len(SEEDS_CURVE)] - acc_scratch[: len(SEEDS_CURVE)]
        continue
    _, (X_n, y_n) = split_task_a_b(data.X_train, data.y_train, n_b=n_b)
    label_curve[len(X_n)] = np.array([run_b_on_a(s, X_train=X_n, y_train=y_n) - run_b_scratch(s, X_n, y_n)
                                      for s in SEEDS_CURVE])

print(f"{'task B images':>13s}   B-on-A minus B, test accuracy (mean and 95% interval, {len(SEEDS_CURVE)} seeds)")
for n_images, diffs in label_curve.items():
    mean, half = mean_and_interval(diffs)
    print(f"{n_images:13d}   {mean:+.4f}  [{mean - half:+.4f}, {mean + half:+.4f}]")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Compare the intervals, not just the means: with so few seeds they are wide. If the gain is largest
# at 50 images and its interval excludes 0 there, while at 1,000 images the interval straddles 0, the measurement
# agrees with "transfer helps most when labels are scarce". If the intervals overlap heavily, this budget of seeds
# cannot tell the label counts apart, and the honest conclusion is exactly that.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Caching the frozen layers
#
# While the reused layers are frozen, their output for a given image never changes, yet every epoch computes it
# again. Compute it **once**, then train only the new layers on these cached features. With the same starting
# head, the same minibatches (`shuffle=False`) and the same optimizer, the result should be the *same model*.
#
# Here `frozen_part` deliberately *shares* its layers with the full model, which section 2.4 warned about. It is
# safe because those layers are frozen and `frozen_part` is only used to compute features, never trained: sharing
# guarantees that the cached features are exactly what the full model computes.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
set_seeds(0)
through_frozen = build_b_on_a(model_A)  # reused layers frozen, new sigmoid head
frozen_part = keras.Sequential([keras.Input(shape=(28, 28)), *through_frozen.layers[:-1]])
head_only = keras.Sequential([keras.Input(shape=(100,)), keras.layers.Dense(1, activation="sigmoid")])
head_only.set_weights(through_frozen.layers[-1].get_weights())  # the same starting head

features_B = frozen_part.predict(X_train_B, verbose=0)  # computed once
compile_binary(through_frozen, 1e-3)
compile_binary(head_only, 1e-3)
through_frozen.fit(X_train_B, y_train_B, epochs=EPOCHS_HEAD, shuffle=False, verbose=0)
head_only.fit(features_B, y_train_B, epochs=EPOCHS_HEAD, shuffle=False, verbose=0)

err_weights = rel_error(through_frozen.layers[-1].kernel.numpy(), head_only.layers[0].kernel.numpy())
err_outputs = rel_error(through_frozen.predict(X_test_B, verbose=0),
                        head_only.predict(frozen_part.predict(X_test_B, verbose=0), verbose=0))
assert err_weights < 1e-6 and err_outputs < 1e-6
print(f"head weights, cached vs through frozen layers, max relative error < 1e-6: {err_weights < 1e-6}")
print(f"test predictions, same comparison, max relative error < 1e-6: {err_outputs < 1e-6}")


# %% [markdown] slideshow={"slide_type": "-"}
# How much time does it save? Task B's 200 images take a fraction of a second per epoch either way, so we time a
# bigger job: a new 8-class head on model A's three frozen hidden layers, over all of task A's training images.
# `EpochTimer` records each epoch's wall-clock time; it subclasses `keras.callbacks.Callback`, whose methods
# (`on_epoch_begin`, `on_epoch_end`, ...) `fit()` calls at those moments. The first epoch also traces the training
# step into a graph, so we compare the median of the others.

# %% slideshow={"slide_type": "-"}
class EpochTimer(keras.callbacks.Callback):
    # Record the wall-clock time of every epoch.
    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)


EPOCHS_TIMED = budget(5, quick=3)
set_seeds(42)
through_frozen = keras.Sequential([keras.Input(shape=(28, 28)), *copy_lower_layers(model_A, 3, trainable=False),
                                   keras.layers.Dense(8, activation="softmax")])
frozen_part = keras.Sequential([keras.Input(shape=(28, 28)), *through_frozen.layers[:-1]])
start = time.perf_counter()
features_A = frozen_part.predict(X_train_A, batch_size=1024, verbose=0)
feature_time = time.perf_counter() - start
head_only = keras.Sequential([keras.Input(shape=(100,)), keras.layers.Dense(8, activation="softmax")])

per_epoch = {}
for name, model, X in (("through the frozen layers", through_frozen, X_train_A),
                       ("on cached features", head_only, features_A)):
    timer = EpochTimer()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-3))
    model.fit(X, y_train_A, epochs=EPOCHS_TIMED, batch_size=512, verbose=0, callbacks=[timer])
    per_epoch[name] = float(np.median(timer.times[1:]))
    print(f"training {name:26s}: {per_epoch[name]:.3f} s per epoch")
speedup = per_epoch["through the frozen layers"] / per_epoch["on cached features"]
saving = per_epoch["through the frozen layers"] - per_epoch["on cached features"]
print(f"speed-up per epoch: {speedup:.1f}x; computing the features once took {feature_time:.2f} s, "
      + (f"paid back after {feature_time / saving:.1f} epochs" if saving > 0 else "never paid back (no saving)"))


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The equivalence check passed: caching changes the cost, not the model. The speed-up per epoch is
# what the frozen layers' forward pass costs relative to everything else in a training step; the last line says
# after how many epochs the one-time feature computation is paid back (feature time divided by the time saved per
# epoch). Our frozen part is three small dense layers, so much of each
# step is Keras' fixed per-step overhead and the gain is modest. With a large frozen convolutional base such as
# MobileNetV2 (section 8), the forward pass through the base is almost the whole cost, and caching makes head
# training orders of magnitude faster. Two limits: caching works only while the layers stay frozen, and only without
# data augmentation (an augmented image is a new input every epoch).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Which layers to reuse, and which to freeze
#
# Section 1's rules say lower layers transfer best and that with few labels the reused layers should be frozen
# first. We measure both on task B, on the same seeds as section 3, every row for the same `EPOCHS_B` epochs. Each
# configuration reuses model A's lowest $k$ hidden layers (2 or 3) and adds new 100-unit layers so that the network
# always has three hidden layers:
#
# - "frozen" rows keep the reused layers frozen throughout;
# - "frozen, then fine-tuned" freezes them for `EPOCHS_HEAD` epochs, then trains everything;
# - "all trainable from the start" never freezes them, so the random new output layer's first gradients reach the
#   reused layers at once;
# - a baseline: three frozen layers copied from the *untrained* model A of section 2.5 (what frozen layers are worth
#   when they have learned nothing).
#
# The learning rate is part of each configuration, and the table names it: Adam at $10^{-3}$ (model B's rate)
# whenever hidden layers train, new or reused; $10^{-2}$ where only the output layer trains, as in section 2.5. Where
# two rows must be compared at the *same* rate, a row is run at both: "reuse 3 layers, frozen" at $10^{-2}$ and at
# $10^{-3}$, so the 2- and 3-layer rows can be compared at $10^{-3}$, and the two fine-tuned rows ("frozen, then
# fine-tuned" and "all trainable from the start") both use $10^{-3}$ throughout, so that they differ only in the
# freezing. The "from scratch" row and the last row (section 2.5's recipe, which is "frozen, then fine-tuned" with the
# head at $10^{-2}$) reuse section 3's runs. Each row costs one training run per seed, so the table uses the first
# three of section 3's seeds and stops at these rows; the "Try it" below adds more.

# %% slideshow={"slide_type": "-"}
def trained_while_frozen(n_reused):
    return f"{count_trainable(build_b_on_a(model_A, n_reused)):,}"


def frozen_row(n_reused, learning_rate, **options):  # reused layers frozen throughout
    return [run_b_on_a(s, n_reused, frozen_epochs=EPOCHS_B, head_lr=learning_rate, **options) for s in SEEDS_TABLE]


SEEDS_TABLE = SEEDS[: budget(3, quick=2)]  # the first seeds of section 3: each row costs a run per seed
n_table = len(SEEDS_TABLE)
REFERENCE = "reuse 3 layers, frozen (lr 1e-2)"
table = {  # configuration: (parameters trained, test accuracies over SEEDS_TABLE)
    "from scratch (lr 1e-3)": ("all", acc_scratch[:n_table]),
    "reuse 2 layers, frozen (lr 1e-3)": (trained_while_frozen(2), frozen_row(2, 1e-3)),
    "reuse 3 layers, frozen (lr 1e-3)": (trained_while_frozen(3), frozen_row(3, 1e-3)),
    REFERENCE: (trained_while_frozen(3), frozen_row(3, 1e-2)),
    "reuse 3, frozen, then fine-tuned (lr 1e-3)": (
        trained_while_frozen(3) + ", then all",
        [run_b_on_a(s, 3, frozen_epochs=EPOCHS_HEAD, head_lr=1e-3, fine_lr=1e-3) for s in SEEDS_TABLE]),
    "reuse 3, all trainable from the start (lr 1e-3)": (
        "all", [run_b_on_a(s, 3, frozen_epochs=0, fine_lr=1e-3) for s in SEEDS_TABLE]),
    "3 untrained layers, frozen (lr 1e-2)": (trained_while_frozen(3), frozen_row(3, 1e-2, source=untrained_A)),
    "reuse 3, section 2.5 (lr 1e-2, then 1e-3)": (trained_while_frozen(3) + ", then all", acc_on_a[:n_table]),
}

# %% slideshow={"slide_type": "-"}
reference = np.array(table[REFERENCE][1])
print(f"{n_table} seeds. Test accuracy: mean ± std. Difference: paired, minus '{REFERENCE}', "
      "mean ± standard error [95% interval]")
print(f"{'configuration':48s} {'params trained':>14s}  {'test accuracy':>15s}   difference")
for name, (trained, accuracies) in table.items():
    accuracies = np.asarray(accuracies)
    line = f"{name:48s} {trained:>14s}  {accuracies.mean():.4f} ± {accuracies.std(ddof=1):.4f}"
    diffs = accuracies - reference
    if name != REFERENCE:
        mean, half = mean_and_interval(diffs)
        line += (f"   {mean:+.4f} ± {diffs.std(ddof=1) / np.sqrt(len(diffs)):.4f} "
                 f"[{mean - half:+.4f}, {mean + half:+.4f}]")
    print(line)

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The "params trained" column counts the parameters trained while the reused layers are frozen
# ("then all" once fine-tuning starts): reusing fewer layers means more new weights to fit from the same 200 images.
# Each row's paired difference from the reference row, "reuse 3 layers, frozen" at $10^{-2}$, comes with its standard
# error and 95% interval; a gap counts only if its interval excludes 0. With this few seeds many intervals will not,
# and then the table does not tell those rows apart. For two other rows, compare their accuracy columns against the
# ± spread, or compute their paired difference the same way.
#
# - **The learning rate alone.** The two "reuse 3 layers, frozen" rows differ only in the rate. Their gap is how much
#   a rate difference by itself can move a row, a warning for any comparison across rates.
# - **How many layers to reuse, frozen** (both at $10^{-3}$). Moving from 2 to 3 frozen layers keeps more of model A's
#   features and leaves fewer weights to learn. If the top reused layer were too specific to task A's classes, the
#   2-layer row would beat the 3-layer row at the same rate by more than the seed noise; if not, this experiment cannot
#   say whether model A's top hidden layer is still generic enough for task B.
# - **What the features are worth.** Frozen untrained layers are not useless: a hundred random ReLU features already
#   separate two classes fairly well, so that row, not chance, is the baseline for frozen reuse. Its difference from
#   the reference (same rate) is what model A's training put into its layers, for task B.
# - **Freeze first, or not** (both at $10^{-3}$). "Frozen, then fine-tuned" and "all trainable from the start" differ
#   only in the first `EPOCHS_HEAD` epochs: frozen, or trainable next to a random output layer. Their gap measures
#   "with few labels, freeze first" here; it may well be within the noise for a head this small.
#
# **Try it:** add rows to `table`: one reused layer, frozen (`frozen_row(1, 1e-3)`); fine-tuned rows for 1 and 2
# reused layers (`run_b_on_a(seed, k, head_lr=1e-3)`, at $10^{-3}$ throughout); and section 1's second rule on task B:
# model A's frozen layers on shuffled pixels, `frozen_row(3, 1e-2, X_train=shuffle_pixels(X_train_B),
# X_test=shuffle_pixels(X_test_B))`, next to the untrained row.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Unsupervised pretraining when labels are scarce
#
# What if no model for a related task exists, but unlabelled images are plentiful? Before ReLU, He
# initialization and Adam made deep networks easy to train from scratch, **greedy layer-wise pretraining** was the
# main way to train deep fully connected networks, around 2006-2010 (Hinton et al., 2006; Bengio et al., 2007). Train
# a small autoencoder to reconstruct the images through one hidden layer; keep its encoder; encode all images (an
# encoder's outputs for an image are called its *code*); train the next autoencoder on those codes; and so on. Then
# stack the encoders, add an output layer and fine-tune on the few labels.
#
# Our setting: the full 10-class problem with only the **first 500 training images labelled**; the first 20,000
# training images serve as the unlabelled set (their labels are never used here; all 55,000 would help more but take
# longer), and the full test set measures accuracy. Each
# autoencoder sees a *corrupted* input, as in the denoising autoencoders of Vincent et al. (2008): a `Dropout(0.2)`
# layer sets a random 20% of its inputs to zero during training (and does nothing at inference). For autoencoders 2
# and 3, whose input is a 100-number code, this matters most: a 100-unit layer could otherwise learn to copy its input
# and learn nothing.
#
# The classifier is fine-tuned with section 2.5's recipe: when its hidden layers come pretrained, they stay frozen
# while the new output layer trains for `EPOCHS_FEW_HEAD` epochs at $10^{-2}$, then everything trains at $10^{-3}$;
# from scratch, everything trains at $10^{-3}$ for the same total number of epochs.

# %% slideshow={"slide_type": "-"}
N_LABELLED = 500
X_few, y_few = data.X_train[:N_LABELLED], data.y_train[:N_LABELLED]
X_unlabelled = data.X_train[:20_000]  # labels never used in pretraining
EPOCHS_FEW = budget(20, quick=10)
EPOCHS_FEW_HEAD = budget(5, quick=3)  # of EPOCHS_FEW: head only, when the hidden layers are pretrained
SEEDS_FEW = list(range(budget(3, quick=2)))


def train_few_labels(seed, pretrained=None):
    # Test accuracy (10 classes) of build_mlp(10) trained on the 500 labelled images. `pretrained`: three Dense
    # layers whose weights are copied into the hidden layers (None: random weights, all trained at 1e-3). With
    # pretrained layers: section 2.5's recipe, EPOCHS_FEW_HEAD epochs frozen at 1e-2, then all at 1e-3.
    set_seeds(seed)
    model = build_mlp(10)
    remaining = EPOCHS_FEW
    if pretrained is not None:
        for layer, source in zip(model.layers[1:4], pretrained):
            layer.set_weights(source.get_weights())  # a copy: the pretrained layers stay untouched
            layer.trainable = False
        model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-2))
        model.fit(X_few, y_few, epochs=EPOCHS_FEW_HEAD, verbose=0)
        for layer in model.layers:
            layer.trainable = True
        remaining -= EPOCHS_FEW_HEAD
    model.compile(loss="sparse_categorical_crossentropy",  # compile again after unfreezing
                  optimizer=keras.optimizers.Adam(learning_rate=1e-3))
    model.fit(X_few, y_few, epochs=remaining, verbose=0)
    return accuracy(model, data.X_test, data.y_test)


few_label_results = {"from scratch": np.array([train_few_labels(seed) for seed in SEEDS_FEW])}
print(f"from scratch on {N_LABELLED} labels: test accuracy {few_label_results['from scratch'].mean():.3f} "
      f"± {few_label_results['from scratch'].std(ddof=1):.3f} (mean ± std, {len(SEEDS_FEW)} seeds)")

# %% slideshow={"slide_type": "-"}
EPOCHS_AE = budget(5, quick=2)


def pretrain_layer(codes, units, decoder_activation, loss):
    # Train a denoising autoencoder codes -> units -> codes. Returns it, its encoder, the new codes and three losses
    # (without dropout): predicting each feature's mean, the untrained autoencoder, the trained one.
    encoder = keras.layers.Dense(units, activation="relu", kernel_initializer="he_normal")
    autoencoder = keras.Sequential([
        keras.Input(shape=codes.shape[1:]),
        keras.layers.Dropout(0.2),  # corrupt the input: copying it through is no longer enough
        encoder,
        keras.layers.Dense(codes.shape[1], activation=decoder_activation),
    ])
    autoencoder.compile(loss=loss, optimizer=keras.optimizers.Adam(learning_rate=3e-3))
    sample = codes[:2000]  # the losses are measured on 2,000 of the unlabelled images, enough to compare them
    mean_prediction = np.repeat(codes.mean(axis=0, keepdims=True), len(sample), axis=0)
    losses = {"predict the mean": float(np.mean(keras.ops.convert_to_numpy(keras.losses.get(loss)(sample, mean_prediction)))),
              "untrained": autoencoder.evaluate(sample, sample, batch_size=1024, verbose=0)}
    autoencoder.fit(codes, codes, epochs=EPOCHS_AE, batch_size=128, verbose=0)
    losses["trained"] = autoencoder.evaluate(sample, sample, batch_size=1024, verbose=0)
    encode = keras.Sequential([keras.Input(shape=codes.shape[1:]), encoder])
    return autoencoder, encoder, encode.predict(codes, batch_size=1024, verbose=0), losses


set_seeds(42)
codes = X_unlabelled.reshape(len(X_unlabelled), -1)  # 784 pixels in [0, 1]
autoencoders, encoders = [], []
for depth in (1, 2, 3):
    # Pixels are in [0, 1]: sigmoid output and cross-entropy; ReLU codes are unbounded: linear output and MSE.
    decoder = ("sigmoid", "binary_crossentropy") if depth == 1 else ("linear", "mse")
    autoencoder, encoder, codes, losses = pretrain_layer(codes, 100, *decoder)
    autoencoders.append(autoencoder)
    encoders.append(encoder)
    print(f"autoencoder {depth}, reconstruction loss: " + ", ".join(f"{k} {v:.4f}" for k, v in losses.items()))

# %% [markdown] slideshow={"slide_type": "-"}
# What did the first layer learn without a single label? Enough to rebuild test images, which it never saw, from
# their 100-number code (dropout is off at inference):

# %% slideshow={"slide_type": "-"}
originals = data.X_test[:8].reshape(8, -1)
rebuilt = autoencoders[0].predict(originals, verbose=0)
fig, axes = plt.subplots(2, 8, figsize=(11, 3))
for column in range(8):
    for row, images in enumerate((originals, rebuilt)):
        axes[row, column].imshow(images[column].reshape(28, 28), cmap="binary")
        axes[row, column].axis("off")
axes[0, 0].set_title("test image", loc="left", fontsize=9)
axes[1, 0].set_title("rebuilt from its 100-number code", loc="left", fontsize=9)
save_fig("autoencoder_reconstructions")
plt.show()

# %% slideshow={"slide_type": "-"}
few_label_results["autoencoder pretraining"] = np.array([train_few_labels(seed, encoders) for seed in SEEDS_FEW])
for name, accuracies in few_label_results.items():
    print(f"{name:24s}: test accuracy {accuracies.mean():.3f} ± {accuracies.std(ddof=1):.3f} over {len(SEEDS_FEW)} seeds")


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** An autoencoder has learned something about its input only if its trained loss is well below both
# baselines printed next to it: an untrained autoencoder, and predicting every feature's mean whatever the input (all
# three are evaluated without dropout, on the same 2,000 unlabelled images). The first one rebuilds unseen test images from a 100-number code; if the
# reconstructions are blurred but recognisable, its units describe what the images have in common. Whether that helps the 500-label task is the comparison printed last. An autoencoder
# is rewarded for keeping whatever reconstructs the *pixels* best, which is not necessarily what tells the classes
# apart; and with He initialization, ReLU and Adam, the network trained from scratch is a far stronger baseline
# than the sigmoid networks of 2006. Erhan et al. (2010) found that unsupervised pretraining acts like a
# regulariser, with an effect that grows with the depth of the network and persists even with a lot of labelled data. Today's form of the idea is self-supervised pretraining, next.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Pretraining on an auxiliary task
#
# Another way to use unlabelled images: invent a task whose labels come for free, train a network on it, and reuse
# its lower layers. Here we rotate each unlabelled image by $k$ counter-clockwise quarter turns, $k \in \{0, 1, 2, 3\}$ drawn at
# random, and train the network to predict $k$ (Gidaris et al., 2018). To tell which way is up, the network must
# notice the shapes the images are made of: features that should help the real task too.

# %% slideshow={"slide_type": "-"}
def rotation_task(X, seed=0):
    # Rotate each image by k quarter turns (counter-clockwise), k drawn at random in 0-3; return images and k.
    k = np.random.default_rng(seed).integers(0, 4, size=len(X))
    X_rotated = X.copy()
    for quarter_turns in (1, 2, 3):
        chosen = k == quarter_turns
        X_rotated[chosen] = np.rot90(X[chosen], quarter_turns, axes=(1, 2))
    return X_rotated, k


X_rot_train, k_train = rotation_task(X_unlabelled, seed=0)
X_rot_test, k_test = rotation_task(data.X_test, seed=1)
fig, axes = plt.subplots(1, 8, figsize=(11, 1.9))
for ax, image, k in zip(axes, X_rot_train, k_train):
    ax.imshow(image, cmap="binary")
    ax.set_title(f"label {k}: {90 * k}°", fontsize=9)
    ax.axis("off")
fig.suptitle("Rotation task: label k means the image was turned k quarter turns counter-clockwise", y=1.08)
save_fig("rotation_task_examples")
plt.show()

# %% slideshow={"slide_type": "-"}
EPOCHS_ROT = budget(5, quick=2)
set_seeds(42)
rotation_model = build_mlp(4)
rotation_model.compile(loss="sparse_categorical_crossentropy",
                       optimizer=keras.optimizers.Adam(learning_rate=1e-3), metrics=["accuracy"])
rotation_model.fit(X_rot_train, k_train, epochs=EPOCHS_ROT, batch_size=128, verbose=0)
print(f"rotation task, accuracy on rotated test images: "
      f"{rotation_model.evaluate(X_rot_test, k_test, verbose=0)[1]:.3f} (chance: 0.25)")

few_label_results["rotation pretraining"] = np.array(
    [train_few_labels(seed, rotation_model.layers[1:4]) for seed in SEEDS_FEW])
for name, accuracies in few_label_results.items():
    print(f"{name:24s}: test accuracy {accuracies.mean():.3f} ± {accuracies.std(ddof=1):.3f} over {len(SEEDS_FEW)} seeds")

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(8, 4))
names = list(few_label_results)
for seed_results in np.array([few_label_results[name] for name in names]).T:  # one gray line per seed
    ax.plot(range(len(names)), seed_results, "-", color="gray", alpha=0.5)
for i, (name, accuracies) in enumerate(few_label_results.items()):
    ax.plot(np.full(len(accuracies), i), accuracies, "o", alpha=0.7)
    ax.errorbar(i + 0.15, accuracies.mean(), yerr=accuracies.std(ddof=1), fmt="s", color="black", capsize=4)
ax.set_xticks(range(len(names)), names)
ax.set_ylabel("test accuracy, 10 classes")
ax.set_title(f"{N_LABELLED} labelled images: one dot per seed (gray: same seed), mean ± std in black")
save_fig("pretraining_few_labels")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** If the rotation accuracy is far above chance (0.25), the auxiliary task is learnable from the
# images alone. The figure then puts the three starting points side by side, on the same 500 labels and the same
# seeds (the gray lines join runs with the same seed); the two pretrained models follow section 2.5's recipe (head
# first, then everything), the scratch model trains everything from the start. A pretraining method has earned its keep
# only if its dots sit above the scratch dots on most seeds, by more than their spread. *If* one pretext task beats the
# other, a plausible reason is how close it is to the real task: predicting rotations needs shape features that overlap
# with classification, while reconstruction rewards keeping every pixel; with three seeds and one run of each
# pretraining, the figure may well not separate them. Modern self-supervised learning (contrastive methods, masked
# autoencoders) is this idea at scale; it is how large vision and language models get their lower layers.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Model zoos: pretrained models in practice
#
# You rarely pretrain yourself: model zoos publish networks trained for days on millions of images.
#
# - **`keras.applications`** ships classic ImageNet convolutional networks (ResNet, EfficientNet, MobileNet, ...).
#   `weights="imagenet"` downloads the weights once into Keras' cache (`~/.keras/models`); `include_top=False`
#   drops the 1000-class output layers, so the network becomes a feature extractor; each model has its own
#   `preprocess_input`. Which one to pick? Kornblith et al. (2019) found that ImageNet models that are more accurate
#   on ImageNet also tend to transfer better to other image tasks.
# - **KerasHub** (`pip install keras-hub`) is the Keras 3 library of pretrained models and *presets* (published
#   architectures with weights, hosted on Kaggle and Hugging Face), for images and text:
#   ```python
#   import keras_hub
#   classifier = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=2)
#   classifier.backbone.trainable = False  # freeze the pretrained part, train the new head
#   ```
# - **TensorFlow Hub** (now hosted on Kaggle Models) distributes TensorFlow SavedModels, wrapped with
#   `tensorflow_hub.KerasLayer`. That layer belongs to Keras 2 (`tf_keras`) and does not work with Keras 3
#   (tensorflow/hub issue #903), so with this course's Keras prefer KerasHub or `keras.applications`.
#
# None of these packages or weights is needed to run this notebook. The architecture alone needs no download:
# `weights=None` builds MobileNetV2 (Sandler et al., 2018) with random weights, enough to see what we would reuse.

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
mobilenet = keras.applications.MobileNetV2(weights=None)  # ImageNet architecture, random weights
base = keras.applications.MobileNetV2((96, 96, 3), include_top=False, weights=None)  # first argument: input shape
print(f"MobileNetV2, 1000 ImageNet classes: {mobilenet.count_params():,} parameters, {len(mobilenet.layers)} layers")
print(f"without its top, for 96x96 RGB:     {base.count_params():,} parameters, output {tuple(base.output.shape[1:])}")

# %% [markdown] slideshow={"slide_type": "-"}
# Our images are 28×28 with one channel in [0, 1]; MobileNetV2 expects RGB images with pixels in [-1, 1], and its
# ImageNet weights exist only for inputs of 96, 128, 160, 192 or 224 pixels. So the reusing model resizes the images
# to 96×96, repeats the gray channel three times, and rescales the pixels. Even then, upscaled 28-pixel gray clothing
# on a blank background is far from ImageNet's colour photographs, so this bends section 1's second rule: the
# low-level features may transfer less well than to real photos. MobileNetV2's `preprocess_input` takes 0-255 pixels to
# $x/127.5 - 1$; for our [0, 1] pixels that is $2x - 1$, a `Rescaling` layer. Checked on every 8-bit pixel value:

# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
pixels = np.arange(256, dtype="float32") / 255  # every 8-bit value, scaled to [0, 1]
err = rel_error(keras.applications.mobilenet_v2.preprocess_input(255 * pixels),
                keras.layers.Rescaling(2.0, offset=-1.0)(pixels))
assert err < 1e-6
print(f"preprocess_input(255 x) vs Rescaling(2, offset=-1)(x), max relative error < 1e-6: {err < 1e-6}")


# %% [markdown] slideshow={"slide_type": "-"}
# A network whose layers are not a simple stack (here, one image fed three times to `Concatenate`) is built with
# Keras' *functional API*: start from `keras.Input`, call each layer on the previous result, and give `keras.Model`
# the inputs and outputs. A whole model, such as `base`, can be called like a layer. Calling it with `training=False`
# keeps its batch normalization layers in inference mode (notebook 03) for good, even after unfreezing: otherwise
# they would compute their statistics from small task B batches and overwrite the ImageNet moving averages.

# %% slideshow={"slide_type": "-"}
def build_zoo_model(weights):
    # 28x28 gray images in [0, 1] -> 96x96x3 in [-1, 1] -> frozen MobileNetV2 base -> new sigmoid head.
    # Returns the model and its MobileNetV2 base (to unfreeze later).
    base = keras.applications.MobileNetV2((96, 96, 3), include_top=False, weights=weights)
    base.trainable = False
    inputs = keras.Input(shape=(28, 28))
    x = keras.layers.Reshape((28, 28, 1))(inputs)
    x = keras.layers.Resizing(96, 96)(x)
    x = keras.layers.Concatenate()([x, x, x])  # gray -> three identical channels
    x = keras.layers.Rescaling(2.0, offset=-1.0)(x)  # = preprocess_input for pixels in [0, 1]
    x = base(x, training=False)  # keep batch normalization in inference mode, even when fine-tuning
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs), base


# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
zoo_model, zoo_base = build_zoo_model(weights=None)
print(f"zoo model for task B: {zoo_model.count_params():,} parameters, {count_trainable(zoo_model):,} trainable")

# %% [markdown] slideshow={"slide_type": "-"}
# With internet access, the same function loads the ImageNet weights (about 9 MB, once). This cell tries, and says
# so in one line if it cannot:

# %% slideshow={"slide_type": "-"}
try:
    zoo_model, zoo_base = build_zoo_model(weights="imagenet")
    print(f"ImageNet weights loaded: {count_trainable(zoo_model):,} of {zoo_model.count_params():,} "
          "parameters trainable")
except Exception as problem:  # no internet, a proxy, a firewall...
    message = str(problem).strip().splitlines()[0] if str(problem).strip() else "no message"
    print(f"The ImageNet weights could not be downloaded ({type(problem).__name__}: {message}); "
          "run this cell with internet access to reuse them.")


# %% [markdown] slideshow={"slide_type": "-"}
# With the weights loaded, the recipe has section 2.5's shape (freeze, train the head, unfreeze, fine-tune at a lower
# rate), with smaller learning rates: the head sits on 1,280 pooled features of a large pretrained convolutional base
# rather than 100, the base's inputs (upscaled gray clothing) are far from what it was trained on, and its batch
# normalization statistics are kept fixed, so a gentle $10^{-3}$ for the head and $10^{-5}$ for fine-tuning are the
# usual starting points, to be checked on validation data. It is not run here because the weights may be unavailable
# offline, as in the test suite (and a MobileNet pass over 96×96 images is slow on a laptop CPU, which is when caching
# the base's outputs, section 4, pays off most):
#
# ```python
# zoo_model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-3),
#                   metrics=["accuracy"])
# zoo_model.fit(X_train_B, y_train_B, epochs=5, validation_data=(X_valid_B, y_valid_B))  # head only
#
# zoo_base.trainable = True                # the MobileNetV2 base returned by build_zoo_model
# for layer in zoo_base.layers[:-20]:      # fine-tune only the top of the base
#     layer.trainable = False
# zoo_model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-5),
#                   metrics=["accuracy"])  # compile again after changing trainable
# zoo_model.fit(X_train_B, y_train_B, epochs=10, validation_data=(X_valid_B, y_valid_B))
# ```

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - Reuse the **lower layers** of a network trained on a similar task, to need fewer labels and possibly fewer epochs
#   (measure it: section 3 shows how). Replace the output layer, often the top hidden layers too; the literature
#   finds that the more similar the tasks, the more layers transfer.
# - Reused layers need **inputs like their own**: same kind of images, same preprocessing, same size (resize if not).
# - `model_A.layers` are the layers themselves: **copy** with `clone_model` + `set_weights` (or reload the `.keras`
#   file), or training the new model changes the old one.
# - **Freeze** the reused layers while a new head trains, then **unfreeze** and fine-tune with a **lower learning
#   rate**; call **`compile()` after every change of `trainable`**, or the change is silently ignored.
# - Judge a gain over **several seeds**: paired differences, their mean and a $t$-based 95% interval; one run, or the
#   best of many, proves nothing.
# - While layers are frozen, **cache** their outputs and train the head on them: the same model, faster.
# - Without a related labelled task: **pretrain** on unlabelled data (layer-wise autoencoders) or on a
#   **self-supervised auxiliary task** (rotations), or start from a **model zoo** (`keras.applications`, KerasHub).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Each exercise has a self-check cell: run it after your answer and it tells you whether you are right.
# Worked solutions are at the end of the notebook; try first.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: re-index task A by hand
#
# Complete `task_a_label(label)` so that it returns the task A label (0-7) of an original label in
# 0, 1, 2, 3, 4, 7, 8, 9, without a lookup table. The check compares it with `split_task_a_b`.

# %% slideshow={"slide_type": "-"}
def task_a_label(label):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def split_label(label):
    (_, y_a), _ = split_task_a_b(np.zeros((1, 1)), np.array([label]))
    return y_a[0]


check_function("Exercise 1", task_a_label, [((label,), split_label(label)) for label in (0, 1, 2, 3, 4, 7, 8, 9)],
               hint="Labels below 5 keep their value; the others move down past the two task B classes.");


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: error-rate reduction
#
# Complete `error_rate_reduction(acc_scratch, acc_transfer)`: the fraction of the scratch model's errors that the
# transfer model avoids (section 3). Going from 90% to 97.5% accuracy is a reduction of 0.75.

# %% slideshow={"slide_type": "-"}
def error_rate_reduction(acc_scratch, acc_transfer):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
check_function("Exercise 2", error_rate_reduction,
               [((0.90, 0.975), 0.75), ((0.96, 0.97), 0.25), ((0.95, 0.94), -0.2)],
               hint="Work with error rates, 1 - accuracy, not with accuracies.");

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: what does a frozen B-on-A train?
#
# A narrower B-on-A reuses only model A's lowest hidden layer (100 units), frozen, and adds two new hidden layers of
# 50 ReLU units and a sigmoid output: `build_b_on_a(model_A, 1, hidden=(100, 50, 50))`. How many parameters does it
# train while the reused layer is frozen? Work it out by hand.

# %% slideshow={"slide_type": "-"}
n_trainable_narrow = ...  # your number here

# %% slideshow={"slide_type": "-"}
check_value("Exercise 3", n_trainable_narrow, count_trainable(build_b_on_a(model_A, 1, hidden=(100, 50, 50))),
            hint="Only new layers train: a Dense layer has n_in * n_out weights plus n_out biases.");


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: an independent copy
#
# Complete `independent_copy(model)` so that it returns a model that computes exactly what `model` computes but
# shares no variable with it (training the copy must never change the original).

# %% slideshow={"slide_type": "-"}
def independent_copy(model):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def is_independent_copy(copy_fn):
    original = build_mlp(8)
    copy = copy_fn(original)
    shared = {id(v) for v in original.weights} & {id(v) for v in copy.weights}
    if not isinstance(copy, keras.Model) or shared:
        return False
    x = np.random.default_rng(0).random((4, 28, 28)).astype("float32")
    return bool(np.allclose(original.predict(x, verbose=0), copy.predict(x, verbose=0)))


check_condition("Exercise 4", independent_copy, is_independent_copy,
                hint="One function copies the architecture, another the weights (section 2.4).");


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 5: all four rotations
#
# `rotation_task` draws one rotation per image. Complete `four_rotations(X)` so that it returns *every* image in all
# four rotations, `(X_rotated, k)` with `4 * len(X)` images and `k[i]` the number of counter-clockwise quarter turns of
# `X_rotated[i]`: `np.rot90(X_rotated[i], -k[i])` must equal an original image, and every image must appear in all
# four rotations.

# %% slideshow={"slide_type": "-"}
def four_rotations(X):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def has_all_rotations(fn):
    X = np.random.default_rng(1).random((3, 28, 28))
    X_rotated, k = fn(X)
    found = set()
    for image, turns in zip(X_rotated, np.asarray(k)):
        back = np.rot90(image, -int(turns))
        matches = [i for i in range(len(X)) if np.array_equal(back, X[i])]
        if len(matches) != 1:
            return False
        found.add((matches[0], int(turns)))
    return len(X_rotated) == 12 and found == {(i, t) for i in range(3) for t in range(4)}


check_condition("Exercise 5", four_rotations, has_all_rotations,
                hint="np.rot90(X, k, axes=(1, 2)) rotates a whole batch; np.repeat builds the labels.");


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Solutions
#
# Look only after trying. Each solution is followed by its self-check.

# %% [markdown] slideshow={"slide_type": "-"}
# **Exercise 1.** Labels 0-4 keep their value; 7, 8 and 9 skip the two removed classes, so they move down by 2.

# %% slideshow={"slide_type": "-"}
def task_a_label(label):
    return label if label < 5 else label - 2


assert check_function("Exercise 1", task_a_label, [((label,), split_label(label)) for label in (0, 1, 2, 3, 4, 7, 8, 9)])


# %% [markdown] slideshow={"slide_type": "-"}
# **Exercise 2.** With error rates $e_s = 1 - a_s$ and $e_t = 1 - a_t$, the reduction is $1 - e_t / e_s$. From 90% to
# 97.5% the errors fall from 10% to 2.5%, four times fewer: 0.75. From 96% to 97% it is only 0.25, and from 95% down to
# 94% it is negative: the transfer model makes 20% *more* errors.

# %% slideshow={"slide_type": "-"}
def error_rate_reduction(acc_scratch, acc_transfer):
    return 1 - (1 - acc_transfer) / (1 - acc_scratch)


assert check_function("Exercise 2", error_rate_reduction,
                      [((0.90, 0.975), 0.75), ((0.96, 0.97), 0.25), ((0.95, 0.94), -0.2)])

# %% [markdown] slideshow={"slide_type": "-"}
# **Exercise 3.** The first new hidden layer takes the reused layer's 100 outputs: $100 \times 50 + 50 = 5{,}050$
# parameters; the second $50 \times 50 + 50 = 2{,}550$; the output $50 \times 1 + 1 = 51$: 7,651 trained, against the
# 101 of the three-layer B-on-A. Reusing fewer layers leaves more to learn from the same 200 images.

# %% slideshow={"slide_type": "-"}
n_trainable_narrow = (100 * 50 + 50) + (50 * 50 + 50) + (50 * 1 + 1)
assert check_value("Exercise 3", n_trainable_narrow, count_trainable(build_b_on_a(model_A, 1, hidden=(100, 50, 50))))


# %% [markdown] slideshow={"slide_type": "-"}
# **Exercise 4.** `clone_model` builds the same architecture with new variables (and new random weights);
# `set_weights` copies the values. (Saving to a `.keras` file and loading it is another way.)

# %% slideshow={"slide_type": "-"}
def independent_copy(model):
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


assert check_condition("Exercise 4", independent_copy, is_independent_copy)


# %% [markdown] slideshow={"slide_type": "-"}
# **Exercise 5.** Rotate the whole batch once per $k$ and stack; the labels are each $k$ repeated `len(X)` times.
# Training on all four rotations quadruples the pretext data set at no labelling cost (and four times the compute).

# %% slideshow={"slide_type": "-"}
def four_rotations(X):
    X_rotated = np.concatenate([np.rot90(X, k, axes=(1, 2)) for k in range(4)])
    return X_rotated, np.repeat(np.arange(4), len(X))


assert check_condition("Exercise 5", four_rotations, has_all_rotations)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - A. Géron (2019). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 2nd ed., chapter 11. O'Reilly.
#   (The task A / task B split with sandals and shirts and the 200 task B images.)
# - A. Géron (2022). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 3rd ed., chapter 11. O'Reilly.
#   (Model A's size: three hidden layers of 100 ReLU units.)
# - J. Yosinski, J. Clune, Y. Bengio and H. Lipson (2014). *How transferable are features in deep neural networks?* NeurIPS.
# - G. E. Hinton, S. Osindero and Y.-W. Teh (2006). *A fast learning algorithm for deep belief nets.* Neural Computation 18(7).
# - Y. Bengio, P. Lamblin, D. Popovici and H. Larochelle (2007). *Greedy layer-wise training of deep networks.* NeurIPS (NIPS 2006).
# - P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol (2008). *Extracting and composing robust features with denoising autoencoders.* ICML.
# - D. Erhan, Y. Bengio, A. Courville, P.-A. Manzagol, P. Vincent and S. Bengio (2010). *Why does unsupervised pre-training help deep learning?* JMLR 11.
# - S. Gidaris, P. Singh and N. Komodakis (2018). *Unsupervised representation learning by predicting image rotations.* ICLR.
# - M. Sandler, A. Howard, M. Zhu, A. Zhmoginov and L.-C. Chen (2018). *MobileNetV2: Inverted residuals and linear bottlenecks.* CVPR.
# - S. Kornblith, J. Shlens and Q. V. Le (2019). *Do better ImageNet models transfer better?* CVPR.
# - H. Xiao, K. Rasul and R. Vollgraf (2017). *Fashion-MNIST: a novel image dataset for benchmarking machine learning algorithms.* arXiv:1708.07747.
