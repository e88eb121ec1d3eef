package io.kronlaplace.validation.report;

import java.util.List;

/** The Markdown summary ({@code report.md}): title, description, and one pipe table per result kind. */
public final class MarkdownSummary {
    private MarkdownSummary() {
    }

    /** The summary as Markdown text. */
    public static String render(EvaluationReport report) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(escape(report.title())).append("\n\n");
        if (!report.description().isBlank()) {
            md.append(report.description().strip()).append("\n\n");
        }
        md.append("Calibration metrics use ").append(report.bins())
                .append(" equal-width confidence bins; NLL and entropy are in nats per example.\n\n");
        for (Table table : ReportTables.of(report)) {
            md.append("## ").append(escape(table.caption())).append("\n\n");
            row(md, table.header());
            md.append('|');
            for (int c = 0; c < table.header().size(); c++) {
                md.append(c < 3 ? " --- |" : " ---: |");
            }
            md.append('\n');
            for (List<String> row : table.rows()) {
                row(md, row);
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static void row(StringBuilder md, List<String> cells) {
        md.append('|');
        for (String cell : cells) {
            md.append(' ').append(escape(cell)).append(" |");
        }
        md.append('\n');
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
