package io.kronlaplace.validation.report;

import io.kronlaplace.validation.metrics.OodResult;
import io.kronlaplace.validation.metrics.OodScore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OOD detection results of one (in-distribution, OOD) pair of a report: what one OOD table and one AUROC chart
 * show.
 *
 * @param inSet   the in-distribution set
 * @param oodSet  the out-of-distribution set
 * @param entries the pair's results in insertion order
 */
record OodPair(String inSet, String oodSet, List<OodEntry> entries) {

    /** Copies the list. */
    OodPair {
        entries = List.copyOf(entries);
    }

    /** The report's OOD results grouped by pair, in order of first appearance. */
    static List<OodPair> of(EvaluationReport report) {
        Map<List<String>, List<OodEntry>> groups = new LinkedHashMap<>();
        for (OodEntry e : report.ood()) {
            groups.computeIfAbsent(List.of(e.inSet(), e.oodSet()), k -> new ArrayList<>()).add(e);
        }
        return groups.entrySet().stream()
                .map(g -> new OodPair(g.getKey().get(0), g.getKey().get(1), g.getValue())).toList();
    }

    /** The methods in order of first appearance. */
    List<String> methods() {
        return entries.stream().map(OodEntry::method).distinct().toList();
    }

    /** The scores present, in {@link OodScore} order. */
    List<OodScore> scores() {
        return entries.stream().map(e -> e.result().score()).distinct().sorted().toList();
    }

    /** The result of a method under a score, if the report has one. */
    Optional<OodResult> result(String method, OodScore score) {
        return entries.stream().filter(e -> e.method().equals(method) && e.result().score() == score)
                .map(OodEntry::result).findFirst();
    }
}
