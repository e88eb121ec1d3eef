package io.kronlaplace.validation.data;

import java.io.BufferedReader;
import io.kronlaplace.io.Utf8Text;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a numeric CSV table as a {@link RegressionDataset}: one column is the target, all others are features.
 *
 * <p>Format: one record per line, cells separated by a single delimiter character (default ','), surrounding
 * whitespace trimmed, blank lines skipped, no quoting. With a header the first non-blank line names the columns and
 * the target may be chosen by name; without one it is chosen by 0-based index (default: the last column). The file
 * must be UTF-8 (a leading byte-order mark is skipped). Every other cell must be a decimal number
 * ({@code [+-]digits[.digits][e[+-]digits]}, no Java-only forms such as {@code 1d} or {@code 0x1p3}) whose value is
 * finite and does not underflow to zero; otherwise a {@link CorruptDataException} names the 1-based line and column.
 * Values are stored as float64.
 *
 * <pre>{@code
 * RegressionDataset data = CsvRegressionReader.builder().header(true).targetColumn("price").build()
 *         .read(Path.of("houses.csv"));
 * }</pre>
 */
public final class CsvRegressionReader {
    private static final String BYTE_ORDER_MARK = "\uFEFF";
    /** A plain decimal number; Java's parser alone would also take "1d", "0x1p3", "NaN" and "Infinity". */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    /** Non-finite values spelt out: reported as such rather than as unparsable. */
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(NaN|Infinity)");
    /** A non-zero digit before the exponent: such a number parsed as 0 has underflowed. */
    private static final Pattern NONZERO_MANTISSA = Pattern.compile("^[^eE]*[1-9]");
    private final boolean header;
    private final char delimiter;
    private final String targetName;
    private final int targetIndex;

    private CsvRegressionReader(Builder b) {
        this.header = b.header;
        this.delimiter = b.delimiter;
        this.targetName = b.targetName;
        this.targetIndex = b.targetIndex;
    }

    /**
     * A builder with defaults: header present, ',' delimiter, last column as target.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of {@link CsvRegressionReader}. */
    public static final class Builder {
        private boolean header = true;
        private char delimiter = ',';
        private String targetName;
        private int targetIndex = -1;

        private Builder() {
        }

        /**
         * Whether the first non-blank line is a header of column names (default true).
         *
         * @param present true when the first non-blank line names the columns
         * @return this builder
         */
        public Builder header(boolean present) {
            this.header = present;
            return this;
        }

        /**
         * The cell separator (default ',').
         *
         * @param separator the character between cells
         * @return this builder
         */
        public Builder delimiter(char separator) {
            this.delimiter = separator;
            return this;
        }

        /**
         * The target column by header name (requires a header).
         *
         * @param name the header name of the target column
         * @return this builder
         */
        public Builder targetColumn(String name) {
            this.targetName = name;
            this.targetIndex = -1;
            return this;
        }

        /**
         * The target column by 0-based index; -1 (the default) means the last column.
         *
         * @param index the 0-based column index of the target, or -1 for the last column
         * @return this builder
         * @throws IllegalArgumentException when the index is below -1
         */
        public Builder targetColumn(int index) {
            if (index < -1) {
                throw new IllegalArgumentException("target column index must be >= -1, got " + index);
            }
            this.targetIndex = index;
            this.targetName = null;
            return this;
        }

        /**
         * The reader.
         *
         * @return a reader with the configured options
         * @throws IllegalArgumentException when the target column is chosen by name without a header
         */
        public CsvRegressionReader build() {
            if (targetName != null && !header) {
                throw new IllegalArgumentException("target column '" + targetName
                        + "' chosen by name but the reader is configured without a header");
            }
            return new CsvRegressionReader(this);
        }
    }

