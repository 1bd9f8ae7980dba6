package io.gantry.trace.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One line of PostgreSQL's COPY text format, column by column. */
final class CopyText {
    private final StringBuilder line = new StringBuilder(256);
    private boolean first = true;

    CopyText text(String value) {
        separator();
        if (value == null) {
            line.append("\\N");
        } else {
            escape(line, value);
        }
        return this;
    }

    /** Empty strings become NULL: proto3 cannot tell "unset" from "". */
    CopyText optional(String value) {
        return text(value == null || value.isEmpty() ? null : value);
    }

    CopyText number(long value) {
        separator();
        line.append(value);
        return this;
    }

    /** Zero becomes NULL (proto3's unset). */
    CopyText optionalNumber(long value) {
        return value == 0 ? text(null) : number(value);
    }

    CopyText time(Instant value) {
        return text(value == null ? null : value.toString());
    }

    CopyText optionalMillis(long millis) {
        return time(millis <= 0 ? null : Instant.ofEpochMilli(millis));
    }

    CopyText array(List<String> values) {
        StringBuilder literal = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                literal.append(',');
            }
            literal.append('"');
            for (char c : clean(values.get(i)).toCharArray()) {
                if (c == '"' || c == '\\') {
                    literal.append('\\');
                }
                literal.append(c);
            }
            literal.append('"');
        }
        return text(literal.append('}').toString());
    }

    CopyText json(Map<String, String> values) {
        if (values.isEmpty()) {
            return text(null);
        }
        StringBuilder json = new StringBuilder("{");
        boolean firstEntry = true;
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (!firstEntry) {
                json.append(',');
            }
            firstEntry = false;
            jsonString(json, e.getKey()).append(':');
            jsonString(json, e.getValue());
        }
        return text(json.append('}').toString());
    }

    String end() {
        line.append('\n');
        String done = line.toString();
        line.setLength(0);
        first = true;
        return done;
    }

    /** PostgreSQL text cannot hold NUL. */
    static String clean(String value) {
        return value.indexOf('\u0000') < 0 ? value : value.replace("\u0000", "");
    }

    private void separator() {
        if (!first) {
            line.append('\t');
        }
        first = false;
    }

    private static void escape(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\u0000' -> { }
                default -> out.append(c);
            }
        }
    }

    private static StringBuilder jsonString(StringBuilder out, String value) {
        out.append('"');
        for (char c : clean(value).toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
