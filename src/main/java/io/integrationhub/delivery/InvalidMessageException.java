package io.integrationhub.delivery;

import java.util.List;
import java.util.stream.Collectors;

/** A message the hub refuses before anything is stored or sent; never retried. */
public class InvalidMessageException extends RuntimeException {

    private final transient List<FieldError> errors;

    public InvalidMessageException(List<FieldError> errors) {
        super(errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public InvalidMessageException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
