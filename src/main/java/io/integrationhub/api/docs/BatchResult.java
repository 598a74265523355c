package io.integrationhub.api.docs;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "BatchResult", description = "One result per message, in the request's order")
public class BatchResult {
    public int accepted;
    public int rejected;
    public List<BatchItem> results;
}
