"""The lab's network, as the Keras-facts tests train it on either backend."""


def build_lab_model(output_activation, from_logits, seed, steps_per_execution=1):
    """2 -> Dense 25 relu -> 15 relu -> 4 ``output_activation``, seeded, compiled with Adam(0.001)
    and sparse cross-entropy; Keras is imported here, so the caller's backend applies."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(25, activation="relu"),
            keras.layers.Dense(15, activation="relu"),
            keras.layers.Dense(4, activation=output_activation),
        ]
    )
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
        optimizer=keras.optimizers.Adam(0.001),
        steps_per_execution=steps_per_execution,
    )
    return model
