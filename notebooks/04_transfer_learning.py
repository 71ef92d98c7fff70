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
#    pretrained model from a model zoo;
# 6. port a trained model's weights from another framework's conventions (PyTorch's) into Keras, and check the port.
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
# two tasks; its `b_classes` argument picks the two task B classes, and section 2 picks a harder pair than the book's.
# Seed comparisons go through the course's statistics helpers (`paired_difference`, `compare_to_baseline`,
# `holm_adjusted`). Models this notebook
# saves go to the git-ignored folder `work_dir()`.

# %% slideshow={"slide_type": "-"}
from helpers import (  # first import: keeps TensorFlow's start-up chatter out of the notebook
    FreshStart, budget, check_condition, check_function, check_value, compare_to_baseline, comparison_table,
    holm_adjusted, keras_messages_off, load_fashion_mnist, paired_difference, rel_error, save_fig, set_seeds, setup,
    split_task_a_b, welch_difference, work_dir,
)
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

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
# This experiment is adapted from Géron's book, chapter 11, with a smaller ReLU model and Adam instead of SGD. The
# book builds a transfer problem out of Fashion-MNIST: a plentiful 8-class **task A**, and a binary **task B** on the
# two remaining classes, with only 200 labelled training images. The 2nd edition (Géron, 2019) used sandals versus
# shirts as task B, which is what `helpers.split_task_a_b` implements; the 3rd edition (Géron, 2022) uses
# T-shirts/tops versus pullovers. On the real data, sandal versus shirt is far too easy: a model trained from scratch on
# its 200 images already classifies almost every test image correctly (section 2.3 measures it), so any transfer
# effect would be a handful of test errors. We take a pair with headroom instead, two classes that even large models
# confuse:
#
# - **task A**: the 8 classes *other than* T-shirt/top (class 0) and shirt (class 6), labels re-indexed to 0-7
#   (1, 2, 3, 4, 5, 7, 8, 9 become 0, 1, ..., 7); it keeps about 80% of the training images;
# - **task B**: T-shirt/top versus shirt, a *binary* problem (1 for shirt, 0 for T-shirt/top), with **only the first
#   200 training images**: the scarce-label task.
#
# Validation and test sets are split the same way, without the 200 limit. We train model A on task A, then reuse its
# layers for task B. `split_task_a_b` takes the two task B classes as its `b_classes` argument (the book's (5, 6) by
# default); we pass ours, `TASK_B`, every time. Task A keeps the other eight classes, re-indexed 0-7 in order; task B's
# first class becomes 0.0 and its second 1.0; both keep the original order of the examples. Here it is on ten classes
# with two examples each, where each "image" is just its row number, so that we can see which rows go where:

# %% slideshow={"slide_type": "-"}
TASK_B = (0, 6)  # T-shirt/top -> 0.0, shirt -> 1.0
TASK_A_CLASSES = tuple(c for c in range(10) if c not in TASK_B)  # task A label i is class TASK_A_CLASSES[i]


# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
y_demo = np.repeat(np.arange(10), 2)  # labels 0, 0, 1, 1, ..., 9, 9
X_demo = np.arange(20)[:, None]       # "image" i is its row number i
(X_a_demo, y_a_demo), (X_b_demo, y_b_demo) = split_task_a_b(X_demo, y_demo, n_b=3, b_classes=TASK_B)
print("task A rows:  ", X_a_demo.ravel())
print("task A labels:", y_a_demo)
print("task B rows:  ", X_b_demo.ravel(), "(n_b=3 keeps the first three)")
print("task B labels:", y_b_demo, y_b_demo.dtype)
assert np.array_equal(X_a_demo.ravel(), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19])
assert np.array_equal(y_a_demo, np.repeat(np.arange(8), 2)) and np.array_equal(X_b_demo.ravel(), [0, 1, 12])
assert np.array_equal(y_b_demo, [0.0, 0.0, 1.0])
print("checked: task A holds no class 0 or 6 row, relabelled 0-7 in order; task B keeps the first three of its rows")

# %% slideshow={"slide_type": "-"}
(X_train_A, y_train_A), (X_train_B, y_train_B) = split_task_a_b(data.X_train, data.y_train, n_b=200, b_classes=TASK_B)
(X_valid_A, y_valid_A), (X_valid_B, y_valid_B) = split_task_a_b(data.X_valid, data.y_valid, b_classes=TASK_B)
(X_test_A, y_test_A), (X_test_B, y_test_B) = split_task_a_b(data.X_test, data.y_test, b_classes=TASK_B)
NAME_0, NAME_1 = (data.class_names[c] for c in TASK_B)
print(f"task A: {len(X_train_A):,} train / {len(X_valid_A):,} valid / {len(X_test_A):,} test images, 8 classes")
print(f"task B: {len(X_train_B):,} train / {len(X_valid_B):,} valid / {len(X_test_B):,} test images, "
      f"training labels: {int((y_train_B == 0).sum())} x {NAME_0!r}, {int((y_train_B == 1).sum())} x {NAME_1!r}")

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(1, 8, figsize=(11, 1.9))
for ax, image, label in zip(axes, X_train_B, y_train_B):
    ax.imshow(image, cmap="binary")
    ax.set_title(f"{NAME_1} (1)" if label == 1 else f"{NAME_0} (0)", fontsize=9)
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
EPOCHS_A = budget(10, quick=2)  # 10 epochs; 2 in the test suite's quick mode (helpers.budget)

set_seeds(42)
model_A = build_mlp(8)
model_A.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                metrics=["accuracy"], steps_per_execution=32)  # 32 steps per call: less overhead (notebook 01)
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
predicted = keras.ops.convert_to_numpy(model_A(shuffle_pixels(X_test_A), training=False)).argmax(axis=1)
top_class = np.bincount(predicted, minlength=8).argmax()
print(f"on shuffled pixels, model A predicts task A class {top_class} ({data.class_names[TASK_A_CLASSES[top_class]]!r}) "
      f"for {np.mean(predicted == top_class):.1%} of the images; that class is {np.mean(y_test_A == top_class):.1%} "
      "of the test images")
right = predicted == y_test_A
print(f"accuracy on shuffled pixels {right.mean():.3f} = {np.mean(right & (y_test_A == top_class)):.3f} "
      f"(images of that class, sent there) + {np.mean(right & (y_test_A != top_class)):.3f} (other images that still "
      "land in their own class)")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** Enlarging the images and resizing them back has no measurable cost here: bilinear resizing blurs a few edges,
# but the low-level features survive. Shuffling the pixels makes model A's accuracy collapse to near chance, and the
# last line says why it lands where it does: model A does not guess at random, it sends most shuffled images to one
# class. Most of its correct answers are then the images of that class, which it sends there anyway, and they alone
# come close to that class's share of the test set, one in eight (every task A class has the same share). The last
# line splits the accuracy in two: the rest, the part above that share, comes from the few shuffled images of other
# classes that model A still sends to their own class, so the accuracy ends up somewhat above chance, not at it. Not
# one bit of information was lost. Reused layers are only as good as the match between their new inputs and the
# inputs they were trained on.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.3 Model B from scratch
#
# The baseline: the same architecture with one sigmoid output, trained from random weights on the 200 task B
# images, for as many epochs as B-on-A will get in total below (batch size 32, so 7 steps per epoch).

# %% slideshow={"slide_type": "-"}
EPOCHS_HEAD = budget(10, quick=1)  # B-on-A: epochs with the reused layers frozen
EPOCHS_FINE = budget(10, quick=1)  # B-on-A: epochs of fine-tuning everything
EPOCHS_B = EPOCHS_HEAD + EPOCHS_FINE


def compile_binary(model, learning_rate):
    # steps_per_execution=32: several training steps per call into TensorFlow, same arithmetic (notebook 01).
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  metrics=["accuracy"], steps_per_execution=32)


set_seeds(42)
model_B = build_mlp(1)
compile_binary(model_B, 1e-3)
history_B = model_B.fit(X_train_B, y_train_B, epochs=EPOCHS_B,
                        validation_data=(X_valid_B, y_valid_B), verbose=0)
