package io.kronlaplace.validation.report;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The self-contained HTML page ({@code report.html}): inline CSS, the tables, and every chart embedded as a PNG
 * {@code data:} URI, so the file can be mailed or archived alone and never loads external resources.
 */
public final class HtmlPage {
    private static final String CSS = """
            body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1480px;
                   color: #222; padding: 0 16px; }
            h1 { font-size: 26px; margin-bottom: 4px; }
            h2 { font-size: 20px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            h3 { font-size: 16px; margin: 18px 0 4px 0; }
            p.note { color: #555; font-size: 14px; }
            table { border-collapse: collapse; font-size: 14px; margin: 8px 0 16px 0; }
            th, td { border: 1px solid #ccc; padding: 4px 10px; }
            th { background: #f2f2f2; text-align: left; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            tr:nth-child(even) td { background: #fafafa; }
            td.best { font-weight: bold; background: #e6f4e6 !important; }
            .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
            figure { margin: 0; border: 1px solid #e3e3e3; padding: 6px; background: #fff; }
            figure img { display: block; max-width: 100%; height: auto; }
            figcaption { font-size: 13px; color: #555; text-align: center; margin-top: 4px; }
            """;

    private HtmlPage() {
    }

    /**
     * The page for a report and its rendered charts: title, description, then each section of
     * {@link ReportTables#sections} with its charts and tables.
     *
     * @param report the report
     * @param charts its charts ({@link ReportCharts#render})
     * @return the HTML text
     */
    public static String render(EvaluationReport report, List<ChartImage> charts) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(report.title())).append("</title>\n<style>\n").append(CSS).append("</style>\n")
                .append("</head>\n<body>\n<h1>").append(escape(report.title())).append("</h1>\n");
        if (!report.description().isBlank()) {
            html.append("<p>").append(escape(report.description().strip())).append("</p>\n");
        }
        html.append("<p class=\"note\">Calibration metrics use ").append(report.bins())
                .append(" equal-width confidence bins; NLL and entropy are in nats per example. In the tables, the "
                        + "best value of each column is <b>bold</b>.</p>\n");
        for (ReportSection section : ReportTables.sections(report)) {
            List<ChartImage> selected = charts.stream().filter(section::shows).toList();
            if (selected.isEmpty() && section.tables().isEmpty()) {
                continue;
            }
            html.append("<h2>").append(escape(section.heading())).append("</h2>\n");
            charts(html, selected);
            section.tables().forEach(table -> table(html, table));
        }
        html.append("</body>\n</html>\n");
        return html.toString();
    }

    private static void charts(StringBuilder html, List<ChartImage> charts) {
        if (charts.isEmpty()) {
            return;
        }
        html.append("<div class=\"charts\">\n");
        for (ChartImage chart : charts) {
            html.append("<figure><img id=\"chart-").append(chart.id()).append("\" alt=\"")
                    .append(escape(chart.title())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(chart.png())).append("\"><figcaption>")
                    .append(escape(chart.title())).append(" (").append(chart.fileName())
                    .append(")</figcaption></figure>\n");
        }
        html.append("</div>\n");
    }

    private static void table(StringBuilder html, Table table) {
        html.append("<h3>").append(escape(table.caption())).append("</h3>\n<table>\n<tr>");
        for (String head : table.header()) {
            html.append("<th>").append(escape(head)).append("</th>");
        }
        html.append("</tr>\n");
        for (int r = 0; r < table.rows().size(); r++) {
            List<String> row = table.rows().get(r);
            html.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
                List<String> classes = new ArrayList<>();
                if (table.isNumeric(c)) {
                    classes.add("num");
                }
                if (table.isBest(r, c)) {
                    classes.add("best");
                }
                html.append(classes.isEmpty() ? "<td>" : "<td class=\"" + String.join(" ", classes) + "\">")
                        .append(escape(row.get(c))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
