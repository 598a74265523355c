package io.integrationhub.email;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;

/**
 * Email templates: {@code templates/email/<name>.subject.mustache}, {@code <name>.text.mustache} and/or
 * {@code <name>.html.mustache} in the project folder, rendered with mustache.java. Values are HTML-escaped in the
 * HTML part only; the subject and text parts take them as they are.
 */
public final class EmailTemplates {

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    public record Rendered(String subject, String text, String html) {
    }

    private final Path folder;
    private final MustacheFactory html;
    private final MustacheFactory plain;

    public EmailTemplates(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
        File root = this.folder.toFile();
        this.html = new DefaultMustacheFactory(root);
        this.plain = new DefaultMustacheFactory(root) {
            @Override
            public void encode(String value, Writer writer) {
                try {
                    writer.write(value);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    public boolean exists(String name) {
        return NAME.matcher(name).matches() && Files.isRegularFile(file(name, "subject"))
                && (Files.isRegularFile(file(name, "text")) || Files.isRegularFile(file(name, "html")));
    }

    /** Renders a template that {@link #exists(String)}. */
    public Rendered render(String name, Map<String, Object> data) {
        if (!exists(name)) {
            throw new IllegalArgumentException("unknown template: " + name);
        }
        return new Rendered(
                render(plain, name, "subject", data).strip(),
                Files.isRegularFile(file(name, "text")) ? render(plain, name, "text", data) : null,
                Files.isRegularFile(file(name, "html")) ? render(html, name, "html", data) : null);
    }

    private String render(MustacheFactory factory, String name, String part, Map<String, Object> data) {
        Path file = file(name, part);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Mustache mustache = factory.compile(reader, name + "." + part);
            StringWriter out = new StringWriter();
            mustache.execute(out, data).flush();
            return out.toString();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read template " + folder.relativize(file), e);
        }
    }

    private Path file(String name, String part) {
        return folder.resolve(name + "." + part + ".mustache");
    }
}
