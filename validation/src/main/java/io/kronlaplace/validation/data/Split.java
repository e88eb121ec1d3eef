package io.kronlaplace.validation.data;

/**
 * A training / validation split of one data set.
 *
 * @param train      the part used for fitting (and for normalisation statistics)
 * @param validation the held-out part
 * @param <D>        data set type
 */
public record Split<D extends Dataset<D>>(D train, D validation) {
}
