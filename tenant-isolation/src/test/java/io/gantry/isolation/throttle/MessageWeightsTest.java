package io.gantry.isolation.throttle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageWeightsTest {
    @Test
    void unitsAreFourKibRoundedUpAndAtLeastOne() {
        assertEquals(1, MessageWeights.units(0));
        assertEquals(1, MessageWeights.units(1));
        assertEquals(1, MessageWeights.units(4096));
        assertEquals(2, MessageWeights.units(4097));
        assertEquals(256, MessageWeights.units(1024 * 1024));
        assertEquals(1024, MessageWeights.units(4 * 1024 * 1024));
        assertEquals(524_288, MessageWeights.units(Integer.MAX_VALUE));
    }

    @Test
    void weightsByTypeWithUnknownAsNormal() {
        assertEquals(1, MessageWeights.weight(MessageWeights.DEFAULT, "NORMAL"));
        assertEquals(2, MessageWeights.weight(MessageWeights.DEFAULT, "FIFO"));
        assertEquals(2, MessageWeights.weight(MessageWeights.DEFAULT, "DELAY"));
        assertEquals(3, MessageWeights.weight(MessageWeights.DEFAULT, "TRANSACTION"));
        assertEquals(1, MessageWeights.weight(MessageWeights.DEFAULT, "SOMETHING_NEW"));
        assertEquals(1, MessageWeights.weight(MessageWeights.DEFAULT, null));
        assertEquals(1, MessageWeights.weight(Map.of(), "FIFO"));
    }

    @Test
    void costIsUnitsTimesWeight() {
        assertEquals(3, MessageWeights.cost(100, 3));
        assertEquals(6, MessageWeights.cost(8192 + 1, 2));
        assertEquals(3L * 524_288, MessageWeights.cost(Integer.MAX_VALUE, 3));
    }

    @Test
    void limitsForASpecGiveReceivesTwiceTheSpec() {
        assertEquals(new ThroughputLimits(1000, 2000), ThroughputLimits.forSpec(1000));
        assertEquals(new ThroughputLimits(500, 2000),
                ThroughputLimits.forSpec(1000).lowerOf(new ThroughputLimits(500, 5000)));
        assertThrows(IllegalArgumentException.class, () -> new ThroughputLimits(0, 10));
        assertEquals(0.2, ThroughputLimits.DEFAULT_BURST_SECONDS);
    }
}