print(f"model B from scratch: test accuracy on task B {model_B.evaluate(X_test_B, y_test_B, verbose=0)[1]:.4f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Section 2 said the book's pair, sandal versus shirt, leaves no headroom. The same recipe (same seed, same number of
# epochs) on the book's split, `split_task_a_b` with its default classes (5, 6), and its first 200 training images:

# %% slideshow={"slide_type": "-"}
_, (X_train_book, y_train_book) = split_task_a_b(data.X_train, data.y_train, n_b=200)  # sandal 0.0, shirt 1.0
_, (X_test_book, y_test_book) = split_task_a_b(data.X_test, data.y_test)
set_seeds(42)
model_book = build_mlp(1)
compile_binary(model_book, 1e-3)
model_book.fit(X_train_book, y_train_book, epochs=EPOCHS_B, verbose=0)
acc_book = model_book.evaluate(X_test_book, y_test_book, verbose=0)[1]
print(f"book's task B, sandal vs shirt, from scratch: test accuracy {acc_book:.4f}, "
      f"{round((1 - acc_book) * len(y_test_book))} errors on {len(y_test_book):,} test images")

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
# trainable from the start, those gradients can damage the features we came for (section 5 measures whether they do
# here). So the usual recipe is: train the new layer with the
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
# and then `fit()`. Change `trainable` afterwards and the next `fit()` still uses the old list, and Keras may not
# warn you (Keras 3.15 does not, in both cases below).
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
print(f"error rate: {1 - acc_B:.2%} -> {1 - acc_B_on_A:.2%}, that is {round((1 - acc_B) * len(y_test_B))} -> "
      f"{round((1 - acc_B_on_A) * len(y_test_B))} errors on the {len(y_test_B):,} test images")

# %% slideshow={"slide_type": "-"}
epochs = np.arange(1, EPOCHS_B + 1)
fig, ax = plt.subplots(figsize=(8, 4.2))
ax.plot(epochs, 1 - np.array(history_B.history["val_accuracy"]), "o-", label="B from scratch")
ax.plot(epochs, 1 - np.array(val_B_on_A), "o-", label="B-on-A")
ax.plot(epochs, 1 - np.array(val_control), "s--", color="gray",
        label="control: untrained frozen layers, same schedule as B-on-A")
ax.axvline(EPOCHS_HEAD + 0.5, color="gray", linestyle=":")
ax.set_ylim(0, None)
ax.set_xticks(epochs)
ax.text(EPOCHS_HEAD + 0.7, ax.get_ylim()[1], "B-on-A and control: unfreeze, lr 1e-2 -> 1e-3\nB: lr 1e-3 throughout",
        color="gray", va="top", fontsize=9)
ax.set_xlabel("epoch")
ax.set_ylabel("validation error rate, task B")
ax.set_title("Learning curves, one seed (42)")
ax.legend(fontsize=9, loc="lower left")  # lower is better
save_fig("b_vs_b_on_a_learning_curves")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The figure shows validation *error*, lower is better. Left of the dotted line only the new output
# layers learn, so that part of the B-on-A curve measures how well model A's features, as they are, separate task B's
# two classes; right of it, fine-tuning adapts them. The control has B-on-A's learning rates and schedule, so a gap
# between B-on-A and the control is what model A's training put into the layers, while a gap between the control and
# model B could be the learning rate or the freezing alone. In this run the head-only phase does not beat model B: a
# logistic regression on model A's frozen features separates T-shirts from shirts no better than the control's random
# features do (in this one run; over five seeds, question 2 of section 5 finds a small edge for model A's frozen
# features), and model B, which trains all its layers, is ahead. The curves part only after unfreezing, where
# B-on-A's error falls below both, while model B's wobbles from epoch to epoch (the task B validation set is under a
# thousand images, so a step of 0.01 is about ten images). So, in this run, transfer saves no epochs; what it brings
# comes from fine-tuning features that start from model A's. Everything here, the printed test accuracies included, is
# **one run with one seed**: exactly the kind of evidence the next section puts to the test.

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
#
# This and the next sections train models B and B-on-A about a hundred times, and every `compile()` costs a trace of
# the training step. So the runs reuse compiled models: one per configuration (B-on-A's frozen and unfrozen versions are
# compiled separately, so the rule "compile after changing `trainable`" still holds), restarted for each seed with
# `FreshStart` (notebook 02). The cell after the next one checks this for section 2.5's recipe: restarted B-on-A runs,
# on two seeds, end with exactly the weights of that recipe built and compiled anew, to the last bit. (The other paths,
# model B alone and B-on-A trainable from the start, use the same two `FreshStart` calls but are not checked here.)

# %% slideshow={"slide_type": "-"}
SEEDS = list(range(budget(5, quick=2)))


def accuracy_B(model, X_test):
    # Test accuracy on task B: one forward pass, probabilities above 0.5 mean "shirt" (label 1).
    probabilities = keras.ops.convert_to_numpy(model(X_test, training=False))[:, 0]
    return float(np.mean((probabilities > 0.5) == y_test_B))


def train_b_scratch(seed, X_train=X_train_B, y_train=y_train_B, epochs=EPOCHS_B):
    # Model B trained from scratch at learning rate 1e-3; the seed sets its initial weights and its minibatch order.
    set_seeds(seed)
    model = build_mlp(1)
    compile_binary(model, 1e-3)
    model.fit(X_train, y_train, epochs=epochs, verbose=0)
    return model


def run_b_scratch(seed, X_train=X_train_B, y_train=y_train_B, X_test=X_test_B, epochs=EPOCHS_B):
    # Test accuracy of model B trained from scratch at learning rate 1e-3: train_b_scratch's run, on one compiled
    # model restarted for each run (FreshStart, below) instead of a new one.
    model = b_scratch_restart(seed)
    model.fit(X_train, y_train, epochs=epochs, verbose=0)
    return accuracy_B(model, X_test)


model_B_compiled_once = build_mlp(1)
compile_binary(model_B_compiled_once, 1e-3)
b_scratch_restart = FreshStart(model_B_compiled_once, lambda: build_mlp(1))
B_ON_A_RESTARTS = {}  # (source model, n_reused, reused layers trainable?): a FreshStart of one compiled model


def b_on_a_restart(source, n_reused, reused_trainable):
    # The experiments below train B-on-A about a hundred times, and each compile() costs a trace of the training
    # step (about a second here). So each configuration is compiled once, on first use, and restarted for every run
    # (FreshStart, notebook 02): restart(seed) does set_seeds(seed) and puts in what build_b_on_a would build;
    # start_from(model) takes over another model's weights, with a fresh optimizer. Both give exactly what building
    # and compiling anew would (the next cell checks it). The learning rate is set per run.
    key = (id(source), n_reused, reused_trainable)
    if key not in B_ON_A_RESTARTS:
        model = build_b_on_a(source, n_reused)
        for layer in model.layers:
            layer.trainable = layer.trainable or reused_trainable
        compile_binary(model, 1e-3)
        B_ON_A_RESTARTS[key] = FreshStart(model, lambda: build_b_on_a(source, n_reused))
    return B_ON_A_RESTARTS[key]


def run_b_on_a(seed, n_reused=3, head_epochs=EPOCHS_HEAD, fine_epochs=EPOCHS_FINE, head_lr=1e-2, fine_lr=1e-3,
               source=None, X_train=X_train_B, y_train=y_train_B, X_test=X_test_B):
    # Test accuracy of B-on-A: `head_epochs` with the reused layers frozen (learning rate head_lr), then
    # `fine_epochs` with every layer trainable (fine_lr). The defaults are section 2.5's recipe; fine_epochs=0 keeps
    # the reused layers frozen throughout, head_epochs=0 trains everything from the start.
    # `source`: the model whose layers are reused (default: model A).
    source = model_A if source is None else source
    if head_epochs > 0:
        model = b_on_a_restart(source, n_reused, reused_trainable=False)(seed)  # frozen, compiled while frozen
        model.optimizer.learning_rate = head_lr
        model.fit(X_train, y_train, epochs=head_epochs, verbose=0)
    if fine_epochs > 0:
        unfrozen = b_on_a_restart(source, n_reused, reused_trainable=True)  # compiled with every layer trainable
        model = unfrozen.start_from(model) if head_epochs > 0 else unfrozen(seed)
        model.optimizer.learning_rate = fine_lr
        model.fit(X_train, y_train, epochs=fine_epochs, verbose=0)
    return accuracy_B(model, X_test)


def same_as_compiled_anew(seed):
    accuracy = run_b_on_a(seed)
    restarted = b_on_a_restart(model_A, 3, reused_trainable=True).model  # where that run ended
    set_seeds(seed)
    anew = build_b_on_a(model_A)
    freeze_then_fine_tune(anew, validation_data=(X_valid_B, y_valid_B))  # section 2.5's recipe, compiled anew
    return accuracy == accuracy_B(anew, X_test_B) and all(
        np.array_equal(a, b) for a, b in zip(restarted.get_weights(), anew.get_weights()))


# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
same = [same_as_compiled_anew(seed) for seed in SEEDS[:2]]  # two runs: the second must not see the first
print("restarted models end with the same weights as new ones, to the last bit:", all(same))
assert all(same)

# %% slideshow={"slide_type": "-"}
acc_scratch = np.array([run_b_scratch(seed) for seed in SEEDS])
acc_on_a = np.array([run_b_on_a(seed) for seed in SEEDS])


# %% [markdown] slideshow={"slide_type": "-"}
# Differences over a handful of seeds are summarised by their mean and a **95% confidence interval** based on
# Student's $t$ distribution: with $n$ values of standard deviation $s$ (computed with `ddof=1`, dividing by $n-1$),
# the standard error of the mean is $s/\sqrt{n}$, and the interval is the mean $\pm\, t_{0.975,\,n-1}\, s/\sqrt{n}$.
# With few seeds $t$ is large ($12.7$ for 2 seeds, $2.8$ for 5), so the interval is honest about how little a few runs
# can show. The course's `paired_difference(a, b)` computes it for the per-seed differences `a[i] - b[i]` (and a
# $p$-value for "no difference"). Pairing by seed is legitimate here, but it buys less than it seems: B and B-on-A
# with the same seed do **not** start from related weights (B draws all its layers, B-on-A only its new output
# layer) and do not see the same minibatch order (B-on-A calls `fit()` twice, and the shuffle restarts). The seeds
# are independent replicates either way, so the paired interval is valid; it is narrower than an unpaired (Welch)
# interval only if the two models' accuracies happen to move together from seed to seed, and the cell prints both so
# that you can see whether they do.

# %% slideshow={"slide_type": "-"}
n_test_B = len(y_test_B)
err_scratch, err_on_a = 1 - acc_scratch, 1 - acc_on_a
reduction = np.full(len(SEEDS), np.nan)  # stays NaN (undefined) where B from scratch made no test error
np.divide(err_scratch - err_on_a, err_scratch, out=reduction, where=err_scratch > 0)
gain = paired_difference(acc_on_a, acc_scratch, name="B-on-A - B")

print(f"{'seed':>4s} {'B':>8s} {'B-on-A':>8s} {'test errors of ' + f'{n_test_B:,}':>22s} {'reduction':>10s}")
for seed, a_b, a_ba, r in zip(SEEDS, acc_scratch, acc_on_a, reduction):
    errors = f"{round((1 - a_b) * n_test_B)} -> {round((1 - a_ba) * n_test_B)}"
    print(f"{seed:4d} {a_b:8.4f} {a_ba:8.4f} {errors:>22s} {r:10.2f}")
print(f"\nB from scratch: {acc_scratch.mean():.4f} ± {acc_scratch.std(ddof=1):.4f}  (mean ± std over {len(SEEDS)} seeds)")
print(f"B-on-A:         {acc_on_a.mean():.4f} ± {acc_on_a.std(ddof=1):.4f}")
print(gain, f"; B-on-A better on {(acc_on_a > acc_scratch).sum()} of {len(SEEDS)} seeds")
print(welch_difference(acc_on_a, acc_scratch, name="same runs, unpaired"))
if acc_scratch.std() > 0 and acc_on_a.std() > 0:
    print(f"correlation of the two models' accuracies across seeds: {np.corrcoef(acc_scratch, acc_on_a)[0, 1]:+.2f}")
print(f"error-rate reduction of the mean errors, 1 - mean(err B-on-A) / mean(err B): "
      f"{1 - err_on_a.mean() / err_scratch.mean():.2f}; per seed from {np.nanmin(reduction):.2f} to "
      f"{np.nanmax(reduction):.2f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# If two seeds of model B print exactly the same accuracy, is the seeding broken (the same initial weights, the same
# minibatch order)? Not necessarily: two different models can make the same *number* of errors on different images.
# The next cell takes the first pair of tied seeds, if there is one, and checks: initial weights, trained weights, and
# which test images each model gets wrong.

# %% slideshow={"slide_type": "-"}
tied = [(i, j) for i in range(len(SEEDS)) for j in range(i + 1, len(SEEDS)) if acc_scratch[i] == acc_scratch[j]]
if tied:
    seed_1, seed_2 = SEEDS[tied[0][0]], SEEDS[tied[0][1]]
    initial = []
    for seed in (seed_1, seed_2):
        set_seeds(seed)
        initial.append(build_mlp(1))  # what train_b_scratch builds right after set_seeds(seed)
    trained = [train_b_scratch(seed) for seed in (seed_1, seed_2)]
    wrong = [(keras.ops.convert_to_numpy(m(X_test_B, training=False))[:, 0] > 0.5) != y_test_B for m in trained]
    print(f"model B, seeds {seed_1} and {seed_2}: test accuracies {accuracy_B(trained[0], X_test_B):.4f} and "
          f"{accuracy_B(trained[1], X_test_B):.4f} (as in the table)")
    print(f"same initial weights: {same_weights(*initial)}; same trained weights: {same_weights(*trained)}")
    print(f"test images wrong for seed {seed_1} only: {np.sum(wrong[0] & ~wrong[1])}, for seed {seed_2} only: "
          f"{np.sum(wrong[1] & ~wrong[0])}, for both: {np.sum(wrong[0] & wrong[1])}")
else:
    print("no two seeds of model B have the same test accuracy in this run")

# %% slideshow={"slide_type": "-"}
fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4))
jitter = np.linspace(-0.06, 0.06, len(SEEDS))  # spread the dots sideways, so that equal values stay visible
for j, e_b, e_ba in zip(jitter, err_scratch, err_on_a):
    ax1.plot([j, 1 + j], [e_b * n_test_B, e_ba * n_test_B], "-", color="gray", alpha=0.5)
