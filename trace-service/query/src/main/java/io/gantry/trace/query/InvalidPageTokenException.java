package io.gantry.trace.query;

/** The page token was not issued by the same query, or was altered (the API's INVALID_PAGE_TOKEN). */
public class InvalidPageTokenException extends IllegalArgumentException {
    public InvalidPageTokenException(String message) {
        super(message);
    }
}
