package io.gantry.trace.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentFormatTest {

    @Test
    void compositeKeysSortNewestFirstThenByIdAndStayInsideTheirPrefix() {
        Instant t = Instant.parse("2026-11-20T10:00:00.123456Z");
        byte[] newer = SegmentFormat.composite("k", t.plusMillis(1), "b");
        byte[] older = SegmentFormat.composite("k", t, "a");
        byte[] olderSameTimeLaterId = SegmentFormat.composite("k", t, "b");
        assertTrue(SegmentFormat.compare(newer, older) < 0);
        assertTrue(SegmentFormat.compare(older, olderSameTimeLaterId) < 0);
        // "k" and "k2" must not interleave, and "kä" (non-ASCII) sorts by UTF-8 bytes after them
        for (String other : List.of("k2", "kä", "l")) {
            assertTrue(SegmentFormat.compare(SegmentFormat.prefixEnd("k"), SegmentFormat.composite(other, t, "a")) <= 0, other);
        }
        assertTrue(SegmentFormat.compare(SegmentFormat.prefixStart("k"), newer) < 0);
        assertTrue(SegmentFormat.compare(newer, SegmentFormat.prefixEnd("k")) < 0);
        // time bounds: [atOrBefore(t), pastAtOrAfter(t)) is exactly time == t
        assertTrue(SegmentFormat.compare(SegmentFormat.atOrBefore("k", t), older) <= 0);
        assertTrue(SegmentFormat.compare(olderSameTimeLaterId, SegmentFormat.pastAtOrAfter("k", t)) < 0);
        assertTrue(SegmentFormat.compare(newer, SegmentFormat.atOrBefore("k", t)) < 0);
    }

    @Test
    void compositeKeysParseBack() {
        Instant t = Instant.parse("2026-11-20T10:00:00.123456Z");
        SegmentFormat.Composite c = SegmentFormat.parse(SegmentFormat.composite("topic-a", t, "01ABC"));
        assertEquals(new SegmentFormat.Composite("topic-a", t, "01ABC"), c);
    }

    @Test
    void bloomFilterHasNoFalseNegativesAndFewFalsePositives() {
        BloomFilter bloom = new BloomFilter(10_000);
        List<String> in = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            in.add(BloomFilter.messageEntry("id-" + i));
            bloom.add(in.get(i));
        }
        in.forEach(e -> assertTrue(bloom.mightContain(e)));
        int falsePositives = 0;
        for (int i = 0; i < 10_000; i++) {
            if (bloom.mightContain(BloomFilter.messageEntry("other-" + i))) {
                falsePositives++;
            }
        }
        assertTrue(falsePositives < 300, "false positives: " + falsePositives);
    }
}
