package io.kronlaplace.validation.report;

import java.util.List;
import java.util.Set;

/**
 * A formatted table of a report, rendered the same way into Markdown and HTML.
 *
 * @param caption section heading
 * @param header  column names
 * @param rows    cell texts, each row as long as the header
 * @param best    the cells holding the best value of their column, as {@code row * header.size() + column}
 *                (rendered bold)
 */
record Table(String caption, List<String> header, List<List<String>> rows, Set<Integer> best) {

    /** Copies the lists and the set. */
    Table {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
        best = Set.copyOf(best);
    }

    /** A table without marked cells. */
    Table(String caption, List<String> header, List<List<String>> rows) {
        this(caption, header, rows, Set.of());
    }

    /** Whether every cell of the column is a number (or "n/a"), so it is right-aligned. */
    boolean isNumeric(int column) {
        return rows.stream().allMatch(r -> isNumber(r.get(column)));
    }

    /** Whether a cell's text is a number as {@link ReportTables#number} writes it, an integer or "n/a". */
    static boolean isNumber(String cell) {
        return cell.matches("-?[0-9.]+(e[-+]?[0-9]+)?|n/a|-?inf");
    }

    /** Whether the cell at {@code row}, {@code column} holds its column's best value. */
    boolean isBest(int row, int column) {
        return best.contains(row * header.size() + column);
    }
}
