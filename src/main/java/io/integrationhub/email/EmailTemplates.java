package io.integrationhub.email;

import java.nio.file.Path;
import java.util.Map;

import io.integrationhub.channel.MustacheTemplates;

/**
 * Email templates: {@code templates/email/<name>.subject.mustache}, {@code <name>.text.mustache} and/or
 * {@code <name>.html.mustache}. Values are HTML-escaped in the HTML part only; the subject and text parts take
 * them as they are.
 */
public final class EmailTemplates {

    public record Rendered(String subject, String text, String html) {
    }

    private final MustacheTemplates templates;

    public EmailTemplates(Path folder) {
        this.templates = new MustacheTemplates(folder);
    }

    public boolean exists(String name) {
        return templates.exists(name, ".subject.mustache")
                && (templates.exists(name, ".text.mustache") || templates.exists(name, ".html.mustache"));
    }

    /** Renders a template that {@link #exists(String)}. */
    public Rendered render(String name, Map<String, Object> data) {
        if (!exists(name)) {
            throw new IllegalArgumentException("unknown template: " + name);
        }
        return new Rendered(
                templates.render(name, ".subject.mustache", data, false).strip(),
                templates.exists(name, ".text.mustache") ? templates.render(name, ".text.mustache", data, false) : null,
                templates.exists(name, ".html.mustache") ? templates.render(name, ".html.mustache", data, true) : null);
    }
}