ax1.plot(jitter, err_scratch * n_test_B, "o", label="B from scratch")
ax1.plot(1 + jitter, err_on_a * n_test_B, "o", label="B-on-A")
ax1.set_xticks([0, 1], ["B from scratch", "B-on-A"])
ax1.set_xlim(-0.4, 1.4)
ax1.set_ylabel(f"test errors (of {n_test_B:,} task B images)")
ax1.set_title("One line per seed")
ax1.legend(fontsize=8)

best = np.argmax(np.nan_to_num(reduction, nan=-np.inf))
for i, (seed, r) in enumerate(zip(SEEDS, reduction)):
    ax2.bar(seed, np.nan_to_num(r), color="tab:red" if i == best else "tab:blue")
ax2.axhline(0, color="gray", linewidth=0.8)
ax2.set_xticks(SEEDS)
ax2.set_xlabel("seed")
ax2.set_ylabel("error-rate reduction")
ax2.set_title("Red: the seed a cherry-picker would report")

ax3.plot(SEEDS, acc_on_a - acc_scratch, "o", color="tab:purple", label="B-on-A minus B, per seed")
ax3.errorbar(SEEDS[-1] + 0.6, gain.mean, yerr=[[gain.mean - gain.low], [gain.high - gain.mean]], fmt="s",
             color="black", capsize=4, label="mean and paired 95% interval")
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
# 1. **The paired difference and its 95% interval** (right panel, and the line starting "B-on-A - B"). If the interval
#    excludes 0 and B-on-A wins on most seeds, the gain is probably real *for this setup*; if it includes 0, this
#    experiment does not support a gain, whatever the best seed says. Here it includes 0, if only just: B-on-A wins on
#    most seeds and varies much less from seed to seed than model B, but with five seeds the gain is inconclusive here.
#    The literature (Yosinski et al., 2014) finds such gains for convolutional networks on natural images. Compare it
#    with the unpaired (Welch) interval printed below it: pairing narrows the interval when the two models' accuracies
#    move together across seeds (a positive correlation, printed next) and widens it when they move apart. Here the
#    correlation is negative, so the paired interval is the wider of the two; as said above, nothing in the design
#    makes them correlate, and with five seeds a correlation of either sign can arise by chance.
# 2. **Test errors, not just accuracies** (left panel). Task B's test set has two thousand images, so each
#    accuracy step of 0.0005 is one image; the table gives the error counts per seed. Unlike the book's sandal versus
#    shirt task, this one leaves room for a gain of hundreds of images, not a handful.
# 3. **The spread of the error-rate reduction** (middle panel). A ratio of two error rates moves with every error
#    of either model. The gap between the best and the worst seed is how much a cherry-picker could gain by choosing,
#    which is why a single reported reduction means little. Section 2.5's single run (seed 42, not one of these seeds)
#    is one more draw from the same spread: one seed can overstate or understate the gain.
# 4. **What is not varied.** All seeds share one model A and the same 200 images; another model A, or another
#    choice of 200 images, adds more variance. A claim about transfer learning *in general* would need those
#    varied too.
#
# Why is the gain no bigger? One likely reason is that dense layers transfer less than convolutional ones would.
# Each unit of a dense first layer is a template over all 784 pixel positions, tuned to separate model A's eight
# classes; nothing in it is shared across positions, and nothing forces it to be useful for two classes it never saw.
# A convolutional layer learns small local filters (edges, corners, textures) that apply everywhere in the image and
# are useful for almost any image task, which is why transfer learning shines with deep convolutional networks
# (section 8).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 3.1 Fewer or more labels
#
# Transfer learning is meant for *scarce* labels. If that is the mechanism, the gain of B-on-A over model B should be
# largest with the fewest task B images and shrink as labels become plentiful, since model B can then learn its own
# features. We repeat the paired comparison with the first 50 and the first 2,240 task B training images (the 200 are
# section 3's runs), on the same seeds. A fair curve changes only the number of labels, so every run takes **the
# same number of training steps** as with 200 images: at batch size 32, 50 images are 2 steps per epoch and get 3.5
# times more epochs, 2,240 images are 70 steps per epoch and get ten times fewer (fixed epochs would give the larger
# sets more steps, and mix "more labels" with "more training"). The cell prints both models' accuracies and the steps
# used. (In quick mode fewer task B images exist; the printed counts are what was used.)