    /**
     * Reads the file; the data set is named after the file.
     *
     * @param file the delimited text file, UTF-8
     * @return the features and targets of every data line, float64
     * @throws CorruptDataException when the file is not UTF-8, a cell is not a finite decimal number, a line has
     *                              another number of cells, there is no data line or the target column is not
     *                              found; the message names the line and column
     * @throws IOException          when the file is missing or cannot be read
     */
    public RegressionDataset read(Path file) throws IOException {
        List<double[]> rows = new ArrayList<>();
        String[] names = null;
        int columns = -1;
        Pattern split = Pattern.compile(Pattern.quote(String.valueOf(delimiter)), 0);
        String text;
        try {
            text = Utf8Text.decode(Files.readAllBytes(file));
        } catch (Utf8Text.MalformedException e) {
            throw new CorruptDataException(file, "line " + e.line() + ", column " + e.column() + " (byte offset "
                    + e.offset() + "): not valid UTF-8", e);
        }
        if (text.startsWith(BYTE_ORDER_MARK)) {
            text = text.substring(1);
        }
        try (BufferedReader reader = new BufferedReader(new StringReader(text))) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = split.split(line, -1);
                if (columns < 0) {
                    columns = cells.length;
                    if (columns < 2) {
                        throw new CorruptDataException(file, "line " + lineNumber + " has " + columns
                                + " column; need a target and at least one feature (delimiter '" + delimiter + "')");
                    }
                    if (header) {
                        names = new String[columns];
                        for (int c = 0; c < columns; c++) {
                            names[c] = cells[c].trim();
                        }
                        continue;
                    }
                }
                if (cells.length != columns) {
                    throw new CorruptDataException(file, "line " + lineNumber + " has " + cells.length
                            + " columns, expected " + columns);
                }
                double[] row = new double[columns];
                for (int c = 0; c < columns; c++) {
                    row[c] = parse(file, cells[c].trim(), lineNumber, c, names);
                }
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            throw new CorruptDataException(file, "no data rows");
        }
        int target = resolveTarget(file, names, columns);
        int n = rows.size();
        double[] features = new double[n * (columns - 1)];
        double[] targets = new double[n];
        for (int i = 0; i < n; i++) {
            double[] row = rows.get(i);
            int k = 0;
            for (int c = 0; c < columns; c++) {
                if (c == target) {
                    targets[i] = row[c];
                } else {
                    features[i * (columns - 1) + k++] = row[c];
                }
            }
        }
        String name = file.getFileName().toString();
        return new RegressionDataset(name,
                Nd4j.createFromArray(features).castTo(DataType.DOUBLE).reshape('c', n, columns - 1),
                Nd4j.createFromArray(targets).castTo(DataType.DOUBLE).reshape('c', n, 1));
    }

    private int resolveTarget(Path file, String[] names, int columns) throws CorruptDataException {
        if (targetName != null) {
            int found = Arrays.asList(names).indexOf(targetName);
            if (found < 0) {
                throw new CorruptDataException(file, "target column '" + targetName + "' not in header "
                        + Arrays.toString(names));
            }
            return found;
        }
        if (targetIndex >= columns) {
            throw new CorruptDataException(file, "target column index " + targetIndex + " but the table has "
                    + columns + " columns");
        }
        return targetIndex < 0 ? columns - 1 : targetIndex;
    }

    private static double parse(Path file, String cell, int line, int column, String[] names)
            throws CorruptDataException {
        String where = "line " + line + ", column " + (column + 1)
                + (names != null ? " ('" + names[column] + "')" : "");
        if (NON_FINITE.matcher(cell).matches()) {
            throw new CorruptDataException(file, where + ": value '" + cell + "' is not finite");
        }
        if (!DECIMAL.matcher(cell).matches()) {
            throw new CorruptDataException(file, where + ": cannot parse '" + cell + "' as a number");
        }
        double value = Double.parseDouble(cell);
        if (!Double.isFinite(value)) {
            throw new CorruptDataException(file, where + ": value '" + cell + "' is not finite");
        }
        if (value == 0 && NONZERO_MANTISSA.matcher(cell).find()) {
            throw new CorruptDataException(file, where + ": value '" + cell + "' underflows to zero");
        }
        return value;
    }
}
