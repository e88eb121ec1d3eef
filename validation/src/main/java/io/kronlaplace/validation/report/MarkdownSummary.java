package io.kronlaplace.validation.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The Markdown summary ({@code report.md}): title, description, and the tables of every section of the page (see
 * {@link HtmlPage}) as pipe tables, the best value of each column in bold.
 */
public final class MarkdownSummary {
    private MarkdownSummary() {
    }

    /**
     * The summary as Markdown text.
     *
     * @param report the report to summarise
     * @return the Markdown tables of the report
     */
    public static String render(EvaluationReport report) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(escape(report.title())).append("\n\n");
        if (!report.description().isBlank()) {
            md.append(report.description().strip()).append("\n\n");
        }
        md.append("Calibration metrics use ").append(report.bins())
                .append(" equal-width confidence bins; NLL and entropy are in nats per example. In the tables, the "
                        + "best value of each column is **bold**.\n\n");
        for (ReportSection section : ReportTables.sections(report)) {
            if (section.tables().isEmpty()) {
                continue;
            }
            md.append("## ").append(escape(section.heading())).append("\n\n");
            for (Table table : section.tables()) {
                table(md, table);
            }
        }
        return md.toString();
    }

    private static void table(StringBuilder md, Table table) {
        md.append("### ").append(escape(table.caption())).append("\n\n");
        row(md, table.header());
        md.append('|');
        for (int c = 0; c < table.header().size(); c++) {
            md.append(table.isNumeric(c) ? " ---: |" : " --- |");
        }
        md.append('\n');
        for (int r = 0; r < table.rows().size(); r++) {
            List<String> cells = new ArrayList<>(table.rows().get(r));
            for (int c = 0; c < cells.size(); c++) {
                if (table.isBest(r, c)) {
                    cells.set(c, "**" + cells.get(c) + "**");
                }
            }
            row(md, cells);
        }
        md.append('\n');
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
