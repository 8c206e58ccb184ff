package dev.vos.controlplane.spec;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class SuggestionsTest {

    @Test
    void distance_countsEdits_ignoringCase() {
        assertEquals(0, Suggestions.distance("memorymb", "memoryMb"));
        assertEquals(1, Suggestions.distance("resouces", "resources"));
        assertEquals(2, Suggestions.distance("stroage", "storage"));    // a swap is two edits
        assertEquals(3, Suggestions.distance("", "net"));
    }

    @Test
    void closest_onlyForNearMisses() {
        List<String> kinds = List.of("storage", "net");
        assertEquals(Optional.of("storage"), Suggestions.closest("stroage", kinds));
        assertEquals(Optional.of("net"), Suggestions.closest("nett", kinds));
        assertEquals(Optional.empty(), Suggestions.closest("disk", kinds));
    }
}
