package io.kronlaplace.laplace;

/**
 * log det(s H + P0) of a posterior precision with its derivatives, as the structures report it to the marginal
 * likelihood.
 *
 * @param logDet     log det(s H + P0)
 * @param dScale     d logDet / d s
 * @param dPrior     d logDet / d delta_k for each prior precision value
 */
record LogDetTerms(double logDet, double dScale, double[] dPrior) {
}
