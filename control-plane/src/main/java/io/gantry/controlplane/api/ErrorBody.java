package io.gantry.controlplane.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of every error answer: {@code {"error": {"code", "message", "field"?}}}. */
public record ErrorBody(Detail error) {
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(String code, String message, String field) {
    }
}
