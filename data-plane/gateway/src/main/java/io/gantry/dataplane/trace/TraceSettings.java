package io.gantry.dataplane.trace;

import java.util.Map;

/**
 * How message tracing runs in a gateway.
 *
 * @param enabled      capture and publish trace events ({@code GANTRY_TRACE_ENABLED}, default true)
 * @param bufferEvents events held between the event loops and the publisher
 *                     ({@code GANTRY_TRACE_BUFFER_EVENTS}, default 65,536); beyond it events are dropped
 *                     and counted, never waited for. The buffer also holds at most
 *                     {@link #bufferBytes()} (1 KiB per event on average), so that events carrying many
 *                     long properties cannot fill the heap.
 */
public record TraceSettings(boolean enabled, int bufferEvents) {
    public static final int DEFAULT_BUFFER_EVENTS = 65_536;
    /** Tracing off: the gateway relays without a recorder. */
    public static final TraceSettings DISABLED = new TraceSettings(false, DEFAULT_BUFFER_EVENTS);
    public static final TraceSettings DEFAULTS = new TraceSettings(true, DEFAULT_BUFFER_EVENTS);

    public TraceSettings {
        if (bufferEvents < 16 || bufferEvents > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("GANTRY_TRACE_BUFFER_EVENTS must be between 16 and 16777216, not " + bufferEvents);
        }
    }

    /** Estimated bytes the buffer may hold. */
    public long bufferBytes() {
        return bufferEvents * 1024L;
    }

    /** Reads {@code GANTRY_TRACE_ENABLED} and {@code GANTRY_TRACE_BUFFER_EVENTS}; malformed values throw. */
    public static TraceSettings fromEnv(Map<String, String> env) {
        String enabled = trimmed(env.get("GANTRY_TRACE_ENABLED"));
        boolean on;
        if (enabled == null || enabled.equalsIgnoreCase("true")) {
            on = true;
        } else if (enabled.equalsIgnoreCase("false")) {
            on = false;
        } else {
            throw new IllegalArgumentException("GANTRY_TRACE_ENABLED=" + enabled + " is neither true nor false");
        }
        String events = trimmed(env.get("GANTRY_TRACE_BUFFER_EVENTS"));
        int bufferEvents = DEFAULT_BUFFER_EVENTS;
        if (events != null) {
            try {
                bufferEvents = Integer.parseInt(events);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("GANTRY_TRACE_BUFFER_EVENTS=" + events + " is not a number", e);
            }
        }
        return new TraceSettings(on, bufferEvents);
    }

    private static String trimmed(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
