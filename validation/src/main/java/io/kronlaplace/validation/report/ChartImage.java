package io.kronlaplace.validation.report;

/**
 * One rendered chart of a report.
 *
 * @param id      file-name-safe identifier; the PNG is written as {@code <id>.png} and the HTML image has
 *                {@code id="chart-<id>"}
 * @param title   human-readable title (the image's alt text and caption)
 * @param png     the PNG bytes
 */
public record ChartImage(String id, String title, byte[] png) {

    /**
     * The file name of the PNG.
     *
     * @return the chart's PNG file name, without a directory
     */
    public String fileName() {
        return id + ".png";
    }
}