# %% slideshow={"slide_type": "-"}
STEPS_200 = int(np.ceil(len(X_train_B) / 32))  # training steps per epoch with section 3's images


def epochs_for(n_images, epochs_at_200):
    # The number of epochs that gives n_images as many training steps as epochs_at_200 epochs give 200 images.
    return max(1, round(epochs_at_200 * STEPS_200 / int(np.ceil(n_images / 32))))


label_curve = {len(X_train_B): (acc_scratch, acc_on_a)}  # images: (B accuracies, B-on-A accuracies), seed order
for n_b in budget((50, 2240), quick=(50,)):  # quick mode (the test suite): the fewest labels only
    _, (X_n, y_n) = split_task_a_b(data.X_train, data.y_train, n_b=n_b, b_classes=TASK_B)
    head, fine = epochs_for(len(X_n), EPOCHS_HEAD), epochs_for(len(X_n), EPOCHS_FINE)
    label_curve[len(X_n)] = (
        np.array([run_b_scratch(s, X_n, y_n, epochs=head + fine) for s in SEEDS]),
        np.array([run_b_on_a(s, head_epochs=head, fine_epochs=fine, X_train=X_n, y_train=y_n) for s in SEEDS]))
label_curve = dict(sorted(label_curve.items()))

gains = {}  # images: per-seed gains, B-on-A - B
print(f"{len(SEEDS)} seeds. Test accuracy on task B, mean over seeds")
for n_images, (scratch_runs, on_a_runs) in label_curve.items():
    head, fine = epochs_for(n_images, EPOCHS_HEAD), epochs_for(n_images, EPOCHS_FINE)
    steps_per_epoch = int(np.ceil(n_images / 32))
    gains[n_images] = on_a_runs - scratch_runs
    print(f"{n_images:5d} images, {(head + fine) * steps_per_epoch} steps (B-on-A: {head} head-only epochs of "
          f"{steps_per_epoch} steps, then {fine}): B {scratch_runs.mean():.4f}, B-on-A {on_a_runs.mean():.4f}")

# %% [markdown] slideshow={"slide_type": "-"}
# "The gain is significant at one label count and not at another" would **not** show that the gain differs between
# them (Gelman and Stern, 2006): that needs an interval for the *difference of the two gains*. Both gains are
# measured on the same seeds, so they pair up by seed like everything else here. The family of this section has five
# comparisons, the three gains and two differences of gains (fewest minus most images, fewest minus section 3's 200),
# and they are not all against one baseline, so `holm_adjusted` applies Holm's correction to the five together:

# %% slideshow={"slide_type": "-"}
fewest, most = min(gains), max(gains)
label_family = [paired_difference(on_a_runs, scratch_runs, name=f"gain, {n_images:,} images")
                for n_images, (scratch_runs, on_a_runs) in label_curve.items()]
label_family += [
    paired_difference(gains[fewest], gains[most], name=f"gain {fewest:,} - gain {most:,}"),
    paired_difference(gains[fewest], gains[len(X_train_B)], name=f"gain {fewest:,} - gain {len(X_train_B):,}"),
]
print(f"{len(SEEDS)} seeds, paired by seed; gain = B-on-A - B; Holm over these {len(label_family)} comparisons")
print(comparison_table(holm_adjusted(label_family)))

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** With the same 140 steps everywhere, the one comparison that can show "transfer helps most when
# labels are scarce" does: the difference between the gain with the fewest and with the most images excludes 0, after
# Holm's correction too. With the most images, the gain is even negative (its
# interval lies below 0). Between the fewest images and section 3's 200, the difference of the gains is inconclusive
# here: this budget of seeds cannot tell them apart, and the 200-image gain on its own is inconclusive too.
#
# But read the absolute accuracies in the first table before reading a mechanism into the sign flip. From 200 to
# 2,240 images, model B's mean accuracy rises by less than its spread over seeds, while B-on-A's mean falls below its
# 200-image value: the flip looks driven by B-on-A getting *worse* with more labels at the same 140 steps (means only;
# we printed no interval for either model's change). That is not "model B learns its own features once labels are
# plentiful"; it is unexplained here. The number of steps in each phase is the same at both sizes (head-only at $10^{-2}$, then all
# layers at $10^{-3}$; the first table prints the epochs), but at 2,240 images the head-only phase is a single epoch
# instead of ten, and each image is seen twice instead of twenty times, so what the head has fitted when the layers are unfrozen differs; whether that is the cause
# would need its own runs (for example B-on-A's accuracy after the head-only phase at each size).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Caching the frozen layers
#
# While the reused layers are frozen, their output for a given image never changes, yet every epoch computes it
# again. Compute it **once**, then train only the new layers on these cached features. With the same starting
# head, the same minibatches (`shuffle=False`) and the same optimizer, the result should be the *same model*. This
# needs the frozen part to be deterministic: a frozen `Dropout` layer (or any other random layer, such as data
# augmentation) still draws new noise in training mode, so caching its output would change the model. Ours has none.
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
# step into a graph, so we compare the median of the others; for the same reason the feature computation is warmed up
# on a few images (tracing its graph) before it is timed. The timer uses only epoch-level hooks, so grouping 32 steps
# per call (`steps_per_execution=32`, notebook 01) does not distort what it measures, and the models compile with it.

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
frozen_part.predict(X_train_A[:2048], batch_size=1024, verbose=0)  # warm-up: traces the graph, not timed
start = time.perf_counter()
features_A = frozen_part.predict(X_train_A, batch_size=1024, verbose=0)
feature_time = time.perf_counter() - start
head_only = keras.Sequential([keras.Input(shape=(100,)), keras.layers.Dense(8, activation="softmax")])

per_epoch = {}
for name, model, X in (("through the frozen layers", through_frozen, X_train_A),
                       ("on cached features", head_only, features_A)):
    timer = EpochTimer()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  steps_per_execution=32)
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
# epoch), with the feature computation timed after a warm-up, so that graph tracing is not charged to it. All these
# times are wall-clock times on a shared machine and move from run to run; the ratio is the lesson. Our frozen part is
# three small dense layers, so part of each step is Keras' fixed per-step overhead, and the one-time feature pass
# (a `predict()` call, with overheads of its own) is not cheap next to an epoch: compare the printed pay-back point
# with the `EPOCHS_TIMED` epochs timed: caching only pays off on runs longer than that. With a large frozen convolutional base such as
# MobileNetV2 (section 8), the forward pass through the base is almost the whole cost, and caching makes head
# training many times faster (we have not measured it here). Three limits: caching works only while the layers stay frozen, only if the
# frozen layers are deterministic (no `Dropout` or other random layer among them), and only without data augmentation
# (an augmented image is a new input every epoch).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Which layers to reuse, and which to freeze
#
# Section 1's rules say lower layers transfer best and that with few labels the reused layers should be frozen
# first. We measure them on task B, on section 3's seeds, every row for the same `EPOCHS_B` epochs. Each
# configuration reuses model A's lowest $k$ hidden layers (2 or 3) and adds new 100-unit layers so that the network
# always has three hidden layers. A learning rate can move a row by itself, so every question below compares two rows
# **at the same rate**, and the questions were fixed before the runs:
#
# 1. **How many layers to reuse**, frozen throughout, at $10^{-2}$ (the rate a frozen head needs to converge in these
#    140 steps; at $10^{-3}$ a 101-parameter head is still under-trained): reuse 2 minus reuse 3.
# 2. **What model A's training put into the layers**: model A's 3 frozen layers minus 3 frozen layers copied from the
#    *untrained* model A of section 2.5, both at $10^{-2}$. Frozen random ReLU features are not useless, so that row,
#    not chance, is the baseline for frozen reuse.
# 3. **Freeze first, or not**: "frozen for `EPOCHS_HEAD` epochs, then fine-tuned" minus "all trainable from the start",
#    both at $10^{-3}$ throughout, so they differ only in the freezing.
# 4. **Fine-tune, or keep frozen**: "frozen, then fine-tuned" minus "frozen throughout", both at $10^{-3}$.
#
# Four questions, so their $p$-values get Holm's correction. The "from scratch" and "section 2.5" rows reuse section
# 3's runs, for reference.

# %% slideshow={"slide_type": "-"}
def trained_while_frozen(n_reused):
    return f"{count_trainable(build_b_on_a(model_A, n_reused)):,}"


def frozen_row(n_reused, learning_rate, **options):  # reused layers frozen throughout
    return [run_b_on_a(s, n_reused, head_epochs=EPOCHS_B, fine_epochs=0, head_lr=learning_rate, **options)
            for s in SEEDS]


