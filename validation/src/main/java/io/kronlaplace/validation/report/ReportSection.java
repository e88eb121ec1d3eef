package io.kronlaplace.validation.report;

import java.util.List;

/**
 * One titled part of a report page: its charts (selected by chart id prefix) and its tables, rendered the same way
 * into Markdown (tables only) and HTML (charts, then tables).
 *
 * @param heading       section heading
 * @param chartPrefixes the ids of this section's charts start with one of these
 * @param tables        the section's tables in display order
 */
record ReportSection(String heading, List<String> chartPrefixes, List<Table> tables) {

    /** Copies the lists. */
    ReportSection {
        chartPrefixes = List.copyOf(chartPrefixes);
        tables = List.copyOf(tables);
    }

    /** Whether the chart belongs to this section. */
    boolean shows(ChartImage chart) {
        return chartPrefixes.stream().anyMatch(p -> chart.id().startsWith(p));
    }
}
