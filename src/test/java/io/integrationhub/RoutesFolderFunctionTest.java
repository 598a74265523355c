package io.integrationhub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.integrationhub.channel.MustacheTemplates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Routes and templates folders that may not exist: the hub starts without them. */
class RoutesFolderFunctionTest {

    @TempDir
    Path dir;

    @Test
    void anExistingFolderIsItsYamlFilesAMissingOneMatchesNothing() {
        RoutesFolderFunction function = new RoutesFolderFunction();
        assertThat(function.apply(dir.toString()))
                .isEqualTo("file:" + dir.toAbsolutePath().normalize().toString().replace('\\', '/') + "/*.camel.yaml");
        assertThat(function.apply(dir.resolve("absent").toString())).isEqualTo(RoutesFolderFunction.NO_ROUTES);
    }

    @Test
    void templatesInAMissingFolderAreUnknownUntilItExists() throws Exception {
        Path folder = dir.resolve("templates");
        MustacheTemplates templates = new MustacheTemplates(folder);
        assertThat(templates.exists("welcome", ".mustache")).isFalse();

        Files.createDirectories(folder);
        Files.writeString(folder.resolve("welcome.mustache"), "Hi {{name}} & co");
        assertThat(templates.exists("welcome", ".mustache")).isTrue();
        assertThat(templates.render("welcome", ".mustache", Map.of("name", "<Ann>"), false)).isEqualTo("Hi <Ann> & co");
        assertThat(templates.render("welcome", ".mustache", Map.of("name", "<Ann>"), true)).isEqualTo("Hi &lt;Ann&gt; & co");
    }
}
