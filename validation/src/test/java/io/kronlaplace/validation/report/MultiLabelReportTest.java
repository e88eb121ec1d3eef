package io.kronlaplace.validation.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kronlaplace.validation.metrics.MultiLabelSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A report with multi-label results alone is valid and carries them into its JSON and markdown. */
class MultiLabelReportTest {
    @TempDir
    Path dir;

    @Test
    void multiLabelEntriesReachJsonAndMarkdown() throws Exception {
        EvaluationReport report = EvaluationReport.builder("graphs")
                .addMultiLabel("MAP", "test", new MultiLabelSummary(8, 20, 0.75, 0.5, 0.125))
                .addMultiLabel("Laplace (GLM probit)", "test", new MultiLabelSummary(8, 20, 0.8, 0.45, 0.12))
                .build();
        assertEquals(List.of("MAP", "Laplace (GLM probit)"), report.methods());
        JsonNode entry = ReportJson.toTree(report).get("multiLabel").get(1);
        assertEquals("Laplace (GLM probit)", entry.get("method").asText());
        assertEquals(20, entry.get("observed").asInt());
        assertEquals(0.8, entry.get("averagePrecision").asDouble(), 0);
        assertEquals(0.45, entry.get("nll").asDouble(), 0);
        WrittenReport written = ReportWriter.write(report, dir);
        String markdown = Files.readString(written.markdown());
        assertTrue(markdown.contains("Multi-label") && markdown.contains("0.75"), markdown);
    }
}