table = {  # configuration: (parameters trained, test accuracies over SEEDS)
    "from scratch (lr 1e-3)": ("all", acc_scratch),
    "reuse 2 layers, frozen (lr 1e-2)": (trained_while_frozen(2), frozen_row(2, 1e-2)),
    "reuse 3 layers, frozen (lr 1e-2)": (trained_while_frozen(3), frozen_row(3, 1e-2)),
    "3 untrained layers, frozen (lr 1e-2)": (trained_while_frozen(3), frozen_row(3, 1e-2, source=untrained_A)),
    "reuse 3 layers, frozen (lr 1e-3)": (trained_while_frozen(3), frozen_row(3, 1e-3)),
    "reuse 3, frozen, then fine-tuned (lr 1e-3)": (
        trained_while_frozen(3) + ", then all", [run_b_on_a(s, 3, head_lr=1e-3) for s in SEEDS]),
    "reuse 3, all trainable from the start (lr 1e-3)": (
        "all", [run_b_on_a(s, 3, head_epochs=0, fine_epochs=EPOCHS_B) for s in SEEDS]),
    "reuse 3, section 2.5 (lr 1e-2, then 1e-3)": (trained_while_frozen(3) + ", then all", acc_on_a),
}

# %% slideshow={"slide_type": "-"}
print(f"{len(SEEDS)} seeds. Test accuracy on task B, mean ± std")
print(f"{'configuration':48s} {'params trained':>14s}  test accuracy")
for name, (trained, accuracies) in table.items():
    print(f"{name:48s} {trained:>14s}  {np.mean(accuracies):.4f} ± {np.std(accuracies, ddof=1):.4f}")

runs = {name: np.asarray(accuracies) for name, (_, accuracies) in table.items()}
questions = [  # (question, row, minus row): fixed before the runs, each pair at one learning rate
    ("1. reuse 2 - reuse 3 (frozen, 1e-2)", "reuse 2 layers, frozen (lr 1e-2)", "reuse 3 layers, frozen (lr 1e-2)"),
    ("2. model A's - untrained (frozen, 1e-2)", "reuse 3 layers, frozen (lr 1e-2)",
     "3 untrained layers, frozen (lr 1e-2)"),
    ("3. freeze first - all trainable (1e-3)", "reuse 3, frozen, then fine-tuned (lr 1e-3)",
     "reuse 3, all trainable from the start (lr 1e-3)"),
    ("4. fine-tuned - frozen throughout (1e-3)", "reuse 3, frozen, then fine-tuned (lr 1e-3)",
     "reuse 3 layers, frozen (lr 1e-3)"),
]
diffs = [paired_difference(runs[a], runs[b], name=question) for question, a, b in questions]
diffs = holm_adjusted(diffs)
print("\nPaired differences by seed, Holm-adjusted over the four questions:")
print(comparison_table(diffs))
at_better_rates = paired_difference(runs["reuse 3, section 2.5 (lr 1e-2, then 1e-3)"],
                                    runs["reuse 3 layers, frozen (lr 1e-2)"], name="section 2.5 - frozen at 1e-2 (rates differ)")
print(f"\n{at_better_rates}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The "params trained" column counts the parameters trained while the reused layers are frozen
# ("then all" once fine-tuning starts). The verdicts in the last column use Holm-adjusted $p$-values; read them one
# question at a time.
#
# 1. **How many layers to reuse.** At the same rate, reusing all three of model A's hidden layers beat reusing two
#    (and training a new third hidden layer from the 200 images: see the "params trained" column). For this pair of tasks model A's top hidden
#    layer is not too specific to its classes to help; that is one pair of tasks, not the general rule, and Yosinski
#    et al. (2014) found that how far up features stay general depends on how similar the tasks are.
# 2. **What the features are worth.** Model A's frozen layers beat frozen *random* layers at the same rate, though by
#    much less than the gap between frozen random features and chance: a hundred random ReLU features already separate
#    T-shirts from shirts fairly well, which is why that row, not chance, is the baseline for frozen reuse.
# 3. **Freeze first, or not.** Inconclusive here: at $10^{-3}$, training everything from the start next to a random
#    output layer did not measurably damage model A's features. The advice to freeze first (Géron, 2019) is about
#    protecting features from a random head's large early gradients, a risk that grows with the learning rate and with
#    the size of the new head; this experiment could not show it.
# 4. **Fine-tune, or keep frozen.** At the same rate, fine-tuning beat keeping the layers frozen, by a wide margin,
#    but look at the "frozen (lr 1e-3)" row: a 101-parameter head at $10^{-3}$ is still under-trained after 140 steps
#    (the same row at $10^{-2}$ is much better), so this matched-rate comparison also measures under-training. The line
#    below the table compares each configuration at its better rate (section 2.5's recipe against frozen at
#    $10^{-2}$); it mixes rates, so it is not one of the four questions, but it points the same way.
#
# **Try it:** add rows to `table`: one reused layer, frozen (`frozen_row(1, 1e-2)`); all trainable from the start at
# $10^{-2}$ (`run_b_on_a(seed, 3, head_epochs=0, fine_epochs=EPOCHS_B, fine_lr=1e-2)`), where question 3 may stop
# being inconclusive; and section 1's second rule on task B: model A's frozen layers on shuffled pixels,
# `frozen_row(3, 1e-2, X_train=shuffle_pixels(X_train_B), X_test=shuffle_pixels(X_test_B))`, next to the untrained row.

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
# training images serve as the unlabelled set (their labels are never used here; all 55,000 might help more, but take
# longer, and we have not tested it), and the full test set measures accuracy. Each autoencoder sees a *corrupted*
# input, close to the masking noise of the denoising autoencoders of Vincent et al. (2008): a `Dropout(0.2)` layer
# sets a random 20% of its inputs to zero during training (and does nothing at inference). One difference: Keras'
# `Dropout` also multiplies the inputs it keeps by $1/(1 - 0.2) = 1.25$, so that their expected value is unchanged,
# while masking noise leaves them as they are. For autoencoders 2 and 3, whose input is a 100-number code, the noise
# matters most: a 100-unit layer could otherwise learn to copy its input and learn nothing.
#
# The classifier is fine-tuned with section 2.5's recipe: when its hidden layers come pretrained, they stay frozen
# while the new output layer trains for `EPOCHS_FEW_HEAD` epochs at $10^{-2}$, then everything trains at $10^{-3}$;
# from scratch, everything trains at $10^{-3}$ for the same total number of epochs. That is a different recipe, so a
# **control** gets the pretrained recipe on layers that learned nothing: three hidden layers with random initial
# weights, frozen for the head epochs at $10^{-2}$, then all trained at $10^{-3}$. The baseline, chosen before the runs,
# is "from scratch"; each alternative is compared with it over the same seeds. As in section 3, the runs reuse two
# compiled models, restarted per run with `FreshStart`: one with every layer trainable at $10^{-3}$, one with the
# hidden layers frozen at $10^{-2}$ (the head epochs); the second phase starts the first from where the head epochs
# ended (`start_from`), with a fresh optimizer, as compiling again after unfreezing would. (Section 3's check covers
# B-on-A's recipe; these two paths are not checked in this notebook.)

# %% slideshow={"slide_type": "-"}
N_LABELLED = 500
X_few, y_few = data.X_train[:N_LABELLED], data.y_train[:N_LABELLED]
X_unlabelled = data.X_train[:20_000]  # labels never used in pretraining
EPOCHS_FEW = budget(20, quick=2)
EPOCHS_FEW_HEAD = budget(5, quick=1)  # of EPOCHS_FEW: head only, when the hidden layers are pretrained
SEEDS_FEW = list(range(budget(5, quick=2)))


def compiled_few_label_mlp(learning_rate, frozen):
    # build_mlp(10), its three hidden layers frozen or not, compiled once and restarted per run (FreshStart, as in
    # section 3): no new trace of the training step for every seed.
    model = build_mlp(10)
    for layer in model.layers[1:4]:
        layer.trainable = not frozen
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  steps_per_execution=32)  # 32 steps per call (notebook 01)
    return FreshStart(model, lambda: build_mlp(10))


few_all_trainable = compiled_few_label_mlp(1e-3, frozen=False)
few_frozen_head = compiled_few_label_mlp(1e-2, frozen=True)


def train_few_labels(seed, pretrained=None):
    # Test accuracy (10 classes) of build_mlp(10) trained on the 500 labelled images. `pretrained`: three Dense
    # layers whose weights are copied into the hidden layers (None: random weights, all trained at 1e-3). With
    # pretrained layers: section 2.5's recipe, EPOCHS_FEW_HEAD epochs frozen at 1e-2, then all at 1e-3 (a fresh
    # optimizer, as compiling again after unfreezing would give).
    if pretrained is None:
        model = few_all_trainable(seed)  # set_seeds(seed), then build_mlp(10)'s initial weights
        model.fit(X_few, y_few, epochs=EPOCHS_FEW, verbose=0)
        return accuracy(model, data.X_test, data.y_test)
    model = few_frozen_head(seed)
    for layer, source in zip(model.layers[1:4], pretrained):
        layer.set_weights(source.get_weights())  # a copy: the pretrained layers stay untouched
    model.fit(X_few, y_few, epochs=EPOCHS_FEW_HEAD, verbose=0)
    model = few_all_trainable.start_from(model)
    model.fit(X_few, y_few, epochs=EPOCHS_FEW - EPOCHS_FEW_HEAD, verbose=0)
    return accuracy(model, data.X_test, data.y_test)


