package io.kronlaplace.validation.report;

import java.nio.file.Path;
import java.util.List;

/**
 * The files written for one report.
 *
 * @param json     machine-readable results ({@link ReportJson})
 * @param markdown summary tables
 * @param html     self-contained page with embedded charts
 * @param charts   the PNG of every chart, in display order
 */
public record WrittenReport(Path json, Path markdown, Path html, List<Path> charts) {

    /**
     * Copies the chart list.
     *
     * @param json     the machine-readable results
     * @param markdown the summary tables
     * @param html     the self-contained page
     * @param charts   the PNG of every chart, in display order
     */
    public WrittenReport {
        charts = List.copyOf(charts);
    }
}
