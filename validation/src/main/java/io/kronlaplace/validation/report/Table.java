package io.kronlaplace.validation.report;

import java.util.List;

/**
 * A formatted table of a report, rendered the same way into Markdown and HTML.
 *
 * @param caption section heading
 * @param header  column names
 * @param rows    cell texts, each row as long as the header
 */
record Table(String caption, List<String> header, List<List<String>> rows) {
}
