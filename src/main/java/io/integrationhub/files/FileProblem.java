package io.integrationhub.files;

import io.integrationhub.api.ApiProblem;

/**
 * A file request refused for what it is, not for a field: too large (413), a checksum that does not match (400), no
 * such file (404), a range outside the file (416), no Content-Length (411). Nothing was stored.
 */
public class FileProblem extends ApiProblem {

    public FileProblem(int status, String title, String detail) {
        super(status, title, detail);
    }

    public static FileProblem notFound(String key) {
        return new FileProblem(404, "Not found", "there is no file under this key");
    }

    public static FileProblem tooLarge(long max) {
        return new FileProblem(413, "Payload too large", "the file is larger than " + max + " bytes (FILES_MAX_BYTES)");
    }
}
