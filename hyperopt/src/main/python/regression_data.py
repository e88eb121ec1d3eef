#!/usr/bin/env python3
"""Writes the tabular regression data sets of RegressionStudy as CSV files (header row, target in the last column).

diabetes.csv  scikit-learn's bundled diabetes data (442 patients, 10 standardised features, disease progression after
              one year); read from the copy that ships with scikit-learn, no download.
friedman1.csv Friedman #1 (Friedman, 1991), y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + N(0, 1), x uniform
              on [0, 1]^10 (five features are irrelevant); 500 rows from scikit-learn's make_friedman1, seed 0.

Usage: python3 regression_data.py OUTPUT_DIR
"""
import csv
import pathlib
import sys

from sklearn.datasets import load_diabetes, make_friedman1


def write(path, features, target, names):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(names) + ["target"])
        for row, y in zip(features, target):
            w.writerow([repr(float(v)) for v in row] + [repr(float(y))])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: regression_data.py OUTPUT_DIR")
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    diabetes = load_diabetes()
    write(out / "diabetes.csv", diabetes.data, diabetes.target, diabetes.feature_names)
    x, y = make_friedman1(n_samples=500, n_features=10, noise=1.0, random_state=0)
    write(out / "friedman1.csv", x, y, ["x%d" % (i + 1) for i in range(10)])


if __name__ == "__main__":
    main()
