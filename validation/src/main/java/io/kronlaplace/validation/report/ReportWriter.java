package io.kronlaplace.validation.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an {@link EvaluationReport} into a directory: {@code report.json} ({@link ReportJson}),
 * {@code report.md} ({@link MarkdownSummary}), {@code report.html} ({@link HtmlPage}) and one {@code <id>.png} per
 * chart ({@link ReportCharts}). Each file is written atomically (temporary file in the same directory, then an
 * atomic rename), so a reader never sees a half-written file; existing files of the same names are replaced.
 */
public final class ReportWriter {
    /** File name of the JSON results. */
    public static final String JSON = "report.json";
    /** File name of the Markdown summary. */
    public static final String MARKDOWN = "report.md";
    /** File name of the HTML page. */
    public static final String HTML = "report.html";

    private ReportWriter() {
    }

    /** Writes all files into {@code dir} (created when missing) and returns their paths. */
    public static WrittenReport write(EvaluationReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<ChartImage> charts = ReportCharts.render(report);
        List<Path> chartFiles = new ArrayList<>();
        for (ChartImage chart : charts) {
            Path file = dir.resolve(chart.fileName());
            AtomicFiles.write(file, chart.png());
            chartFiles.add(file);
        }
        Path json = dir.resolve(JSON);
        AtomicFiles.write(json, ReportJson.toJson(report));
        Path markdown = dir.resolve(MARKDOWN);
        AtomicFiles.write(markdown, MarkdownSummary.render(report));
        Path html = dir.resolve(HTML);
        AtomicFiles.write(html, HtmlPage.render(report, charts));
        return new WrittenReport(json, markdown, html, chartFiles);
    }
}