set_seeds(7)
untrained_layers = build_mlp(10).layers[1:4]  # three hidden layers with random initial weights, never trained
few_label_results = {"from scratch": np.array([train_few_labels(seed) for seed in SEEDS_FEW]),
                     "untrained layers, same recipe": np.array([train_few_labels(seed, untrained_layers)
                                                                for seed in SEEDS_FEW])}
for name, accuracies in few_label_results.items():
    print(f"{name:30s}: test accuracy {accuracies.mean():.3f} ± {accuracies.std(ddof=1):.3f} "
          f"(mean ± std, {len(SEEDS_FEW)} seeds)")

# %% slideshow={"slide_type": "-"}
EPOCHS_AE = budget(5, quick=1)


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
    autoencoder.compile(loss=loss, optimizer=keras.optimizers.Adam(learning_rate=3e-3), steps_per_execution=32)
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
    print(f"{name:30s}: test accuracy {accuracies.mean():.3f} ± {accuracies.std(ddof=1):.3f} over {len(SEEDS_FEW)} seeds")
print("extra comparison, outside section 7's Holm family (its p is not corrected):")
print(paired_difference(few_label_results["autoencoder pretraining"], few_label_results["untrained layers, same recipe"],
                        name="autoencoder - untrained layers, same recipe"))


# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** An autoencoder has learned something about its input only if its trained loss is well below both
# baselines printed next to it: an untrained autoencoder, and predicting every feature's mean whatever the input (all
# three are evaluated without dropout, on the same 2,000 unlabelled images). The first one rebuilds unseen test images
# from a 100-number code; the reconstructions are blurred but recognisable, so its units describe what the images have
# in common. On the 500-label task, the runs started from the autoencoders beat the control that got the same recipe
# on untrained layers (the line printed last), and did so on every seed (the figure in section 7 shows the pairs), which
# suggests that their edge over the control comes from the pretraining, not the recipe. That line is an extra comparison outside
# the Holm family of section 7 (the three alternatives against the baseline), so its $p$ is uncorrected: suggestive,
# not a test at the family's level. Against the baseline chosen in advance, training from scratch, the gain is
# inconclusive here (section 7's table: the interval straddles 0, before any correction): the scratch runs vary so much
# from seed to seed that five seeds cannot pin the difference down, while the control shows no measurable gain over
# scratch (its interval includes 0 too).
#
# Each pretraining ran once: another pretraining run (another seed of the autoencoders) is a source of variance these
# intervals do not include. An autoencoder is rewarded for keeping whatever reconstructs the *pixels* best, which is
# not necessarily what tells the classes apart; and with He initialization, ReLU and Adam, the network trained from
# scratch is a far stronger baseline than the sigmoid networks of 2006. Erhan et al. (2010) called unsupervised
# pretraining an *unusual* regulariser: its advantage did not fade with very large training sets (in their online
# experiments it lowered the training error as well, which an ordinary regulariser does not), and it hurt networks
# with too few hidden units while helping larger and deeper ones. Today's form of the idea is self-supervised
# pretraining, next.

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
EPOCHS_ROT = budget(5, quick=1)
set_seeds(42)
rotation_model = build_mlp(4)
rotation_model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                       metrics=["accuracy"], steps_per_execution=32)
rotation_model.fit(X_rot_train, k_train, epochs=EPOCHS_ROT, batch_size=128, verbose=0)
print(f"rotation task, accuracy on rotated test images: "
      f"{rotation_model.evaluate(X_rot_test, k_test, verbose=0)[1]:.3f} (chance: 0.25)")

few_label_results["rotation pretraining"] = np.array(
    [train_few_labels(seed, rotation_model.layers[1:4]) for seed in SEEDS_FEW])
print(f"{len(SEEDS_FEW)} seeds, paired by seed; each alternative minus the baseline chosen in advance, 'from scratch'")
print(comparison_table(compare_to_baseline(few_label_results, baseline="from scratch", paired=True)))
print("extra comparison, outside the Holm family above (its p is not corrected):")
print(paired_difference(few_label_results["autoencoder pretraining"], few_label_results["rotation pretraining"],
                        name="autoencoder - rotation (direct)"))

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(9, 4.4))
names = list(few_label_results)
for seed_results in np.array([few_label_results[name] for name in names]).T:  # one gray line per seed
    ax.plot(range(len(names)), seed_results, "-", color="gray", alpha=0.5)
for i, (name, accuracies) in enumerate(few_label_results.items()):
    ax.plot(np.full(len(accuracies), i), accuracies, "o", alpha=0.7)
    ax.errorbar(i + 0.15, accuracies.mean(), yerr=accuracies.std(ddof=1), fmt="s", color="black", capsize=4)
ax.set_xticks(range(len(names)), [name.replace(", ", ",\n").replace(" pretraining", "\npretraining") for name in names])
ax.set_ylabel("test accuracy, 10 classes")
ax.set_title(f"{N_LABELLED} labelled images: one dot per seed (gray: same seed), mean ± std in black")
save_fig("pretraining_few_labels")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The rotation accuracy is far above chance (0.25): the auxiliary task is learnable from the images
# alone. The table compares each starting point with the baseline chosen in advance, training from scratch, on the same
# 500 labels and the same seeds (the gray lines in the figure join runs with the same seed); the two pretrained models
# and the control follow section 2.5's recipe (head first, then everything), the scratch model trains everything from
# the start. None of the three differs from scratch measurably: every interval straddles 0, so they are inconclusive
# here before Holm's correction as well as after it. The direct comparison of the two pretext tasks (printed last) is
# an extra comparison outside the Holm family, with an uncorrected $p$: the autoencoders come out ahead of rotation
# prediction, on every seed in the figure, which is suggestive but not a test at the family's level. No prediction
# about which pretext task would win was stated before the runs. One might have expected rotation prediction, which
# needs shape features, to do at least as well as reconstruction, which rewards keeping every pixel; in this run it
# did not. A plausible reason: Gidaris et al. (2018) found rotation prediction strong for *convolutional* networks on
# natural images, where which way is up is a question about objects, while in centred Fashion-MNIST images a dense
# network may answer it from where the ink sits, features that say little about the class. Both
# pretraining methods ran once, on 20,000 images, so another pretraining run could move them. Modern self-supervised
# learning (contrastive methods, masked autoencoders) is this idea at scale; it is how large vision and language models
# get their lower layers.

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
# With internet access, the same function loads the ImageNet weights (about 9 MB, once, into `~/.keras/models`). This
# cell tries. The machine that published this notebook has no internet access, so its output below shows the expected
# result offline: Keras prints the address it tries, the download fails, and the cell says so in one neutral line and
# moves on. Nothing later depends on these weights.

# %% slideshow={"slide_type": "-"}
try:
    with keras_messages_off():  # no "Downloading data from ..." line, whether or not the download works
        zoo_model, zoo_base = build_zoo_model(weights="imagenet")
    print(f"ImageNet weights loaded: {count_trainable(zoo_model):,} of {zoo_model.count_params():,} "
          "parameters trainable")
except Exception as problem:  # no internet, a proxy, a firewall...
    print(f"ImageNet weights not downloaded ({type(problem).__name__}); this is expected without internet access, "
          "and the rest of the notebook does not need them.")


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
# ## 9. Reusing models from other frameworks
#
# Many pretrained models are published for another framework, most often PyTorch. Porting one into Keras means
# copying its weight arrays into a Keras model of the same architecture, and the arrays do not mean the same thing in
# both frameworks. For the layers of a small convolutional network, PyTorch's conventions are:
#
# | | PyTorch | Keras (TensorFlow backend, default `channels_last`) |
# |---|---|---|
# | images | NCHW: (batch, channels, height, width) | NHWC: (batch, height, width, channels) |
# | `Linear` / `Dense` weight | `(out, in)`, computes $y = x W^\top + b$ | kernel `(in, out)`, computes $y = x W + b$ |
# | `Conv2d` / `Conv2D` weight | `(out_ch, in_ch, kh, kw)` | kernel `(kh, kw, in_ch, out_ch)` |
# | convolution | cross-correlation (no kernel flip) | cross-correlation too |
# | `Flatten` after a conv | order $(C, H, W)$: channel slowest | order $(H, W, C)$: channel fastest |
#
# The transposes are easy to remember, and a wrong one usually fails loudly with a shape error. The **flatten trap**
# does not: the first dense layer after `Flatten` has exactly as many inputs in both frameworks, so the port loads
# without an error and computes nonsense, because input $i$ of that layer is another pixel-and-channel in each
# framework. Its columns must be permuted from $(C, H, W)$ order to $(H, W, C)$ order.
#
# PyTorch is not installed, and we do not need it: the "original model" below is a NumPy forward pass that follows
# PyTorch's conventions exactly, applied to a PyTorch-layout *state dict* (a dictionary from parameter names to
# arrays, what `model.state_dict()` returns in PyTorch). To give it real trained weights cheaply, we train a tiny
# convolutional network in Keras for two epochs, export its weights to PyTorch's layout (the inverse mapping), and then
# port that state dict back into a fresh Keras model with the forward mapping, as we would for a model downloaded from
# PyTorch.

