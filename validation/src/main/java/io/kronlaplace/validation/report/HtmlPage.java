package io.kronlaplace.validation.report;

import java.util.Arrays;
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
            p.note { color: #555; font-size: 14px; }
            table { border-collapse: collapse; font-size: 14px; margin: 8px 0 16px 0; }
            th, td { border: 1px solid #ccc; padding: 4px 10px; }
            th { background: #f2f2f2; text-align: left; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            tr:nth-child(even) td { background: #fafafa; }
            .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
            figure { margin: 0; border: 1px solid #e3e3e3; padding: 6px; background: #fff; }
            figure img { display: block; max-width: 100%; height: auto; }
            figcaption { font-size: 13px; color: #555; text-align: center; margin-top: 4px; }
            """;

    private HtmlPage() {
    }

    /** The page for a report and its rendered charts. */
    public static String render(EvaluationReport report, List<ChartImage> charts) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(report.title())).append("</title>\n<style>\n").append(CSS).append("</style>\n")
                .append("</head>\n<body>\n<h1>").append(escape(report.title())).append("</h1>\n");
        if (!report.description().isBlank()) {
            html.append("<p>").append(escape(report.description().strip())).append("</p>\n");
        }
        html.append("<p class=\"note\">Calibration metrics use ").append(report.bins())
                .append(" equal-width confidence bins; NLL and entropy are in nats per example.</p>\n");
        for (Table table : ReportTables.of(report)) {
            html.append("<h2>").append(escape(table.caption())).append("</h2>\n<table>\n<tr>");
            for (String head : table.header()) {
                html.append("<th>").append(escape(head)).append("</th>");
            }
            html.append("</tr>\n");
            for (List<String> row : table.rows()) {
                html.append("<tr>");
                for (int c = 0; c < row.size(); c++) {
                    html.append(isNumeric(row.get(c)) ? "<td class=\"num\">" : "<td>").append(escape(row.get(c)))
                            .append("</td>");
                }
                html.append("</tr>\n");
            }
            html.append("</table>\n");
        }
        section(html, "Calibration", charts, "reliability-", "confidence-", "pit-");
        section(html, "Distribution shift", charts, "shift-");
        section(html, "Training curves", charts, "training-");
        html.append("</body>\n</html>\n");
        return html.toString();
    }

    /** The charts whose id starts with one of the prefixes, as one titled grid (nothing when there are none). */
    private static void section(StringBuilder html, String heading, List<ChartImage> charts, String... prefixes) {
        List<ChartImage> selected = charts.stream()
                .filter(c -> Arrays.stream(prefixes).anyMatch(p -> c.id().startsWith(p))).toList();
        if (selected.isEmpty()) {
            return;
        }
        html.append("<h2>").append(escape(heading)).append("</h2>\n<div class=\"charts\">\n");
        for (ChartImage chart : selected) {
            html.append("<figure><img id=\"chart-").append(chart.id()).append("\" alt=\"")
                    .append(escape(chart.title())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(chart.png())).append("\"><figcaption>")
                    .append(escape(chart.title())).append(" (").append(chart.fileName())
                    .append(")</figcaption></figure>\n");
        }
        html.append("</div>\n");
    }

    private static boolean isNumeric(String cell) {
        return cell.matches("-?[0-9.]+(e[-+]?[0-9]+)?|n/a|-?inf");
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
