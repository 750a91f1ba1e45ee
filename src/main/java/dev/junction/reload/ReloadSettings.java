package dev.junction.reload;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code junction.reload.*}.
 *
 * @param watch whether this instance watches the connectors and routes folders and reloads on change
 *              ({@code POST /ops/reload} works either way)
 * @param interval how often the folders are read. A change is reloaded once two reads in a row find the same files
 *                 (an editor's several writes make one reload), so a saved change runs within two intervals
 */
@ConfigurationProperties("junction.reload")
public record ReloadSettings(@DefaultValue("true") boolean watch, @DefaultValue("2s") Duration interval) {}
