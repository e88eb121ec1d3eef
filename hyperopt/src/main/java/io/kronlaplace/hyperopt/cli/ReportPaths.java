package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.validation.report.WrittenReport;
import java.io.PrintWriter;

/** Prints where a written report's files are, in the aligned form every command uses. */
final class ReportPaths {
    private ReportPaths() {
    }

    static void print(PrintWriter out, WrittenReport written) {
        out.println("report: " + written.html().toAbsolutePath());
        out.println("        " + written.markdown().toAbsolutePath());
        out.println("        " + written.json().toAbsolutePath());
    }
}
