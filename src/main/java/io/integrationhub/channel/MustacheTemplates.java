package io.integrationhub.channel;

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
 * A folder of mustache templates, rendered with mustache.java: HTML-escaped for HTML parts, as they are for plain
 * text (subjects, text bodies, SMS). Names are checked, so a request can never name a file outside the folder.
 */
public final class MustacheTemplates {

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private final Path folder;
    // made at the first render: mustache.java refuses a root folder that does not exist, and a hub started where
    // there are no templates must start (every template name is then unknown, a 422)
    private volatile MustacheFactory html;
    private volatile MustacheFactory plain;

    public MustacheTemplates(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
    }

    private MustacheFactory factory(boolean escapeHtml) {
        if (html == null) {
            synchronized (this) {
                if (html == null) {
                    File root = folder.toFile();
                    plain = new DefaultMustacheFactory(root) {
                        @Override
                        public void encode(String value, Writer writer) {
                            try {
                                writer.write(value);
                            } catch (IOException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    };
                    html = new DefaultMustacheFactory(root);
                }
            }
        }
        return escapeHtml ? html : plain;
    }

    /** Whether {@code <name><suffix>} exists, for a well-formed name. */
    public boolean exists(String name, String suffix) {
        return NAME.matcher(name).matches() && Files.isRegularFile(folder.resolve(name + suffix));
    }

    /** Renders {@code <name><suffix>}, which {@link #exists(String, String)}. */
    public String render(String name, String suffix, Map<String, Object> data, boolean escapeHtml) {
        Path file = folder.resolve(name + suffix);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Mustache mustache = factory(escapeHtml).compile(reader, name + suffix);
            StringWriter out = new StringWriter();
            mustache.execute(out, data).flush();
            return out.toString();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read template " + folder.relativize(file), e);
        }
    }
}
