package io.integrationhub.api.docs;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "BatchItem")
public class BatchItem {
    public int index;
    public String id;
    @Schema(description = "queued, or rejected with errors")
    public String status;
    public String statusUrl;
    public List<FieldError> errors;
}
