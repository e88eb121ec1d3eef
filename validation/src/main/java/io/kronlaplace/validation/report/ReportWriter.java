package io.kronlaplace.validation.report;

import io.kronlaplace.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an {@link EvaluationReport} into a directory: {@code report.json} ({@link ReportJson}),
 * {@code report.md} ({@link MarkdownSummary}), {@code report.html} ({@link HtmlPage}) and one {@code <id>.png} per
 * chart ({@link ReportCharts}). Each file is written atomically ({@link AtomicFiles}), so a reader never sees a
 * half-written file; existing files of the same names are replaced, and chart files of an earlier report that this one
 * does not have are removed.
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

    /**
     * Writes all files into {@code dir} (created when missing) and returns their paths.
     *
     * @param report the report to write
     * @param dir    the output directory
     * @return the paths of the JSON, Markdown, HTML and chart files
     * @throws IOException when the directory cannot be created, a file cannot be written or a stale chart file cannot
     *                     be removed
     */
    public static WrittenReport write(EvaluationReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<ChartImage> charts = ReportCharts.render(report);
        List<Path> chartFiles = new ArrayList<>();
        for (ChartImage chart : charts) {
            Path file = dir.resolve(chart.fileName());
            AtomicFiles.write(file, chart.png());
            chartFiles.add(file);
        }
        removeStaleCharts(dir, chartFiles);
        Path json = dir.resolve(JSON);
        AtomicFiles.writeString(json, ReportJson.toJson(report));
        Path markdown = dir.resolve(MARKDOWN);
        AtomicFiles.writeString(markdown, MarkdownSummary.render(report));
        Path html = dir.resolve(HTML);
        AtomicFiles.writeString(html, HtmlPage.render(report, charts));
        return new WrittenReport(json, markdown, html, chartFiles);
    }

    /** Deletes the chart files in {@code dir} (by {@link ReportCharts#ID_PREFIXES}) that are not in {@code current}. */
    private static void removeStaleCharts(Path dir, List<Path> current) throws IOException {
        try (DirectoryStream<Path> pngs = Files.newDirectoryStream(dir, "*.png")) {
            for (Path png : pngs) {
                String name = png.getFileName().toString();
                if (ReportCharts.ID_PREFIXES.stream().anyMatch(name::startsWith) && !current.contains(png)) {
                    Files.deleteIfExists(png);
                }
            }
        }
    }
}
