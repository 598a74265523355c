package io.integrationhub.api;

import java.util.List;

import io.integrationhub.delivery.FieldError;

/** A request the API refuses, rendered as RFC 9457 {@code application/problem+json}. Always a 4xx. */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String title;
    private final transient List<FieldError> errors;
    private java.time.Duration retryAfter;

    public ApiProblem(int status, String title, String detail, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public ApiProblem(int status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    public static ApiProblem badRequest(String field, String message) {
        return new ApiProblem(400, "Bad request", field + " " + message, List.of(new FieldError(field, message)));
    }

    public static ApiProblem notFound(String what) {
        return new ApiProblem(404, "Not found", what + " does not exist");
    }

    /** Adds a Retry-After to the answer: when the same request may succeed. */
    public ApiProblem retryAfter(java.time.Duration wait) {
        this.retryAfter = wait;
        return this;
    }

    public java.time.Duration retryAfter() {
        return retryAfter;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
