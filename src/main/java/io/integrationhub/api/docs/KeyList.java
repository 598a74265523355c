package io.integrationhub.api.docs;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "KeyList")
public class KeyList {
    public List<Key> items;
}
