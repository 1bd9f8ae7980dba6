package io.gantry.isolation.quota;

import java.util.List;
import java.util.Optional;

/** The price book's editions. Prices are in USD per hour; limits are per instance. */
public final class Editions {
    public static final String CURRENCY = "USD";

    private static final List<Edition> ALL = List.of(
            new Edition("test", "Test", "For development and functional tests; not for production traffic.",
                    List.of(new Edition.TpsSpec(500, "0.02")),
                    20, 20, 5, 72, 72, 4096, 8, new Edition.ClientLimits(100, 400, 100)),
            new Edition("standard", "Standard", "Shared clusters with dedicated throughput for production workloads.",
                    List.of(new Edition.TpsSpec(1000, "0.12"), new Edition.TpsSpec(2000, "0.22"),
                            new Edition.TpsSpec(5000, "0.50")),
                    200, 500, 50, 168, 72, 4096, 16, new Edition.ClientLimits(1000, 4000, 1000)),
            new Edition("professional", "Professional", "High throughput, long retention, the largest limits.",
                    List.of(new Edition.TpsSpec(5000, "0.80"), new Edition.TpsSpec(10000, "1.50"),
                            new Edition.TpsSpec(20000, "2.80"), new Edition.TpsSpec(50000, "6.50")),
                    1000, 2000, 200, 720, 72, 8192, 32, new Edition.ClientLimits(5000, 20000, 5000)));

    private Editions() {
    }

    public static List<Edition> all() {
        return ALL;
    }

    /** The largest message body any edition allows, in bytes. */
    public static int largestMessageBytes() {
        return ALL.stream().mapToInt(Edition::maxMessageSizeKiB).max().orElse(4096) * 1024;
    }

    public static Optional<Edition> byCode(String code) {
        return ALL.stream().filter(e -> e.code().equals(code)).findFirst();
    }
}
