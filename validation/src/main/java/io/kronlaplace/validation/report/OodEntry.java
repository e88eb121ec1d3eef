package io.kronlaplace.validation.report;

import io.kronlaplace.validation.metrics.OodResult;

/**
 * Out-of-distribution detection of one method for one pair of sets.
 *
 * @param method  method name
 * @param inSet   name of the in-distribution set (usually the clean test set)
 * @param oodSet  name of the out-of-distribution set
 * @param result  AUROC and FPR at 95% TPR
 */
public record OodEntry(String method, String inSet, String oodSet, OodResult result) {
}