# %% slideshow={"slide_type": "-"}
def build_small_cnn(dtype="float32"):
    # One 3x3 convolution with stride 2 (8 channels, 28x28 -> 13x13), Flatten, a dense layer of 10 logits.
    return keras.Sequential([keras.Input(shape=(28, 28, 1), dtype=dtype),
                             keras.layers.Conv2D(8, 3, strides=2, activation="relu", dtype=dtype),
                             keras.layers.Flatten(dtype=dtype),
                             keras.layers.Dense(10, dtype=dtype)])


set_seeds(42)
small_cnn = build_small_cnn()
small_cnn.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"],
                  optimizer=keras.optimizers.Adam(learning_rate=1e-3), steps_per_execution=32)
small_cnn.fit(data.X_train[:10_000, ..., None], data.y_train[:10_000], epochs=2, verbose=0)
print(f"small CNN, 10 classes: test accuracy {small_cnn.evaluate(data.X_test[..., None], data.y_test, verbose=0)[1]:.3f}")

# %% [markdown] slideshow={"slide_type": "-"}
# The export, Keras to PyTorch layout. The dense kernel's rows come in Keras' $(H, W, C)$ flatten order; reshaped to
# $(H, W, C, \text{out})$, moved to $(C, H, W, \text{out})$ and flattened again, they come in PyTorch's order.

# %% slideshow={"slide_type": "-"}
def export_to_torch_layout(model):
    # A PyTorch-layout state dict of NumPy arrays for build_small_cnn's weights: the inverse of port_from_torch.
    conv, _, dense = model.layers
    kernel, conv_bias = conv.get_weights()                  # kernel (kh, kw, in_ch, out_ch)
    height, width, channels = conv.output.shape[1:]
    W, b = dense.get_weights()                              # (h*w*c, out), rows in (H, W, C) order
    W_chw = W.reshape(height, width, channels, -1).transpose(2, 0, 1, 3).reshape(channels * height * width, -1)
    return {"conv.weight": kernel.transpose(3, 2, 0, 1),    # (out_ch, in_ch, kh, kw)
            "conv.bias": conv_bias,
            "fc.weight": W_chw.T,                           # (out, in), in = (C, H, W) order
            "fc.bias": b}


state_dict = export_to_torch_layout(small_cnn)
for name, array in state_dict.items():
    print(f"{name:12s} {array.shape}")

# %% [markdown] slideshow={"slide_type": "-"}
# The original, in PyTorch's conventions: NCHW images, `Conv2d` as a cross-correlation with stride 2 (each output is
# the sum over a 3×3 window and the input channels of window × kernel, plus the bias), ReLU, flatten in NCHW order,
# then `Linear`: $x W^\top + b$.

