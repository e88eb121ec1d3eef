package io.kronlaplace.validation.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportDemoTest {
    @Test
    void demoWritesAllFiles(@TempDir Path dir) throws Exception {
        Path out = Path.of(System.getProperty("report.demo.dir", dir.toString()));
        ReportDemo.main(new String[] {out.toString()});
        assertTrue(Files.size(out.resolve(ReportWriter.HTML)) > 10_000);
        assertTrue(Files.size(out.resolve(ReportWriter.JSON)) > 1_000);
        assertTrue(Files.size(out.resolve(ReportWriter.MARKDOWN)) > 500);
    }
}
