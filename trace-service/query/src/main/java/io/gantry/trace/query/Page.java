package io.gantry.trace.query;

import java.util.List;
import java.util.Optional;

/** One page of a list; {@code nextPageToken} is null on the last page. */
public record Page<T>(List<T> items, String nextPageToken) {
    public Page {
        items = List.copyOf(items);
    }

    public Optional<String> next() {
        return Optional.ofNullable(nextPageToken);
    }
}
