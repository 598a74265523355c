package io.integrationhub.api.docs;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** An RFC 9457 problem. */
@Schema(name = "Problem", description = "RFC 9457 problem details (application/problem+json)")
public class Problem {
    @Schema(example = "about:blank")
    public String type;
    public String title;
    public int status;
    public String detail;
    @Schema(description = "One entry per invalid field")
    public List<FieldError> errors;
}
