package io.kronlaplace.io;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The content of a safetensors file: tensors by name in file order and the optional {@code __metadata__} strings.
 *
 * @param tensors  tensors by name (an unmodifiable copy; each key equals its tensor's name)
 * @param metadata free-form strings (an unmodifiable copy; may be empty)
 */
public record SafetensorsContent(Map<String, SafetensorsTensor> tensors, Map<String, String> metadata) {
    /**
     * Copies both maps and checks that each key is its tensor's name and that no name is the metadata key.
     *
     * @param tensors  tensors keyed by their own names, in file order; not null
     * @param metadata free-form strings, may be empty; not null
     * @throws IllegalArgumentException when a key differs from its tensor's name or is {@code __metadata__}
     */
    public SafetensorsContent {
        Map<String, SafetensorsTensor> copy = new LinkedHashMap<>();
        for (Map.Entry<String, SafetensorsTensor> e : tensors.entrySet()) {
            if (!e.getKey().equals(e.getValue().name())) {
                throw new IllegalArgumentException("tensor '" + e.getValue().name() + "' is stored under the key '"
                        + e.getKey() + "'");
            }
            if (e.getKey().equals(SafetensorsHeader.METADATA)) {
                throw new IllegalArgumentException("'" + SafetensorsHeader.METADATA + "' is reserved for metadata");
            }
            copy.put(e.getKey(), e.getValue());
        }
        tensors = Collections.unmodifiableMap(copy);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Content with these tensors (in this order) and metadata.
     *
     * @param tensors  distinct names
     * @param metadata free-form strings
     * @return the content
     * @throws IllegalArgumentException on a repeated name
     */
    public static SafetensorsContent of(Collection<SafetensorsTensor> tensors, Map<String, String> metadata) {
        Map<String, SafetensorsTensor> byName = new LinkedHashMap<>();
        for (SafetensorsTensor t : tensors) {
            if (byName.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
        }
        return new SafetensorsContent(byName, metadata);
    }
}
