package io.gantry.trace.archive;

import java.time.LocalDate;

/** A catalog row's pointer to a segment object and its directory. */
public record SegmentRef(String instanceId, LocalDate day, String objectKey, long directoryOffset, int directoryLength) {
}