# %% slideshow={"slide_type": "-"}
def torch_style_forward(state, x_nchw, stride=2):
    # The small CNN's logits, computed the way PyTorch would: Conv2d (cross-correlation, no padding), ReLU,
    # flatten in (C, H, W) order, Linear x @ W.T + b. x_nchw: (batch, channels, height, width).
    weight = state["conv.weight"]
    _, _, kh, kw = weight.shape
    windows = np.lib.stride_tricks.sliding_window_view(x_nchw, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    y = np.einsum("nchwij,ocij->nohw", windows, weight) + state["conv.bias"][None, :, None, None]
    y = np.maximum(y, 0.0)
    flat = y.reshape(len(y), -1)  # NCHW order: channel slowest
    return flat @ state["fc.weight"].T + state["fc.bias"]


# %% [markdown] slideshow={"slide_type": "-"}
# The port, PyTorch layout to Keras: transpose the convolution kernel to $(k_h, k_w, \text{in}, \text{out})$; for the
# dense layer, view its columns as $(C, H, W)$, move them to $(H, W, C)$, and transpose. A **naive port** copies the
# arrays with `reshape` to the shapes Keras expects (it loads without complaint), and a **half-right port** transposes
# both correctly but forgets the flatten permutation. All three must match the original's logits on test images
# (given as NHWC to Keras and as NCHW to the original). The ported models compute in float64, like the NumPy original,
# so that the comparison measures the port and not float32 rounding (a logit close to 0 has a large *relative*
# rounding error in float32):

# %% slideshow={"slide_type": "-"}
def port_from_torch(state, height=13, width=13):
    # A fresh build_small_cnn() holding a PyTorch-layout state dict's weights (the forward mapping).
    W = state["fc.weight"]
    n_out, n_in = W.shape
    channels = n_in // (height * width)
    model = build_small_cnn("float64")
    model.layers[0].set_weights([state["conv.weight"].transpose(2, 3, 1, 0), state["conv.bias"]])
    W_hwc = W.reshape(n_out, channels, height, width).transpose(2, 3, 1, 0).reshape(height * width * channels, n_out)
    model.layers[2].set_weights([W_hwc, state["fc.bias"]])
    return model


def naive_port(state, transpose):
    # Copy without the flatten permutation; transpose=False: not even the transposes, only reshapes.
    model = build_small_cnn("float64")
    conv, fc = state["conv.weight"], state["fc.weight"]
    model.layers[0].set_weights([conv.transpose(2, 3, 1, 0) if transpose else conv.reshape(3, 3, 1, 8),
                                 state["conv.bias"]])
    model.layers[2].set_weights([fc.T if transpose else fc.reshape(fc.shape[::-1]), state["fc.bias"]])
    return model


# %% slideshow={"slide_type": "-"}
# NBVAL_CHECK_OUTPUT
x = data.X_test[:256, ..., None].astype("float64")  # NHWC for Keras
reference = torch_style_forward(state_dict, x.transpose(0, 3, 1, 2))  # NCHW for the PyTorch-style original
ported = port_from_torch(state_dict)
err = rel_error(reference, keras.ops.convert_to_numpy(ported(x)))
assert err < 1e-5
print(f"ported Keras model vs PyTorch-style original, max relative error < 1e-5: {err < 1e-5}")
print("port returns the original Keras weights exactly:", same_weights(ported, small_cnn))
for name, model in (("naive port (reshape only)", naive_port(state_dict, transpose=False)),
                    ("half-right port (no flatten permutation)", naive_port(state_dict, transpose=True))):
    err = rel_error(reference, keras.ops.convert_to_numpy(model(x)))
    print(f"{name:42s} agrees with the original: {err < 1e-5}; max relative error > 0.1: {err > 0.1}")

# %% [markdown] slideshow={"slide_type": "-"}
# **What we saw.** The careful port computes what the original computes, up to float64 rounding (relative error below
# the printed $10^{-5}$ bound), and the export and the
# port are exact inverses. Both wrong ports load without any error and disagree completely: shapes that fit are no
# evidence that a port is right. So always check a port as we did, on a batch of real inputs against the original
# framework's outputs (with PyTorch installed, `torch_model(torch.from_numpy(x_nchw))`), before reusing it.
# The same rules cover deeper networks: every `Conv2d` kernel is transposed the same way, only the first dense layer
# after a flatten needs the permutation, batch normalization's `running_mean` and `running_var` become Keras'
# `moving_mean` and `moving_variance`, but their defaults differ: $\epsilon$ is $10^{-5}$ in PyTorch's `BatchNorm2d`
# and $10^{-3}$ in Keras' `BatchNormalization` (pass `epsilon=1e-5` when porting), and the momentum is defined the
# other way round (PyTorch's `momentum=0.1` weights the new batch by 0.1, which is Keras' `momentum=0.9`; Keras'
# default is 0.99). PyTorch's `padding=1` equals
# Keras' `padding="same"` for 3×3 kernels at stride 1, but at stride 2 they can pad differently (Keras puts the extra
# row and column at the bottom and right).
#
# Porting by hand is the last resort; two interchange routes avoid it. **Keras 3's native `.keras` files** are
# backend-independent: a model saved under the TensorFlow backend loads under JAX or PyTorch (`KERAS_BACKEND=torch`)
# and back, so a Keras model can be trained and served in whichever framework a team uses, with weights kept in Keras'
# layout and the conversions done by Keras. That holds for models built from backend-agnostic layers (Keras' own, or
# custom layers written with `keras.ops`): a custom layer that calls `tf.*` functions runs only under TensorFlow, and a
# `Lambda` layer is saved as Python bytecode (tied to the Python version, and to TensorFlow if it calls `tf.*`) that
# loads only with `keras.models.load_model(path, safe_mode=False)`, since loading it executes that code. **ONNX** (Open Neural Network Exchange) is a framework-neutral file format
# for computation graphs: `torch.onnx.export` writes one from PyTorch, Keras 3 itself with
# `model.export(path, format="onnx")` (under TensorFlow it uses the `tf2onnx` package, which must be installed), and ONNX
# Runtime, TensorRT or OpenVINO run it. ONNX is mostly a route to *inference* in another runtime; converting an ONNX
# file back into a trainable Keras model is possible with third-party tools but fragile. When you want to fine-tune,
# prefer a model published for Keras (many KerasHub presets were converted from PyTorch checkpoints by conversion
# scripts that compare outputs the way we just did), and port by hand, with a check like ours, when no such version
# exists.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - Reuse the **lower layers** of a network trained on a similar task, to need fewer labels and possibly fewer epochs
#   (measure it: section 3 shows how). In section 3.1 the gain with the fewest labels was larger than with the most
#   (where it turned negative, with B-on-A's mean falling at a fixed number of steps, for a reason left open); 50 and
#   200 labels could not be told apart. Replace the output layer, often the top hidden layers too; the literature
#   finds that the more similar the tasks, the more layers transfer.
# - Reused layers need **inputs like their own**: same kind of images, same preprocessing, same size (resize if not).
# - `model_A.layers` are the layers themselves: **copy** with `clone_model` + `set_weights` (or reload the `.keras`
#   file), or training the new model changes the old one.
# - The usual recipe: **freeze** the reused layers while a new head trains, then **unfreeze** and fine-tune with a
#   **lower learning rate**, to protect the reused features from the random head's first gradients (section 5 says
#   what this notebook could and could not measure of it). Call **`compile()` after every change of `trainable`**,
#   or the change is silently ignored.
# - Judge a gain over **several seeds**: paired differences, their mean and a $t$-based 95% interval; one run, or the
#   best of many, proves nothing. Pick a task with headroom: near 100% accuracy every effect is a few test errors.
# - To say that an effect differs between two settings (few or many labels), compute an interval for the
#   **difference of the effects**; one significant and one not is no evidence. Compare rules at **matched learning
#   rates**, and where the interval includes 0, the answer is "inconclusive here".
# - While layers are frozen, **cache** their outputs and train the head on them: the same model, faster per epoch, and
#   faster overall once the run is longer than the one-time feature pass costs (section 4 prints that point).
# - Without a related labelled task: **pretrain** on unlabelled data (layer-wise autoencoders) or on a
#   **self-supervised auxiliary task** (rotations), or start from a **model zoo** (`keras.applications`, KerasHub);
#   compare pretrained runs with a control that gets the same recipe on untrained layers.
# - Porting weights from PyTorch: transpose `Linear` `(out, in)` and `Conv2d` `(out, in, kh, kw)` weights, and
#   **permute the first dense layer after a flatten** from $(C, H, W)$ to $(H, W, C)$ order; a wrong port loads
#   without error, so **check it against the original's outputs**. Prefer `.keras` files (any Keras backend, for
#   backend-agnostic layers) or ONNX (for inference) when they exist.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Each exercise has a self-check cell: run it after your answer and it tells you whether you are right.
# Worked solutions are at the end of the notebook; try first.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: re-index task A by hand
#
# Complete `task_a_label(label)` so that it returns this notebook's task A label (0-7) of an original label in
# 1, 2, 3, 4, 5, 7, 8, 9 (task B took classes 0 and 6), without a lookup table. The check compares it with
# `split_task_a_b`.

# %% slideshow={"slide_type": "-"}
def task_a_label(label):
    ...  # your code here


# %% slideshow={"slide_type": "-"}
def split_label(label):
    (_, y_a), _ = split_task_a_b(np.zeros((1, 1)), np.array([label]), b_classes=TASK_B)
    return y_a[0]


check_function("Exercise 1", task_a_label, [((label,), split_label(label)) for label in TASK_A_CLASSES],
               hint="Each label moves down by the number of task B classes below it.");


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


# %% [markdown] slideshow={"slide_type": "slide"} tags=["solution"]
# ## Solutions
#
# Look only after trying. Each solution is followed by its self-check.

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 1.** Labels 1-5 have one task B class (0) below them, so they move down by 1; 7, 8 and 9 have both
# (0 and 6) below them, so they move down by 2.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def task_a_label(label):
    return label - 1 if label < 6 else label - 2


assert check_function("Exercise 1", task_a_label, [((label,), split_label(label)) for label in TASK_A_CLASSES])


# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 2.** With error rates $e_s = 1 - a_s$ and $e_t = 1 - a_t$, the reduction is $1 - e_t / e_s$. From 90% to
# 97.5% the errors fall from 10% to 2.5%, four times fewer: 0.75. From 96% to 97% it is only 0.25, and from 95% down to
# 94% it is negative: the transfer model makes 20% *more* errors.

# %% slideshow={"slide_type": "-"} tags=["solution"]
def error_rate_reduction(acc_scratch, acc_transfer):
    return 1 - (1 - acc_transfer) / (1 - acc_scratch)


assert check_function("Exercise 2", error_rate_reduction,
                      [((0.90, 0.975), 0.75), ((0.96, 0.97), 0.25), ((0.95, 0.94), -0.2)])

# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 3.** The first new hidden layer takes the reused layer's 100 outputs: $100 \times 50 + 50 = 5{,}050$
# parameters; the second $50 \times 50 + 50 = 2{,}550$; the output $50 \times 1 + 1 = 51$: 7,651 trained, against the
# 101 of the three-layer B-on-A. Reusing fewer layers leaves more to learn from the same 200 images.

# %% slideshow={"slide_type": "-"} tags=["solution"]
n_trainable_narrow = (100 * 50 + 50) + (50 * 50 + 50) + (50 * 1 + 1)
assert check_value("Exercise 3", n_trainable_narrow, count_trainable(build_b_on_a(model_A, 1, hidden=(100, 50, 50))))


# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 4.** `clone_model` builds the same architecture with new variables (and new random weights);
# `set_weights` copies the values. (Saving to a `.keras` file and loading it is another way.)

# %% slideshow={"slide_type": "-"} tags=["solution"]
def independent_copy(model):
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


assert check_condition("Exercise 4", independent_copy, is_independent_copy)


# %% [markdown] slideshow={"slide_type": "-"} tags=["solution"]
# **Exercise 5.** Rotate the whole batch once per $k$ and stack; the labels are each $k$ repeated `len(X)` times.
# Training on all four rotations quadruples the pretext data set at no labelling cost (and four times the compute).

# %% slideshow={"slide_type": "-"} tags=["solution"]
def four_rotations(X):
    X_rotated = np.concatenate([np.rot90(X, k, axes=(1, 2)) for k in range(4)])
    return X_rotated, np.repeat(np.arange(4), len(X))


assert check_condition("Exercise 5", four_rotations, has_all_rotations)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - A. Gelman and H. Stern (2006). *The difference between "significant" and "not significant" is not itself
#   statistically significant.* The American Statistician 60(4).
# - A. Géron (2019). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 2nd ed., chapter 11. O'Reilly.
#   (The task A / task B split with sandals and shirts, which `helpers.split_task_a_b` implements, and the 200 task B
#   images.)
# - A. Géron (2022). *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow*, 3rd ed., chapter 11. O'Reilly.
#   (Model A's size: three hidden layers of 100 ReLU units; task B is T-shirt/top versus pullover there.)
# - J. Yosinski, J. Clune, Y. Bengio and H. Lipson (2014). *How transferable are features in deep neural networks?* NeurIPS.
# - G. E. Hinton, S. Osindero and Y.-W. Teh (2006). *A fast learning algorithm for deep belief nets.* Neural Computation 18(7).
# - Y. Bengio, P. Lamblin, D. Popovici and H. Larochelle (2007). *Greedy layer-wise training of deep networks.* NeurIPS (NIPS 2006).
# - P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol (2008). *Extracting and composing robust features with denoising autoencoders.* ICML.
# - D. Erhan, Y. Bengio, A. Courville, P.-A. Manzagol, P. Vincent and S. Bengio (2010). *Why does unsupervised pre-training help deep learning?* JMLR 11.
# - S. Gidaris, P. Singh and N. Komodakis (2018). *Unsupervised representation learning by predicting image rotations.* ICLR.
# - M. Sandler, A. Howard, M. Zhu, A. Zhmoginov and L.-C. Chen (2018). *MobileNetV2: Inverted residuals and linear bottlenecks.* CVPR.
# - S. Kornblith, J. Shlens and Q. V. Le (2019). *Do better ImageNet models transfer better?* CVPR.
# - H. Xiao, K. Rasul and R. Vollgraf (2017). *Fashion-MNIST: a novel image dataset for benchmarking machine learning algorithms.* arXiv:1708.07747.
